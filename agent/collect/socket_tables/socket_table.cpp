#include "agent/collect/socket_tables/socket_table.hpp"

namespace telehub::agent {

void SocketTable::push_back(const SocketEntry& e, const SocketEndpoints& ends) {
    rows_.push_back(e);
    if (keep_endpoints_) ends_.push_back(ends);
}

const SocketEndpoints& SocketTable::endpoints(std::size_t i) const {
    static const SocketEndpoints none;
    return keep_endpoints_ ? ends_[i] : none;
}

void SocketTable::set_netns(std::size_t first, std::uint16_t netns) {
    for (std::size_t i = first; i < rows_.size(); ++i) rows_[i].netns = netns;
}

void SocketTable::truncate(std::size_t n) {
    if (n >= rows_.size()) return;
    rows_.resize(n);
    if (keep_endpoints_) ends_.resize(n);
}

void SocketTable::append(const SocketTable& from, std::size_t first) {
    if (first >= from.rows_.size()) return;
    const auto at = static_cast<std::ptrdiff_t>(first);
    rows_.insert(rows_.end(), from.rows_.begin() + at, from.rows_.end());
    if (!keep_endpoints_) return;
    if (from.keep_endpoints_) ends_.insert(ends_.end(), from.ends_.begin() + at, from.ends_.end());
    else ends_.resize(rows_.size());
}

void SocketTable::assign(const SocketTable& from, std::size_t first) {
    keep_endpoints_ = from.keep_endpoints_;
    rows_.clear();
    ends_.clear();
    append(from, first);
}

}  // namespace telehub::agent
