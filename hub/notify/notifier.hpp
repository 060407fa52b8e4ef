// Sends notices (docs/alerts.md, "Notifications") from a thread and
// io_context of its own, so a slow or dead receiver never holds up a sample.
// Io threads hand it their alert changes through a bounded queue (full: the
// change is dropped, counted and logged); it turns them into one notice per
// state change and rule group, leaves out the silenced ones and those the
// receiver already has, and delivers each to the rule's notifications,
// retrying with backoff until the notification's retry_for, then recording it
// as failed.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "hub/alerts/alerts.hpp"
#include "hub/silences/silences.hpp"

namespace telehub::hub {

struct NotifierOptions {
    std::string hub_name;              // named in every body
    std::size_t queue_limit = 10'000;  // changes waiting for the notifier thread
    std::int64_t started_ms = 0;       // this hub's start (wall clock)
    // Where alert states, silences, what was notified and what is still to
    // deliver are kept across a restart (DATA-DIR/alerts.json); empty: nowhere.
    std::string state_file;
};

// One notice to one notification, for GET /api/notifications.
struct DeliveryView {
    std::uint64_t id = 0;
    std::string target;
    NotifyKind kind = NotifyKind::webhook;
    std::string summary;  // notice_line
    std::string status;   // "queued", "sending", "retrying", "sent", "failed"
    int attempts = 0;
    std::int64_t first_ms = 0;  // the first attempt
    std::int64_t last_ms = 0;   // the last attempt's end
    std::int64_t next_ms = 0;   // retrying: the next attempt
    std::string last_error;
};

struct NotifierCounters {
    std::uint64_t dropped = 0;   // changes refused because the queue was full
    std::uint64_t silenced = 0;  // changes a silence kept quiet
    std::uint64_t sent = 0;
    std::uint64_t failed = 0;
};

class Notifier {
public:
    using LogSink = std::function<void(const std::string&)>;
    // Reads the state file (when there is one) and restores the alert states,
    // silences and undelivered notices it holds into `book` and `silences`.
    // Throws std::runtime_error naming the file when it exists but is unreadable.
    Notifier(AlertBook& book, SilenceBook& silences, NotifierOptions options, LogSink log);
    ~Notifier();  // stop()
    Notifier(const Notifier&) = delete;
    Notifier& operator=(const Notifier&) = delete;

    void start();
    // Ends the thread; notices not yet delivered are kept in the state file.
    void stop();

    // Any thread; never waits on the network: a lock, a copy, a push.
    void submit(const std::vector<AlertEvent>& events);

    // Undelivered notices, then the last finished ones, newest first.
    std::vector<DeliveryView> deliveries() const;
    NotifierCounters counters() const;
    std::size_t restored_alerts() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace telehub::hub
