// The agent runs on every host and its RSS is a goal (docs/benchmarks.md):
// every shared library it loads costs its mapped pages. libstdc++, Boost and
// OpenSSL are linked in statically, and nothing may bring libm back (its
// mapping alone was half a megabyte; std::from_chars/to_chars on doubles and
// std::pow/std::round were what pulled it in).
#define BOOST_TEST_MODULE agent_libraries
#include <boost/test/unit_test.hpp>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

namespace {

// The DT_NEEDED names of an ELF file, as readelf lists them.
std::vector<std::string> needed_libraries(const std::string& path) {
    const std::string cmd = "LC_ALL=C readelf -dW '" + path + "' 2>&1";
    std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen(cmd.c_str(), "r"), ::pclose);
    BOOST_REQUIRE(pipe);
    std::vector<std::string> out;
    char line[1024];
    while (std::fgets(line, sizeof line, pipe.get())) {
        std::string s(line);
        if (s.find("(NEEDED)") == std::string::npos) continue;
        auto open = s.find('['), close = s.find(']');
        if (open != std::string::npos && close > open) out.push_back(s.substr(open + 1, close - open - 1));
    }
    return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_agent_loads_no_library_it_could_do_without) {
    const auto libs = needed_libraries(TELEHUB_BINARY_DIR "/agent/telehub-agent");
    BOOST_REQUIRE_MESSAGE(!libs.empty(), "no NEEDED entries read from the agent (is readelf installed?)");
    bool has_libc = false;
    for (const std::string& lib : libs) {
        has_libc = has_libc || lib.rfind("libc.so", 0) == 0;
        for (const char* unwanted : {"libm.so", "libstdc++", "libboost", "libssl", "libcrypto", "libz.so"})
            BOOST_TEST(lib.find(unwanted) == std::string::npos, "the agent needs " << lib);
    }
    BOOST_TEST(has_libc);
}
