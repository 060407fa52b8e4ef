// Cheap reading of what the hub sends a dashboard: which kind of frame it is
// and, for a forwarded sample, its host, seq and ts_ms. Summary frames reach
// megabytes at 10,000 hosts, so nothing here parses the whole document: it
// looks for "type" near either end (the hub's JSON may put keys in any
// order) and reads numbers with std::from_chars.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace telehub::loadgen {

enum class LiveFrameKind { summaries, snapshot, sample, welcome, error, command, other };

LiveFrameKind classify_live_frame(std::string_view frame);

struct SampleStamp {
    std::string_view host_id;  // points into the frame
    std::uint64_t seq = 0;
    std::int64_t ts_ms = 0;
};

// The stamp of a top-level sample frame; nullopt if a field is missing or
// not a number. The keys are the first occurrences in the text, which for a
// sample are the top-level ones (nested objects use other names).
std::optional<SampleStamp> read_sample_stamp(std::string_view frame);

// Whether a summaries frame completes its set: the hub sends a fleet's
// summaries in parts ("part" of "parts", near the frame's start); a frame
// without them is a whole set.
bool completes_summaries(std::string_view frame);

// The value of a top-level integer counter in a small JSON object such as
// GET /api/stats ("samples_received"); nullopt if absent.
std::optional<std::uint64_t> read_counter(std::string_view json, std::string_view key);

// The first string value of `key` in a small frame (a command's "id" or
// "op"), without unescaping; nullopt if absent.
std::optional<std::string_view> read_string(std::string_view json, std::string_view key);

}  // namespace telehub::loadgen
