// Who watches what on /ws/live: every live client's filter and detail set,
// an index host -> clients subscribed in detail, and the once-a-second
// summaries broadcast (one frame per distinct filter, shared). Clients are
// held as weak references to a LiveSink; the mutex is never held while a
// sink is called.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "hub/state/state.hpp"
#include "hub/live/live_queue.hpp"

namespace telehub::hub {

class HostRegistry;

// A live client as the hub sees it; deliver() may be called from any thread.
class LiveSink {
public:
    virtual ~LiveSink() = default;
    virtual void deliver(LiveMessage m) = 0;
    virtual void shutdown() = 0;  // close with "going away"
    // After a credentials reload: closes with 4001 if the client's token is gone.
    virtual void recheck_credential() = 0;
};

// What a dashboard's snapshot lists: this hub's hosts that `filter` matches,
// each with its spark, and with `remote` (--cluster) the other hubs' too,
// without a spark (their history is on their hub). `counts` are set to the
// fleet's.
std::vector<HostSnapshot> fleet_snapshots(const HostRegistry& registry, const HostFilter& filter,
                                          const RemoteHosts* remote, HostCounts& counts);

class LiveHub {
public:
    std::uint64_t add(std::weak_ptr<LiveSink> sink);
    void remove(std::uint64_t id);
    // Replaces the client's filter and detail set.
    void subscribe(std::uint64_t id, HostFilter filter, std::vector<std::string> detail);

    // Hands a sample frame, as received, to every client subscribed to the host.
    // Returns how many clients got it.
    std::size_t forward_sample(const std::string& host_id, const std::shared_ptr<const std::string>& frame);

    // Builds one set of summaries frames (`hosts_per_part` hosts a frame) per
    // distinct filter and delivers it; returns the number of distinct sets built.
    // `remote`: the cluster's other hubs' hosts, merged into each set (null: this hub's alone).
    std::size_t broadcast_summaries(const HostRegistry& registry, std::int64_t ts_ms, std::size_t hosts_per_part,
                                    const RemoteHosts* remote = nullptr);

    // Every host some client follows in detail.
    std::vector<std::string> detail_hosts() const;

    std::vector<std::shared_ptr<LiveSink>> all() const;
    std::size_t size() const;

private:
    struct Client {
        std::weak_ptr<LiveSink> sink;
        HostFilter filter;
        std::vector<std::string> detail;
    };
    // Takes client `id` out of the detail index of every host it follows; mu_ held.
    void unindex_detail_locked(std::uint64_t id, const Client& c);

    mutable std::mutex mu_;
    std::uint64_t next_id_ = 1;
    std::unordered_map<std::uint64_t, Client> clients_;
    std::unordered_map<std::string, std::unordered_set<std::uint64_t>> detail_index_;
};

}  // namespace telehub::hub
