#include "hub/cluster/cluster_member.hpp"

#include <charconv>

#include <boost/asio/post.hpp>
#include <nlohmann/json.hpp>

namespace telehub::hub {

ClusterMember::ClusterMember(ClusterOptions options, const HostRegistry& registry, Hooks hooks)
    : o_(std::move(options)),
      registry_(registry),
      hooks_(std::move(hooks)),
      peers_(o_.hub_name, o_.grace_ms, o_.forget_ms, &HostRegistry::system_clock_ms),
      tls_(o_.redis.tls ? make_redis_tls_context(o_.tls) : nullptr),
      ioc_(1),
      cmd_(ioc_, o_.redis, [this](bool up, const std::string& why) { on_state("commands", up, why); }, tls_),
      sub_(ioc_, o_.redis, [this](bool up, const std::string& why) { on_state("subscription", up, why); }, tls_),
      timer_(ioc_),
      watch_timer_(ioc_) {
    sub_.subscribe({o_.prefix + ":fleet", o_.prefix + ":takeover", o_.prefix + ":req:" + o_.hub_name,
                    o_.prefix + ":cmd:" + o_.hub_name, o_.prefix + ":rep:" + o_.hub_name,
                    o_.prefix + ":watch:" + o_.hub_name, o_.prefix + ":detail:" + o_.hub_name, o_.prefix + ":forget"},
                   [this](std::string_view channel, std::string_view payload) { on_message(channel, payload); });
    boost::asio::post(ioc_, [this] {
        cmd_.start();
        sub_.start();
        arm();
    });
    thread_ = std::thread([this] { ioc_.run(); });
}

ClusterMember::~ClusterMember() {
    boost::asio::post(ioc_, [this] {
        for (auto& [id, p] : pending_) p.done({503, "application/json", R"({"error":{"code":"shutting_down","message":"the hub is stopping"}})"});
        pending_.clear();
        timer_.cancel();
        watch_timer_.cancel();
        cmd_.stop();
        sub_.stop();
        ioc_.stop();
    });
    if (thread_.joinable()) thread_.join();
}

void ClusterMember::on_message(std::string_view channel, std::string_view payload) {
    if (channel == o_.prefix + ":takeover") return on_takeover(payload);
    if (channel == o_.prefix + ":req:" + o_.hub_name) return on_request(payload);
    if (channel == o_.prefix + ":rep:" + o_.hub_name) return on_answer(payload);
    if (channel == o_.prefix + ":cmd:" + o_.hub_name) return on_command(payload);
    if (channel == o_.prefix + ":watch:" + o_.hub_name) return on_watch(payload);
    if (channel == o_.prefix + ":detail:" + o_.hub_name) return on_detail(payload);
    if (channel == o_.prefix + ":forget") return on_forget(payload);
    if (is_batch_of(payload, o_.hub_name)) return check_own_batch(payload);  // its own, back from the channel
    auto b = batches_.decode(payload);
    if (auto* batch = std::get_if<FleetBatch>(&b)) return peers_.take(std::move(*batch));
    note_error("ignoring a message on " + o_.prefix + ":fleet: " + std::get<FleetBatchError>(b).message);
}

// Two hubs of one name answer each other's commands and hide each other's
// hosts: said in the log and in /healthz's cluster error, by both.
void ClusterMember::check_own_batch(std::string_view payload) {
    own_heard_ms_ = HostRegistry::system_clock_ms();
    // Read from its head: decoding a whole batch of this hub's own hosts each second is what is_batch_of spares.
    const auto ts = batch_ts_of(payload, o_.hub_name);
    if (!ts || std::find(sent_ts_.begin(), sent_ts_.end(), *ts) != sent_ts_.end()) return;
    const std::string why = "another hub also calls itself '" + o_.hub_name +
                            "' on this Redis: commands and fleet rows of the two get mixed up; give each hub its own --hub-name";
    {
        std::lock_guard lock(status_mu_);
        name_clash_ = why;
    }
    note_error(why);
}

// Another program on a channel, or a hub of another version: said once, not once a second.
void ClusterMember::note_error(const std::string& why) {
    std::lock_guard lock(status_mu_);
    if (last_error_ != why) {
        last_error_ = why;
        if (hooks_.log) hooks_.log("cluster: " + why);
    }
}

// "HUB TS_MS HOST_ID": host ids hold no space (docs/protocol.md), hub names neither.
void ClusterMember::claimed(const std::string& host_id) {
    const auto now = HostRegistry::system_clock_ms();
    boost::asio::post(ioc_, [this, host_id, now] {
        claimed_ms_[host_id] = now;
        cmd_.command({"PUBLISH", o_.prefix + ":takeover", o_.hub_name + " " + std::to_string(now) + " " + host_id});
    });
}

void ClusterMember::on_takeover(std::string_view payload) {
    const auto a = payload.find(' ');
    const auto b = a == std::string_view::npos ? a : payload.find(' ', a + 1);
    if (b == std::string_view::npos) return;
    const std::string hub(payload.substr(0, a));
    const std::string host_id(payload.substr(b + 1));
    if (hub == o_.hub_name || host_id.empty()) return;
    std::int64_t at = 0;
    std::from_chars(payload.data() + a + 1, payload.data() + b, at);
    // This hub's own hello came after that one: this connection is the newer.
    if (auto it = claimed_ms_.find(host_id); it != claimed_ms_.end() && it->second > at) return;
    claimed_ms_.erase(host_id);
    if (hooks_.taken_over) hooks_.taken_over(host_id, hub);
}

ClusterMember::Forgotten ClusterMember::forget(const std::string& host_id) {
    Forgotten f{peers_.forget(host_id), up_.load(std::memory_order_relaxed)};
    boost::asio::post(ioc_, [this, host_id] {
        if (cmd_.up()) cmd_.command({"PUBLISH", o_.prefix + ":forget", o_.hub_name + " " + host_id});
    });
    return f;
}

// "HUB HOST_ID", from the hub a DELETE ran on.
void ClusterMember::on_forget(std::string_view payload) {
    const auto a = payload.find(' ');
    if (a == std::string_view::npos || a == 0 || a + 1 == payload.size()) return note_error("ignoring a message on " + o_.prefix + ":forget: expected \"HUB HOST_ID\"");
    const std::string hub(payload.substr(0, a));
    const std::string host_id(payload.substr(a + 1));
    if (hub == o_.hub_name) return;
    peers_.forget(host_id);
    if (hooks_.forget) hooks_.forget(host_id, hub);
}

// Request: "FROM ID TARGET"; answer: "ID STATUS CONTENT-TYPE\nBODY". Hub
// names, ids, statuses and content types hold no space; a target is a path.
void ClusterMember::forward_get(const std::string& hub, const std::string& target, std::function<void(Answer)> done) {
    ask(hub, o_.prefix + ":req:" + hub,
        [this, target](std::uint64_t id) { return o_.hub_name + " " + std::to_string(id) + " " + target; },
        o_.request_timeout_ms, std::move(done));
}

void ClusterMember::forward_command(const std::string& hub, RemoteCommand command, std::int64_t timeout_ms,
                                    std::function<void(RelayResult)> done) {
    ask(hub, o_.prefix + ":cmd:" + hub,
        [this, command = std::move(command), timeout_ms](std::uint64_t id) {
            return encode_remote_command({o_.hub_name, id, command, HostRegistry::system_clock_ms() + timeout_ms});
        },
        timeout_ms, [done = std::move(done)](Answer a) { done(decode_relay_result(a.status, a.content_type, a.body)); });
}

void ClusterMember::ask(const std::string& hub, std::string channel, std::function<std::string(std::uint64_t)> payload,
                        std::int64_t timeout_ms, std::function<void(Answer)> done) {
    boost::asio::post(ioc_, [this, hub, channel = std::move(channel), payload = std::move(payload), timeout_ms,
                             done = std::move(done)]() mutable {
        if (!cmd_.up()) {
            done({503, "application/json", R"({"error":{"code":"cluster_down","message":"host held by hub ')" + hub +
                                               R"(', and the cluster's Redis is down"}})"});
            return;
        }
        const auto id = next_request_++;
        auto& p = pending_[id];
        p.hub = hub;
        p.done = std::move(done);
        p.deadline = std::make_unique<boost::asio::steady_timer>(ioc_, std::chrono::milliseconds(timeout_ms));
        p.deadline->async_wait([this, id, timeout_ms](boost::system::error_code ec) {
            if (ec) return;
            auto it = pending_.find(id);
            if (it == pending_.end()) return;
            auto waiting = std::move(it->second);
            pending_.erase(it);
            waiting.done({504, "application/json", R"({"error":{"code":"hub_timeout","message":"hub ')" + waiting.hub +
                                                       "', which holds the host, did not answer within " +
                                                       std::to_string(timeout_ms) + R"( ms"}})"});
        });
        cmd_.command({"PUBLISH", channel, payload(id)});
    });
}

void ClusterMember::on_request(std::string_view payload) {
    const auto a = payload.find(' ');
    const auto b = a == std::string_view::npos ? a : payload.find(' ', a + 1);
    if (b == std::string_view::npos || !hooks_.serve_get) return;
    const std::string from(payload.substr(0, a));
    const std::string id(payload.substr(a + 1, b - a - 1));
    const std::string target(payload.substr(b + 1));
    // Per-host reads only: what the asking hub forwards, nothing else a message could name.
    if (target.rfind("/api/hosts/", 0) != 0) return;
    const Answer r = hooks_.serve_get(target);
    cmd_.command({"PUBLISH", o_.prefix + ":rep:" + from,
                  id + " " + std::to_string(r.status) + " " + r.content_type + "\n" + r.body});
}

void ClusterMember::serve_commands_on(boost::asio::any_io_executor ex) {
    boost::asio::post(ioc_, [this, ex = std::move(ex)] { command_ex_ = ex; });
}

void ClusterMember::on_command(std::string_view payload) {
    auto decoded = decode_remote_command(payload);
    if (auto* why = std::get_if<std::string>(&decoded)) return note_error("ignoring a message on " + o_.prefix + ":cmd:" + o_.hub_name + ": " + *why);
    auto m = std::get<RemoteCommandMessage>(std::move(decoded));
    const auto reply_to = o_.prefix + ":rep:" + m.from_hub;
    const auto id = m.request_id;
    if (!hooks_.serve_command) return;
    if (const auto late = HostRegistry::system_clock_ms() - m.deadline_ms; m.deadline_ms > 0 && late > 0) {
        note_error("dropped command " + m.command.command_id + " (" + m.command.op + " on host '" + m.command.host_id +
                   "') from hub '" + m.from_hub + "': it came " + std::to_string(late) +
                   " ms after that hub stopped waiting for it, so it was not run");
        cmd_.command({"PUBLISH", reply_to,
                      std::to_string(id) + " 504 " + std::string(relay_result_type) + "\n" +
                          encode_relay_result({504, false, {}, "expired", "the command reached hub '" + o_.hub_name +
                                                                              "' after its deadline and was not run"})});
        return;
    }
    if (!command_ex_) {
        cmd_.command({"PUBLISH", reply_to,
                      std::to_string(id) + " 503 " + std::string(relay_result_type) + "\n" +
                          encode_relay_result({503, false, {}, "hub_starting", "hub '" + o_.hub_name + "' is starting"})});
        return;
    }
    hooks_.serve_command(std::move(m), *command_ex_, [this, reply_to, id](RelayResult r) {
        boost::asio::post(ioc_, [this, reply_to, id, r = std::move(r)] {
            cmd_.command({"PUBLISH", reply_to,
                          std::to_string(id) + " " + std::to_string(r.status) + " " + std::string(relay_result_type) +
                              "\n" + encode_relay_result(r)});
        });
    });
}

void ClusterMember::on_answer(std::string_view payload) {
    const auto nl = payload.find('\n');
    if (nl == std::string_view::npos) return;
    const std::string_view head = payload.substr(0, nl);
    const auto a = head.find(' ');
    const auto b = a == std::string_view::npos ? a : head.find(' ', a + 1);
    if (b == std::string_view::npos) return;
    std::uint64_t id = 0;
    int status = 0;
    std::from_chars(head.data(), head.data() + a, id);
    std::from_chars(head.data() + a + 1, head.data() + b, status);
    auto it = pending_.find(id);
    if (it == pending_.end()) return;  // answered after its deadline: the 504 went already
    auto waiting = std::move(it->second);
    pending_.erase(it);
    waiting.deadline->cancel();
    waiting.done({status, std::string(head.substr(b + 1)), std::string(payload.substr(nl + 1))});
}

void ClusterMember::on_state(const char* which, bool up, const std::string& why) {
    (std::string_view(which) == "commands" ? cmd_up_ : sub_up_).store(up);
    const bool both = cmd_up_.load() && sub_up_.load();
    const bool was = up_.exchange(both);
    {
        std::lock_guard lock(status_mu_);
        if (!up) last_error_ = why;
    }
    if (!hooks_.log) return;
    if (both && !was) hooks_.log("cluster: joined as '" + o_.hub_name + "' through " + o_.redis.display());
    else if (!up && (was || !why.empty()))
        hooks_.log(std::string("cluster: Redis ") + which + " link down (" + why + "); serving this hub's own hosts until it is back");
}

void ClusterMember::arm() {
    timer_.expires_after(std::chrono::milliseconds(o_.period_ms));
    timer_.async_wait([this](boost::system::error_code ec) {
        if (ec) return;
        publish();
        arm();
    });
}

void ClusterMember::publish() {
    if (!cmd_.up()) return;
    const auto now = HostRegistry::system_clock_ms();
    // The subscription hears this hub's own batch every period while it is alive.
    const auto limit = std::chrono::duration_cast<std::chrono::milliseconds>(RedisLink::silence_limit).count();
    if (!sub_.up() || own_heard_ms_ == 0) {
        own_heard_ms_ = now;
    } else if (now - own_heard_ms_ > limit + o_.period_ms) {
        own_heard_ms_ = now;
        sub_.restart("no message from Redis on the subscription for " + std::to_string(limit / 1000) +
                     " s (the network or Redis stalled)");
    }
    const auto ttl = std::to_string(o_.presence_ttl_ms);
    // Online hosts only: an offline one may be online on another hub now.
    auto rows = registry_.summaries(HostFilter{});
    std::erase_if(rows, [](const HostSummary& s) { return !s.online; });
    if (claimed_ms_.size() > 2 * rows.size() + 1024) claimed_ms_.clear();  // bounded; a lost entry only lets a late message through
    cmd_.command({"SET", o_.prefix + ":hub:" + o_.hub_name, std::to_string(now), "PX", ttl});
    for (const auto& r : rows) cmd_.command({"SET", o_.prefix + ":host:" + r.host_id, o_.hub_name, "PX", ttl});
    sent_ts_[sent_next_++ % sent_ts_.size()] = now;
    cmd_.command({"PUBLISH", o_.prefix + ":fleet", encode_fleet_batch(o_.hub_name, now, registry_.high_cpu(), rows)});
    ask_for_watched_frames();
}

// "FROM HOST..." on telehub:watch:HOLDER, once a second for every host this
// hub's dashboards follow in detail that another hub holds.
void ClusterMember::ask_for_watched_frames() {
    if (!hooks_.detail_hosts) return;
    std::unordered_map<std::string, std::string> by_holder;
    for (const auto& host : hooks_.detail_hosts()) {
        if (registry_.online(host).value_or(false)) continue;
        auto hub = peers_.holder(host);
        if (!hub || *hub == o_.hub_name) continue;
        auto& line = by_holder[*hub];
        if (line.empty()) line = o_.hub_name;
        line += ' ';
        line += host;
    }
    for (const auto& [hub, line] : by_holder) cmd_.command({"PUBLISH", o_.prefix + ":watch:" + hub, line});
}

void ClusterMember::on_watch(std::string_view payload) {
    const auto now = HostRegistry::system_clock_ms();
    const auto lease_ms = 3 * o_.period_ms;
    std::string from;
    std::size_t pos = 0;
    while (pos < payload.size()) {
        auto end = payload.find(' ', pos);
        if (end == std::string_view::npos) end = payload.size();
        std::string word(payload.substr(pos, end - pos));
        pos = end + 1;
        if (word.empty()) continue;
        if (from.empty()) {
            from = std::move(word);
            continue;
        }
        if (!registry_.online(word).value_or(false)) continue;  // not ours (any more): nothing to send
        watches_[word].until_ms[from] = now + lease_ms;
    }
    if (!watches_.empty() && !watch_armed_) send_watched_frames();
}

// "HOST\nFRAME" on telehub:detail:WATCHER: a host's newest frame, when it changed.
void ClusterMember::send_watched_frames() {
    const auto now = HostRegistry::system_clock_ms();
    for (auto it = watches_.begin(); it != watches_.end();) {
        auto& [host, w] = *it;
        std::erase_if(w.until_ms, [now](const auto& kv) { return kv.second < now; });
        auto frame = w.until_ms.empty() ? nullptr : registry_.latest_frame(host);
        if (!frame) {
            it = watches_.erase(it);
            continue;
        }
        if (frame != w.last_sent && cmd_.up()) {
            w.last_sent = frame;
            for (const auto& [hub, until] : w.until_ms)
                cmd_.command({"PUBLISH", o_.prefix + ":detail:" + hub, host + "\n" + *frame});
        }
        ++it;
    }
    watch_armed_ = !watches_.empty();
    if (!watch_armed_) return;
    watch_timer_.expires_after(std::chrono::milliseconds(o_.watch_period_ms));
    watch_timer_.async_wait([this](boost::system::error_code ec) {
        if (!ec) send_watched_frames();
    });
}

void ClusterMember::on_detail(std::string_view payload) {
    const auto nl = payload.find('\n');
    if (nl == std::string_view::npos || nl == 0 || !hooks_.detail_frame) return;
    hooks_.detail_frame(std::string(payload.substr(0, nl)), std::make_shared<const std::string>(payload.substr(nl + 1)));
}

nlohmann::json ClusterMember::status() const {
    nlohmann::json peers = nlohmann::json::array();
    for (const auto& p : peers_.peers())
        peers.push_back({{"hub", p.hub}, {"hosts", p.hosts}, {"age_ms", p.age_ms}, {"live", p.live}});
    nlohmann::json j = {{"hub", o_.hub_name},
                        {"redis", o_.redis.display()},
                        {"state", redis_up() ? "up" : "down"},
                        {"peers", std::move(peers)}};
    std::lock_guard lock(status_mu_);
    if (!redis_up() && !last_error_.empty()) j["error"] = last_error_;
    if (!name_clash_.empty()) j["warning"] = name_clash_;
    return j;
}

}  // namespace telehub::hub
