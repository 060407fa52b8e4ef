#include "agent/collect/sockets/socket_inode_index.hpp"

#include <algorithm>

namespace telehub::agent {
namespace {

// Socket inodes are handed out sequentially; a multiplicative hash spreads them.
std::size_t slot_of(std::uint64_t inode, std::size_t mask) {
    return static_cast<std::size_t>((inode * 0x9E3779B97F4A7C15ull) >> 32) & mask;
}

}  // namespace

void SocketInodeIndex::reset(std::size_t expected) {
    std::size_t want = 64;
    while (want < expected * 2) want *= 2;
    if (slots_.size() < want) slots_.assign(want, Slot{});
    else std::fill(slots_.begin(), slots_.end(), Slot{});
    wide_.clear();
    size_ = 0;
}

bool SocketInodeIndex::insert(std::uint64_t inode, std::uint32_t pos) {
    if (inode == 0) return false;
    if (inode > 0xFFFFFFFFu) {
        if (find(inode) != npos) return false;
        wide_.emplace_back(inode, pos);
        ++size_;
        return true;
    }
    if ((size_ + 1) * 2 > slots_.size()) {
        // More keys than reset() was told: grow and rehash rather than fail.
        std::vector<Slot> old;
        old.swap(slots_);
        auto old_wide = std::move(wide_);
        std::size_t keep = size_;
        reset(std::max<std::size_t>(keep + 1, old.size()));
        for (const Slot& s : old)
            if (s.inode != 0) insert(s.inode, s.pos);
        for (const auto& [wide_inode, wide_pos] : old_wide) insert(wide_inode, wide_pos);
    }
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = slot_of(inode, mask);; i = (i + 1) & mask) {
        if (slots_[i].inode == inode) return false;
        if (slots_[i].inode == 0) {
            slots_[i] = Slot{static_cast<std::uint32_t>(inode), pos};
            ++size_;
            return true;
        }
    }
}

std::uint32_t SocketInodeIndex::find(std::uint64_t inode) const {
    if (inode > 0xFFFFFFFFu) {
        for (const auto& [wide_inode, pos] : wide_)
            if (wide_inode == inode) return pos;
        return npos;
    }
    if (inode == 0 || slots_.empty()) return npos;
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = slot_of(inode, mask);; i = (i + 1) & mask) {
        if (slots_[i].inode == inode) return slots_[i].pos;
        if (slots_[i].inode == 0) return npos;
    }
}

}  // namespace telehub::agent
