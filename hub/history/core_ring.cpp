#include "hub/history/core_ring.hpp"

#include <algorithm>

namespace telehub::hub {
namespace {

// Slots are added 64 at a time (1 KiB at 8 cores) until the ring is full.
constexpr std::size_t chunk_rows = 64;

std::uint16_t tenths(double v) {
    if (!(v > 0)) return 0;
    if (v * 10 >= 65535) return 65535;
    return static_cast<std::uint16_t>(v * 10 + 0.5);
}

}  // namespace

CoreRing::CoreRing(std::size_t rows, std::size_t max_cores) : rows_(std::max<std::size_t>(rows, 1)), max_cores_(max_cores) {}

void CoreRing::set_cores(std::size_t n) {
    n = std::min(n, max_cores_);
    if (n <= cores_) return;
    // Rewritten oldest first, so the ring starts again at slot 0.
    std::vector<std::uint16_t> grown;
    grown.reserve(std::min(rows_, size_ + chunk_rows) * n);
    for (std::size_t i = 0; i < size_; ++i) {
        grown.insert(grown.end(), data_.begin() + phys(i) * cores_, data_.begin() + (phys(i) + 1) * cores_);
        grown.insert(grown.end(), n - cores_, 0);
    }
    data_ = std::move(grown);
    cores_ = n;
    head_ = 0;
}

void CoreRing::grow_one() {
    // Until the ring is full head_ stays 0, so appending a slot keeps the order.
    if (data_.size() == data_.capacity()) data_.reserve(std::min(rows_, slots() + chunk_rows) * cores_);
    data_.insert(data_.end(), cores_, 0);
}

std::span<const std::byte> CoreRing::append_row() const {
    // A ring with every slot used and room to grow gets a new slot: nothing
    // there yet to load. A full ring writes over its oldest row, phys(size_).
    if (cores_ == 0 || (size_ == slots() && size_ < rows_)) return {};
    return std::as_bytes(std::span(data_.data() + phys(size_) * cores_, cores_));
}

void CoreRing::insert(std::size_t newer, const std::vector<double>& per_core) {
    if (cores_ == 0 || newer > size_) return;
    std::size_t pos = size_ - newer;
    if (size_ == rows_) {
        if (pos == 0) return;
        head_ = (head_ + 1) % slots();
        --size_;
        --pos;
    } else if (size_ == slots()) {
        grow_one();
    }
    for (std::size_t i = size_; i > pos; --i)
        std::copy_n(data_.begin() + phys(i - 1) * cores_, cores_, data_.begin() + phys(i) * cores_);
    ++size_;
    auto* row = data_.data() + phys(pos) * cores_;
    for (std::size_t c = 0; c < cores_; ++c) row[c] = c < per_core.size() ? tenths(per_core[c]) : 0;
}

void CoreRing::trim(std::size_t n) {
    if (size_ <= n) return;
    head_ = (head_ + (size_ - n)) % slots();
    size_ = n;
}

}  // namespace telehub::hub
