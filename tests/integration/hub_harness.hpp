// Shared by the hub integration tests: start the real telehub on a free
// loopback port, and fake agents built from the codec's encode_hello /
// encode_sample that talk to it over tests/support/ws_client.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "telehub/codec.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/net.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/wait.hpp"
#include "tests/support/ws_client.hpp"

namespace telehub::test {

using namespace std::chrono_literals;

inline const std::string hub_binary = TELEHUB_BINARY_DIR "/hub/telehub";

// The hub on 127.0.0.1 with a data directory of its own, ready when /healthz answers.
struct HubProcess {
    TempDir data{"telehub-hub"};
    std::uint16_t port = free_port();
    std::unique_ptr<ChildProcess> proc;

    explicit HubProcess(std::vector<std::string> extra = {}) {
        std::vector<std::string> argv = {hub_binary, "--listen", "127.0.0.1:" + std::to_string(port), "--threads", "2",
                                         "--data-dir", data.str()};
        argv.insert(argv.end(), extra.begin(), extra.end());
        proc = std::make_unique<ChildProcess>(argv);
        bool up = wait_until([&] { return http_get(port, "/healthz").status == 200; }, 10s, 50ms);
        if (!up) throw std::runtime_error("hub did not come up: " + proc->output());
    }

    nlohmann::json get_json(const std::string& target) const {
        auto r = http_get(port, target);
        if (r.status == 0) return nullptr;
        return nlohmann::json::parse(r.body, nullptr, false);
    }

    nlohmann::json host(const std::string& id) const {
        auto hosts = get_json("/api/hosts");
        if (!hosts.is_object()) return nullptr;
        for (auto& h : hosts["hosts"])
            if (h["host_id"] == id) return h;
        return nullptr;
    }

    std::uint64_t stat(const std::string& name) const {
        auto s = get_json("/api/stats");
        return s.is_object() && s.contains(name) ? s[name].get<std::uint64_t>() : 0;
    }
};

inline Hello make_hello(const std::string& host_id, std::int64_t instance = 1000, std::uint32_t interval_ms = 200) {
    Hello h;
    h.protocol = protocol_version;
    h.host_id = host_id;
    h.hostname = host_id + ".test";
    h.kernel = "6.1.0-test";
    h.cores = 2;
    h.boot_time = 1763700000;
    h.interval_ms = interval_ms;
    h.agent_version = "0.0.0-test";
    h.instance = instance;
    return h;
}

inline Sample make_sample(const std::string& host_id, std::uint64_t seq, double cpu, std::uint32_t interval_ms = 200,
                          std::size_t top_count = 1) {
    Sample s;
    s.host_id = host_id;
    s.seq = seq;
    s.ts_ms = 1763800000000 + static_cast<std::int64_t>(seq) * interval_ms;
    s.interval_ms = interval_ms;
    s.cpu.total = cpu;
    s.cpu.user = cpu;
    s.cpu.per_core = {cpu, cpu};
    s.load = {1.0, 0.5, 0.25};
    s.mem = {8'000'000'000ULL, 4'000'000'000ULL};
    s.procs = {100, 1};
    for (std::size_t i = 0; i < top_count; ++i) {
        TopProcess p;
        p.pid = 100 + static_cast<int>(i);
        p.name = i == 0 ? "burner" : "proc" + std::to_string(i);
        p.cmdline = std::string(200, 'x');
        p.cpu = cpu * 2;
        s.top.push_back(p);
    }
    s.sockets.tcp[tcp_established] = 12;
    s.sockets.tcp[tcp_listen] = 3;
    s.sockets.udp = 2;
    s.sockets.unix_ = 5;
    s.sockets.source = "netlink";
    return s;
}

// A fake agent: connects, says hello, checks the welcome, sends samples.
struct FakeAgent {
    std::string host_id;
    std::uint32_t interval_ms;
    WsClient ws;
    std::uint64_t seq = 0;
    std::uint64_t welcome_last_seq = 0;

    FakeAgent(std::uint16_t port, std::string id, std::int64_t instance = 1000, std::uint32_t interval = 200)
        : host_id(std::move(id)), interval_ms(interval), ws(port, "/ws/agent") {
        ws.send_text(encode_hello(make_hello(host_id, instance, interval_ms)));
        auto welcome = ws.read(5s);
        if (!welcome) throw std::runtime_error("no welcome for " + host_id);
        auto j = nlohmann::json::parse(*welcome);
        if (j["type"] != "welcome") throw std::runtime_error("expected welcome, got " + *welcome);
        welcome_last_seq = j["last_seq"].get<std::uint64_t>();
        seq = welcome_last_seq;
    }

    bool send(double cpu, std::size_t top_count = 1) {
        return ws.send_text(encode_sample(make_sample(host_id, ++seq, cpu, interval_ms, top_count)));
    }
};

}  // namespace telehub::test

#include <atomic>
#include <thread>

namespace telehub::test {

// A fake agent streaming on a thread of its own every `period`, counting the
// samples it sent, so a test can check it is not disturbed by others.
class StreamingAgent {
public:
    StreamingAgent(std::uint16_t port, std::string id, std::chrono::milliseconds period = 50ms, double cpu = 10)
        : agent_(port, std::move(id)) {
        thread_ = std::thread([this, period, cpu] {
            while (!stop_) {
                if (!agent_.send(cpu)) {
                    failed_ = true;
                    return;
                }
                ++sent_;
                std::this_thread::sleep_for(period);  // pacing of the fake agent, not a wait for a condition
            }
        });
    }
    ~StreamingAgent() { stop(); }
    void stop() {
        stop_ = true;
        if (thread_.joinable()) thread_.join();
    }
    std::uint64_t sent() const { return sent_; }
    bool failed() const { return failed_; }
    const std::string& host_id() const { return agent_.host_id; }

private:
    FakeAgent agent_;
    std::atomic<bool> stop_{false};
    std::atomic<bool> failed_{false};
    std::atomic<std::uint64_t> sent_{0};
    std::thread thread_;
};

}  // namespace telehub::test
