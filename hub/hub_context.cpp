#include "hub/hub_context.hpp"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <unistd.h>

namespace telehub::hub {
namespace {

RegistryOptions registry_options(const HubConfig& c) {
    RegistryOptions o;
    o.history_points = c.history_points;
    o.high_cpu = c.high_cpu;
    o.save_batch_points = c.persist ? 64 : 0;
    o.max_hosts = c.max_hosts;
    o.metrics_top_processes = c.metrics_top_processes;
    return o;
}

StoreOptions store_options(const HubConfig& c) {
    StoreOptions o;
    o.path = (std::filesystem::path(c.data_dir) / "history.db").string();
    o.retention_ms = c.retention_ms;
    o.forget_after_ms = c.forget_after_ms;
    // The ring's points at a 1 s interval, and ten minutes more.
    o.keep_full_ms = static_cast<std::int64_t>(c.history_points) * 1000 + 600'000;
    return o;
}

TerminalLogOptions log_options(const HubConfig& c) {
    TerminalLogOptions o;
    o.format = c.log_format;
    o.high_cpu = c.high_cpu;
    o.min_cpu = c.log_min_cpu;
    o.quiet = c.quiet;
    o.max_lines_per_s = c.log_rate;
    o.file = c.log_file;
    return o;
}

// `generated_admin`: the token used when no admin token is configured, read
// or made by kept_admin_token() when empty and kept across reloads; null for
// --check-config, which makes nothing.
void load_tokens(const HubConfig& c, AccessTokens& t, KeptAdminToken* generated_admin) {
    for (const auto& v : c.agent_tokens) t.add(Role::agent, "agent", v);
    for (const auto& f : c.agent_token_files) t.add_file(Role::agent, f);
    for (const auto& v : c.admin_tokens) t.add(Role::admin, "admin", v);
    for (const auto& f : c.admin_token_files) t.add_file(Role::admin, f);
    for (const auto& v : c.viewer_tokens) t.add(Role::viewer, "viewer", v);
    for (const auto& f : c.viewer_token_files) t.add_file(Role::viewer, f);
    for (const auto& f : c.agent_credential_files) t.add_credentials_file(Role::agent, f);
    for (const auto& f : c.admin_credential_files) t.add_credentials_file(Role::admin, f);
    for (const auto& f : c.viewer_credential_files) t.add_credentials_file(Role::viewer, f);
    if (!t.has(Role::admin) && generated_admin) {
        if (generated_admin->token.empty()) *generated_admin = kept_admin_token(c.data_dir);
        t.add(Role::admin, "admin", generated_admin->token);
    }
}

// The names a generated certificate carries: this host's name, and the listen
// address, or every interface address when listening on all of them.
std::vector<std::string> local_ip_names(const std::string& listen) {
    auto addr = boost::asio::ip::make_address(listen);
    if (!addr.is_unspecified()) return {listen};
    std::vector<std::string> out;
    ifaddrs* list = nullptr;
    if (::getifaddrs(&list) != 0) return out;
    for (auto* i = list; i; i = i->ifa_next) {
        if (!i->ifa_addr || (i->ifa_addr->sa_family != AF_INET && i->ifa_addr->sa_family != AF_INET6)) continue;
        char buf[INET6_ADDRSTRLEN] = "";
        const void* a = i->ifa_addr->sa_family == AF_INET
                            ? static_cast<const void*>(&reinterpret_cast<sockaddr_in*>(i->ifa_addr)->sin_addr)
                            : static_cast<const void*>(&reinterpret_cast<sockaddr_in6*>(i->ifa_addr)->sin6_addr);
        if (!::inet_ntop(i->ifa_addr->sa_family, a, buf, sizeof buf)) continue;
        std::string s(buf);
        if (s.find('%') == std::string::npos && std::find(out.begin(), out.end(), s) == out.end()) out.push_back(s);
    }
    ::freeifaddrs(list);
    return out;
}

std::string ticket_key_file(const HubConfig& c) { return c.data_dir + "/tls/ticket-keys"; }

}  // namespace

std::vector<std::string> check_hub_files(const HubConfig& c) {
    std::vector<std::string> warnings;
    AccessTokens scratch;
    load_tokens(c, scratch, nullptr);
    // A kept admin token the start would refuse (others may read it) fails the check too; none is made here.
    std::error_code exists_ec;
    if (!scratch.has(Role::admin) && std::filesystem::exists(std::filesystem::path(c.data_dir) / "admin.token", exists_ec))
        kept_admin_token(c.data_dir);
    std::error_code ec;
    if (!std::filesystem::is_directory(c.web_root, ec))
        throw std::runtime_error("--web-root: '" + c.web_root + "' is not a directory");
    for (const auto* file : {&c.tls_cert, &c.tls_key})
        if (!file->empty() && !std::ifstream(*file))
            throw std::runtime_error("cannot read '" + *file + "' (--tls-cert / --tls-key)");
    // The same load the hub's start runs: a key of another certificate, or one agents would refuse, fails the check.
    if (!c.tls_cert.empty())
        if (auto w = ServerTls::check_pair(c.tls_cert, c.tls_key); !w.empty()) warnings.push_back(w);
    if (!c.cluster_url.empty() && std::get<RedisUrl>(parse_redis_url(c.cluster_url)).tls)
        make_redis_tls_context({c.cluster_ca, c.cluster_cert, c.cluster_key});  // throws naming the file
    // The same parse the hub's start runs, so a rules file that would stop the hub fails the check.
    if (!c.rules_file.empty()) AlertBook::load_rules_file(c.rules_file);
    return warnings;
}

void HubContext::apply_reload(const HubConfig& next) {
    AccessTokens fresh;
    load_tokens(next, fresh, &generated_admin);  // may throw: nothing has changed yet
    tokens.replace_with(fresh);
    registry.set_high_cpu(next.high_cpu);
    log.set_high_cpu(next.high_cpu);
}

void HubContext::alert_changes(const std::vector<AlertEvent>& events) {
    if (events.empty()) return;
    for (const AlertEvent& e : events)
        if (worth_a_line(e)) log.event(alert_log_line(e));
    notifier->submit(events);
}

void HubContext::forgotten(const std::vector<std::string>& host_ids, const std::string& why) {
    if (host_ids.empty()) return;
    stats.hosts_forgotten.fetch_add(host_ids.size(), std::memory_order_relaxed);
    if (store)
        for (const auto& id : host_ids) store->forget(id);
    for (const auto& id : host_ids) {
        alerts.forget(id);
        fleet.remove(id);
    }
    log.event("forgot " + (host_ids.size() == 1 ? "host '" + host_ids.front() + "'"
                                                : std::to_string(host_ids.size()) + " hosts ('" + host_ids.front() + "', ...)") +
              " and " + (host_ids.size() == 1 ? "its" : "their") + " history " + why);
}

ForgetResult HubContext::forget_here(const std::string& host_id, const std::string& why) {
    const auto r = registry.forget(host_id);
    if (r == ForgetResult::forgotten) forgotten({host_id}, why);
    return r;
}

bool HubContext::plain_allowed(const boost::asio::ip::address& peer) const {
    auto a = peer;
    if (a.is_v6() && a.to_v6().is_v4_mapped()) a = boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, a.to_v6());
    return std::find(plain_from.begin(), plain_from.end(), a) != plain_from.end();
}

void HubContext::replace_agent(AgentLink& older, const std::string& host_id, const std::string& why) {
    stats.agents_replaced.fetch_add(1, std::memory_order_relaxed);
    log.event("agent replaced: host '" + host_id + "' " + why);
    older.replace();
}

HubContext::HubContext(HubConfig cfg)
    : config(std::move(cfg)),
      registry(registry_options(config)),
      alerts(config.rules_file.empty() ? RulesParse{default_rules(config.high_cpu), {}, {}, {}}
                                       : AlertBook::load_rules_file(config.rules_file),
             config.rules_file),
      log(log_options(config)),
      files(config.web_root),
      relay(agents, std::chrono::milliseconds(config.command_timeout_ms)),
      started_ms(HostRegistry::system_clock_ms()) {
    load_tokens(config, tokens, &generated_admin);
    if (config.persist) {
        std::error_code ec;
        std::filesystem::create_directories(config.data_dir, ec);
        if (ec) throw std::runtime_error("cannot create the data directory " + config.data_dir + " (--data-dir): " + ec.message());
        const auto t0 = std::chrono::steady_clock::now();
        store = std::make_unique<HistoryStore>(store_options(config));
        store->set_error_sink([this](const std::string& m) { log.event(m); });
        store->load(HostRegistry::system_clock_ms(), [this](LoadedHost&& h) {
            registry.restore(std::move(h));
            ++restored_hosts;
        });
        restore_ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
        store->start(HostRegistry::system_clock_ms);
    }
    audit = std::make_unique<AuditLog>(config.audit_log);
    audit->set_error_sink([this](const std::string& m) { log.event(m); });
    if (!audit->open_error().empty()) log.event(audit->open_error());
    metrics = std::make_unique<MetricsScraper>([this] {
        auto body = build_metrics_body(registry.metrics(), stats, {log.dropped(), started_ms, metrics->last_build_seconds()});
        if (cluster) {
            ClusterFacts facts{cluster->redis_up(), {}};
            for (const auto& p : cluster->peers())
                facts.peers.push_back({p.hub, p.hosts, p.live, static_cast<double>(p.age_ms) / 1000.0});
            append_cluster_metrics(body, facts);
        }
        return body;
    });
    NotifierOptions notify_options;
    notify_options.hub_name = local_host_name();
    notify_options.started_ms = started_ms;
    if (config.persist) notify_options.state_file = (std::filesystem::path(config.data_dir) / "alerts.json").string();
    notifier = std::make_unique<Notifier>(alerts, silences, std::move(notify_options), [this](const std::string& m) { log.event(m); });
    for (const auto& a : config.plain_from) plain_from.push_back(boost::asio::ip::make_address(a));
    if (!config.tls_cert.empty()) {
        tls = std::make_unique<ServerTls>(config.tls_cert, config.tls_key, ticket_key_file(config));
    } else if (config.self_signed_tls || !boost::asio::ip::make_address(config.listen_address).is_loopback()) {
        auto made = ensure_self_signed(config.data_dir, {local_host_name(), "localhost"}, local_ip_names(config.listen_address));
        tls = std::make_unique<ServerTls>(made.cert_file, made.key_file, ticket_key_file(config));
        tls_generated = made.created;
    }
    if (!config.cluster_url.empty()) {
        ClusterOptions co;
        co.redis = std::get<RedisUrl>(parse_redis_url(config.cluster_url));  // checked with the flags
        co.hub_name = config.hub_name;
        // Redis's Pub/Sub ignores the database number: the channels carry it, so that hubs on
        // /1 and /0 of one server are two clusters, as their keys are. /0 keeps the plain names.
        if (co.redis.db != 0) co.prefix += ":db" + std::to_string(co.redis.db);
        co.tls = {config.cluster_ca, config.cluster_cert, config.cluster_key};
        co.forget_ms = config.forget_after_ms;
        ClusterMember::Hooks hooks;
        hooks.log = [this](const std::string& m) { log.event(m); };
        hooks.taken_over = [this](const std::string& host_id, const std::string& by_hub) {
            std::uint64_t conn = 0;
            if (auto link = agents.owner_link(host_id, conn))
                replace_agent(*link, host_id, "connected to hub '" + by_hub + "'; closing the older connection here");
        };
        hooks.serve_get = [this](const std::string& target) {
            auto r = route_http(*this, "GET", target);
            return ClusterMember::Answer{r.status, std::move(r.content_type), std::move(r.body)};
        };
        hooks.serve_command = [this](RemoteCommandMessage m, boost::asio::any_io_executor ex,
                                     std::function<void(RelayResult)> done) {
            run_forwarded_control(*this, ex, std::move(m), std::move(done));
        };
        hooks.detail_hosts = [this] { return live.detail_hosts(); };
        hooks.detail_frame = [this](const std::string& host_id, std::shared_ptr<const std::string> frame) {
            live.forward_sample(host_id, frame);
        };
        hooks.forget = [this](const std::string& host_id, const std::string& by_hub) {
            switch (forget_here(host_id, "(DELETE on hub '" + by_hub + "')")) {
            case ForgetResult::forgotten: break;
            case ForgetResult::online:
                log.event("kept host '" + host_id + "', which hub '" + by_hub +
                          "' forgot: its agent is connected here, so it is back on every hub");
                break;
            case ForgetResult::unknown: break;
            }
        };
        cluster = std::make_unique<ClusterMember>(std::move(co), registry, std::move(hooks));
    }
}

}  // namespace telehub::hub
