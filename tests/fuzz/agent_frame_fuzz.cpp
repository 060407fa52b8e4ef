// The hub's decoder of agent frames (hello, sample, reply), fed arbitrary
// bytes. A frame it accepts must survive a round trip: re-encoded with the
// agent's encoder and decoded again it gives the same frame, so the hub
// never keeps a value the protocol cannot carry. And simdjson judges what is
// JSON: the decoder's one-pass reader calls a frame bad JSON (or bad UTF-8)
// exactly when simdjson cannot parse it, and refuses a key sent twice
// (`duplicate_field`) exactly when simdjson's tree has an object with one.
#include <cstddef>
#include <cstdint>
#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include <simdjson.h>

#include "telehub/codec.hpp"
#include "telehub/command.hpp"
#include "tests/fuzz/fuzz_check.hpp"

namespace {

std::string encode_again(const telehub::AgentFrame& f) {
    switch (f.kind) {
    case telehub::FrameKind::hello:
        return telehub::encode_hello(f.hello);
    case telehub::FrameKind::sample:
        return telehub::encode_sample(f.sample);
    case telehub::FrameKind::reply:
        return f.reply.ok ? telehub::encode_reply_ok(f.reply.id, f.reply.result_json)
                          : telehub::encode_reply_error(f.reply.id, f.reply.error_code, f.reply.error_message);
    }
    return {};
}

// Whether some object in `e` holds a key twice, keys compared as simdjson
// decodes them.
bool has_key_twice(simdjson::dom::element e) {
    simdjson::dom::object object;
    if (e.get(object) == simdjson::SUCCESS) {
        std::vector<std::string_view> keys;
        for (auto field : object) {
            keys.push_back(field.key);
            if (has_key_twice(field.value)) return true;
        }
        std::sort(keys.begin(), keys.end());
        return std::adjacent_find(keys.begin(), keys.end()) != keys.end();
    }
    simdjson::dom::array array;
    if (e.get(array) == simdjson::SUCCESS)
        for (auto item : array)
            if (has_key_twice(item)) return true;
    return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static telehub::FrameDecoder decoder;
    static telehub::AgentFrame first;
    static telehub::AgentFrame second;
    static simdjson::dom::parser parser;
    const std::string_view frame(reinterpret_cast<const char*>(data), size);
    simdjson::dom::element doc;
    const bool json = parser.parse(simdjson::padded_string(frame)).get(doc) == simdjson::SUCCESS;
    if (auto error = decoder.decode(frame, first)) {
        FUZZ_CHECK(!error->code.empty() && !error->message.empty());
        const bool not_json = error->code == "bad_json" || error->code == "bad_utf8";
        if (not_json == json) std::fprintf(stderr, "simdjson %s it: %s\n", json ? "parses" : "refuses", error->message.c_str());
        FUZZ_CHECK(not_json != json);
        // Frames are read up to their first fault: a key sent twice is
        // refused only when nothing before it was.
        if (error->code == "duplicate_field") FUZZ_CHECK(has_key_twice(doc));
        return 0;
    }
    FUZZ_CHECK(json);
    FUZZ_CHECK(!has_key_twice(doc));
    const std::string encoded = encode_again(first);
    const auto again = decoder.decode(encoded, second);
    if (again) std::fprintf(stderr, "re-decoding failed: %s %s\n%s\n", again->code.c_str(), again->message.c_str(), encoded.c_str());
    FUZZ_CHECK(!again);
    FUZZ_CHECK(second.kind == first.kind);
    // Compared as the encoder writes them: one text per frame.
    FUZZ_CHECK(encode_again(second) == encoded);
    if (first.kind == telehub::FrameKind::reply) {
        FUZZ_CHECK(second.reply.id == first.reply.id && second.reply.ok == first.reply.ok);
        FUZZ_CHECK(second.reply.result_json == first.reply.result_json);
        FUZZ_CHECK(second.reply.error_code == first.reply.error_code);
    }
    return 0;
}
