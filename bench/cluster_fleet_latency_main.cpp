// cluster-fleet-latency: how long a sample sent to one hub of a cluster takes
// to show in another hub's fleet view (issue #23, scripts/bench-cluster).
//
// One simulated agent speaks to the first hub (--agent-hub): a hello, then
// samples with seq 1, 2, 3, ... One dashboard on the second hub
// (--dashboard-hub) subscribes with a filter on that host's id, so its
// `summaries` frames hold that one row (the hub's whole fleet would be MBs a
// second to read). A sample's latency is the arrival of the first summaries
// frame whose row carries its seq or a newer one, minus its send time; both
// ends run here, on one clock.
//
// Why not exactly 1 Hz: the hub that holds the host publishes once a second
// and the other builds its summaries once a second, so at exactly 1 Hz every
// sample would meet both timers at the same phase and the run would measure
// one point of the distribution. Samples go out every interval + interval /
// samples instead: the phase sweeps one whole interval over the run, as the
// phases of a real fleet's agents spread over the second.
#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <unistd.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/program_options.hpp>
#include <nlohmann/json.hpp>

#include "bench_flags.hpp"
#include "telehub/codec.hpp"

namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace po = boost::program_options;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;
using Ws = websocket::stream<beast::tcp_stream>;

constexpr const char* program = "cluster-fleet-latency";

std::int64_t system_us() {
    return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// ADDR:PORT on 127.0.0.0/8 only: the bench never leaves loopback.
tcp::endpoint loopback_endpoint(const std::string& v, const char* flag) {
    auto colon = v.rfind(':');
    boost::system::error_code ec;
    auto addr = colon == std::string::npos ? net::ip::address_v4() : net::ip::make_address_v4(v.substr(0, colon), ec);
    unsigned long port = colon == std::string::npos ? 0 : std::strtoul(v.c_str() + colon + 1, nullptr, 10);
    if (colon == std::string::npos || ec || !addr.is_loopback() || port == 0 || port > 65535)
        throw std::runtime_error(std::string("--") + flag + " '" + v + "' must be 127.x.y.z:PORT");
    return {addr, static_cast<unsigned short>(port)};
}

struct Options {
    tcp::endpoint agent_hub, dashboard_hub;
    std::string host_id;
    unsigned samples = 30;
    unsigned skip = 2;
    unsigned interval_ms = 1000;
    double drain_s = 6;
};

class Probe {
public:
    Probe(net::io_context& ioc, Options o) : o_(std::move(o)), agent_(ioc), dash_(ioc), tick_(ioc), deadline_(ioc) {
        send_us_.assign(o_.samples + 1, 0);
        shown_us_.assign(o_.samples + 1, 0);
        exact_.assign(o_.samples + 1, false);
    }

    // The dashboard subscribes before the agent says hello, so no sample can
    // reach the fleet view before someone watches for it.
    void start() {
        dash_.next_layer().async_connect(o_.dashboard_hub, [this](beast::error_code ec) {
            if (ec) return fail(ec, "dashboard connect");
            dash_.async_handshake(host_of(o_.dashboard_hub), "/ws/live", [this](beast::error_code ec) {
                if (ec) return fail(ec, "dashboard handshake on /ws/live");
                subscribe_ = nlohmann::json{{"type", "subscribe"}, {"filter", {{"q", o_.host_id}}}}.dump();
                dash_.text(true);
                dash_.async_write(net::buffer(subscribe_), [this](beast::error_code ec, std::size_t) {
                    if (ec) return fail(ec, "dashboard subscribe");
                    read_dashboard();
                    connect_agent();
                });
            });
        });
    }

    int report() const;

private:
    static std::string host_of(const tcp::endpoint& e) { return e.address().to_string() + ":" + std::to_string(e.port()); }

    void fail(beast::error_code ec, const char* what) {
        if (done_) return;
        std::fprintf(stderr, "%s: %s%s%s\n", program, what, ec ? ": " : "", ec ? ec.message().c_str() : "");
        error_ = true;
        finish();
    }

    void finish() {
        if (done_) return;
        done_ = true;
        tick_.cancel();
        deadline_.cancel();
        beast::error_code ignored;
        agent_.next_layer().socket().close(ignored);
        dash_.next_layer().socket().close(ignored);
    }

    void connect_agent() {
        agent_.next_layer().async_connect(o_.agent_hub, [this](beast::error_code ec) {
            if (ec) return fail(ec, "agent connect");
            agent_.async_handshake(host_of(o_.agent_hub), "/ws/agent", [this](beast::error_code ec) {
                if (ec) return fail(ec, "agent handshake on /ws/agent");
                telehub::Hello h;
                h.protocol = telehub::protocol_version;
                h.host_id = h.hostname = o_.host_id;
                h.kernel = "6.1.0-18-amd64";
                h.cores = 2;
                h.boot_time = system_us() / 1000000 - 3600;
                h.interval_ms = o_.interval_ms;
                h.agent_version = "0.1.0";
                h.instance = system_us() / 1000;
                agent_out_ = telehub::encode_hello(h);
                agent_.text(true);
                agent_.async_write(net::buffer(agent_out_), [this](beast::error_code ec, std::size_t) {
                    if (ec) return fail(ec, "agent hello");
                    agent_.async_read(agent_in_, [this](beast::error_code ec, std::size_t) {
                        if (ec) return fail(ec, "agent welcome");
                        if (beast::buffers_to_string(agent_in_.data()).find("\"welcome\"") == std::string::npos)
                            return fail({}, "the hub did not welcome the agent (an agent token needed?)");
                        agent_in_.clear();
                        drain_agent();
                        first_ = Clock::now();
                        send_next();
                    });
                });
            });
        });
    }

    // The hub may ping or close; reading keeps Beast answering its control frames.
    void drain_agent() {
        agent_.async_read(agent_in_, [this](beast::error_code ec, std::size_t) {
            if (ec) return done_ ? void() : fail(ec, "agent read");
            agent_in_.clear();
            drain_agent();
        });
    }

    void send_next() {
        if (done_) return;
        const unsigned seq = ++sent_;
        const auto period = std::chrono::microseconds(o_.interval_ms * 1000ull + o_.interval_ms * 1000ull / o_.samples);
        telehub::Sample s;
        s.host_id = o_.host_id;
        s.seq = seq;
        s.interval_ms = o_.interval_ms;
        s.cpu.total = 10 + seq % 7;
        s.cpu.user = s.cpu.total;
        s.cpu.per_core = {s.cpu.total, s.cpu.total};
        s.mem = {8ull << 30, 4ull << 30};
        send_us_[seq] = system_us();
        s.ts_ms = send_us_[seq] / 1000;
        agent_out_ = telehub::encode_sample(s);
        agent_.async_write(net::buffer(agent_out_), [this, period](beast::error_code ec, std::size_t) {
            if (ec) return fail(ec, "agent sample");
            if (sent_ == o_.samples) {
                deadline_.expires_after(std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o_.drain_s)));
                deadline_.async_wait([this](beast::error_code ec) {
                    if (!ec) finish();
                });
                return;
            }
            tick_.expires_at(first_ + period * sent_);
            tick_.async_wait([this](beast::error_code ec) {
                if (!ec) send_next();
            });
        });
    }

    void read_dashboard() {
        dash_.async_read(dash_in_, [this](beast::error_code ec, std::size_t) {
            if (ec) return done_ ? void() : fail(ec, "dashboard read");
            on_frame(beast::buffers_to_string(dash_in_.data()), system_us());
            dash_in_.clear();
            if (shown_all()) return finish();
            read_dashboard();
        });
    }

    void on_frame(const std::string& text, std::int64_t now) {
        auto j = nlohmann::json::parse(text, nullptr, false);
        if (!j.is_object() || j.value("type", "") != "summaries" || !j.contains("hosts") || !j["hosts"].is_array()) return;
        ++summaries_;
        for (const auto& row : j["hosts"]) {
            if (!row.is_object() || row.value("host_id", "") != o_.host_id) continue;
            auto seq = row.value("seq", std::uint64_t{0});
            hubs_[row.value("hub", std::string("(none)"))]++;
            for (std::uint64_t k = 1; k <= std::min<std::uint64_t>(seq, sent_); ++k)
                if (!shown_us_[k]) {
                    shown_us_[k] = now;
                    exact_[k] = k == seq;
                }
        }
    }

    bool shown_all() const { return sent_ == o_.samples && shown_us_[o_.samples] != 0; }

    Options o_;
    Ws agent_, dash_;
    net::steady_timer tick_, deadline_;
    beast::flat_buffer agent_in_, dash_in_;
    std::string agent_out_, subscribe_;
    Clock::time_point first_;
    unsigned sent_ = 0;
    std::uint64_t summaries_ = 0;
    std::vector<std::int64_t> send_us_, shown_us_;
    std::vector<bool> exact_;
    std::map<std::string, std::uint64_t> hubs_;
    bool done_ = false, error_ = false;
};

double percentile(std::vector<double> v, double q) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    auto rank = static_cast<std::size_t>(std::ceil(q * double(v.size())));
    return v[std::min(v.size() - 1, rank == 0 ? 0 : rank - 1)];
}

int Probe::report() const {
    std::vector<double> ms;
    unsigned exact = 0, missing = 0;
    for (unsigned k = o_.skip + 1; k <= sent_; ++k) {
        if (!shown_us_[k]) {
            ++missing;
            continue;
        }
        ms.push_back(double(shown_us_[k] - send_us_[k]) / 1000.0);
        exact += exact_[k];
    }
    auto round1 = [](double v) { return std::round(v * 10) / 10; };
    nlohmann::json all = nlohmann::json::array();
    for (double v : ms) all.push_back(round1(v));
    nlohmann::json out{{"host_id", o_.host_id},
                       {"sent", sent_},
                       {"skipped_first", o_.skip},
                       {"measured", ms.size()},
                       {"shown_exactly", exact},
                       {"never_shown", missing},
                       {"summaries_frames", summaries_},
                       {"row_hub", hubs_},
                       {"latency_ms",
                        {{"p50", round1(percentile(ms, 0.5))},
                         {"p99", round1(percentile(ms, 0.99))},
                         {"min", ms.empty() ? 0 : round1(*std::min_element(ms.begin(), ms.end()))},
                         {"max", ms.empty() ? 0 : round1(*std::max_element(ms.begin(), ms.end()))}}},
                       {"all_ms", all}};
    std::printf("%s\n", out.dump().c_str());
    return error_ || ms.empty() ? 1 : 0;
}

int run(int argc, char** argv) {
    Options o;
    std::string agent_hub, dashboard_hub;
    po::options_description desc(std::string(program) +
                                 ": a sample's trip from one hub of a cluster to another hub's fleet view\nOptions");
    desc.add_options()
        ("help,h", "show this help and exit")
        ("agent-hub", po::value(&agent_hub)->required(), "ADDR:PORT of the hub the simulated agent streams to")
        ("dashboard-hub", po::value(&dashboard_hub)->required(), "ADDR:PORT of the hub whose /ws/live is watched")
        ("host-id", po::value(&o.host_id), "the simulated host's id (default: fleetprobe-PID)")
        ("samples", po::value(&o.samples)->default_value(o.samples), "samples to send")
        ("skip", po::value(&o.skip)->default_value(o.skip), "first samples left out of the figures (the host joining)")
        ("interval-ms", po::value(&o.interval_ms)->default_value(o.interval_ms), "the agent's interval; samples go out every interval * (1 + 1/samples)")
        ("drain", po::value(&o.drain_s)->default_value(o.drain_s), "seconds to wait after the last sample for it to show");
    if (auto status = telehub::bench::parse_flags(argc, argv, desc, program)) return *status;
    o.agent_hub = loopback_endpoint(agent_hub, "agent-hub");
    o.dashboard_hub = loopback_endpoint(dashboard_hub, "dashboard-hub");
    if (o.host_id.empty()) o.host_id = "fleetprobe-" + std::to_string(::getpid());
    if (o.samples < 1 || o.samples > 100000 || o.skip >= o.samples) throw std::runtime_error("--samples must be 1-100000 and above --skip");
    if (o.interval_ms < 100 || o.interval_ms > 60000) throw std::runtime_error("--interval-ms must be 100-60000");
    // The filter is matched case-insensitively against a lower-cased needle.
    std::transform(o.host_id.begin(), o.host_id.end(), o.host_id.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    net::io_context ioc;
    Probe probe(ioc, o);
    probe.start();
    ioc.run();
    return probe.report();
}

}  // namespace

int main(int argc, char** argv) {
    try {
        return run(argc, argv);
    } catch (const po::error& e) {
        std::fprintf(stderr, "%s: %s (see --help)\n", program, e.what());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s: %s\n", program, e.what());
    }
    return 2;
}
