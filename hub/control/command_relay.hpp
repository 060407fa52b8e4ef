// Commands relayed from REST requests to agents (docs/protocol.md,
// "Commands"): each gets an id and a deadline and waits here until the
// agent's reply, the deadline (504) or the end of the agent's connection
// (502), whichever comes first; exactly one of them completes it. Pending
// commands of one host do not hold up another's or the sample stream: nothing
// here blocks, and the mutex is held only to find or remove an entry.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "hub/control/agent_directory.hpp"
#include "telehub/codec.hpp"

namespace telehub::hub {

struct RelayResult {
    int status = 200;
    bool ok = false;
    std::string result_json;    // when ok: the agent's result
    std::string error_code;     // otherwise
    std::string error_message;
};

class CommandRelay {
public:
    using Done = std::function<void(RelayResult)>;

    CommandRelay(AgentDirectory& agents, std::chrono::milliseconds timeout, std::size_t max_pending_per_host = 64);

    // Sends `op` to the agent owning `host_id`. `done` is called exactly once,
    // posted to `ex`. The caller has already answered 404 for unknown hosts;
    // a host without a live connection is 409 here.
    void send(const boost::asio::any_io_executor& ex, const std::string& host_id, const std::string& op,
              const std::string& args_json, Done done);

    // From the agent session that read the reply. A reply for an id this
    // connection was not sent (late, or forged) returns false and changes nothing.
    bool on_reply(std::uint64_t conn_id, CommandReply reply);

    // The connection ended: its pending commands complete with 502 now.
    void on_disconnect(std::uint64_t conn_id);

    std::size_t pending() const;

    // Whether a command sent on this connection still waits for its reply:
    // only then may a frame from it be a reply, and be larger than a sample.
    bool awaits_reply(std::uint64_t conn_id) const;

private:
    struct Pending {
        std::uint64_t conn_id = 0;
        std::string host_id;
        boost::asio::any_io_executor ex;
        std::shared_ptr<boost::asio::steady_timer> timer;
        Done done;
    };
    // Removes the entry and completes it, if it is still there.
    void finish(const std::string& id, RelayResult r);
    static void complete(Pending p, RelayResult r);

    AgentDirectory& agents_;
    std::chrono::milliseconds timeout_;
    std::size_t max_per_host_;
    mutable std::mutex mu_;
    std::uint64_t next_id_ = 1;
    std::unordered_map<std::string, Pending> pending_;
    std::unordered_map<std::string, std::size_t> per_host_;
};

}  // namespace telehub::hub
