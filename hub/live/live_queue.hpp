// The outgoing queue of one /ws/live client, and its back-pressure policy:
// one write in flight; a newer summaries frame replaces an older unsent one;
// past `max_bytes` or `max_messages` the queue is over its limit, and the
// session closes a client that stays over it (see LiveSession). Pure data
// structure, so the policy is unit-tested without sockets.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>

namespace telehub::hub {

enum class LiveMessageKind { snapshot, summaries, detail, error };

struct LiveMessage {
    std::shared_ptr<const std::string> data;  // shared between clients; never copied per client
    LiveMessageKind kind = LiveMessageKind::detail;
};

class LiveQueue {
public:
    LiveQueue(std::size_t max_bytes, std::size_t max_messages) : max_bytes_(max_bytes), max_messages_(max_messages) {}

    enum class Push { queued, replaced };
    Push push(LiveMessage m);

    bool empty() const { return items_.empty(); }
    std::size_t size() const { return items_.size(); }
    std::size_t bytes() const { return bytes_; }
    bool over_limit() const { return bytes_ > max_bytes_ || items_.size() > max_messages_; }

    // The message to write next; marks it in flight so it is never replaced.
    const LiveMessage& start_front();
    bool in_flight() const { return in_flight_; }
    void finish_front();  // the in-flight write completed

private:
    std::size_t max_bytes_;
    std::size_t max_messages_;
    std::deque<LiveMessage> items_;
    std::size_t bytes_ = 0;
    bool in_flight_ = false;
};

}  // namespace telehub::hub
