// Accepts TCP connections on the one listening port and starts an
// HttpSession for each, every socket on a strand of its own (or on the
// io_context itself when it runs on one thread).
#pragma once

#include <cstdint>
#include <memory>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

namespace telehub::hub {

struct HubContext;

class Listener : public std::enable_shared_from_this<Listener> {
public:
    // Throws std::runtime_error naming the address when it cannot listen.
    Listener(boost::asio::io_context& ioc, const boost::asio::ip::tcp::endpoint& endpoint, HubContext& ctx);
    ~Listener();
    void run();
    void stop();  // stop accepting; posted to the acceptor's strand

private:
    void do_accept();
    void on_accept(boost::system::error_code ec, boost::asio::ip::tcp::socket socket);
    void refuse_waiting(const boost::system::error_code& why);


    boost::asio::io_context& ioc_;
    boost::asio::ip::tcp::acceptor acceptor_;
    boost::asio::steady_timer retry_;  // pause after a failed accept (EMFILE would otherwise spin)
    HubContext& ctx_;
    // A descriptor held back for the day the process runs out: closing it
    // makes room to accept and close the connections that wait, so their
    // peers learn at once instead of hanging in the backlog.
    int reserve_fd_ = -1;
    std::uint64_t refused_ = 0;           // connections refused since the last log line
    std::int64_t last_refusal_log_ms_ = 0;
};

}  // namespace telehub::hub
