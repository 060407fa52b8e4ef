#include "agent/stream/backfill_buffer.hpp"

#include <algorithm>

#include <boost/beast/zlib/deflate_stream.hpp>
#include <boost/beast/zlib/inflate_stream.hpp>

namespace telehub::agent {

namespace zlib = boost::beast::zlib;

namespace {

// Level 1 packs a JSON sample to about a fifth at a fraction of a
// millisecond; higher levels save little more on text this repetitive.
// A 16 KiB window covers a whole sample, and memLevel 7 halves the hash
// tables: the packer's own state is then about 130 KB instead of 260.
constexpr int pack_level = 1;
constexpr int pack_window_bits = 14;
constexpr int pack_mem_level = 7;

}  // namespace

struct BackfillBuffer::Packer {
    Packer() { deflate.reset(pack_level, pack_window_bits, pack_mem_level, zlib::Strategy::normal); }

    // Raw deflate of `in`, whole, into `out`; false only if the deflater
    // refuses its own bound, which would be a bug in it.
    bool pack(std::string_view in, std::string& out) {
        deflate.reset();
        scratch.resize(deflate.upper_bound(in.size()));
        zlib::z_params zs{};
        zs.next_in = in.data();
        zs.avail_in = in.size();
        zs.next_out = scratch.data();
        zs.avail_out = scratch.size();
        boost::beast::error_code ec;
        deflate.write(zs, zlib::Flush::finish, ec);
        if (ec != zlib::error::end_of_stream) return false;
        out = std::string(scratch.data(), zs.total_out);  // sized to fit, not to the bound
        return true;
    }

    zlib::deflate_stream deflate;
    std::string scratch;
};

BackfillBuffer::BackfillBuffer(std::size_t capacity)
    : slots_(std::max<std::size_t>(capacity, 1)), packer_(std::make_unique<Packer>()) {}

BackfillBuffer::~BackfillBuffer() = default;

BackfillBuffer::PushResult BackfillBuffer::push(std::uint64_t seq, std::string_view frame) {
    PushResult r;
    if (seq <= newest_seq_) {
        ++refused_;
        return r;
    }
    Slot fresh{seq, frame.size(), true, {}};
    // A frame the deflater could not pack (a bug in it, never seen) is kept
    // as text rather than lost.
    if (!packer_->pack(frame, fresh.packed)) {
        fresh.deflated = false;
        fresh.packed.assign(frame);
    }

    r.accepted = true;
    newest_seq_ = seq;
    packed_bytes_ += fresh.packed.size();
    frame_bytes_ += fresh.size;
    if (count_ == slots_.size()) {
        Slot& oldest = slots_[head_];
        r.evicted = oldest.seq;
        packed_bytes_ -= oldest.packed.size();
        frame_bytes_ -= oldest.size;
        oldest = std::move(fresh);
        head_ = (head_ + 1) % slots_.size();
        ++evicted_;
        return r;
    }
    slots_[(head_ + count_) % slots_.size()] = std::move(fresh);
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
    if (!s->deflated) return s->packed;
    if (s->size == 0) return std::string();
    std::string out(s->size, '\0');
    zlib::inflate_stream inflate;
    inflate.reset(pack_window_bits);
    zlib::z_params zs{};
    zs.next_in = s->packed.data();
    zs.avail_in = s->packed.size();
    zs.next_out = out.data();
    zs.avail_out = out.size();
    boost::beast::error_code ec;
    inflate.write(zs, zlib::Flush::finish, ec);
    if (ec != zlib::error::end_of_stream || zs.total_out != s->size) return std::nullopt;
    return out;
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
