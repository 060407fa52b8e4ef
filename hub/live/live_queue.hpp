// The outgoing queue of one /ws/live client, and its back-pressure policy.
// One write in flight. Two lanes: single frames (snapshot, detail samples,
// errors) in order, and at most one set of summaries frames, written part by
// part; a single frame goes before the next part, so a detail sample waits
// for at most one part of a fleet's summaries, never the whole fleet.
// The current view is replaced, never piled up: a newer summaries set
// replaces what is left unsent of an older one, a snapshot (fresher than any
// summaries queued before it) drops that too, and a newer snapshot replaces
// an unsent older one. So the limits apply to the backlog only, the detail
// samples and errors: past `max_bytes` or `max_messages` of those the queue
// is over its limit, and the session closes a client that stays over it (see
// LiveSession). A fleet's view is as big as the fleet (a 10,000-host
// snapshot with its sparks is about 20 MB) and must not count as a client
// falling behind. Pure data structure, so the policy is unit-tested without
// sockets.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

namespace telehub::hub {

enum class LiveMessageKind { snapshot, summaries, detail, error };

// A frame, or for `summaries` the frames of one set in order (`parts`; `data`
// unused). Shared between clients; never copied per client.
struct LiveMessage {
    std::shared_ptr<const std::string> data;
    LiveMessageKind kind = LiveMessageKind::detail;
    std::shared_ptr<const std::vector<std::string>> parts;
};

class LiveQueue {
public:
    LiveQueue(std::size_t max_bytes, std::size_t max_messages) : max_bytes_(max_bytes), max_messages_(max_messages) {}

    // `replaced`: unsent frames of an older summaries set or snapshot were dropped for it.
    enum class Push { queued, replaced };
    Push push(LiveMessage m);

    // Frames queued, the one in flight included.
    std::size_t size() const { return singles_.size() + parts_left() + (in_flight() ? 1 : 0); }
    bool empty() const { return size() == 0; }
    std::size_t bytes() const { return bytes_; }  // everything held, the view included
    // Detail samples and errors queued or in flight: what the limits bound.
    std::size_t backlog_bytes() const { return backlog_bytes_; }
    std::size_t backlog_frames() const { return backlog_frames_; }
    bool over_limit() const { return backlog_bytes_ > max_bytes_ || backlog_frames_ > max_messages_; }

    // Whether a frame waits to be written (none is in flight and the queue is not empty).
    bool ready() const { return !in_flight() && (!singles_.empty() || parts_left() > 0); }
    // The frame to write next (only when ready()); it stays in flight, never
    // replaced or dropped, until finish_next().
    const std::string& start_next();
    bool in_flight() const { return flight_frame_ != nullptr; }
    void finish_next();  // the in-flight write completed

private:
    std::size_t parts_left() const { return set_ ? set_->size() - next_part_ : 0; }
    bool drop_unsent_parts();  // true if any were dropped

    std::size_t max_bytes_;
    std::size_t max_messages_;
    std::deque<LiveMessage> singles_;
    std::shared_ptr<const std::vector<std::string>> set_;  // the newest summaries set
    std::size_t next_part_ = 0;                            // its first part not yet written
    std::shared_ptr<const void> flight_owner_;             // keeps the in-flight frame alive
    const std::string* flight_frame_ = nullptr;
    bool flight_in_backlog_ = false;
    std::size_t bytes_ = 0;
    std::size_t backlog_bytes_ = 0;
    std::size_t backlog_frames_ = 0;
};

}  // namespace telehub::hub
