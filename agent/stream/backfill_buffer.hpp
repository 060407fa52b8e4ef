// The last N encoded sample frames with their seq: what a hub that restarted,
// or a connection that dropped, is missing. Frames are kept deflated (raw
// deflate, Beast's port of zlib): a full ring of 300 JSON samples from a busy
// host is megabytes as text, and the agent's RSS is a goal
// (docs/benchmarks.md). Consecutive samples are alike, so frames are packed
// in blocks of a few, each frame sync-flushed into its block's one deflate
// stream and matched against the frames before it: a tenth of the text or
// less, where a frame packed on its own keeps a third. A block's bytes go
// when its last frame is evicted. A replay inflates one frame at a time (its
// block from the start), as it is written, to the exact bytes pushed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace telehub::agent {

class BackfillBuffer {
public:
    // capacity 0 is raised to 1: the newest sample is always kept.
    explicit BackfillBuffer(std::size_t capacity);
    ~BackfillBuffer();
    BackfillBuffer(const BackfillBuffer&) = delete;
    BackfillBuffer& operator=(const BackfillBuffer&) = delete;

    struct PushResult {
        bool accepted = false;
        std::optional<std::uint64_t> evicted;  // seq of the oldest, dropped to make room
    };
    // Packs a copy of `frame` and appends it; when full, drops the oldest and
    // says which seq that was so the caller can tell whether it was ever sent.
    // Seqs must increase: a seq not above the newest one is refused, nothing
    // changes, refused() counts it.
    PushResult push(std::uint64_t seq, std::string_view frame);

    // The seqs held above last_seq, oldest first.
    std::vector<std::uint64_t> after(std::uint64_t last_seq) const;

    // The frame pushed with `seq`, byte for byte; nullopt when that seq is not
    // held (never pushed, or evicted since).
    std::optional<std::string> frame(std::uint64_t seq) const;

    std::size_t size() const { return count_; }
    std::size_t capacity() const { return slots_.size(); }
    bool empty() const { return count_ == 0; }
    std::uint64_t oldest_seq() const;  // 0 when empty
    std::uint64_t newest_seq() const { return newest_seq_; }  // 0 before the first push
    std::uint64_t evicted() const { return evicted_; }
    std::uint64_t refused() const { return refused_; }
    // What the held frames take packed (with the evicted ones still sharing a block with them).
    std::size_t packed_bytes() const { return packed_bytes_; }
    std::size_t frame_bytes() const { return frame_bytes_; }    // what they would take as text

private:
    struct Slot {
        std::uint64_t seq = 0;
        std::uint64_t block = 0;  // id of the block holding it
        std::size_t offset = 0;   // where it starts in its block's text
        std::size_t size = 0;     // of the frame as pushed
    };
    struct Block {
        std::string packed;     // its deflate stream so far; finished once sealed
        std::size_t text = 0;   // bytes of frames in it, as text
        std::size_t frames = 0;
        std::size_t held = 0;   // of them, not yet evicted
        bool sealed = false;
    };
    struct Packer;  // the deflate state of the open block, reused across blocks

    const Slot& at(std::size_t i) const { return slots_[(head_ + i) % slots_.size()]; }
    const Slot* find(std::uint64_t seq) const;
    Block& open_block();
    void release(const Slot& gone);

    std::vector<Slot> slots_;
    std::deque<Block> blocks_;  // oldest first; the last may be open
    std::uint64_t first_block_ = 0;  // id of blocks_.front()
    std::unique_ptr<Packer> packer_;
    std::size_t head_ = 0;  // index of the oldest
    std::size_t count_ = 0;
    std::uint64_t newest_seq_ = 0;
    std::uint64_t evicted_ = 0;
    std::uint64_t refused_ = 0;
    std::size_t packed_bytes_ = 0;
    std::size_t frame_bytes_ = 0;
};

// A sample frame as the replay sends it: `,"backfill":true` inserted before
// the final '}', which keeps the JSON valid without re-encoding. The frame
// must be an object encoded without a backfill field (encode_sample omits it
// when false); returns nullopt if the frame does not end in '}'.
std::optional<std::string> mark_backfill(std::string_view frame);

}  // namespace telehub::agent
