#include "hub/control/command_relay.hpp"

#include <algorithm>

#include <vector>

#include <boost/asio/post.hpp>

#include "telehub/command.hpp"

namespace telehub::hub {
namespace net = boost::asio;

namespace {

RelayResult failure(int status, std::string code, std::string message) {
    RelayResult r;
    r.status = status;
    r.error_code = std::move(code);
    r.error_message = std::move(message);
    return r;
}

}  // namespace

CommandRelay::CommandRelay(AgentDirectory& agents, std::chrono::milliseconds timeout, std::size_t max_pending_per_host)
    : agents_(agents), timeout_(timeout), max_per_host_(max_pending_per_host) {}

void CommandRelay::complete(Pending p, RelayResult r) {
    net::post(p.ex, [done = std::move(p.done), r = std::move(r)]() mutable { done(std::move(r)); });
    // The timer belongs to the caller's executor: cancelled there, not from this thread.
    net::post(p.ex, [t = std::move(p.timer)] { t->cancel(); });
}

void CommandRelay::send(const net::any_io_executor& ex, const std::string& host_id, const std::string& op,
                        const std::string& args_json, Done done) {
    std::uint64_t conn_id = 0;
    auto link = agents_.owner_link(host_id, conn_id);
    if (!link) {
        net::post(ex, [done = std::move(done), host_id] {
            done(failure(409, "host_offline", "host '" + host_id + "' is known but its agent is not connected"));
        });
        return;
    }
    Command c;
    c.op = op;
    c.args_json = args_json;
    c.timeout_ms = timeout_.count();
    auto timer = std::make_shared<net::steady_timer>(ex);
    {
        std::lock_guard lock(mu_);
        auto& n = per_host_[host_id];
        if (n >= max_per_host_) {
            net::post(ex, [done = std::move(done), host_id, max = max_per_host_] {
                done(failure(503, "too_many_commands",
                             std::to_string(max) + " commands are already waiting for host '" + host_id + "'; retry later"));
            });
            return;
        }
        ++n;
        c.id = "c-" + std::to_string(next_id_++);
        pending_.emplace(c.id, Pending{conn_id, host_id, ex, timer, std::move(done)});
    }
    timer->expires_after(timeout_);
    timer->async_wait([this, id = c.id, host_id, ms = timeout_.count(), acts = op_changes_host(op)](boost::system::error_code ec) {
        if (ec) return;  // cancelled: completed already
        finish(id, failure(504, "agent_timeout",
                           "host '" + host_id + "' did not answer within " + std::to_string(ms) + " ms (--command-timeout)" +
                               (acts ? "; the agent may still have acted on it" : "")));
    });
    link->send_command(encode_command(c));
}

void CommandRelay::finish(const std::string& id, RelayResult r) {
    Pending p;
    {
        std::lock_guard lock(mu_);
        auto it = pending_.find(id);
        if (it == pending_.end()) return;
        p = std::move(it->second);
        pending_.erase(it);
        if (auto h = per_host_.find(p.host_id); h != per_host_.end() && --h->second == 0) per_host_.erase(h);
    }
    complete(std::move(p), std::move(r));
}

bool CommandRelay::on_reply(std::uint64_t conn_id, CommandReply reply) {
    {
        std::lock_guard lock(mu_);
        auto it = pending_.find(reply.id);
        if (it == pending_.end() || it->second.conn_id != conn_id) return false;
    }
    RelayResult r;
    r.ok = reply.ok;
    if (reply.ok) {
        r.status = 200;
        r.result_json = std::move(reply.result_json);
    } else {
        r.status = reply_error_status(reply.error_code);
        r.error_code = std::move(reply.error_code);
        r.error_message = std::move(reply.error_message);
    }
    finish(reply.id, std::move(r));
    return true;
}

void CommandRelay::on_disconnect(std::uint64_t conn_id) {
    std::vector<std::string> ids;
    {
        std::lock_guard lock(mu_);
        for (const auto& [id, p] : pending_)
            if (p.conn_id == conn_id) ids.push_back(id);
    }
    for (const auto& id : ids)
        finish(id, failure(502, "agent_disconnected", "the agent's connection ended before it replied"));
}

std::size_t CommandRelay::pending() const {
    std::lock_guard lock(mu_);
    return pending_.size();
}

bool CommandRelay::awaits_reply(std::uint64_t conn_id) const {
    std::lock_guard lock(mu_);
    return std::any_of(pending_.begin(), pending_.end(), [&](const auto& p) { return p.second.conn_id == conn_id; });
}

}  // namespace telehub::hub
