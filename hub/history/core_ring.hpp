// Per-core CPU for the newest points of a host's history only: per-core values
// are what a chart of the last minutes needs, and they cost 2 bytes per core
// per point, more than the rest of a point on a many-core host. Rows are kept
// in the same order as the history ring's newest points and grow in chunks,
// so a host that has just connected holds only what it has sent.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace telehub::hub {

class CoreRing {
public:
    // Holds at most `rows` rows of at most `max_cores` values.
    CoreRing(std::size_t rows, std::size_t max_cores);

    // Widens every row to `n` cores (never narrows: a core that stops being
    // reported reads 0).
    void set_cores(std::size_t n);

    // Places a row with `newer` rows after it (0 = the newest). A row older
    // than everything kept in a full ring, or beyond the kept rows, is not kept.
    void insert(std::size_t newer, const std::vector<double>& per_core);

    // Keeps only the newest `n` rows (the history ring dropped older points).
    void trim(std::size_t n);
    // The row an insert of the newest point writes (empty before any core is known).
    std::span<const std::byte> append_row() const;

    std::size_t size() const { return size_; }
    std::size_t cores() const { return cores_; }
    double value(std::size_t row, std::size_t core) const {  // row 0 = oldest
        return data_[phys(row) * cores_ + core] / 10.0;
    }
    std::size_t memory_bytes() const { return data_.capacity() * sizeof(std::uint16_t); }

private:
    std::size_t slots() const { return cores_ ? data_.size() / cores_ : 0; }
    std::size_t phys(std::size_t i) const { return (head_ + i) % slots(); }
    void grow_one();

    std::size_t rows_;
    std::size_t max_cores_;
    std::size_t cores_ = 0;
    std::size_t head_ = 0;
    std::size_t size_ = 0;
    std::vector<std::uint16_t> data_;  // tenths of a percent, cores_ per slot
};

}  // namespace telehub::hub
