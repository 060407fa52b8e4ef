// frame-decode: what the hub's FrameDecoder costs per agent sample, in
// process, on the load generator's samples (bench/loadgen/sample_factory:
// 8 cores, top 10 processes, 10 by_process entries; ~3-4 KB). Issue #22: the
// decode is the largest part of the hub's work per sample above the floor.
//
//   frame-decode [--hosts 200] [--rounds 7] [--passes 50]
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include <boost/program_options.hpp>

#include "bench_flags.hpp"
#include "bench_timing.hpp"
#include "loadgen/sample_factory.hpp"
#include "telehub/codec.hpp"

int main(int argc, char** argv) {
    namespace po = boost::program_options;
    std::size_t hosts = 200, rounds = 7, passes = 50;
    po::options_description opts("frame-decode: the hub's FrameDecoder per sample\nOptions");
    opts.add_options()("help,h", "show this help and exit")("hosts", po::value(&hosts), "distinct samples decoded in turn")(
        "rounds", po::value(&rounds), "timed rounds (the median is reported)")(
        "passes", po::value(&passes), "passes over every sample per round");
    if (auto status = telehub::bench::parse_flags(argc, argv, opts, "frame-decode")) return *status;
    telehub::loadgen::SampleFactory factory({});
    std::vector<std::string> frames;
    std::size_t bytes = 0;
    for (std::size_t h = 0; h < hosts; ++h) {
        auto s = factory.sample(h, 7);
        s.seq = 7;
        s.ts_ms = 1'700'000'000'000;
        frames.push_back(telehub::encode_sample(s));
        bytes += frames.back().size();
    }
    // The hub parses a frame in the buffer it keeps it in (room reserved
    // for the parser's padding); decode() copies it first. Both are timed,
    // in alternating rounds.
    for (auto& f : frames) f.reserve(f.size() + telehub::FrameDecoder::padding);
    telehub::FrameDecoder decoder;
    telehub::AgentFrame frame;
    std::vector<double> copied_ns, in_place_ns;
    for (std::size_t r = 0; r < rounds; ++r) {
        for (bool in_place : {false, true}) {
            bool ok = true;
            double secs = telehub::bench::seconds_of([&] {
                for (std::size_t p = 0; p < passes; ++p)
                    for (const auto& f : frames)
                        ok = !(in_place ? decoder.decode_in_place(f, frame) : decoder.decode(f, frame)) && ok;
            });
            if (!ok) {
                std::fprintf(stderr, "frame-decode: a sample did not decode\n");
                return 1;
            }
            (in_place ? in_place_ns : copied_ns).push_back(secs * 1e9 / static_cast<double>(passes * frames.size()));
        }
    }
    auto report = [&](const char* how, const std::vector<double>& ns) {
        std::printf("frame-decode: %zu samples of %.0f bytes on average, %zu rounds of %zu passes: %.0f ns per decode "
                    "%s (median; min %.0f, max %.0f)\n",
                    frames.size(), static_cast<double>(bytes) / static_cast<double>(frames.size()), rounds, passes,
                    telehub::bench::median(ns), how, *std::min_element(ns.begin(), ns.end()),
                    *std::max_element(ns.begin(), ns.end()));
    };
    report("copied first", copied_ns);
    report("in place", in_place_ns);
    return 0;
}
