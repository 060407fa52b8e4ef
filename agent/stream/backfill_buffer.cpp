#include "agent/stream/backfill_buffer.hpp"

#include <algorithm>

namespace telehub::agent {

BackfillBuffer::BackfillBuffer(std::size_t capacity) : slots_(std::max<std::size_t>(capacity, 1)) {}

BackfillBuffer::PushResult BackfillBuffer::push(std::uint64_t seq, Frame frame) {
    PushResult r;
    if (seq <= newest_seq_ || !frame) {
        ++refused_;
        return r;
    }
    r.accepted = true;
    newest_seq_ = seq;
    if (count_ == slots_.size()) {
        r.evicted = std::move(slots_[head_]);
        slots_[head_] = BufferedSample{seq, std::move(frame)};
        head_ = (head_ + 1) % slots_.size();
        ++evicted_;
        return r;
    }
    slots_[(head_ + count_) % slots_.size()] = BufferedSample{seq, std::move(frame)};
    ++count_;
    return r;
}

std::vector<BufferedSample> BackfillBuffer::after(std::uint64_t last_seq) const {
    // Seqs increase along the ring, so the first match starts a suffix;
    // a binary search would save nothing at 300 entries once per reconnect.
    std::vector<BufferedSample> out;
    for (std::size_t i = 0; i < count_; ++i) {
        if (at(i).seq > last_seq) out.push_back(at(i));
    }
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
