#include "hub/history/name_interner.hpp"

#include <algorithm>

namespace telehub::hub {

NameInterner::NameInterner(std::size_t limit) : limit_(std::min<std::size_t>(limit, 65536)) {}

std::optional<std::uint16_t> NameInterner::intern(std::string_view name) {
    if (auto it = index_.find(std::string(name)); it != index_.end()) return it->second;
    if (names_.size() >= limit_) return std::nullopt;
    auto i = static_cast<std::uint16_t>(names_.size());
    names_.emplace_back(name);
    index_.emplace(names_.back(), i);
    return i;
}

std::vector<std::uint16_t> NameInterner::compact(const std::vector<bool>& used) {
    std::vector<std::uint16_t> remap(names_.size(), 0);
    std::vector<std::string> kept;
    index_.clear();
    for (std::size_t i = 0; i < names_.size(); ++i) {
        if (i >= used.size() || !used[i]) continue;
        remap[i] = static_cast<std::uint16_t>(kept.size());
        index_.emplace(names_[i], remap[i]);
        kept.push_back(std::move(names_[i]));
    }
    names_ = std::move(kept);
    return remap;
}

std::size_t NameInterner::memory_bytes() const {
    std::size_t bytes = names_.capacity() * sizeof(std::string);
    for (const auto& n : names_) {
        if (n.capacity() > 15) bytes += n.capacity() + 1;  // beyond the small-string buffer
    }
    // A hash node holds the key string and the index, plus the bucket pointer.
    bytes += index_.size() * (sizeof(std::string) + 2 * sizeof(void*) + sizeof(std::uint16_t));
    bytes += index_.bucket_count() * sizeof(void*);
    return bytes;
}

}  // namespace telehub::hub
