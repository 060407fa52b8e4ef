#include "hub/live/live_queue.hpp"

namespace telehub::hub {

LiveQueue::Push LiveQueue::push(LiveMessage m) {
    if (m.kind == LiveMessageKind::summaries) {
        // Only the newest summaries matter to a dashboard that is behind.
        for (std::size_t i = in_flight_ ? 1 : 0; i < items_.size(); ++i) {
            if (items_[i].kind != LiveMessageKind::summaries) continue;
            bytes_ -= items_[i].data->size();
            bytes_ += m.data->size();
            items_[i] = std::move(m);
            return Push::replaced;
        }
    }
    bytes_ += m.data->size();
    items_.push_back(std::move(m));
    return Push::queued;
}

const LiveMessage& LiveQueue::start_front() {
    in_flight_ = true;
    return items_.front();
}

void LiveQueue::finish_front() {
    if (!in_flight_ || items_.empty()) return;
    bytes_ -= items_.front().data->size();
    items_.pop_front();
    in_flight_ = false;
}

}  // namespace telehub::hub
