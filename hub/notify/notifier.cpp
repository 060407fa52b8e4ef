#include "hub/notify/notifier.hpp"

#include <algorithm>
#include <chrono>
#include <csignal>
#include <deque>
#include <limits>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include <pthread.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "hub/notify/notice.hpp"
#include "hub/notify/notify_state.hpp"
#include "hub/notify/retry_policy.hpp"
#include "hub/notify/senders.hpp"

namespace telehub::hub {
namespace {

namespace net = boost::asio;

/* the notifier's clock: changes are taken from the queue, notices closed and retries started this often */
constexpr auto tick = std::chrono::milliseconds(100);
/* the state file is written at most this often (and at stop) */
constexpr std::int64_t save_every_ms = 1000;
/* ... and this often when only pending alerts changed: a fleet hovering at
   its thresholds flips thousands of them a second, and losing a few seconds
   of a pending alert's `for` to a crash costs nobody a notification */
constexpr std::int64_t pending_save_every_ms = 10'000;
/* finished deliveries kept for GET /api/notifications */
constexpr std::size_t finished_kept = 200;
/* a full queue logs one line per this long, not one per change */
constexpr std::int64_t drop_log_every_ms = 10'000;

std::int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string alert_key(std::string_view rule, std::string_view host_id) {
    std::string k(rule);
    k.push_back('\0');
    k.append(host_id);
    return k;
}

struct Delivery {
    std::uint64_t id = 0;
    NotifyTarget target;
    std::string summary;
    std::string body;
    int attempts = 0;
    std::int64_t first_ms = 0;
    std::int64_t last_ms = 0;
    std::int64_t next_ms = 0;
    std::string last_error;
    bool in_flight = false;
    std::string status = "queued";
};

DeliveryView view_of(const Delivery& d) {
    return {d.id, d.target.name, d.target.kind, d.summary, d.status, d.attempts, d.first_ms, d.last_ms,
            d.status == "retrying" ? d.next_ms : 0, d.last_error};
}

}  // namespace

struct Notifier::Impl {
    Impl(AlertBook& b, SilenceBook& s, NotifierOptions o, LogSink l)
        : book(b), silences(s), options(std::move(o)), log(std::move(l)) {}

    AlertBook& book;
    SilenceBook& silences;
    NotifierOptions options;
    LogSink log;
    // Made by start(), destroyed by stop(): that ends every attempt in flight
    // (its socket closed, its command killed), so none finishes after the
    // state file has it as undelivered.
    std::unique_ptr<net::io_context> ioc;
    std::unique_ptr<net::steady_timer> timer;
    std::thread thread;
    bool running = false;

    // Filled by io threads.
    std::mutex queue_mu;
    std::deque<AlertEvent> queue;
    std::uint64_t dropped = 0;
    std::int64_t last_drop_log_ms = 0;

    // The notifier thread's own, but for what GET /api/notifications reads (view_mu).
    NoticeGrouper grouper;
    std::map<std::string, NotifiedAlert> notified;  // told firing, by alert_key
    bool state_restored = false;
    std::size_t restored = 0;
    std::map<std::string, std::unique_ptr<net::ssl::context>> tls_contexts;  // by ca_file
    std::uint64_t next_id = 1;
    bool dirty = false;
    bool pending_dirty = false;  // only pending alerts changed since the last save
    bool pending_changed = false;  // under queue_mu: submit() saw pending changes since the last tick
    std::uint64_t saved_silences_version = 0;
    std::int64_t last_save_ms = 0;

    mutable std::mutex view_mu;
    std::vector<Delivery> outbox;        // not yet sent or failed
    std::deque<DeliveryView> finished;   // newest last
    NotifierCounters counts;

    void load();
    void save();
    void on_tick();
    void take(AlertEvent e, std::int64_t now);
    void send_due_notices(std::int64_t now);
    void start_due_deliveries(std::int64_t now);
    net::awaitable<void> attempt(std::uint64_t id);
    void finish(Delivery& d, bool sent);
    net::ssl::context* tls_for(const std::string& ca_file, std::string& error);

    void schedule() {
        timer->expires_after(tick);
        timer->async_wait([this](boost::system::error_code ec) {
            if (ec) return;
            on_tick();
            schedule();
        });
    }
};

void Notifier::Impl::load() {
    if (options.state_file.empty()) return;
    std::ifstream in(options.state_file);
    if (!in) {
        if (errno == ENOENT) return;  // first start with this data directory
        throw std::runtime_error("cannot read the alert state file " + options.state_file + ": " +
                                 std::generic_category().message(errno));
    }
    std::stringstream text;
    text << in.rdbuf();
    std::string error;
    auto state = parse_notify_state(text.str(), error);
    if (!state) {
        // Losing alert states is better than refusing to start: the samples rebuild them.
        log("alert state file " + options.state_file + " not used (" + error + "); alert states start empty");
        return;
    }
    state_restored = true;
    restored = book.restore(state->alerts);
    silences.restore(state->silences);
    for (NotifiedAlert& n : state->notified) notified.emplace(alert_key(n.rule, n.host_id), std::move(n));
    const auto targets = book.targets();
    for (const SavedDelivery& s : state->outbox) {
        auto t = std::find_if(targets.begin(), targets.end(), [&](const NotifyTarget& x) { return x.name == s.target; });
        Delivery d;
        d.id = next_id++;
        d.summary = s.summary;
        d.body = s.body;
        d.attempts = s.attempts;
        d.first_ms = s.first_ms;
        d.last_error = s.last_error;
        if (t == targets.end()) {
            d.target.name = s.target;
            d.status = "failed";
            d.last_error = "the notification '" + s.target + "' is no longer in the rules file";
            finished.push_back(view_of(d));
            continue;
        }
        d.target = *t;
        d.status = d.attempts ? "retrying" : "queued";
        outbox.push_back(std::move(d));
    }
    if (!outbox.empty())
        log("restored " + std::to_string(outbox.size()) + " undelivered notifications from " + options.state_file);
}

void Notifier::Impl::save() {
    if (options.state_file.empty()) return;
    NotifyState s;
    s.alerts = book.saved();
    s.silences = silences.all();
    for (const auto& [key, n] : notified) s.notified.push_back(n);
    {
        std::lock_guard lock(view_mu);
        for (const Delivery& d : outbox) s.outbox.push_back({d.target.name, d.summary, d.body, d.attempts, d.first_ms, d.last_error});
    }
    std::string failed = write_file_atomically(options.state_file, notify_state_json(s));
    if (!failed.empty()) log("alert state not saved: " + failed);
    dirty = pending_dirty = false;
    last_save_ms = now_ms();
}

void Notifier::Impl::take(AlertEvent e, std::int64_t now) {
    if (!worth_a_line(e)) {
        pending_dirty = true;  // pending ones too move the saved states
        return;
    }
    dirty = true;
    const std::string key = alert_key(e.rule, e.host_id);
    if (!e.resolved) {
        if (e.historical) return;  // fired in the past: history, not news (a later `late` may follow)
        // A live firing is a new episode (a rule replaced by a PUT loses its
        // states without a resolution, so an old entry proves nothing); a
        // late one may be an episode the receivers already have.
        if (e.late && notified.count(key)) return;
        if (e.late && e.at_ms < options.started_ms && !state_restored) {
            log("not notifying " + e.rule + " on '" + e.host_id +
                "': it was firing before this hub started, and without a data directory the hub cannot know that "
                "nobody was told");
            return;
        }
        notified.erase(key);
    } else if (!notified.erase(key)) {
        return;  // nobody was told it fired (silenced, or backfilled history)
    }
    if (silences.silenced(e.rule, e.host_id, e.hostname, now)) {
        std::lock_guard lock(view_mu);
        ++counts.silenced;
        return;
    }
    auto plan = book.notify_plan(e.rule);
    if (!plan || plan->targets.empty()) return;
    if (!e.resolved) notified.emplace(key, NotifiedAlert{e.rule, e.host_id, e.hostname});
    grouper.add(std::move(e), static_cast<std::int64_t>(plan->rule.group_seconds * 1000), now);
}

void Notifier::Impl::send_due_notices(std::int64_t now) {
    for (Notice& n : grouper.take_due(now)) {
        auto plan = book.notify_plan(n.rule);
        if (!plan) continue;  // the rule went with a PUT /api/rules meanwhile
        const std::string summary = notice_line(n, plan->rule);
        std::string json_body, slack_body;
        std::lock_guard lock(view_mu);
        for (const NotifyTarget& t : plan->targets) {
            Delivery& d = outbox.emplace_back();
            d.id = next_id++;
            d.target = t;
            d.summary = summary;
            if (t.kind == NotifyKind::slack) {
                if (slack_body.empty()) slack_body = notice_slack(n, plan->rule, options.hub_name);
                d.body = slack_body;
            } else {
                if (json_body.empty()) json_body = notice_json(n, plan->rule, options.hub_name);
                d.body = json_body;
            }
            d.next_ms = now;
        }
        dirty = true;
    }
}

net::ssl::context* Notifier::Impl::tls_for(const std::string& ca_file, std::string& error) {
    auto& ctx = tls_contexts[ca_file];
    if (!ctx) {
        try {
            ctx = make_client_tls(ca_file);
        } catch (const std::runtime_error& e) {
            error = e.what();
            tls_contexts.erase(ca_file);
            return nullptr;
        }
    }
    return ctx.get();
}

net::awaitable<void> Notifier::Impl::attempt(std::uint64_t id) {
    NotifyTarget target;
    std::string body;
    {
        std::lock_guard lock(view_mu);
        auto it = std::find_if(outbox.begin(), outbox.end(), [&](const Delivery& d) { return d.id == id; });
        if (it == outbox.end()) co_return;
        target = it->target;
        body = it->body;
    }
    const auto timeout = std::chrono::milliseconds(static_cast<std::int64_t>(target.timeout_s * 1000));
    std::string error;
    if (target.kind == NotifyKind::command) {
        error = co_await run_command(target.command, std::move(body), timeout);
    } else {
        auto url = parse_http_url(target.url);  // checked when the rules were read
        HeaderList headers;
        if (target.kind == NotifyKind::webhook && !target.secret.empty())
            headers.emplace_back(std::string(signature_header), signature_value(target.secret, body));
        net::ssl::context* tls = url->tls ? tls_for(target.ca_file, error) : nullptr;
        if (error.empty()) error = co_await http_post(*url, tls, std::move(body), std::move(headers), timeout);
    }
    const std::int64_t now = now_ms();
    std::lock_guard lock(view_mu);
    auto it = std::find_if(outbox.begin(), outbox.end(), [&](const Delivery& d) { return d.id == id; });
    if (it == outbox.end()) co_return;
    Delivery& d = *it;
    d.in_flight = false;
    d.last_ms = now;
    dirty = true;
    if (error.empty()) {
        log("notification sent: " + d.summary + " to '" + d.target.name + "' (" +
            std::string(notify_kind_name(d.target.kind)) + (d.attempts > 1 ? ", attempt " + std::to_string(d.attempts) : "") + ")");
        finish(d, true);
        co_return;
    }
    d.last_error = error;
    RetryPolicy policy{1000, static_cast<std::int64_t>(d.target.retry_max_delay_s * 1000),
                       static_cast<std::int64_t>(d.target.retry_for_s * 1000)};
    if (auto next = next_attempt_ms(policy, d.attempts, d.first_ms, now)) {
        d.next_ms = *next;
        d.status = "retrying";
        if (d.attempts == 1)
            log("notification to '" + d.target.name + "' failed (" + error + "); retrying for up to " +
                std::to_string(static_cast<long long>(d.target.retry_for_s)) + " s: " + d.summary);
        co_return;
    }
    log("notification FAILED: " + d.summary + " to '" + d.target.name + "' after " + std::to_string(d.attempts) +
        " attempts over " + std::to_string((now - d.first_ms) / 1000) + " s; last error: " + error);
    finish(d, false);
}

// Under view_mu.
void Notifier::Impl::finish(Delivery& d, bool sent) {
    d.status = sent ? "sent" : "failed";
    ++(sent ? counts.sent : counts.failed);
    finished.push_back(view_of(d));
    if (finished.size() > finished_kept) finished.pop_front();
    const std::uint64_t id = d.id;
    std::erase_if(outbox, [&](const Delivery& x) { return x.id == id; });
}

void Notifier::Impl::start_due_deliveries(std::int64_t now) {
    std::vector<std::uint64_t> due;
    {
        // One at a time per notification, oldest first: a receiver never gets
        // a resolution before its firing, even when the firing needed retries.
        std::set<std::string> busy;
        std::lock_guard lock(view_mu);
        for (Delivery& d : outbox) {
            if (!busy.insert(d.target.name).second || d.in_flight || d.next_ms > now) continue;
            d.in_flight = true;
            d.status = "sending";
            if (d.attempts++ == 0) d.first_ms = now;
            due.push_back(d.id);
        }
    }
    for (std::uint64_t id : due) net::co_spawn(*ioc, attempt(id), net::detached);
}

void Notifier::Impl::on_tick() {
    const std::int64_t now = now_ms();
    std::deque<AlertEvent> changes;
    {
        std::lock_guard lock(queue_mu);
        changes.swap(queue);
        if (pending_changed) pending_dirty = true;
        pending_changed = false;
    }
    for (AlertEvent& e : changes) take(std::move(e), now);
    send_due_notices(now);
    start_due_deliveries(now);
    if (const auto v = silences.version(); v != saved_silences_version) {
        saved_silences_version = v;
        dirty = true;
    }
    if ((dirty && now - last_save_ms >= save_every_ms) || (pending_dirty && now - last_save_ms >= pending_save_every_ms))
        save();
}

Notifier::Notifier(AlertBook& book, SilenceBook& silences, NotifierOptions options, LogSink log)
    : impl_(std::make_unique<Impl>(book, silences, std::move(options), std::move(log))) {
    impl_->load();
    impl_->saved_silences_version = silences.version();
}

Notifier::~Notifier() { stop(); }

void Notifier::start() {
    auto& im = *impl_;
    if (im.running) return;
    im.running = true;
    im.ioc = std::make_unique<net::io_context>(1);
    im.timer = std::make_unique<net::steady_timer>(*im.ioc);
    im.schedule();
    im.thread = std::thread([&im] {
        // A command that exits without reading its stdin must not kill the hub with SIGPIPE: EPIPE instead.
        sigset_t pipe;
        sigemptyset(&pipe);
        sigaddset(&pipe, SIGPIPE);
        pthread_sigmask(SIG_BLOCK, &pipe, nullptr);
        im.ioc->run();
    });
}

void Notifier::stop() {
    auto& im = *impl_;
    if (!im.running) return;
    im.running = false;
    im.ioc->stop();
    im.thread.join();
    im.timer.reset();
    im.ioc.reset();
    // What is still queued or grouped becomes undelivered notices, kept in the state file.
    const std::int64_t now = now_ms();
    std::deque<AlertEvent> changes;
    {
        std::lock_guard lock(im.queue_mu);
        changes.swap(im.queue);
    }
    for (AlertEvent& e : changes) im.take(std::move(e), now);
    im.send_due_notices(std::numeric_limits<std::int64_t>::max());  // every open group, as it stands
    {
        std::lock_guard lock(im.view_mu);
        for (Delivery& d : im.outbox) d.in_flight = false;
    }
    im.save();
}

void Notifier::submit(const std::vector<AlertEvent>& events) {
    if (events.empty()) return;
    auto& im = *impl_;
    std::size_t refused = 0;
    bool log_now = false;
    {
        std::lock_guard lock(im.queue_mu);
        for (const AlertEvent& e : events) {
            if (!worth_a_line(e)) {
                // A pending change only moves the saved states: no copy to queue.
                im.pending_changed = true;
                continue;
            }
            if (im.queue.size() >= im.options.queue_limit) {
                ++refused;
                continue;
            }
            im.queue.push_back(e);
        }
        if (refused) {
            im.dropped += refused;
            const std::int64_t now = now_ms();
            if (now - im.last_drop_log_ms >= drop_log_every_ms) {
                im.last_drop_log_ms = now;
                log_now = true;
            }
        }
    }
    if (log_now)
        im.log("notifier queue full (" + std::to_string(im.options.queue_limit) + " changes): dropped " +
               std::to_string(refused) + " alert changes, " + std::to_string(im.dropped) + " in all");
}

std::vector<DeliveryView> Notifier::deliveries() const {
    std::lock_guard lock(impl_->view_mu);
    std::vector<DeliveryView> out;
    for (const Delivery& d : impl_->outbox) out.push_back(view_of(d));
    for (auto it = impl_->finished.rbegin(); it != impl_->finished.rend(); ++it) out.push_back(*it);
    return out;
}

NotifierCounters Notifier::counters() const {
    NotifierCounters c;
    {
        std::lock_guard lock(impl_->view_mu);
        c = impl_->counts;
    }
    std::lock_guard lock(impl_->queue_mu);
    c.dropped = impl_->dropped;
    return c;
}

std::size_t Notifier::restored_alerts() const { return impl_->restored; }

}  // namespace telehub::hub
