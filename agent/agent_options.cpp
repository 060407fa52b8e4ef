#include "agent/agent_options.hpp"

#include <sstream>
#include <vector>

#include <boost/program_options.hpp>

namespace telehub::agent {
namespace po = boost::program_options;

namespace {

template <class T>
void check_range(const char* flag, T v, T lo, T hi) {
    if (v < lo || v > hi) {
        std::ostringstream msg;
        msg << flag << ": " << v << " is out of range (" << lo << ".." << hi << ")";
        throw UsageError(msg.str());
    }
}

}  // namespace

ParsedOptions parse_agent_options(int argc, const char* const argv[]) {
    ParsedOptions out;
    AgentOptions& o = out.options;
    std::string mode_word;
    std::size_t top_n_short = 0;

    po::options_description flags("telehub-agent [sockets | top] [options]");
    flags.add_options()
        ("help,h", "show this help")
        ("hub", po::value(&o.hub_url), "hub URL, e.g. ws://127.0.0.1:8080/ws/agent; without it, samples are printed")
        ("interval", po::value(&o.interval_s)->default_value(1.0), "seconds between samples")
        ("top", po::value(&o.top_n)->default_value(10), "processes in the top-N table")
        ("top-sockets", po::value(&o.top_sockets)->default_value(10), "processes listed by socket count")
        ("host-id", po::value(&o.host_id), "host id (default: /etc/machine-id, else the hostname)")
        ("buffer", po::value(&o.buffer)->default_value(300), "samples kept for replay while the hub is unreachable")
        ("once", "print one complete sample (two readings one interval apart) and exit")
        ("format", po::value(&o.format)->default_value("text"), "text | json")
        ("count", po::value(&o.count)->default_value(0), "stop after this many samples (0: never)")
        ("csv", "CSV output for the sockets and top reports")
        (",n", po::value(&top_n_short), "for `top`: how many processes (same as --top)")
        ("no-netlink", "read sockets from /proc/net only (the fallback path)")
        ("proc-root", po::value(&o.proc_root)->default_value("/proc"), "where /proc is (for tests)");
    po::options_description hidden;
    hidden.add_options()("mode", po::value(&mode_word));
    po::options_description all;
    all.add(flags).add(hidden);
    po::positional_options_description positional;
    positional.add("mode", 1);

    po::variables_map vm;
    try {
        po::store(po::command_line_parser(argc, argv).options(all).positional(positional).run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        throw UsageError(e.what());
    }
    if (vm.count("help")) {
        std::ostringstream text;
        text << flags;
        out.help = true;
        out.help_text = text.str();
        return out;
    }

    if (mode_word == "sockets") o.mode = AgentMode::sockets;
    else if (mode_word == "top") o.mode = AgentMode::top;
    else if (!mode_word.empty())
        throw UsageError("unknown mode '" + mode_word + "' (expected: sockets, top, or none)");
    if (vm.count("once")) {
        if (o.mode != AgentMode::stream) throw UsageError("--once cannot be combined with `" + mode_word + "`");
        o.mode = AgentMode::once;
    }
    if (vm.count("-n")) o.top_n = top_n_short;
    o.csv = vm.count("csv") > 0;
    o.netlink = vm.count("no-netlink") == 0;

    check_range("--interval", o.interval_s, 0.05, 3600.0);
    check_range<std::size_t>(vm.count("-n") ? "-n" : "--top", o.top_n, 1, 10000);
    check_range<std::size_t>("--top-sockets", o.top_sockets, 0, 10000);
    check_range<std::size_t>("--buffer", o.buffer, 1, 1000000);
    if (o.format != "text" && o.format != "json")
        throw UsageError("--format: '" + o.format + "' is not one of text, json");
    if (o.csv && o.mode != AgentMode::sockets && o.mode != AgentMode::top)
        throw UsageError("--csv applies only to the `sockets` and `top` reports");
    if (!o.hub_url.empty() && o.mode != AgentMode::stream)
        throw UsageError("--hub applies only to streaming mode");
    return out;
}

}  // namespace telehub::agent
