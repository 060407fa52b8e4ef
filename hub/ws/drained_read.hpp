// async_read_drained(socket, reactor, buffer, handler): socket.async_read_some,
// less one system call per frame (issue #22).
//
// Asio 1.81's reactor counts a stream socket as drained only when a read
// returns 0 bytes, so after every frame it tries the next read at once and
// that recv fails with EAGAIN (strace: two recvfrom per agent sample). Here
// the kernel says how much is left: with TCP_INQ on (Linux 4.18+), every
// recvmsg carries the bytes still queued, or 1 once the peer's FIN is in
// (so a read that stops at a FIN is not taken for drained). A read that
// leaves nothing tells the reactor the socket is drained, and the next read
// waits for epoll, which Asio registers edge-triggered: any byte that arrives
// later raises a new edge. Without the count (TCP_INQ refused) a read is
// treated as Asio treats it. (Waiting with socket.async_wait instead costs an
// epoll_ctl per wait, as much as the recv it saves.)
//
// Where the bytes go may be chosen when the socket is ready rather than when
// the read starts (a ReadTarget): a connection that waits a second between
// frames then holds no buffer while it waits, and its frame lands in memory
// the thread has just used (ws_server_stream.hpp).
//
// This reaches into Asio's reactor (boost::asio::detail), so it is tied to
// the Boost version the project builds with (checked below) and to the epoll
// reactor; everything else about the read is Asio's own: cancellation by
// cancel() or close(), the handler's executor and allocator, outstanding work.
#pragma once

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <concepts>
#include <memory>
#include <utility>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/detail/bind_handler.hpp>
#include <boost/asio/detail/fenced_block.hpp>
#include <boost/asio/detail/handler_alloc_helpers.hpp>
#include <boost/asio/detail/handler_work.hpp>
#include <boost/asio/detail/reactor.hpp>
#include <boost/asio/detail/reactor_op.hpp>
#include <boost/asio/detail/socket_ops.hpp>
#include <boost/asio/execution/context.hpp>
#include <boost/asio/query.hpp>
#include <boost/version.hpp>

static_assert(BOOST_VERSION / 100 == 1081, "drained_read.hpp uses Asio 1.81's reactor: check it against this Boost");
#if !defined(BOOST_ASIO_HAS_EPOLL) || defined(BOOST_ASIO_HAS_IO_URING_AS_DEFAULT)
#error "drained_read.hpp needs Asio's epoll reactor"
#endif

namespace telehub::hub::ws {

// Chooses a read's buffer once the socket is ready: begin_read() may be
// called more than once for one read (it must then give the same buffer),
// and abandon_read() follows when no byte came (would block, end of stream,
// error), so that a buffer taken for the read can go back.
template <class T>
concept ReadTarget = requires(T t) {
    { t.begin_read() } -> std::same_as<boost::asio::mutable_buffer>;
    t.abandon_read();
};

// A buffer fixed when the read starts, as Asio's own reads take it.
struct FixedReadTarget {
    boost::asio::mutable_buffer buffer;
    boost::asio::mutable_buffer begin_read() const { return buffer; }
    void abandon_read() const {}
};

namespace drained_detail {

namespace ad = boost::asio::detail;

// The socket's reactor state, which basic_socket keeps protected.
struct SocketAccess : boost::asio::ip::tcp::socket {
    using boost::asio::ip::tcp::socket::impl_;
};

// Bytes the kernel still holds after the read (1 for a pending FIN), or -1
// when the read carried no count.
inline int queued_after(msghdr& msg) {
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level == SOL_TCP && c->cmsg_type == TCP_CM_INQ && c->cmsg_len >= CMSG_LEN(sizeof(int))) {
            int inq;
            std::memcpy(&inq, CMSG_DATA(c), sizeof inq);
            return inq;
        }
    }
    return -1;
}

template <class Handler, class IoExecutor, class Target>
class ReadOp : public ad::reactor_op {
public:
    BOOST_ASIO_DEFINE_HANDLER_PTR(ReadOp);

    ReadOp(int fd, Target target, Handler& handler, const IoExecutor& io_ex)
        : ad::reactor_op(boost::system::error_code(), &ReadOp::perform_read, &ReadOp::complete_read),
          fd_(fd),
          target_(std::move(target)),
          handler_(std::move(handler)),
          work_(handler_, io_ex) {}

    static status perform_read(ad::reactor_op* base) {
        auto* o = static_cast<ReadOp*>(base);
        const status s = o->read();
        if (o->bytes_transferred_ == 0) o->target_.abandon_read();
        return s;
    }

    status read() {
        const boost::asio::mutable_buffer buffer = target_.begin_read();
        iovec iov{buffer.data(), buffer.size()};
        alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))];
        bytes_transferred_ = 0;
        for (;;) {
            msghdr msg{};
            msg.msg_iov = &iov;
            msg.msg_iovlen = 1;
            msg.msg_control = control;
            msg.msg_controllen = sizeof control;
            const ssize_t n = ::recvmsg(fd_, &msg, 0);
            if (n > 0) {
                ec_ = {};
                bytes_transferred_ = static_cast<std::size_t>(n);
                return queued_after(msg) == 0 ? done_and_exhausted : done;
            }
            if (n == 0) {
                ec_ = boost::asio::error::eof;
                return done_and_exhausted;
            }
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) return not_done;
            ec_ = boost::system::error_code(errno, boost::asio::error::get_system_category());
            return done;
        }
    }

    // `owner` is null when the io_context is destroyed with the read pending:
    // the handler is then freed without being called.
    static void complete_read(void* owner, ad::operation* base, const boost::system::error_code&, std::size_t) {
        auto* o = static_cast<ReadOp*>(base);
        ptr p = {std::addressof(o->handler_), o, o};
        ad::handler_work<Handler, IoExecutor> w(std::move(o->work_));
        // The handler may own the op's memory: move it out before freeing.
        ad::binder2<Handler, boost::system::error_code, std::size_t> call(o->handler_, o->ec_, o->bytes_transferred_);
        p.h = std::addressof(call.handler_);
        p.reset();
        if (owner) {
            ad::fenced_block b(ad::fenced_block::half);
            w.complete(call, call.handler_);
        }
    }

private:
    int fd_;
    Target target_;
    Handler handler_;
    ad::handler_work<Handler, IoExecutor> work_;
};

}  // namespace drained_detail

// The socket's reactor, looked up once per socket (use_service takes a
// lock), and the kernel asked to count what each read leaves (TCP_INQ). A
// kernel that refuses leaves the reads as Asio's own, one try too many.
inline boost::asio::detail::reactor& prepare_drained_reads(boost::asio::ip::tcp::socket& socket) {
    const int on = 1;
    (void)::setsockopt(socket.native_handle(), SOL_TCP, TCP_INQ, &on, sizeof on);
    auto& ctx = boost::asio::query(socket.get_executor(), boost::asio::execution::context);
    return boost::asio::use_service<boost::asio::detail::reactor>(ctx);
}

// Handler: void(error_code, std::size_t), the bytes in the target's buffer.
// The target's buffer must not be empty; `reactor` is prepare_drained_reads(socket).
template <ReadTarget Target, class Handler>
void async_read_drained(boost::asio::ip::tcp::socket& socket, boost::asio::detail::reactor& reactor, Target target,
                        Handler handler) {
    namespace ad = boost::asio::detail;
    using IoExecutor = boost::asio::ip::tcp::socket::executor_type;
    using Op = drained_detail::ReadOp<Handler, IoExecutor, Target>;
    auto& impl = (socket.*(&drained_detail::SocketAccess::impl_)).get_implementation();

    // A closed socket has no state bits, so this also answers it: bad_descriptor.
    boost::system::error_code ec;
    if (!(impl.state_ & ad::socket_ops::non_blocking))
        ad::socket_ops::set_internal_non_blocking(impl.socket_, impl.state_, true, ec);
    if (ec) {
        return boost::asio::post(socket.get_executor(),
                                 [h = std::move(handler), ec]() mutable { std::move(h)(ec, std::size_t{0}); });
    }
    typename Op::ptr p = {std::addressof(handler), Op::ptr::allocate(handler), nullptr};
    p.p = new (p.v) Op(impl.socket_, std::move(target), handler, socket.get_executor());
    reactor.start_op(ad::reactor::read_op, impl.socket_, impl.reactor_data_, p.p, false, true);
    p.v = p.p = nullptr;
}

template <class Handler>
void async_read_drained(boost::asio::ip::tcp::socket& socket, boost::asio::detail::reactor& reactor,
                        boost::asio::mutable_buffer buffer, Handler handler) {
    async_read_drained(socket, reactor, FixedReadTarget{buffer}, std::move(handler));
}

}  // namespace telehub::hub::ws
