// Interns process names for the history ring: each point holds a 16-bit
// index instead of a string. A host's top process is usually one of a few
// names, so the table stays tiny; it is bounded all the same, and the ring
// compacts it (drops names no point refers to) when it fills.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace telehub::hub {

class NameInterner {
public:
    // Holds at most `limit` names (<= 65536).
    explicit NameInterner(std::size_t limit);

    // The index of `name`, adding it if there is room; nullopt when full.
    std::optional<std::uint16_t> intern(std::string_view name);

    // Keeps only names whose index is marked in `used`; returns the new index
    // of each old one (entries for dropped names are unspecified).
    std::vector<std::uint16_t> compact(const std::vector<bool>& used);

    const std::string& name(std::uint16_t i) const { return names_[i]; }
    std::size_t size() const { return names_.size(); }
    std::size_t limit() const { return limit_; }
    std::size_t memory_bytes() const;

private:
    std::size_t limit_;
    std::vector<std::string> names_;
    std::unordered_map<std::string, std::uint16_t> index_;
};

}  // namespace telehub::hub
