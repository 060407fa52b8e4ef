// A dashboard's /ws/live subscription message (parse_subscribe, what the
// live session runs on each client message). Accepted: a filter in range and
// at most max_detail_hosts detail ids, each taken from the text; refused: one
// of the protocol's codes with a message.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "hub/api/filter_params.hpp"
#include "tests/fuzz/hub_filter_check.hpp"

namespace hub = telehub::hub;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    auto r = hub::parse_subscribe(text);
    if (auto* e = std::get_if<hub::SubscribeError>(&r)) {
        FUZZ_CHECK(e->code == "bad_json" || e->code == "wrong_type" || e->code == "missing_field" ||
                   e->code == "unknown_type" || e->code == "bad_value");
        FUZZ_CHECK(!e->message.empty());
        return 0;
    }
    const auto& sub = std::get<hub::Subscription>(r);
    check_filter(sub.filter);
    FUZZ_CHECK(sub.detail.size() <= hub::max_detail_hosts);
    // Each id is a JSON string of the text, so ids and their quotes fit in it.
    std::size_t bytes = 0;
    for (const auto& id : sub.detail) bytes += id.size() + 2;
    FUZZ_CHECK(bytes <= text.size());
    return 0;
}
