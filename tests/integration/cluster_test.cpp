// Several hubs, one fleet (docs/cluster.md): a redis-server this test starts
// on a loopback port (no persistence, its own folder), hubs on loopback with
// --cluster, fake agents spread over them. Checked: every hub lists every
// host with the hub that holds it, its filters cover the whole fleet, a
// dashboard's summaries carry the other hubs' hosts; a hub that dies has its
// hosts shown offline after the grace; with Redis down each hub serves its
// own hosts and /healthz says the cluster is down, and once Redis is back
// the fleet view is whole again. Every process and folder made here is
// removed here.
#define BOOST_TEST_MODULE integration_cluster
#include <boost/test/unit_test.hpp>

#include <csignal>

#include <sys/wait.h>

#include "tests/integration/cluster_harness.hpp"
#include "tests/support/test_pki.hpp"

using namespace telehub::test;

BOOST_AUTO_TEST_CASE(every_hub_lists_every_host_with_its_hub_and_filters_the_whole_fleet) {
    RedisServer redis;
    HubProcess a(cluster_args(redis, "hub-a"));
    HubProcess b(cluster_args(redis, "hub-b"));
    StreamingAgent cool(a.port, "cool-1", 100ms, 5);
    StreamingAgent hot(b.port, "hot-1", 100ms, 95);

    BOOST_TEST(wait_until([&] { return online_on(a, "hot-1", "hub-b") && online_on(a, "cool-1", "hub-a"); }, 3s),
               a.get_json("/api/hosts").dump());
    BOOST_TEST(wait_until([&] { return online_on(b, "cool-1", "hub-a") && online_on(b, "hot-1", "hub-b"); }, 3s),
               b.get_json("/api/hosts").dump());

    auto hot_on_a = a.get_json("/api/hosts?min_cpu=80");
    BOOST_REQUIRE(hot_on_a["hosts"].size() == 1u);
    BOOST_TEST(hot_on_a["hosts"][0]["host_id"] == "hot-1");
    BOOST_TEST(hot_on_a["counts"]["total"] == 2);
    BOOST_TEST(hot_on_a["counts"]["hot"] == 1);
    BOOST_TEST(a.get_json("/api/hosts?q=cool")["hosts"].size() == 1u);

    // A host held by hub B, read on hub A: asked of B through Redis.
    auto detail = a.get_json("/api/hosts/hot-1");
    BOOST_TEST(detail["host"]["host_id"] == "hot-1", detail.dump().substr(0, 300));
    BOOST_TEST(detail["sample"]["cpu"]["total"] == 95.0);
    auto history = a.get_json("/api/hosts/hot-1/history?seconds=60");
    BOOST_TEST(history["seq"].size() >= 1u, history.dump().substr(0, 300));
    BOOST_TEST(http_get(a.port, "/api/hosts/nowhere").status == 404);

    auto health = a.get_json("/healthz");
    BOOST_TEST(health["status"] == "ok");
    BOOST_TEST(health["cluster"]["state"] == "up");
    BOOST_TEST(health["cluster"]["hub"] == "hub-a");
    BOOST_TEST(health["cluster"]["redis"].get<std::string>().find("***") == std::string::npos);
    // And in /metrics, for Prometheus.
    BOOST_TEST(wait_until([&] {
        auto m = http_get(a.port, "/metrics").body;
        return m.find("\ntelehub_cluster_up 1\n") != std::string::npos &&
               m.find("telehub_cluster_peer_hosts{hub=\"hub-b\"} 1\n") != std::string::npos &&
               m.find("telehub_cluster_peer_live{hub=\"hub-b\"} 1\n") != std::string::npos;
    }, 3s), http_get(a.port, "/metrics").body.substr(0, 400));
    bool sees_b = false;
    for (auto& p : health["cluster"]["peers"]) sees_b |= p["hub"] == "hub-b" && p["live"] == true;
    BOOST_TEST(sees_b, health.dump());

    // A dashboard on hub A: its summaries carry hub B's host.
    WsClient live(a.port, "/ws/live");
    // Its first frame, the snapshot, already lists hub B's host (without a spark: its history is on B).
    auto first = live.read(3s);
    BOOST_REQUIRE(first);
    auto snapshot = nlohmann::json::parse(*first, nullptr, false);
    BOOST_REQUIRE(snapshot.is_object() && snapshot["type"] == "snapshot");
    bool in_snapshot = false;
    for (auto& h : snapshot["hosts"])
        if (h["host_id"] == "hot-1") in_snapshot = h.value("hub", "") == "hub-b" && h["spark"].empty();
        else if (h["host_id"] == "cool-1") BOOST_TEST(!h["spark"].empty());
    BOOST_TEST(in_snapshot, snapshot.dump().substr(0, 600));
    BOOST_TEST(snapshot["counts"]["total"] == 2);
    bool seen = false;
    const auto deadline = std::chrono::steady_clock::now() + 3s;
    while (!seen && std::chrono::steady_clock::now() < deadline) {
        auto m = live.read(500ms);
        if (!m) continue;
        auto j = nlohmann::json::parse(*m, nullptr, false);
        if (!j.is_object() || j["type"] != "summaries") continue;
        for (auto& h : j["hosts"]) seen |= h["host_id"] == "hot-1" && h.value("hub", "") == "hub-b";
    }
    BOOST_TEST(seen);

    // Followed in detail on hub A, hub B's host streams its frames there as it sends them.
    BOOST_REQUIRE(live.send_text(R"({"type":"subscribe","detail":["hot-1"]})"));
    std::vector<std::uint64_t> seqs;
    const auto detail_deadline = std::chrono::steady_clock::now() + 4s;
    while (seqs.size() < 5 && std::chrono::steady_clock::now() < detail_deadline) {
        auto m = live.read(500ms);
        if (!m) continue;
        auto j = nlohmann::json::parse(*m, nullptr, false);
        if (j.is_object() && j["type"] == "sample") {
            BOOST_TEST(j["host_id"] == "hot-1");
            seqs.push_back(j["seq"].get<std::uint64_t>());
        }
    }
    BOOST_TEST(seqs.size() >= 5u, "detail frames of hot-1 on hub A: " << seqs.size());
    BOOST_TEST((std::adjacent_find(seqs.begin(), seqs.end(), std::greater_equal<>()) == seqs.end()),
               "not strictly increasing: " << nlohmann::json(seqs).dump());
    BOOST_TEST(!cool.failed());
    BOOST_TEST(!hot.failed());
}

BOOST_AUTO_TEST_CASE(a_hub_that_dies_has_its_hosts_shown_offline_after_the_grace) {
    RedisServer redis;
    auto a_args = cluster_args(redis, "hub-a");
    for (auto arg : {"--admin-token", "admin-for-tests", "--command-timeout", "1"}) a_args.emplace_back(arg);
    HubProcess a(a_args);
    auto b = std::make_unique<HubProcess>(cluster_args(redis, "hub-b"));
    auto agent = std::make_unique<StreamingAgent>(b->port, "on-b", 100ms, 30);
    BOOST_REQUIRE(wait_until([&] { return online_on(a, "on-b", "hub-b"); }, 3s));
    // Stopped, hub B still holds the host but answers nothing: a read of it on A is a 504 naming B.
    ::kill(b->proc->pid(), SIGSTOP);
    BOOST_REQUIRE(wait_until([&] { return all_threads_stopped(b->proc->pid()); }, 5s));
    const auto asked = std::chrono::steady_clock::now();
    auto r = http_get(a.port, "/api/hosts/on-b");
    BOOST_TEST(r.status == 504, r.status << " " << r.body);
    BOOST_TEST(r.body.find("hub-b") != std::string::npos, r.body);
    BOOST_TEST((std::chrono::steady_clock::now() - asked >= 1900ms));
    // A command for it: 504 too, after A's own command deadline and the way through Redis, and audited on A.
    HttpOptions o;
    o.headers.emplace_back("Authorization", "Bearer admin-for-tests");
    o.body = R"({"pid":1})";
    o.timeout = 10s;
    const auto sent = std::chrono::steady_clock::now();
    auto cmd = http_request(a.port, "DELETE", "/api/hosts/on-b/ps", o);
    BOOST_TEST(cmd.status == 504, cmd.status << " " << cmd.body);
    BOOST_TEST(cmd.body.find("hub_timeout") != std::string::npos, cmd.body);
    BOOST_TEST(cmd.body.find("hub-b") != std::string::npos, cmd.body);
    BOOST_TEST((std::chrono::steady_clock::now() - sent >= 2900ms));
    BOOST_TEST(http_request(a.port, "GET", "/api/audit", o).body.find(R"("held_by":"hub-b")") != std::string::npos);
    b->proc->stop(SIGKILL);
    agent.reset();
    BOOST_TEST(wait_until([&] { auto r = row_of(a, "on-b"); return r.is_object() && r["online"] == false; }, 6s),
               a.get_json("/api/hosts").dump());
    BOOST_TEST(a.get_json("/api/hosts")["counts"]["offline"] == 1);
}

BOOST_AUTO_TEST_CASE(the_newest_connection_of_a_host_wins_across_hubs) {
    RedisServer redis;
    HubProcess a(cluster_args(redis, "hub-a"));
    HubProcess b(cluster_args(redis, "hub-b"));
    BOOST_REQUIRE(wait_until([&] { return cluster_state(a) == "up" && cluster_state(b) == "up"; }, 5s));
    FakeAgent older(a.port, "twin");
    StreamingAgent newer(b.port, "twin", 100ms, 10);
    auto code = older.ws.wait_close(5s);
    BOOST_TEST(code.has_value());
    if (code) BOOST_TEST(*code == 4000);
    // The terminal log is written by a thread of its own: the line may follow the close.
    BOOST_TEST(wait_until([&] { return a.proc->output().find("connected to hub 'hub-b'") != std::string::npos; }, 3s),
               a.proc->output());
    BOOST_TEST(wait_until([&] { return online_on(a, "twin", "hub-b"); }, 3s), a.get_json("/api/hosts").dump());
    BOOST_TEST(!newer.failed());
}

BOOST_AUTO_TEST_CASE(an_agent_given_every_hub_moves_to_another_when_its_hub_dies_and_loses_nothing) {
    RedisServer redis;
    std::vector<std::unique_ptr<HubProcess>> hubs;
    hubs.push_back(std::make_unique<HubProcess>(cluster_args(redis, "hub-a")));
    hubs.push_back(std::make_unique<HubProcess>(cluster_args(redis, "hub-b")));
    auto url = [](const HubProcess& h) { return "ws://127.0.0.1:" + std::to_string(h.port) + "/ws/agent"; };
    ChildProcess agent({TELEHUB_BINARY_DIR "/agent/telehub-agent", "--hub", url(*hubs[0]) + "," + url(*hubs[1]),
                        "--host-id", "mover", "--interval", "0.2"});
    int held = -1;
    BOOST_REQUIRE(wait_until([&] {
        for (int i = 0; i < 2; ++i)
            if (online_on(*hubs[static_cast<std::size_t>(i)], "mover", i == 0 ? "hub-a" : "hub-b")) held = i;
        return held >= 0;
    }, 5s));
    auto& other = *hubs[static_cast<std::size_t>(1 - held)];
    const std::string other_name = held == 0 ? "hub-b" : "hub-a";
    hubs[static_cast<std::size_t>(held)]->proc->stop(SIGKILL);

    // Its backoff starts at 0.5 s: well within this.
    BOOST_TEST(wait_until([&] { return online_on(other, "mover", other_name); }, 5s), agent.output());
    BOOST_TEST(agent.output().find("trying " + url(other)) != std::string::npos, agent.output());
    // The buffer replayed on the new hub from the agent's first sample: no gap.
    BOOST_TEST(wait_until([&] {
        auto d = other.get_json("/api/hosts/mover");
        return d.is_object() && d["host"]["seq"].get<std::uint64_t>() >= 10;
    }, 5s));
    auto host = other.get_json("/api/hosts/mover")["host"];
    BOOST_TEST(host["gaps"] == 0, host.dump());
    auto seqs = other.get_json("/api/hosts/mover/history")["seq"];
    BOOST_REQUIRE(seqs.is_array() && seqs.size() >= 10u);
    BOOST_TEST(seqs[0] == 1);  // from the agent's first sample, sent to the hub that died
    bool contiguous = true;
    for (std::size_t i = 1; i < seqs.size(); ++i) contiguous &= seqs[i].get<std::uint64_t>() == seqs[i - 1].get<std::uint64_t>() + 1;
    BOOST_TEST(contiguous, seqs.dump());
}

BOOST_AUTO_TEST_CASE(with_redis_down_each_hub_serves_its_own_hosts_and_the_fleet_comes_back) {
    RedisServer redis;
    HubProcess a(cluster_args(redis, "hub-a"));
    HubProcess b(cluster_args(redis, "hub-b"));
    StreamingAgent on_a(a.port, "on-a", 100ms, 10);
    StreamingAgent on_b(b.port, "on-b", 100ms, 20);
    BOOST_REQUIRE(wait_until([&] { return online_on(a, "on-b", "hub-b") && online_on(b, "on-a", "hub-a"); }, 3s));

    redis.kill();
    BOOST_TEST(wait_until([&] { return cluster_state(a) == "down" && cluster_state(b) == "down"; }, 5s),
               a.get_json("/healthz").dump());
    BOOST_TEST(a.get_json("/healthz")["cluster"].contains("error"));
    BOOST_TEST(online_on(a, "on-a", "hub-a"));  // its own host, still served
    BOOST_TEST(wait_until([&] { return a.proc->output().find("link down") != std::string::npos; }, 3s), a.proc->output());

    redis.start();
    BOOST_TEST(wait_until([&] { return cluster_state(a) == "up" && online_on(a, "on-b", "hub-b") &&
                                       online_on(b, "on-a", "hub-a"); }, 5s),
               a.get_json("/api/hosts").dump());
}

BOOST_AUTO_TEST_CASE(a_bad_cluster_url_or_hub_name_stops_the_hub_naming_it) {
    for (const auto& [args, expect] : std::vector<std::pair<std::vector<std::string>, std::string>>{
             {{"--cluster", "http://127.0.0.1:6379"}, "--cluster"},
             {{"--cluster", "redis://127.0.0.1:70000"}, "port"},
             {{"--cluster", "redis://127.0.0.1:6379", "--hub-name", "a b"}, "--hub-name"}}) {
        std::vector<std::string> argv = {hub_binary, "--check-config"};
        argv.insert(argv.end(), args.begin(), args.end());
        ChildProcess hub(argv);
        auto status = hub.wait(10s);
        BOOST_REQUIRE(status);
        BOOST_TEST(WEXITSTATUS(*status) == 2, hub.output());
        BOOST_TEST(hub.output().find(expect) != std::string::npos, hub.output());
    }
}

// Two hubs given one --hub-name (two cloned machines with the default, say)
// answer each other's commands: each says so in its log and /healthz.
BOOST_AUTO_TEST_CASE(two_hubs_of_one_name_each_say_so) {
    RedisServer redis;
    HubProcess a(cluster_args(redis, "twin-hub"));
    HubProcess b(cluster_args(redis, "twin-hub"));
    const std::string said = "another hub also calls itself 'twin-hub'";
    for (auto* h : {&a, &b}) {
        BOOST_TEST(wait_until([&] { return h->proc->output().find(said) != std::string::npos; }, 5s), h->proc->output());
        auto health = h->get_json("/healthz");
        BOOST_TEST(health["cluster"].value("warning", "").find(said) != std::string::npos, health.dump());
    }
    // A hub alone under its name hears only its own batches: no warning.
    HubProcess c(cluster_args(redis, "single-hub"));
    BOOST_REQUIRE(wait_until([&] { return cluster_state(c) == "up"; }, 5s));
    BOOST_REQUIRE(wait_until([&] { return row_of(c, "nobody").is_null() && c.get_json("/healthz")["cluster"]["peers"].size() >= 1u; }, 5s));
    BOOST_TEST(!c.get_json("/healthz")["cluster"].contains("warning"), c.get_json("/healthz").dump());
    BOOST_TEST(c.proc->output().find("another hub also calls itself") == std::string::npos, c.proc->output());
}

// /DB keeps two clusters apart on one Redis: Pub/Sub ignores databases, so
// the channels carry the number. A staging hub on /1 must not list or take
// over production's hosts on /0.
BOOST_AUTO_TEST_CASE(two_databases_of_one_redis_are_two_clusters) {
    RedisServer redis;
    auto on_db = [&](const std::string& name, int db) {
        auto args = cluster_args(redis, name);
        for (auto& a : args)
            if (a.rfind("redis://", 0) == 0) a += "/" + std::to_string(db);
        return args;
    };
    HubProcess prod(on_db("prod-a", 0)), prod2(on_db("prod-b", 0)), staging(on_db("staging-a", 1));
    BOOST_REQUIRE(wait_until([&] { return cluster_state(prod) == "up" && cluster_state(prod2) == "up" && cluster_state(staging) == "up"; }, 5s));
    StreamingAgent web(prod.port, "web", 100ms, 5);
    StreamingAgent shared_id(staging.port, "shared", 100ms, 10);
    StreamingAgent prod_shared(prod2.port, "shared", 100ms, 10);
    // prod-b sees prod-a's host: the one database still joins its hubs.
    BOOST_TEST(wait_until([&] { return online_on(prod2, "web", "prod-a"); }, 5s),
               prod2.get_json("/api/hosts").dump() << prod2.get_json("/healthz").dump());
    // staging sees none of production's, and the id both use stays on each side.
    BOOST_TEST(row_of(staging, "web").is_null(), staging.get_json("/api/hosts").dump());
    BOOST_TEST(online_on(staging, "shared", "staging-a"));
    BOOST_TEST(online_on(prod2, "shared", "prod-b"));
    BOOST_TEST(!shared_id.failed());
    BOOST_TEST(!prod_shared.failed());
    BOOST_TEST(staging.proc->output().find("connected to hub") == std::string::npos, staging.proc->output());
}

// A Redis that stops answering without closing (frozen here with SIGSTOP, as a
// partition leaves it) is found within the silence limit: the hub says the
// link is down, /healthz says so, and it rejoins once Redis answers again.
BOOST_AUTO_TEST_CASE(a_redis_that_stops_answering_is_reported_down_and_rejoined) {
    RedisServer redis;
    HubProcess hub(cluster_args(redis, "hub-s"));
    BOOST_REQUIRE(wait_until([&] { return cluster_state(hub) == "up"; }, 5s));
    const auto joined_before = hub.proc->output().find("cluster: joined as");
    BOOST_REQUIRE(joined_before != std::string::npos);
    BOOST_REQUIRE(::kill(redis.proc->pid(), SIGSTOP) == 0);
    const bool down = wait_until([&] { return cluster_state(hub) == "down"; }, 15s);
    ::kill(redis.proc->pid(), SIGCONT);
    BOOST_TEST(down, hub.get_json("/healthz").dump());
    const auto out = hub.proc->output();
    const bool said = out.find("no answer from Redis for 5 s") != std::string::npos ||
                      out.find("no message from Redis on the subscription") != std::string::npos;
    BOOST_TEST(said, out);
    BOOST_TEST(wait_until([&] { return cluster_state(hub) == "up"; }, 15s), hub.proc->output());
    BOOST_TEST(hub.proc->output().find("cluster: joined as", joined_before + 1) != std::string::npos, hub.proc->output());
}

// rediss:// given Redis's plain port: the TLS handshake gets no answer; the
// hub says what it waited for instead of hanging without a word.
BOOST_AUTO_TEST_CASE(rediss_to_a_plain_port_says_so) {
    RedisServer redis;
    TestPki pki;
    HubProcess hub({"--quiet", "--no-persist", "--cluster", "rediss://127.0.0.1:" + std::to_string(redis.port),
                    "--cluster-ca", pki.ca_file, "--hub-name", "hub-t"});
    BOOST_TEST(wait_until([&] { return hub.proc->output().find("is that port Redis's tls-port?") != std::string::npos; }, 15s),
               hub.proc->output());
    BOOST_TEST(cluster_state(hub) == "down");
}

// A host that moved to another hub is not down: the hub it left raises no
// offline alert for it, while one that really stopped gets its alert there.
BOOST_AUTO_TEST_CASE(a_host_that_moved_to_another_hub_raises_no_offline_alert) {
    RedisServer redis;
    TempDir dir("telehub-cluster-rules");
    const auto rules = dir.str() + "/rules.toml";
    std::ofstream(rules) << "[[rule]]\nname = \"gone\"\nmetric = \"offline\"\nthreshold = 1\nfor = 1\n";
    auto args_a = cluster_args(redis, "hub-a");
    args_a.insert(args_a.end(), {"--rules", rules});
    HubProcess a(args_a);
    HubProcess b(cluster_args(redis, "hub-b"));
    BOOST_REQUIRE(wait_until([&] { return cluster_state(a) == "up" && cluster_state(b) == "up"; }, 5s));
    auto alerted = [&](const std::string& host) {
        auto j = a.get_json("/api/alerts");
        if (!j.is_object()) return false;
        for (auto& al : j["alerts"])
            if (al.value("rule", "") == "gone" && al.value("host_id", "") == host && al.value("state", "") == "firing") return true;
        return false;
    };
    {
        StreamingAgent stopper(a.port, "stopper", 100ms, 10);
        StreamingAgent mover_on_a(a.port, "mover", 100ms, 10);
        BOOST_REQUIRE(wait_until([&] { return online_on(b, "mover", "hub-a") && online_on(b, "stopper", "hub-a"); }, 5s));
        StreamingAgent mover_on_b(b.port, "mover", 100ms, 10);  // takes it over: hub-a closes its connection
        BOOST_REQUIRE_MESSAGE(wait_until([&] { return online_on(a, "mover", "hub-b"); }, 5s), a.get_json("/api/hosts").dump());
        stopper.stop();
        BOOST_TEST(wait_until([&] { return alerted("stopper"); }, 10s), a.get_json("/api/alerts").dump());
        BOOST_TEST(!alerted("mover"), a.get_json("/api/alerts").dump());
        BOOST_TEST(online_on(a, "mover", "hub-b"));
    }
}

// DELETE on any hub forgets a host on every hub: the copy on the hub that
// held it, the other hubs' offline rows, and the offline copy (with its
// history) a host that moved leaves on the hub it left.
BOOST_AUTO_TEST_CASE(a_host_deleted_on_any_hub_is_forgotten_on_every_hub) {
    RedisServer redis;
    auto with_admin = [&](const std::string& name) {
        auto args = cluster_args(redis, name);
        args.insert(args.end(), {"--admin-token", "admin-for-tests"});
        return args;
    };
    HubProcess a(with_admin("hub-a"));
    HubProcess b(with_admin("hub-b"));
    HttpOptions admin;
    admin.headers.emplace_back("Authorization", "Bearer admin-for-tests");
    auto forget_on = [&](const HubProcess& hub, const std::string& id) {
        return http_request(hub.port, "DELETE", "/api/hosts/" + id, admin);
    };
    BOOST_REQUIRE(wait_until([&] { return cluster_state(a) == "up" && cluster_state(b) == "up"; }, 5s));
    {
        StreamingAgent retired(a.port, "retired", 100ms, 10);
        StreamingAgent mover_on_a(a.port, "mover", 100ms, 10);
        BOOST_REQUIRE(wait_until([&] { return online_on(b, "retired", "hub-a") && online_on(b, "mover", "hub-a"); }, 5s));
        // Connected to hub A: refused on B, naming A, and forgotten nowhere.
        auto refused = forget_on(b, "retired");
        BOOST_TEST(refused.status == 409, refused.status << " " << refused.body);
        BOOST_TEST(refused.body.find("host_online") != std::string::npos, refused.body);
        BOOST_TEST(refused.body.find("hub 'hub-a'") != std::string::npos, refused.body);
        BOOST_TEST(online_on(a, "retired", "hub-a"));
        // Only reads are asked of the hub holding a host: another method is answered here.
        auto post = http_request(b.port, "POST", "/api/hosts/retired", admin);
        BOOST_TEST(post.status == 405, post.status << " " << post.body);
        // It moves to B: A keeps an offline copy of it, with its history.
        StreamingAgent mover_on_b(b.port, "mover", 100ms, 10);
        BOOST_REQUIRE(wait_until([&] { return online_on(a, "mover", "hub-b"); }, 5s));
    }
    auto offline_on_both = [&](const std::string& id) {
        for (const HubProcess* hub : {&a, &b}) {
            auto r = row_of(*hub, id);
            if (!r.is_object() || r["online"] != false) return false;
        }
        return true;
    };
    BOOST_REQUIRE_MESSAGE(wait_until([&] { return offline_on_both("retired") && offline_on_both("mover"); }, 6s),
                          a.get_json("/api/hosts").dump() << "\n" << b.get_json("/api/hosts").dump());
    auto gone_from_both = [&](const std::string& id) {
        return row_of(a, id).is_null() && row_of(b, id).is_null() && http_get(a.port, "/api/hosts/" + id).status == 404 &&
               http_get(b.port, "/api/hosts/" + id).status == 404;
    };

    // Deleted on B, which never held it: A forgets its copy and history, and says why.
    auto r = forget_on(b, "retired");
    BOOST_TEST(r.status == 200, r.status << " " << r.body);
    BOOST_TEST(nlohmann::json::parse(r.body, nullptr, false).value("forgotten", "") == "retired", r.body);
    BOOST_TEST(wait_until([&] { return gone_from_both("retired"); }, 3s), a.get_json("/api/hosts").dump());
    BOOST_TEST(wait_until([&] {
        return a.proc->output().find("forgot host 'retired' and its history (DELETE on hub 'hub-b')") != std::string::npos;
    }, 3s), a.proc->output());

    // Deleted on B, where it was last: B's copy and the one it left on A both go.
    r = forget_on(b, "mover");
    BOOST_TEST(r.status == 200, r.status << " " << r.body);
    BOOST_TEST(wait_until([&] { return gone_from_both("mover"); }, 3s),
               a.get_json("/api/hosts").dump() << "\n" << b.get_json("/api/hosts").dump());
    BOOST_TEST(forget_on(a, "mover").status == 404);
    BOOST_TEST(a.get_json("/api/hosts")["counts"]["total"] == 0);
}
