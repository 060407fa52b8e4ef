#include "agent/stream_loop.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <random>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include "agent/heap_return.hpp"
#include "agent/collect/containers/containers.hpp"
#include "agent/control/control.hpp"
#include "agent/collect/host/host.hpp"
#include "agent/stream/stream.hpp"
#include "agent/collect/processes/processes.hpp"
#include "agent/collect/sockets/sockets.hpp"
#include "agent/report/report.hpp"
#include "agent/collect/collect.hpp"
#include "telehub/codec.hpp"

namespace telehub::agent {
namespace {

namespace net = boost::asio;
using Clock = std::chrono::steady_clock;

// Free heap kept between ticks: a sample's own transient memory (its JSON,
// the socket dumps' growth) stays below it, so a quiet tick costs one look
// at malloc's counters; a command's report, megabytes, goes back within a tick.
constexpr std::size_t free_heap_kept = 1 << 20;

std::int64_t now_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

class StreamLoop {
public:
    StreamLoop(net::io_context& ioc, const AgentOptions& o)
        : ioc_(ioc),
          o_(o),
          sampler_(sampler_options_from(o)),
          timer_(ioc),
          signals_(ioc, SIGINT, SIGTERM),
          children_(ioc),
          period_(std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.interval_s))) {
        sample_.host_id = o.host_id;
        sample_.interval_ms = static_cast<std::uint32_t>(o.interval_s * 1000.0 + 0.5);
        if (!o.hub_url.empty()) {
            Hello hello = describe_host(o.proc_root);
            hello.protocol = protocol_version;
            hello.host_id = o.host_id;
            hello.interval_ms = sample_.interval_ms;
            hello.agent_version = "0.1.0";
            hello.instance = now_ms();
            executor_ = make_executor(o);
            hello.capabilities = executor_->policy().capabilities();
            hello.token = o.token;
            HubClientOptions co;
            auto urls = hub_urls_or_throw(o.hub_url);
            // A random first hub, so a fleet started at once spreads over the cluster.
            std::rotate(urls.begin(), urls.begin() + static_cast<std::ptrdiff_t>(std::random_device{}() % urls.size()),
                        urls.end());
            co.url = urls.front();
            co.alternates.assign(urls.begin() + 1, urls.end());
            co.ca_file = o.ca_file;
            co.hub_fingerprint = o.hub_fingerprint;
            if (!co.url.tls && o.insecure)
                std::fprintf(stderr, "telehub-agent: warning: --insecure: the token, samples and commands to %s "
                                     "cross the network in clear text\n", co.url.to_string().c_str());
            co.buffer = o.buffer;
            co.hello = std::move(hello);
            // Commands run here, on the io thread, between samples: each is bounded (a ps of
            // a few hundred processes takes milliseconds) and none waits on anything.
            co.on_command = [this](std::string_view frame) {
                if (auto reply = executor_->handle_frame(frame)) hub_->send_text(std::move(*reply));
            };
            hub_ = std::make_unique<HubClient>(ioc, std::move(co));
        }
    }

    void start() {
        signals_.async_wait([this](auto ec, int) {
            if (ec) return;
            stop();
        });
        if (hub_) {
            children_.add(SIGCHLD);
            reap();
            hub_->start();
        }
        sampler_.sample(sample_);  // primes the deltas
        next_ = Clock::now() + period_;
        arm();
    }

private:
    std::unique_ptr<CommandExecutor> make_executor(const AgentOptions& o) {
        CommandPolicyOptions po{o.control, o.allow_exec, o.exec_allow};
        QuerySources qs;
        qs.proc_root = o.proc_root;
        qs.netlink = o.netlink;
        qs.setns = o.setns;
        qs.sockets = &sampler_.sockets();
        qs.container_of = [this](int pid) { return sampler_.containers().container_of(pid); };
        qs.details.cpu_percent = [this](int pid, std::uint64_t starttime) {
            return sampler_.processes().cpu_percent(pid, starttime);
        };
        qs.details.connections = [this](int pid, std::uint64_t starttime) {
            return sampler_.sockets().owners().readable_tally(pid, starttime);
        };
        return std::make_unique<CommandExecutor>(CommandPolicy(std::move(po), o.proc_root, static_cast<int>(::getpid())),
                                                 std::move(qs));
    }

    // Programs started by exec are the agent's only children: collect each
    // exit status so none stays a zombie.
    void reap() {
        children_.async_wait([this](auto ec, int) {
            if (ec) return;
            int status = 0;
            while (::waitpid(-1, &status, WNOHANG) > 0) {
            }
            reap();
        });
    }

    void arm() {
        timer_.expires_at(next_);
        timer_.async_wait([this](auto ec) {
            // A tick already due when stop() ran completes without an error:
            // re-arming then kept the agent alive with its signals cancelled.
            if (ec || stopped_) return;
            tick();
        });
    }

    void tick() {
        // Fixed rate: a slow tick does not push every later sample back.
        next_ += period_;
        if (next_ < Clock::now()) next_ = Clock::now() + period_;
        if (sampler_.sample(sample_)) {
            sample_.seq = ++seq_;
            emit();
        }
        return_free_heap(free_heap_kept);
        if (o_.count != 0 && seq_ >= o_.count) return stop();
        arm();
    }

    void emit() {
        if (hub_) {
            auto frames = encode_sample_frames(sample_);
            hub_->submit(sample_.seq, std::move(frames.full), frames.replay);
            return;
        }
        if (o_.format == "json") std::cout << encode_sample(sample_) << '\n';
        else std::cout << summary_line(sample_) << '\n';
        std::cout.flush();
    }

    void stop() {
        stopped_ = true;
        timer_.cancel();
        signals_.cancel();
        children_.cancel();
        if (hub_) hub_->stop();
        else ioc_.stop();
    }

    net::io_context& ioc_;
    const AgentOptions& o_;
    Sampler sampler_;
    Sample sample_;
    std::uint64_t seq_ = 0;
    bool stopped_ = false;
    net::steady_timer timer_;
    net::signal_set signals_;
    net::signal_set children_;  // SIGCHLD, with --hub only: exec's programs to reap
    Clock::duration period_;
    Clock::time_point next_;
    std::unique_ptr<CommandExecutor> executor_;
    std::unique_ptr<HubClient> hub_;
};

}  // namespace

int run_stream(const AgentOptions& options) {
    net::io_context ioc(1);
    StreamLoop loop(ioc, options);
    loop.start();
    ioc.run();
    return 0;
}

}  // namespace telehub::agent
