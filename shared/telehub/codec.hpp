// The wire format of docs/protocol.md, implemented once. Encoding uses
// nlohmann/json (off the hub's hot path); agent frames are decoded on the hub
// by FrameDecoder, in one pass of the project's own (frame_reader.hpp), with
// simdjson for UTF-8 and for the verdict on a refused frame's JSON; callers
// see none of it.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "telehub/sample.hpp"

namespace telehub {

inline constexpr int protocol_version = 1;

// What a sample frame carries. `replay`: what the hub reads from a sample
// replayed after an outage (history, alerts, the log), i.e. everything but
// `sockets.netns` and the `containers` list, and of the leak suspects only the
// `replay_leaks` holding the most sockets (the count stays in `leaks_total`):
// these describe a moment the live view has moved past (docs/protocol.md,
// "Backfill"), and are most of a container host's or a leaking host's sample.
// An agent buffers its samples this way.
enum class SampleDetail { full, replay };
inline constexpr std::size_t replay_leaks = 5;

// Both forms of one sample, its JSON built once: what a streaming agent
// encodes every tick (the full one to send, the replay one to buffer).
struct SampleFrames {
    std::string full;
    std::string replay;
};
SampleFrames encode_sample_frames(const Sample& s);

std::string encode_sample(const Sample& s, SampleDetail detail = SampleDetail::full);
std::string encode_hello(const Hello& h);

// An error frame: {"type":"error","code":..,"message":..}.
std::string encode_error(std::string_view code, std::string_view message);

// Why a frame was refused. `code` is stable and machine-readable
// ("bad_json", "missing_field", "wrong_type", "unknown_type", "bad_value");
// `message` names the field or the problem for a person.
struct CodecError {
    std::string code;
    std::string message;
};

enum class FrameKind { hello, sample, reply };

// An agent's answer to a command. `result_json` is the result re-serialised
// compactly (valid JSON) when ok; `error_code`/`error_message` otherwise.
struct CommandReply {
    std::string id;
    bool ok = false;
    std::string result_json;
    std::string error_code;
    std::string error_message;
};

// One decoded agent frame. Reused between frames so that the strings and
// vectors inside keep their capacity: decoding a sample allocates nothing in
// the steady state.
struct AgentFrame {
    FrameKind kind = FrameKind::sample;
    Hello hello;
    Sample sample;
    CommandReply reply;  // for kind == reply
};

// Parses and validates frames from agents. Not thread-safe: one per session
// or per thread.
class FrameDecoder {
public:
    FrameDecoder();
    ~FrameDecoder();
    FrameDecoder(const FrameDecoder&) = delete;
    FrameDecoder& operator=(const FrameDecoder&) = delete;

    // On success fills `out` and returns nullopt; otherwise returns the error
    // and leaves `out` in an unspecified but valid state.
    std::optional<CodecError> decode(std::string_view frame, AgentFrame& out);

    // Bytes past a frame's end that decode_in_place may read (not write):
    // simdjson, which parses a refused frame whole, loads 64 bytes at a time.
    static constexpr std::size_t padding = 64;

    // As decode, on a frame whose buffer holds `padding` readable bytes past
    // its end (a std::string reserved for them): a refused frame is parsed
    // by simdjson where it lies, without the copy decode makes of it.
    std::optional<CodecError> decode_in_place(std::string_view frame, AgentFrame& out);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace telehub
