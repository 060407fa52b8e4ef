#include "hub/live/live_queue.hpp"

namespace telehub::hub {

bool LiveQueue::drop_unsent_parts() {
    if (parts_left() == 0) return false;
    for (std::size_t i = next_part_; i < set_->size(); ++i) bytes_ -= (*set_)[i].size();
    set_.reset();
    next_part_ = 0;
    return true;
}

LiveQueue::Push LiveQueue::push(LiveMessage m) {
    if (m.kind == LiveMessageKind::summaries) {
        // Only the newest summaries matter to a dashboard that is behind.
        bool dropped = drop_unsent_parts();
        if (!m.parts || m.parts->empty()) return dropped ? Push::replaced : Push::queued;
        for (const auto& part : *m.parts) bytes_ += part.size();
        set_ = std::move(m.parts);
        next_part_ = 0;
        return dropped ? Push::replaced : Push::queued;
    }
    // A snapshot is newer than any summaries queued before it.
    bool dropped = m.kind == LiveMessageKind::snapshot && drop_unsent_parts();
    bytes_ += m.data->size();
    singles_.push_back(std::move(m));
    return dropped ? Push::replaced : Push::queued;
}

const std::string& LiveQueue::start_next() {
    if (!singles_.empty()) {
        flight_owner_ = std::move(singles_.front().data);
        singles_.pop_front();
        flight_frame_ = static_cast<const std::string*>(flight_owner_.get());
    } else {
        flight_frame_ = &(*set_)[next_part_++];
        flight_owner_ = set_;
        if (next_part_ == set_->size()) {
            set_.reset();
            next_part_ = 0;
        }
    }
    return *flight_frame_;
}

void LiveQueue::finish_next() {
    if (!flight_frame_) return;
    bytes_ -= flight_frame_->size();
    flight_frame_ = nullptr;
    flight_owner_.reset();
}

}  // namespace telehub::hub
