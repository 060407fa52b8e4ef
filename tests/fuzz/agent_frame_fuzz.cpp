// The hub's decoder of agent frames (hello, sample, reply), fed arbitrary
// bytes. A frame it accepts must survive a round trip: re-encoded with the
// agent's encoder and decoded again it gives the same frame, so the hub
// never keeps a value the protocol cannot carry. And simdjson judges what is
// JSON: the decoder's one-pass reader calls a frame bad JSON (or bad UTF-8)
// exactly when simdjson cannot parse it.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

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
        return 0;
    }
    FUZZ_CHECK(json);
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
