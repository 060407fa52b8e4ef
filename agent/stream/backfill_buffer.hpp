// The last N encoded sample frames with their seq: what a hub that restarted,
// or a connection that dropped, is missing. A ring of shared frames so that
// queueing one for a write costs a reference, not a copy.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace telehub::agent {

using Frame = std::shared_ptr<const std::string>;

struct BufferedSample {
    std::uint64_t seq = 0;
    Frame frame;
};

class BackfillBuffer {
public:
    // capacity 0 is raised to 1: the newest sample is always kept.
    explicit BackfillBuffer(std::size_t capacity);

    struct PushResult {
        bool accepted = false;
        std::optional<BufferedSample> evicted;  // the oldest, dropped to make room
    };
    // Appends; when full, drops the oldest and hands it back so the caller can
    // tell whether it was ever sent. Seqs must increase: a seq not above the
    // newest one (or a null frame) is refused, nothing changes, refused() counts it.
    PushResult push(std::uint64_t seq, Frame frame);

    // The samples with seq > last_seq, oldest first.
    std::vector<BufferedSample> after(std::uint64_t last_seq) const;

    std::size_t size() const { return count_; }
    std::size_t capacity() const { return slots_.size(); }
    bool empty() const { return count_ == 0; }
    std::uint64_t oldest_seq() const;  // 0 when empty
    std::uint64_t newest_seq() const { return newest_seq_; }  // 0 before the first push
    std::uint64_t evicted() const { return evicted_; }
    std::uint64_t refused() const { return refused_; }

private:
    const BufferedSample& at(std::size_t i) const { return slots_[(head_ + i) % slots_.size()]; }

    std::vector<BufferedSample> slots_;
    std::size_t head_ = 0;  // index of the oldest
    std::size_t count_ = 0;
    std::uint64_t newest_seq_ = 0;
    std::uint64_t evicted_ = 0;
    std::uint64_t refused_ = 0;
};

// A sample frame as the replay sends it: `,"backfill":true` inserted before
// the final '}', which keeps the JSON valid without re-encoding. The frame
// must be an object encoded without a backfill field (encode_sample omits it
// when false); returns nullopt if the frame does not end in '}'.
std::optional<std::string> mark_backfill(std::string_view frame);

}  // namespace telehub::agent
