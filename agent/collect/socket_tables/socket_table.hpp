// The socket table one tick reads: a row per socket of every dump, and,
// only where a report will print them, each row's local and remote address.
// The sampler's table keeps no addresses: they were 40 of a row's 56 bytes,
// and a host with 16,000 sockets held 0.64 MB of them that nothing read
// (docs/benchmarks.md). Reused between ticks, so its capacity stays.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "agent/collect/socket_tables/socket_entry.hpp"

namespace telehub::agent {

class SocketTable {
public:
    explicit SocketTable(bool keep_endpoints = true) : keep_endpoints_(keep_endpoints) {}

    bool keeps_endpoints() const { return keep_endpoints_; }

    // Appends a socket; its addresses are dropped unless keeps_endpoints().
    void push_back(const SocketEntry& e, const SocketEndpoints& ends = {});

    std::size_t size() const { return rows_.size(); }
    bool empty() const { return rows_.empty(); }
    const SocketEntry& operator[](std::size_t i) const { return rows_[i]; }
    std::span<const SocketEntry> entries() const { return rows_; }

    // Row i's addresses: zeros for unix sockets, and for every row of a
    // table that does not keep them.
    const SocketEndpoints& endpoints(std::size_t i) const;

    // Rows from `first` on came from the namespace in collector slot `netns`.
    void set_netns(std::size_t first, std::uint16_t netns);
    // Drops the rows from `n` on (a dump that failed part-way).
    void truncate(std::size_t n);
    void clear() { truncate(0); }
    // Appends `from`'s rows from `first` on (a namespace's cached dump).
    void append(const SocketTable& from, std::size_t first = 0);
    // Becomes a copy of `from`'s rows from `first` on, keeping addresses as `from` does.
    void assign(const SocketTable& from, std::size_t first);
    // Keeps the rows `keep(i)` says, in order; returns how many.
    template <class Keep>
    std::size_t keep_if(Keep keep);

private:
    bool keep_endpoints_;
    std::vector<SocketEntry> rows_;
    std::vector<SocketEndpoints> ends_;  // parallel to rows_ when kept, else empty
};

template <class Keep>
std::size_t SocketTable::keep_if(Keep keep) {
    std::size_t kept = 0;
    for (std::size_t i = 0; i < rows_.size(); ++i) {
        if (!keep(i)) continue;
        rows_[kept] = rows_[i];
        if (keep_endpoints_) ends_[kept] = ends_[i];
        ++kept;
    }
    truncate(kept);
    return kept;
}

}  // namespace telehub::agent
