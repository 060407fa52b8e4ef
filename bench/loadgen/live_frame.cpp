#include "loadgen/live_frame.hpp"

#include <charconv>
#include <string>

namespace telehub::loadgen {
namespace {

constexpr std::string_view type_key = "\"type\":\"";
constexpr std::size_t end_window = 96;  // how far from either end "type" is looked for first

std::optional<std::string_view> type_in(std::string_view text) {
    auto at = text.find(type_key);
    if (at == std::string_view::npos) return std::nullopt;
    auto start = at + type_key.size();
    auto end = text.find('"', start);
    if (end == std::string_view::npos) return std::nullopt;
    return text.substr(start, end - start);
}

// Skips the JSON whitespace a stamped sample pads its numbers with.
std::string_view after_key(std::string_view text, std::string_view key) {
    auto at = text.find(key);
    if (at == std::string_view::npos) return {};
    auto rest = text.substr(at + key.size());
    while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t')) rest.remove_prefix(1);
    return rest;
}

template <class T>
std::optional<T> number_at(std::string_view text) {
    T v{};
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || p == text.data()) return std::nullopt;
    return v;
}

}  // namespace

LiveFrameKind classify_live_frame(std::string_view frame) {
    auto t = type_in(frame.substr(0, end_window));
    if (!t && frame.size() > end_window) t = type_in(frame.substr(frame.size() - end_window));
    if (!t) t = type_in(frame);
    if (!t) return LiveFrameKind::other;
    if (*t == "summaries") return LiveFrameKind::summaries;
    if (*t == "sample") return LiveFrameKind::sample;
    if (*t == "snapshot") return LiveFrameKind::snapshot;
    if (*t == "welcome") return LiveFrameKind::welcome;
    if (*t == "error") return LiveFrameKind::error;
    if (*t == "command") return LiveFrameKind::command;
    return LiveFrameKind::other;
}

std::optional<SampleStamp> read_sample_stamp(std::string_view frame) {
    SampleStamp st;
    auto host = after_key(frame, "\"host_id\":\"");
    auto quote = host.find('"');
    if (host.empty() || quote == std::string_view::npos) return std::nullopt;
    st.host_id = host.substr(0, quote);
    auto seq = number_at<std::uint64_t>(after_key(frame, "\"seq\":"));
    auto ts = number_at<std::int64_t>(after_key(frame, "\"ts_ms\":"));
    if (!seq || !ts) return std::nullopt;
    st.seq = *seq;
    st.ts_ms = *ts;
    return st;
}

bool completes_summaries(std::string_view frame) {
    auto head = frame.substr(0, frame.find("\"hosts\""));
    auto part = read_counter(head, "part");
    auto parts = read_counter(head, "parts");
    return !part || !parts || *part + 1 >= *parts;
}

std::optional<std::uint64_t> read_counter(std::string_view json, std::string_view key) {
    std::string quoted = "\"" + std::string(key) + "\":";
    return number_at<std::uint64_t>(after_key(json, quoted));
}

std::optional<std::string_view> read_string(std::string_view json, std::string_view key) {
    std::string quoted = "\"" + std::string(key) + "\":";
    auto rest = after_key(json, quoted);
    if (rest.empty() || rest.front() != '"') return std::nullopt;
    rest.remove_prefix(1);
    auto end = rest.find('"');
    if (end == std::string_view::npos) return std::nullopt;
    return rest.substr(0, end);
}

}  // namespace telehub::loadgen
