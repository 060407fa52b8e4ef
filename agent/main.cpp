// telehub-agent: samples this host every interval and streams to a hub, or
// prints; also the seeds' one-shot reports (`sockets`, `top`).
#include <chrono>
#include <cstdio>
#include <exception>
#include <iostream>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "agent/agent_options.hpp"
#include "agent/collect/host/host.hpp"
#include "agent/reports.hpp"
#include "agent/report/report.hpp"
#include "agent/collect/collect.hpp"
#include "agent/sockwatch_command.hpp"
#include "agent/stream_loop.hpp"
#include "telehub/codec.hpp"

namespace {

using namespace telehub;
using namespace telehub::agent;

SamplerOptions sampler_options(const AgentOptions& o) {
    return sampler_options_from(o);
}

int run_once(const AgentOptions& o) {
    Sampler sampler(sampler_options(o));
    Sample s;
    sampler.sample(s);  // primes the deltas
    std::this_thread::sleep_for(std::chrono::duration<double>(o.interval_s));
    if (!sampler.sample(s)) {
        std::cerr << "telehub-agent: could not read " << o.proc_root << "/stat\n";
        return 1;
    }
    s.seq = 1;
    s.interval_ms = static_cast<std::uint32_t>(o.interval_s * 1000);
    if (o.format == "json") std::cout << encode_sample(s) << '\n';
    else write_sample_table(std::cout, s);
    return 0;
}

int run(const AgentOptions& o) {
    switch (o.mode) {
    case AgentMode::once:
        return run_once(o);
    case AgentMode::sockets:
        return run_sockets_report(o, std::cout);
    case AgentMode::top:
        return run_top_report(o, std::cout);
    case AgentMode::sockwatch:
        return run_sockwatch(o, std::cout);
    case AgentMode::stream:
        return run_stream(o);
    }
    return 2;
}

}  // namespace

int main(int argc, char* argv[]) {
    try {
        auto parsed = parse_agent_options(argc, argv);
        if (parsed.help) {
            std::cout << parsed.help_text;
            return 0;
        }
        if (!parsed.config_template.empty()) {
            std::cout << parsed.config_template;
            return 0;
        }
        if (parsed.version) {
            std::cout << agent_version_line() << '\n';
            return 0;
        }
        if (parsed.check_config) {
            std::cout << "telehub-agent: the configuration is valid ("
                      << (parsed.config_file.empty() ? std::string("command line only, no --config") : parsed.config_file)
                      << ")\n";
            return 0;
        }
        AgentOptions& o = parsed.options;
        if (o.host_id.empty()) o.host_id = default_host_id();
        return run(o);
    } catch (const UsageError& e) {
        std::cerr << "telehub-agent: " << e.what() << " (see --help)\n";
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "telehub-agent: " << e.what() << '\n';
        return 2;
    }
}
