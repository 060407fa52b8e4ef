// The agent's --hub URL parser. An accepted URL has a host, a numeric port
// in 1..65535 and an origin-form target, none of which can smuggle a header
// line or a second URL into the request; and its printed form parses back to
// the same URL.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "agent/stream/hub_url.hpp"
#include "tests/fuzz/fuzz_check.hpp"

namespace {

bool has_control_or_space(std::string_view s) {
    for (unsigned char c : s)
        if (c <= 0x20 || c == 0x7F) return true;
    return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    std::string error;
    auto url = telehub::agent::parse_hub_url(text, error);
    if (!url) {
        FUZZ_CHECK(!error.empty());
        return 0;
    }
    FUZZ_CHECK(!url->host.empty() && !has_control_or_space(url->host));
    FUZZ_CHECK(url->host.find_first_of("/?#@") == std::string::npos);
    FUZZ_CHECK(!url->port.empty() && url->port.size() <= 5);
    FUZZ_CHECK(url->port.find_first_not_of("0123456789") == std::string::npos);
    const long port = std::stol(url->port);
    FUZZ_CHECK(port >= 1 && port <= 65535);
    FUZZ_CHECK(!url->target.empty() && url->target.front() == '/' && !has_control_or_space(url->target));
    FUZZ_CHECK(!has_control_or_space(url->host_header()));

    std::string error2;
    auto again = telehub::agent::parse_hub_url(url->to_string(), error2);
    if (!again) std::fprintf(stderr, "'%s' -> '%s' refused: %s\n", text.c_str(), url->to_string().c_str(), error2.c_str());
    FUZZ_CHECK(again);
    FUZZ_CHECK(again->host == url->host && again->port == url->port && again->target == url->target &&
               again->tls == url->tls);
    return 0;
}
