// This hub as one of a cluster (--cluster redis://..., docs/cluster.md).
// On a thread of its own with its own io_context, so Redis never holds up
// an agent's sample: once a second it writes its presence (which hosts it
// holds, and that it is alive, as keys that expire) and publishes its hosts'
// summaries on the fleet channel; it subscribes to the other hubs' and
// keeps them in a PeerFleet, which the hub's lists merge in. When Redis is
// down each hub serves its own hosts, /healthz says so, and the links
// reconnect by themselves.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <nlohmann/json_fwd.hpp>

#include "hub/cluster/fleet_batch.hpp"
#include "hub/cluster/peer_fleet.hpp"
#include "hub/cluster/redis_link.hpp"
#include "hub/cluster/redis_tls_tunnel.hpp"
#include "hub/cluster/redis_url.hpp"
#include "hub/cluster/remote_command.hpp"

namespace telehub::hub {

struct ClusterOptions {
    RedisUrl redis;
    RedisTlsFiles tls;  // rediss:// only
    std::string hub_name;
    std::int64_t period_ms = 1000;    // presence and fleet message
    std::int64_t presence_ttl_ms = 5000;
    std::int64_t grace_ms = 3000;     // a hub silent longer has its hosts shown offline
    std::int64_t forget_ms = 600000;  // then dropped
    std::int64_t request_timeout_ms = 2000;  // a read asked of another hub
    std::int64_t watch_period_ms = 200;      // a watched host's frame reaches the other hub at most this late
    std::string prefix = "telehub";   // of keys and channels
};

class ClusterMember final : public RemoteHosts {
public:
    using EventLog = std::function<void(const std::string&)>;
    // Another hub took `host_id`'s agent: close this hub's connection of it (4000), if any.
    using TakenOver = std::function<void(const std::string& host_id, const std::string& by_hub)>;
    // A read another hub asks of this one: GET `target` (a per-host REST path), answered as this hub's REST would.
    struct Answer {
        int status = 200;
        std::string content_type = "application/json";
        std::string body;
    };
    using ServeGet = std::function<Answer(const std::string& target)>;
    // A command another hub asks this one to run on a host it holds: run it
    // (its own policy, relay and audit) and call `done` once, from any
    // thread; `ex` is the one given to serve_commands_on, for what the run posts.
    using ServeCommand = std::function<void(RemoteCommandMessage, boost::asio::any_io_executor ex,
                                            std::function<void(RelayResult)> done)>;

    // What the hub does for the cluster; each may be empty (the tests').
    struct Hooks {
        EventLog log;
        TakenOver taken_over;
        ServeGet serve_get;
        ServeCommand serve_command;
        // Hosts this hub's dashboards follow in detail: those held elsewhere
        // are watched there, and their frames come back to...
        std::function<std::vector<std::string>()> detail_hosts;
        // ...here, to be handed to this hub's detail subscribers. Cluster's thread.
        std::function<void(const std::string& host_id, std::shared_ptr<const std::string> frame)> detail_frame;
        // A DELETE of `host_id` on hub `by_hub`: forget this hub's own
        // offline copy of it too (a host that moved leaves one). Cluster's thread.
        std::function<void(const std::string& host_id, const std::string& by_hub)> forget;
    };

    ClusterMember(ClusterOptions options, const HostRegistry& registry, Hooks hooks);

    // The hub holding `host_id`, by the other hubs' last messages; nullopt: none.
    std::optional<std::string> holder(const std::string& host_id) const { return peers_.holder(host_id); }
    bool online_elsewhere(const std::string& host_id) const { return peers_.online_elsewhere(host_id); }
    // The live hub `host_id` is connected to, by its last message; nullopt: none.
    std::optional<std::string> online_on(const std::string& host_id) const { return peers_.online_on(host_id); }
    // A DELETE of `host_id` here: drops the other hubs' offline rows of it
    // and tells them to forget their own copies ("HUB HOST_ID" on
    // telehub:forget). True when a row of another hub was dropped. Returns
    // `told` false when Redis is down: the others then keep it offline until
    // --forget-after. Any thread.
    struct Forgotten {
        bool dropped = false;
        bool told = false;
    };
    Forgotten forget(const std::string& host_id);
    // Asks `hub` for GET `target` through Redis; `done` gets its answer, or
    // 504 naming the hub when none comes within the deadline, 503 when
    // Redis is down. `done` runs on the cluster's thread. Any thread.
    void forward_get(const std::string& hub, const std::string& target, std::function<void(Answer)> done);
    // Asks `hub` to run `command` on the host it holds; `done` gets the
    // relay's outcome there, or 504 `hub_timeout` after `timeout_ms`, 503
    // `cluster_down` when Redis is down. `done` runs on the cluster's thread.
    // Any thread.
    void forward_command(const std::string& hub, RemoteCommand command, std::int64_t timeout_ms,
                         std::function<void(RelayResult)> done);

    // Other hubs' commands are run from now on, on `ex` (the hub's io
    // threads); until then they are answered 503 `hub_starting`. The
    // cluster must be destroyed before `ex`'s io_context. Any thread.
    void serve_commands_on(boost::asio::any_io_executor ex);

    // An agent of `host_id` said hello here: any older connection of it on
    // another hub is closed there (newest wins, across hubs as within one).
    // Any thread.
    void claimed(const std::string& host_id);
    ~ClusterMember() override;  // stops the thread

    std::unique_ptr<const View> view(const HostRegistry& local) const override { return peers_.view(local); }

    bool redis_up() const { return up_.load(std::memory_order_relaxed); }
    std::vector<PeerHubInfo> peers() const { return peers_.peers(); }
    // For /healthz: {"hub":..,"redis":..,"state":"up"|"down","error":..,"peers":[..]}.
    nlohmann::json status() const;

private:
    void publish();
    void arm();
    void on_state(const char* which, bool up, const std::string& why);
    void on_message(std::string_view channel, std::string_view payload);
    void on_takeover(std::string_view payload);
    void on_request(std::string_view payload);
    void on_command(std::string_view payload);
    void on_watch(std::string_view payload);
    void on_detail(std::string_view payload);
    void on_forget(std::string_view payload);
    void ask_for_watched_frames();
    void send_watched_frames();
    // Publishes `payload(id)` on `channel` and waits for the answer with that id.
    void ask(const std::string& hub, std::string channel, std::function<std::string(std::uint64_t id)> payload,
             std::int64_t timeout_ms, std::function<void(Answer)> done);
    void note_error(const std::string& why);
    void check_own_batch(std::string_view payload);
    void on_answer(std::string_view payload);

    ClusterOptions o_;
    const HostRegistry& registry_;
    Hooks hooks_;
    PeerFleet peers_;
    FleetBatchDecoder batches_;  // on the cluster's thread
    std::shared_ptr<boost::asio::ssl::context> tls_;  // rediss://; null otherwise
    boost::asio::io_context ioc_;
    RedisLink cmd_;  // presence keys and PUBLISH
    RedisLink sub_;  // SUBSCRIBE to the fleet channel
    boost::asio::steady_timer timer_;
    std::atomic<bool> up_{false};
    std::atomic<bool> cmd_up_{false}, sub_up_{false};
    // When each host's agent last said hello here (this hub's clock), on the
    // cluster's thread: an older takeover message arriving late is ignored.
    std::unordered_map<std::string, std::int64_t> claimed_ms_;
    // The times of this hub's last batches: one of its name with another time is
    // from a second hub given the same --hub-name (io thread only).
    std::array<std::int64_t, 8> sent_ts_{};
    std::size_t sent_next_ = 0;
    // When the subscription last brought back one of this hub's own batches (or
    // came up): its silence while this hub publishes means a dead connection.
    std::int64_t own_heard_ms_ = 0;
    // Reads asked of other hubs, by id, on the cluster's thread.
    struct Pending {
        std::string hub;
        std::function<void(Answer)> done;
        std::unique_ptr<boost::asio::steady_timer> deadline;
    };
    std::unordered_map<std::uint64_t, Pending> pending_;
    std::uint64_t next_request_ = 1;
    std::optional<boost::asio::any_io_executor> command_ex_;  // on the cluster's thread
    // Hosts of this hub other hubs' dashboards follow in detail, on the
    // cluster's thread: each watcher's lease ends unless renewed (every
    // second), and the newest frame is sent when it changes, checked every
    // watch_period_ms. Only hosts online here are taken, so it is bounded.
    struct Watch {
        std::unordered_map<std::string, std::int64_t> until_ms;  // by watching hub
        std::shared_ptr<const std::string> last_sent;
    };
    std::unordered_map<std::string, Watch> watches_;
    boost::asio::steady_timer watch_timer_;
    bool watch_armed_ = false;
    mutable std::mutex status_mu_;
    std::string last_error_;
    std::string name_clash_;  // /healthz's "warning" once another hub of this name was seen
    std::thread thread_;
};

}  // namespace telehub::hub
