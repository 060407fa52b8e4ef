// The REST router's parsing of request targets: the per-host paths
// (/api/hosts/ID[/history], ID percent-decoded), percent-decoding itself,
// query parameters and the /api/hosts filter query. The first input byte
// picks which; the rest is the text. Decoded text is never longer than its
// encoding and encodes back to the same value; a host id is never empty and
// comes from a path segment without a raw '/' (a '/' in an id is %2F), so
// it cannot name another route.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <variant>

#include "hub/api/filter_params.hpp"
#include "hub/api/host_route.hpp"
#include "hub/http/http.hpp"
#include "tests/fuzz/hub_filter_check.hpp"

namespace hub = telehub::hub;

namespace {

// Every byte as %XX: the one encoding any decoder must accept.
std::string encode_all(std::string_view s) {
    std::string out;
    char buf[4];
    for (unsigned char c : s) {
        std::snprintf(buf, sizeof buf, "%%%02X", c);
        out += buf;
    }
    return out;
}

void host_route(std::string_view path) {
    auto r = hub::parse_host_route(path);
    if (!r) return;
    FUZZ_CHECK(path.starts_with(hub::hosts_path_prefix));
    FUZZ_CHECK(!r->host_id.empty());
    auto segment = path.substr(hub::hosts_path_prefix.size());
    if (r->history) segment.remove_suffix(std::string_view("/history").size());
    FUZZ_CHECK(segment.find('/') == std::string_view::npos);
    FUZZ_CHECK(r->host_id.size() <= path.size());
    std::string again_path = std::string(hub::hosts_path_prefix) + encode_all(r->host_id) + (r->history ? "/history" : "");
    auto again = hub::parse_host_route(again_path);
    FUZZ_CHECK(again && again->host_id == r->host_id && again->history == r->history);
}

void decode(std::string_view text, bool plus_is_space) {
    auto d = hub::url_decode(text, plus_is_space);
    if (!d) return;
    FUZZ_CHECK(d->size() <= text.size());
    auto again = hub::url_decode(encode_all(*d), plus_is_space);
    FUZZ_CHECK(again && *again == *d);
}

void param(std::string_view query) {
    for (std::string_view name : {"q", "min_cpu", "seconds", ""}) {
        bool bad = false;
        auto v = hub::query_param(query, name, bad);
        // A value that does not decode comes back empty, with `bad` set.
        if (v) FUZZ_CHECK(bad ? v->empty() : v->size() <= query.size());
    }
}

void filter(std::string_view query) {
    auto f = hub::parse_filter_query(query);
    if (auto* ok = std::get_if<hub::HostFilter>(&f)) check_filter(*ok);
    else FUZZ_CHECK(!std::get<hub::FilterError>(f).message.empty());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
    switch (data[0] % 5) {
    case 0: host_route(text); break;
    case 1: decode(text, false); break;
    case 2: decode(text, true); break;
    case 3: param(text); break;
    case 4: filter(text); break;
    }
    return 0;
}
