// One agent's sample frame, encoded once by telehub::encode_sample and then
// re-stamped in place before each send: seq, ts_ms and cpu.total are written
// into fixed-width slots (digits, then spaces, which JSON allows between
// tokens). Encoding a 3 KB sample costs tens of microseconds; at 10,000
// agents a second that would take a large share of the two cores the hub
// is measured on, so the full re-encode runs only every few ticks.
#pragma once

#include <cstdint>
#include <string>

#include "telehub/sample.hpp"

namespace telehub::loadgen {

class SampleFrame {
public:
    // Encodes `s` (its seq, ts_ms and cpu.total are replaced by the slots).
    // Returns false if the encoded text has no recognisable slots, which
    // would mean the codec changed its number format.
    bool rebuild(Sample s);
    // Writes the values into the slots; the text stays valid JSON.
    void stamp(std::uint64_t seq, std::int64_t ts_ms, double cpu_total);

    const std::string& text() const { return text_; }
    bool empty() const { return text_.empty(); }

private:
    struct Slot {
        std::size_t pos = 0;
        std::size_t width = 0;
    };
    std::string text_;
    Slot seq_, ts_, cpu_;
};

}  // namespace telehub::loadgen
