#include "hub/live/live_queue.hpp"

#include <algorithm>

namespace telehub::hub {

namespace {

bool in_backlog(LiveMessageKind k) { return k == LiveMessageKind::detail || k == LiveMessageKind::error; }

}  // namespace

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
    bool dropped = false;
    if (m.kind == LiveMessageKind::snapshot) {
        // A snapshot is newer than any summaries or snapshot queued before it.
        dropped = drop_unsent_parts();
        auto old = std::find_if(singles_.begin(), singles_.end(),
                                [](const LiveMessage& q) { return q.kind == LiveMessageKind::snapshot; });
        if (old != singles_.end()) {
            bytes_ -= old->data->size();
            singles_.erase(old);
            dropped = true;
        }
    }
    bytes_ += m.data->size();
    if (in_backlog(m.kind)) {
        backlog_bytes_ += m.data->size();
        ++backlog_frames_;
    }
    singles_.push_back(std::move(m));
    return dropped ? Push::replaced : Push::queued;
}

const std::string& LiveQueue::start_next() {
    if (!singles_.empty()) {
        flight_in_backlog_ = in_backlog(singles_.front().kind);
        flight_owner_ = std::move(singles_.front().data);
        singles_.pop_front();
        flight_frame_ = static_cast<const std::string*>(flight_owner_.get());
    } else {
        flight_in_backlog_ = false;
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
    if (flight_in_backlog_) {
        backlog_bytes_ -= flight_frame_->size();
        --backlog_frames_;
    }
    flight_frame_ = nullptr;
    flight_owner_.reset();
}

}  // namespace telehub::hub
