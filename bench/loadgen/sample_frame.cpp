#include "loadgen/sample_frame.hpp"

#include <charconv>
#include <cmath>
#include <cstring>
#include <string_view>

#include "telehub/codec.hpp"

namespace telehub::loadgen {
namespace {

// Markers no real value takes; each as wide as the largest value its slot
// must hold (seq and ts_ms: 19 digits; cpu: "100.0").
constexpr std::uint64_t seq_marker = 1111111111111111111ULL;
constexpr std::int64_t ts_marker = 2222222222222222222LL;
constexpr double cpu_marker = 33333.3;

bool find_slot(const std::string& text, std::string_view key_and_marker, std::size_t key_len, std::size_t& pos,
               std::size_t& width) {
    auto at = text.find(key_and_marker);
    if (at == std::string::npos) return false;
    pos = at + key_len;
    width = key_and_marker.size() - key_len;
    return true;
}

void fill(std::string& text, std::size_t pos, std::size_t width, std::string_view digits) {
    std::memcpy(text.data() + pos, digits.data(), digits.size());
    std::memset(text.data() + pos + digits.size(), ' ', width - digits.size());
}

}  // namespace

bool SampleFrame::rebuild(Sample s) {
    s.seq = seq_marker;
    s.ts_ms = ts_marker;
    s.cpu.total = cpu_marker;
    text_ = encode_sample(s);
    bool ok = find_slot(text_, "\"seq\":1111111111111111111", 6, seq_.pos, seq_.width) &&
              find_slot(text_, "\"ts_ms\":2222222222222222222", 8, ts_.pos, ts_.width) &&
              find_slot(text_, "\"total\":33333.3", 8, cpu_.pos, cpu_.width);
    if (!ok) text_.clear();
    return ok;
}

void SampleFrame::stamp(std::uint64_t seq, std::int64_t ts_ms, double cpu_total) {
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof buf, seq);
    fill(text_, seq_.pos, seq_.width, std::string_view(buf, std::size_t(r.ptr - buf)));
    r = std::to_chars(buf, buf + sizeof buf, ts_ms);
    fill(text_, ts_.pos, ts_.width, std::string_view(buf, std::size_t(r.ptr - buf)));
    // One decimal, as the codec writes percentages.
    long tenths = std::lround(std::fmin(std::fmax(cpu_total, 0.0), 100.0) * 10);
    r = std::to_chars(buf, buf + sizeof buf, tenths / 10);
    *r.ptr++ = '.';
    *r.ptr++ = char('0' + tenths % 10);
    fill(text_, cpu_.pos, cpu_.width, std::string_view(buf, std::size_t(r.ptr - buf)));
}

}  // namespace telehub::loadgen
