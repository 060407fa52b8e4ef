#include "loadgen/fleet_counters.hpp"

#include <algorithm>

namespace telehub::loadgen {

void ErrorTally::note(const std::string& what) {
    std::lock_guard lock(mu_);
    auto it = counts_.find(what);
    if (it != counts_.end()) ++it->second;
    else if (counts_.size() < limit_) counts_.emplace(what, 1);
    else ++others_;
}

std::vector<std::pair<std::string, std::uint64_t>> ErrorTally::top() const {
    std::lock_guard lock(mu_);
    std::vector<std::pair<std::string, std::uint64_t>> out(counts_.begin(), counts_.end());
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
    return out;
}

std::uint64_t ErrorTally::others() const {
    std::lock_guard lock(mu_);
    return others_;
}

SendTimes::SendTimes(std::vector<int> slot_of_host) : slot_of_(std::move(slot_of_host)) {
    int n = 0;
    for (int s : slot_of_) n = std::max(n, s + 1);
    slots_ = std::vector<std::array<Entry, ring>>(std::size_t(n));
}

void SendTimes::record(int slot, std::uint64_t seq, std::int64_t us) {
    auto& e = slots_[std::size_t(slot)][seq % ring];
    e.us.store(us, std::memory_order_relaxed);
    e.seq.store(seq, std::memory_order_release);
}

std::int64_t SendTimes::lookup(int slot, std::uint64_t seq) const {
    if (slot < 0 || std::size_t(slot) >= slots_.size()) return 0;
    const auto& e = slots_[std::size_t(slot)][seq % ring];
    if (e.seq.load(std::memory_order_acquire) != seq) return 0;
    return e.us.load(std::memory_order_relaxed);
}

}  // namespace telehub::loadgen
