// Which agent connection owns which host id, so a second connection with the
// same id takes over and the first is told to close (code 4000). Holds weak
// references only; the mutex is never held while a link is called.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace telehub::hub {

class AgentLink {
public:
    virtual ~AgentLink() = default;
    virtual void replace() = 0;   // a newer connection has this host id: close with 4000
    virtual void shutdown() = 0;  // the hub is stopping: close with "going away"
    virtual void send_command(std::string frame) = 0;  // queued on the session's strand
    // Closes with 1001 if no frame arrived for `limit_ms` before `now_ms`
    // (steady clock): a peer that vanished without a FIN.
    virtual void close_if_idle(std::int64_t now_ms, std::int64_t limit_ms) = 0;
    // After a credentials reload: closes with 4001 if this agent's credential is gone.
    virtual void recheck_credential() = 0;
};

class AgentDirectory {
public:
    void add(std::uint64_t conn_id, std::weak_ptr<AgentLink> link);
    void remove(std::uint64_t conn_id);  // the connection ended (also releases its host)

    // `conn_id` now owns `host_id`; returns the previous owner, if it is still alive.
    std::shared_ptr<AgentLink> claim(const std::string& host_id, std::uint64_t conn_id);
    // The connection currently owning `host_id`, 0 if none.
    std::uint64_t owner(const std::string& host_id) const;
    // That connection with its id, if it is still alive.
    std::shared_ptr<AgentLink> owner_link(const std::string& host_id, std::uint64_t& conn_id) const;

    std::vector<std::shared_ptr<AgentLink>> all() const;
    std::size_t size() const;

private:
    mutable std::mutex mu_;
    std::unordered_map<std::uint64_t, std::weak_ptr<AgentLink>> links_;
    std::unordered_map<std::string, std::uint64_t> owners_;
    std::unordered_map<std::uint64_t, std::string> hosts_of_;
};

}  // namespace telehub::hub
