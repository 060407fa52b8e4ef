// inode -> position in this tick's socket table. Open addressing over one
// array that only grows, so rebuilding it every tick allocates nothing once
// the table has reached its usual size (std::unordered_map allocates a node
// per insert).
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

namespace telehub::agent {

class SocketInodeIndex {
public:
    static constexpr std::uint32_t npos = 0xFFFFFFFFu;

    // Empties the index and makes room for `expected` keys without growing.
    void reset(std::size_t expected);

    // Adds inode -> pos unless the inode is already present. Returns false
    // for a duplicate (and for inode 0, which names no file).
    bool insert(std::uint64_t inode, std::uint32_t pos);

    std::uint32_t find(std::uint64_t inode) const;  // npos when absent
    bool contains(std::uint64_t inode) const { return find(inode) != npos; }
    std::size_t size() const { return size_; }

private:
    // Socket inodes come from the kernel's get_next_ino(), 32 bits, and
    // sock_diag carries them in 32-bit fields: 8-byte slots halve the array
    // (256 KiB for 16,000 sockets). A wider inode, which no socket has, goes
    // to `wide_`.
    struct Slot {
        std::uint32_t inode = 0;  // 0: empty
        std::uint32_t pos = 0;
    };
    std::vector<Slot> slots_;  // size is a power of two, at most half full
    std::vector<std::pair<std::uint64_t, std::uint32_t>> wide_;
    std::size_t size_ = 0;
};

}  // namespace telehub::agent
