#include "agent/stream/backfill_buffer.hpp"

#include <algorithm>

#include <boost/beast/zlib/deflate_stream.hpp>
#include <boost/beast/zlib/inflate_stream.hpp>

namespace telehub::agent {

namespace zlib = boost::beast::zlib;

namespace {

// Level 6 keeps 31 % fewer bytes than level 1 on this machine's samples (404
// against 584 bytes a 5.4 KB frame, blocks of ten) for about 23 us more per
// frame: nothing beside the agent's milliseconds a tick, and the buffer is
// most of what the agent's RSS grows by while a hub is away. A 32 KiB window
// reaches back over the previous sample of a busy host (about 13 KB); memLevel
// 7 halves the hash tables, so the packer's own state is about 190 KB.
constexpr int pack_level = 6;
constexpr int pack_window_bits = 15;
constexpr int pack_mem_level = 7;
// Frames per block: the later ones pack against the earlier ones. More saves
// a little more but keeps more evicted bytes and makes a replay of one frame
// inflate more of its block.
constexpr std::size_t frames_per_block = 10;

}  // namespace

struct BackfillBuffer::Packer {
    Packer() { deflate.reset(pack_level, pack_window_bits, pack_mem_level, zlib::Strategy::normal); }

    void start() { deflate.reset(); }

    // Deflates `in` into the open stream and appends what it gives to `out`:
    // sync-flushed (so a reader can inflate up to here) or, with finish, the
    // end of the stream. False only if the deflater fails, a bug in it.
    bool add(std::string_view in, zlib::Flush flush, std::string& out) {
        zlib::z_params zs{};
        zs.next_in = in.data();
        zs.avail_in = in.size();
        for (int round = 0; round < 64; ++round) {
            scratch.resize(deflate.upper_bound(in.size()) + 64);
            zs.next_out = scratch.data();
            zs.avail_out = scratch.size();
            boost::beast::error_code ec;
            deflate.write(zs, flush, ec);
            std::size_t produced = scratch.size() - zs.avail_out;
            out.append(scratch.data(), produced);
            if (flush == zlib::Flush::finish) {
                if (ec == zlib::error::end_of_stream) return true;
            } else if (zs.avail_out != 0 && zs.avail_in == 0) {
                return true;  // all input taken and the flush fit
            }
            if (ec && ec != zlib::error::need_buffers && ec != zlib::error::end_of_stream) return false;
        }
        return false;
    }

    zlib::deflate_stream deflate;
    std::string scratch;
};

BackfillBuffer::BackfillBuffer(std::size_t capacity)
    : slots_(std::max<std::size_t>(capacity, 1)), packer_(std::make_unique<Packer>()) {}

BackfillBuffer::~BackfillBuffer() = default;

BackfillBuffer::Block& BackfillBuffer::open_block() {
    if (!blocks_.empty() && !blocks_.back().sealed && blocks_.back().frames < frames_per_block)
        return blocks_.back();
    if (!blocks_.empty() && !blocks_.back().sealed) {
        Block& full = blocks_.back();
        std::size_t before = full.packed.size();
        packer_->add({}, zlib::Flush::finish, full.packed);
        full.packed.shrink_to_fit();
        packed_bytes_ += full.packed.size() - before;
        full.sealed = true;
    }
    // The oldest blocks may have had their last frame evicted meanwhile.
    while (!blocks_.empty() && blocks_.front().sealed && blocks_.front().held == 0) {
        packed_bytes_ -= blocks_.front().packed.size();
        blocks_.pop_front();
        ++first_block_;
    }
    packer_->start();
    blocks_.emplace_back();
    return blocks_.back();
}

void BackfillBuffer::release(const Slot& gone) {
    Block& b = blocks_[gone.block - first_block_];
    --b.held;
    frame_bytes_ -= gone.size;
    while (!blocks_.empty() && blocks_.front().sealed && blocks_.front().held == 0) {
        packed_bytes_ -= blocks_.front().packed.size();
        blocks_.pop_front();
        ++first_block_;
    }
}

BackfillBuffer::PushResult BackfillBuffer::push(std::uint64_t seq, std::string_view frame) {
    PushResult r;
    if (seq <= newest_seq_) {
        ++refused_;
        return r;
    }
    Block* block = &open_block();
    std::size_t before = block->packed.size();
    if (!packer_->add(frame, zlib::Flush::sync, block->packed)) {
        // Never seen. The block's stream is unusable past its last flush, so
        // it is cut there and sealed (its frames still inflate), and the
        // frame gets a new block; if that fails too, it is refused.
        block->packed.resize(before);
        block->sealed = true;
        block = &open_block();
        before = block->packed.size();
        if (!packer_->add(frame, zlib::Flush::sync, block->packed)) {
            block->packed.resize(before);
            ++refused_;
            return r;
        }
    }
    Block& b = *block;
    packed_bytes_ += b.packed.size() - before;
    Slot fresh{seq, first_block_ + blocks_.size() - 1, b.text, frame.size()};
    b.text += frame.size();
    ++b.frames;
    ++b.held;
    frame_bytes_ += frame.size();

    r.accepted = true;
    newest_seq_ = seq;
    if (count_ == slots_.size()) {
        Slot gone = slots_[head_];
        r.evicted = gone.seq;
        slots_[head_] = fresh;
        head_ = (head_ + 1) % slots_.size();
        ++evicted_;
        release(gone);
        return r;
    }
    slots_[(head_ + count_) % slots_.size()] = fresh;
    ++count_;
    return r;
}

std::vector<std::uint64_t> BackfillBuffer::after(std::uint64_t last_seq) const {
    // Seqs increase along the ring, so the first match starts a suffix;
    // a binary search would save nothing at 300 entries once per reconnect.
    std::vector<std::uint64_t> out;
    for (std::size_t i = 0; i < count_; ++i) {
        if (at(i).seq > last_seq) out.push_back(at(i).seq);
    }
    return out;
}

const BackfillBuffer::Slot* BackfillBuffer::find(std::uint64_t seq) const {
    std::size_t lo = 0, hi = count_;
    while (lo < hi) {
        std::size_t mid = lo + (hi - lo) / 2;
        if (at(mid).seq < seq) lo = mid + 1;
        else hi = mid;
    }
    return lo < count_ && at(lo).seq == seq ? &at(lo) : nullptr;
}

std::optional<std::string> BackfillBuffer::frame(std::uint64_t seq) const {
    const Slot* s = find(seq);
    if (!s) return std::nullopt;
    const Block& b = blocks_[s->block - first_block_];
    std::string text(s->size, '\0');
    if (text.empty()) return text;
    zlib::inflate_stream inflate;
    inflate.reset(pack_window_bits);
    zlib::z_params zs{};
    zs.next_in = b.packed.data();
    zs.avail_in = b.packed.size();
    // The block's frames before this one are inflated into `skip` and
    // dropped: the inflater keeps its own window of the last 32 KiB, which is
    // all this frame's matches can point back into. So a replay holds one
    // frame, not the block's text up to it.
    char skip[16384];
    std::size_t to_skip = s->offset;
    std::size_t produced = 0;
    while (to_skip != 0 || produced < text.size()) {
        char* out = to_skip != 0 ? skip : text.data() + produced;
        std::size_t room = to_skip != 0 ? std::min(sizeof skip, to_skip) : text.size() - produced;
        zs.next_out = out;
        zs.avail_out = room;
        boost::beast::error_code ec;
        inflate.write(zs, zlib::Flush::sync, ec);
        std::size_t got = room - zs.avail_out;
        if (to_skip != 0) to_skip -= got;
        else produced += got;
        if (ec == zlib::error::end_of_stream) break;
        if (ec && ec != zlib::error::need_buffers) return std::nullopt;
        if (got == 0 && zs.avail_in == 0) break;  // the block ends before the frame does
    }
    if (to_skip != 0 || produced != text.size()) return std::nullopt;
    return text;
}

std::uint64_t BackfillBuffer::oldest_seq() const { return count_ == 0 ? 0 : at(0).seq; }

std::optional<std::string> mark_backfill(std::string_view frame) {
    auto begin = frame.find_first_not_of(" \t\r\n");
    auto end = frame.find_last_not_of(" \t\r\n");
    if (begin == std::string_view::npos || end <= begin || frame[begin] != '{' || frame[end] != '}')
        return std::nullopt;
    // "{}" has no member to follow, so no comma.
    bool empty_object = frame.find_last_not_of(" \t\r\n", end - 1) == begin;
    std::string out;
    out.reserve(frame.size() + 17);
    out.append(frame.substr(0, end));
    out.append(empty_object ? "\"backfill\":true}" : ",\"backfill\":true}");
    return out;
}

}  // namespace telehub::agent
