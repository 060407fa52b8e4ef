// Issue #23's whole story on three hubs (docs/cluster.md): a redis-server of
// the test's own, hubs A, B and C on loopback with --cluster, real agents
// given all three hubs' URLs (each starts at a random one). Checked: a
// dashboard on one hub lists every host; a filter on another covers the whole
// fleet; a DELETE /ps on A kills a `sleep` of this test through the agent
// held by C, and both hubs' audit lines carry the one command id; SIGKILL of
// C moves its agents to A or B with their seq continuing and every dashboard
// shows them online again; Redis killed leaves each hub serving its own hosts
// with /healthz saying so, and once it is back the fleet view is whole within
// 5 s. Every process and folder made here is removed here.
#define BOOST_TEST_MODULE integration_cluster_three_hubs
#include <boost/test/unit_test.hpp>

#include <csignal>
#include <fstream>
#include <map>

#include <sys/wait.h>

#include "tests/integration/cluster_harness.hpp"

using namespace telehub::test;
using json = nlohmann::json;

namespace {

const std::string admin_token = "cluster-admin-token-for-tests";
const std::vector<std::string> hub_names = {"hub-a", "hub-b", "hub-c"};

// One hub of the three, with an audit log the test reads and a short command deadline.
struct ClusterHub {
    std::string name;
    TempDir dir{"telehub-cluster-audit"};
    std::unique_ptr<HubProcess> hub;

    ClusterHub(const RedisServer& redis, std::string n) : name(std::move(n)) {
        auto args = cluster_args(redis, name);
        for (auto a : {"--admin-token", admin_token.c_str(), "--command-timeout", "3", "--audit-log"}) args.emplace_back(a);
        args.push_back(audit_path());
        hub = std::make_unique<HubProcess>(args);
    }
    std::string audit_path() const { return dir.str() + "/audit.jsonl"; }
    std::vector<json> audit_lines() const {
        std::ifstream in(audit_path());
        std::vector<json> out;
        for (std::string l; std::getline(in, l);) out.push_back(json::parse(l, nullptr, false));
        return out;
    }
    std::string url() const { return "ws://127.0.0.1:" + std::to_string(hub->port) + "/ws/agent"; }
};

// A dashboard on /ws/live: the newest row of every host its summaries carried.
struct Dashboard {
    WsClient ws;
    std::map<std::string, json> rows;
    explicit Dashboard(std::uint16_t port) : ws(port, "/ws/live") {}

    // Reads frames until `ok(rows)` holds or `timeout` passes.
    template <class Pred>
    bool until(Pred ok, std::chrono::milliseconds timeout) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (std::chrono::steady_clock::now() < deadline) {
            if (ok(rows)) return true;
            auto m = ws.read(200ms);
            if (!m) continue;
            auto j = json::parse(*m, nullptr, false);
            if (!j.is_object() || j.value("type", "") != "summaries") continue;
            rows.clear();
            for (auto& h : j["hosts"]) rows[h.value("host_id", "")] = h;
        }
        return ok(rows);
    }
    std::string shown() const {
        std::string s;
        for (const auto& [id, r] : rows) s += id + "@" + r.value("hub", "?") + (r.value("online", false) ? " " : "(off) ");
        return s;
    }
};

// A `sleep 600` of the test's own, for the agent to kill.
struct Sleeper {
    pid_t pid = ::fork();
    Sleeper() {
        if (pid == 0) {
            ::execlp("sleep", "sleep", "600", static_cast<char*>(nullptr));
            ::_exit(127);
        }
        BOOST_REQUIRE(pid > 0);
        // Until exec the child is a copy of this test under its name.
        BOOST_REQUIRE(wait_until([&] {
            std::ifstream in("/proc/" + std::to_string(pid) + "/comm");
            std::string comm;
            std::getline(in, comm);
            return comm == "sleep";
        }, 5s));
    }
    ~Sleeper() {
        if (pid > 0) {
            ::kill(pid, SIGKILL);
            ::waitpid(pid, nullptr, 0);
        }
    }
    // The signal that ended it, once it has ended; 0 while it runs.
    int reaped_signal() {
        int status = 0;
        if (::waitpid(pid, &status, WNOHANG) != pid) return 0;
        pid = -1;
        return WIFSIGNALED(status) ? WTERMSIG(status) : -1;
    }
};

HttpResult admin_call(const HubProcess& hub, const std::string& method, const std::string& target, const std::string& body) {
    HttpOptions o;
    o.headers.emplace_back("Authorization", "Bearer " + admin_token);
    o.body = body;
    o.timeout = 15s;
    return http_request(hub.port, method, target, o);
}

std::string header(const HttpResult& r, const std::string& name) {
    for (const auto& [k, v] : r.headers)
        if (strcasecmp(k.c_str(), name.c_str()) == 0) return v;
    return {};
}

std::vector<std::uint64_t> seqs_of(const HubProcess& hub, const std::string& id) {
    auto h = hub.get_json("/api/hosts/" + id + "/history");
    std::vector<std::uint64_t> out;
    if (h.is_object() && h["seq"].is_array())
        for (auto& s : h["seq"]) out.push_back(s.get<std::uint64_t>());
    return out;
}

bool contiguous_from_one(const std::vector<std::uint64_t>& seqs) {
    if (seqs.empty() || seqs.front() != 1) return false;
    for (std::size_t i = 1; i < seqs.size(); ++i)
        if (seqs[i] != seqs[i - 1] + 1) return false;
    return true;
}

}  // namespace

BOOST_AUTO_TEST_CASE(three_hubs_one_fleet_commands_anywhere_failover_and_redis_outage) {
    RedisServer redis;
    std::vector<std::unique_ptr<ClusterHub>> hubs;
    for (const auto& n : hub_names) hubs.push_back(std::make_unique<ClusterHub>(redis, n));
    std::string every_url;
    for (const auto& h : hubs) every_url += (every_url.empty() ? "" : ",") + h->url();

    // Real agents, each given every hub; where each lands is its own random pick.
    const std::vector<std::string> agent_ids = {"real-1", "real-2", "real-3", "real-4", "real-5", "real-6"};
    std::vector<std::unique_ptr<ChildProcess>> agents;
    for (const auto& id : agent_ids)
        agents.push_back(std::make_unique<ChildProcess>(std::vector<std::string>{
            TELEHUB_BINARY_DIR "/agent/telehub-agent", "--hub", every_url, "--host-id", id, "--interval", "0.2"}));
    // Known CPU figures for the filter: one hot host on the third hub, one cool on the first.
    StreamingAgent hot(hubs[2]->hub->port, "fake-hot", 100ms, 95);
    StreamingAgent cool(hubs[0]->hub->port, "fake-cool", 100ms, 5);

    auto holder_of = [&](const std::string& id) -> int {
        for (std::size_t i = 0; i < hubs.size(); ++i) {
            auto r = row_of(*hubs[i]->hub, id);
            if (r.is_object() && r["online"] == true && r.value("hub", "") == hubs[i]->name) return static_cast<int>(i);
        }
        return -1;
    };
    std::map<std::string, int> held;
    BOOST_REQUIRE_MESSAGE(wait_until([&] {
        for (const auto& id : agent_ids) held[id] = holder_of(id);
        return std::all_of(held.begin(), held.end(), [](auto& p) { return p.second >= 0; });
    }, 10s), "not every agent came online: " + agents[0]->output());

    // Hub C holds real-1; A and B are the two others.
    const int c = held["real-1"];
    const int a = (c + 1) % 3, b = (c + 2) % 3;
    auto& hub_a = *hubs[static_cast<std::size_t>(a)];
    auto& hub_b = *hubs[static_cast<std::size_t>(b)];
    auto& hub_c = *hubs[static_cast<std::size_t>(c)];
    BOOST_TEST_MESSAGE("A=" << hub_a.name << " B=" << hub_b.name << " C=" << hub_c.name);
    // A and B hold at least these whatever the agents picked (for the Redis outage below).
    StreamingAgent on_a_only(hub_a.hub->port, "fake-a", 100ms, 20);
    StreamingAgent on_b_only(hub_b.hub->port, "fake-b", 100ms, 20);

    // A dashboard on A lists every host, each with the hub that holds it, within 3 s.
    Dashboard on_a(hub_a.hub->port);
    // Every real agent online, none on the hub `dead` (when >= 0).
    auto every_agent_online = [&](const std::map<std::string, json>& rows, int dead) {
        for (const auto& id : agent_ids) {
            auto it = rows.find(id);
            if (it == rows.end() || it->second.value("online", false) != true) return false;
            if (dead >= 0 && it->second.value("hub", "") == hubs[static_cast<std::size_t>(dead)]->name) return false;
        }
        return true;
    };
    BOOST_TEST(on_a.until([&](auto& rows) { return every_agent_online(rows, -1) && rows.count("fake-hot") && rows.count("fake-cool"); }, 3s),
               on_a.shown());
    BOOST_TEST(on_a.rows["real-1"].value("hub", "") == hub_c.name);

    // A filter on B covers the whole fleet: the hot host is on the third hub.
    BOOST_TEST(wait_until([&] {
        auto j = hub_b.hub->get_json("/api/hosts?min_cpu=80&q=fake-");
        return j.is_object() && j["hosts"].size() == 1u && j["hosts"][0]["host_id"] == "fake-hot";
    }, 3s), hub_b.hub->get_json("/api/hosts?min_cpu=80&q=fake-").dump());
    BOOST_TEST(wait_until([&] { return hub_b.hub->get_json("/api/hosts")["counts"]["total"] == agent_ids.size() + 4; }, 3s),
               hub_b.hub->get_json("/api/hosts")["counts"].dump());

    // DELETE /ps on A for a process on the host C holds: run by C, audited on both.
    Sleeper sleeper;
    const auto sleeper_pid = sleeper.pid;
    auto kill = admin_call(*hub_a.hub, "DELETE", "/api/hosts/real-1/ps", R"({"pid":)" + std::to_string(sleeper_pid) + "}");
    BOOST_TEST(kill.status == 200, kill.body);
    int signal = 0;
    BOOST_TEST(wait_until([&] { return (signal = sleeper.reaped_signal()) != 0; }, 5s));
    BOOST_TEST(signal == SIGKILL);
    const auto id = header(kill, "X-Telehub-Command-Id");
    BOOST_TEST(id.size() == 16u, "X-Telehub-Command-Id: '" << id << "'");
    auto line_with = [&](const ClusterHub& h) -> json {
        for (auto& l : h.audit_lines())
            if (l.is_object() && l.value("id", "") == id) return l;
        return nullptr;
    };
    BOOST_TEST(wait_until([&] { return line_with(hub_a).is_object() && line_with(hub_c).is_object(); }, 3s));
    auto asked = line_with(hub_a), ran = line_with(hub_c);
    BOOST_TEST(asked.value("held_by", "") == hub_c.name, asked.dump());
    BOOST_TEST(asked.value("token", "") == "admin", asked.dump());
    BOOST_TEST(asked.value("status", 0) == 200);
    BOOST_TEST(asked["args"]["pid"] == sleeper_pid, asked.dump());
    BOOST_TEST(ran["args"]["pid"] == sleeper_pid, ran.dump());
    BOOST_TEST(ran.value("for_hub", "") == hub_a.name, ran.dump());
    BOOST_TEST(ran.value("op", "") == "signal");
    BOOST_TEST(ran.value("status", 0) == 200);
    BOOST_TEST(ran.value("client", "").find(hub_a.name) != std::string::npos, ran.dump());
    BOOST_TEST(line_with(hub_b).is_null());  // B had no part in it

    // SIGKILL of C: its agents move to A or B and every dashboard shows them online there.
    std::vector<std::string> moved;
    for (const auto& [host, i] : held)
        if (i == c) moved.push_back(host);
    hub_c.hub->proc->stop(SIGKILL);
    Dashboard on_b(hub_b.hub->port);
    // The agent's backoff starts at 0.5 s and doubles: a few seconds at most.
    for (auto* d : {&on_a, &on_b})
        BOOST_TEST(d->until([&](auto& rows) { return every_agent_online(rows, c); }, 10s), d->shown());
    // Their sequence numbers continue on the new hub with no gap: its history
    // starts at the agent's first sample (the backfill of what C had).
    for (const auto& host : moved) {
        const int now = holder_of(host);
        BOOST_REQUIRE_MESSAGE(now == a || now == b, host << " is held by " << now);
        auto& hub = *hubs[static_cast<std::size_t>(now)]->hub;
        BOOST_TEST(wait_until([&] { return seqs_of(hub, host).size() >= 10; }, 5s));
        auto seqs = seqs_of(hub, host);
        BOOST_TEST(contiguous_from_one(seqs), host << ": " << json(seqs).dump());
        BOOST_TEST(hub.get_json("/api/hosts/" + host)["host"]["gaps"] == 0);
    }

    // Redis killed: each hub still serves its own hosts and /healthz says the cluster is down.
    redis.kill();
    BOOST_TEST(wait_until([&] { return cluster_state(*hub_a.hub) == "down" && cluster_state(*hub_b.hub) == "down"; }, 5s),
               hub_a.hub->get_json("/healthz").dump());
    BOOST_TEST(online_on(*hub_a.hub, "fake-a", hub_a.name));
    BOOST_TEST(online_on(*hub_b.hub, "fake-b", hub_b.name));
    // ... and A's dashboard shows B's hosts offline after the grace.
    auto b_host_offline = [&](auto& rows) { return rows.count("fake-b") && !rows["fake-b"].value("online", true); };
    BOOST_TEST(on_a.until(b_host_offline, 6s), on_a.shown());
    // Redis back: the fleet view is whole again within 5 s.
    redis.start();
    BOOST_TEST(on_a.until([&](auto& rows) { return every_agent_online(rows, c) && !b_host_offline(rows); }, 5s),
               on_a.shown());
    BOOST_TEST(cluster_state(*hub_a.hub) == "up");
    BOOST_TEST(!on_a_only.failed());
    BOOST_TEST(!on_b_only.failed());
}

// A command that reaches its holder after the asking hub's deadline (held up in
// a partition, say) is not run: by then the asker has answered 504, and the
// pid may belong to another process. The messages are published by hand, as
// a hub would send them, one late and one in time.
BOOST_AUTO_TEST_CASE(a_command_past_its_askers_deadline_is_not_run) {
    RedisServer redis;
    ClusterHub holder(redis, "hub-h");
    ChildProcess agent({TELEHUB_BINARY_DIR "/agent/telehub-agent", "--hub", holder.url(), "--host-id", "real-h", "--interval", "0.2"});
    BOOST_REQUIRE_MESSAGE(wait_until([&] { return online_on(*holder.hub, "real-h", "hub-h"); }, 10s), agent.output());
    Sleeper sleeper;
    auto publish = [&](const std::string& command_id, std::int64_t deadline_ms) {
        json m{{"from", "hub-gone"}, {"id", 1}, {"command_id", command_id}, {"host", "real-h"}, {"op", "signal"},
               {"args", {{"pid", sleeper.pid}, {"signal", SIGKILL}}}, {"query", false}, {"token", "ops"},
               {"client", "127.0.0.1:1"}, {"deadline_ms", deadline_ms}};
        ChildProcess cli({"/usr/bin/redis-cli", "-p", std::to_string(redis.port), "PUBLISH", "telehub:cmd:hub-h", m.dump()});
        BOOST_REQUIRE(cli.wait(5s));
        BOOST_REQUIRE_MESSAGE(cli.output().find("1") != std::string::npos, "no hub subscribed: " << cli.output());
    };
    const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    publish("00000000000000a1", now - 60'000);
    BOOST_TEST(wait_until([&] { return holder.hub->proc->output().find("dropped command 00000000000000a1 (signal on host 'real-h') from hub 'hub-gone'") != std::string::npos; }, 5s),
               holder.hub->proc->output());
    BOOST_TEST(sleeper.reaped_signal() == 0, "the late command was run");
    publish("00000000000000a2", now + 60'000);
    int signal = 0;
    BOOST_TEST(wait_until([&] { return (signal = sleeper.reaped_signal()) != 0; }, 5s), holder.hub->proc->output());
    BOOST_TEST(signal == SIGKILL);
}
