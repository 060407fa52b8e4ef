// What the agent accepts from the hub: a command frame (decode_command) and
// its arguments as the executor reads them (parse_args, int_arg, string_arg,
// string_list_arg, with the executor's fields and ranges). An accepted
// command re-encodes to the same command; an accepted integer is in its
// range, an accepted string is not empty; a refusal names the field.
#include <climits>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "agent/control/control.hpp"
#include "telehub/command.hpp"
#include "tests/fuzz/fuzz_check.hpp"

namespace ag = telehub::agent;

namespace {

void check_failure(const ag::CommandFailure& f, const char* field) {
    FUZZ_CHECK(f.code == "bad_argument");
    FUZZ_CHECK(f.message.find(field) != std::string::npos);
}

void check_int(const nlohmann::json& args, const char* field, std::int64_t lo, std::int64_t hi,
               std::optional<std::int64_t> fallback = {}) {
    auto v = ag::int_arg(args, field, lo, hi, fallback);
    if (auto* n = std::get_if<std::int64_t>(&v)) FUZZ_CHECK(*n >= lo && *n <= hi);
    else check_failure(std::get<ag::CommandFailure>(v), field);
}

void check_string(const nlohmann::json& args, const char* field, std::optional<std::string> fallback = {}) {
    auto v = ag::string_arg(args, field, fallback);
    if (auto* s = std::get_if<std::string>(&v)) FUZZ_CHECK(!s->empty());
    else check_failure(std::get<ag::CommandFailure>(v), field);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view frame(reinterpret_cast<const char*>(data), size);
    auto decoded = telehub::decode_command(frame);
    if (auto* e = std::get_if<telehub::CodecError>(&decoded)) {
        FUZZ_CHECK(!e->code.empty() && !e->message.empty());
        return 0;
    }
    const auto& c = std::get<telehub::Command>(decoded);
    auto again = telehub::decode_command(telehub::encode_command(c));
    FUZZ_CHECK(std::holds_alternative<telehub::Command>(again));
    const auto& c2 = std::get<telehub::Command>(again);
    FUZZ_CHECK(c2.id == c.id && c2.op == c.op && c2.timeout_ms == c.timeout_ms && c2.args_json == c.args_json);

    auto parsed = ag::parse_args(c.args_json);
    // decode_command keeps only an object as args.
    FUZZ_CHECK(std::holds_alternative<nlohmann::json>(parsed));
    const auto& args = std::get<nlohmann::json>(parsed);
    FUZZ_CHECK(args.is_object());
    // The executor's fields and ranges (agent/control/command_executor.cpp).
    check_string(args, "format", std::string("csv"));
    check_string(args, "username");
    check_string(args, "cmd");
    check_int(args, "n", 1, 100000, 10);
    check_int(args, "pid", 1, INT_MAX);
    check_int(args, "signal", 1, 64, 9);
    check_int(args, "priority", -20, 19);
    auto list = ag::string_list_arg(args, "args");
    if (auto* f = std::get_if<ag::CommandFailure>(&list)) check_failure(*f, "args");
    return 0;
}
