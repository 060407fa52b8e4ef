#include "hub/net/listener.hpp"

#include <stdexcept>

#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/bind_handler.hpp>

#include "hub/net/detect_session.hpp"
#include "hub/hub_context.hpp"

namespace telehub::hub {
namespace net = boost::asio;

Listener::Listener(net::io_context& ioc, const net::ip::tcp::endpoint& endpoint, HubContext& ctx)
    : ioc_(ioc), acceptor_(net::make_strand(ioc)), retry_(acceptor_.get_executor()), ctx_(ctx) {
    boost::system::error_code ec;
    auto where = endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
    if (ec) throw std::runtime_error("cannot listen on " + where + ": " + ec.message() + " (use --listen ADDR:PORT)");
}

void Listener::run() { do_accept(); }

void Listener::stop() {
    net::post(acceptor_.get_executor(), [self = shared_from_this()] {
        boost::system::error_code ec;
        self->acceptor_.close(ec);
        self->retry_.cancel();
    });
}

void Listener::do_accept() {
    // Each connection's handlers must never run concurrently. With several io
    // threads that takes a strand per connection; with one thread the
    // io_context alone guarantees it, and skipping the strand saves a lock and
    // a type-erased executor copy on every completion.
    net::any_io_executor ex = ctx_.config.threads > 1 ? net::any_io_executor(net::make_strand(ioc_))
                                                      : net::any_io_executor(ioc_.get_executor());
    acceptor_.async_accept(ex, boost::beast::bind_front_handler(&Listener::on_accept, shared_from_this()));
}

void Listener::on_accept(boost::system::error_code ec, net::ip::tcp::socket socket) {
    if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
    if (ec) {
        // Out of file descriptors or similar: log, wait 100 ms for sessions
        // to end, then accept again, rather than spinning on the error.
        ctx_.log.event("accept failed: " + ec.message());
        retry_.expires_after(std::chrono::milliseconds(100));
        retry_.async_wait([self = shared_from_this()](boost::system::error_code wait_ec) {
            if (!wait_ec && self->acceptor_.is_open()) self->do_accept();
        });
        return;
    }
    start_connection(std::move(socket), ctx_);
    do_accept();
}

}  // namespace telehub::hub
