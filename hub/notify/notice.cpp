#include "hub/notify/notice.hpp"

#include <algorithm>

namespace telehub::hub {

void NoticeGrouper::add(AlertEvent e, std::int64_t window_ms, std::int64_t now_ms) {
    if (window_ms > 0)
        for (Notice& n : open_)
            if (n.rule == e.rule && n.resolved == e.resolved && n.due_ms > now_ms) {
                n.alerts.push_back(std::move(e));
                return;
            }
    Notice& n = open_.emplace_back();
    n.rule = e.rule;
    n.resolved = e.resolved;
    n.due_ms = now_ms + std::max<std::int64_t>(window_ms, 0);
    n.alerts.push_back(std::move(e));
}

std::vector<Notice> NoticeGrouper::take_due(std::int64_t now_ms) {
    std::vector<Notice> due;
    auto split = std::stable_partition(open_.begin(), open_.end(), [&](const Notice& n) { return n.due_ms <= now_ms; });
    std::move(open_.begin(), split, std::back_inserter(due));
    open_.erase(open_.begin(), split);
    return due;
}

std::optional<std::int64_t> NoticeGrouper::next_due_ms() const {
    std::optional<std::int64_t> next;
    for (const Notice& n : open_)
        if (!next || n.due_ms < *next) next = n.due_ms;
    return next;
}

}  // namespace telehub::hub
