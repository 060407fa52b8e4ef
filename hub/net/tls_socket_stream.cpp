#include "hub/net/tls_socket_stream.hpp"

#include <cstring>
#include <stdexcept>

#include <boost/asio/ssl/error.hpp>
#include <boost/asio/write.hpp>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "telehub/openssl_error.hpp"

namespace telehub::hub {
namespace net = boost::asio;

namespace tls_core {
namespace {

// Large enough for the biggest TLS record, so one socket read can carry a
// whole record whatever its size.
constexpr std::size_t input_capacity = 17 * 1024;

Core& core_of(BIO* bio) { return *static_cast<Core*>(BIO_get_data(bio)); }

int bio_read(BIO* bio, char* data, std::size_t size, std::size_t* got) {
    BIO_clear_retry_flags(bio);
    Core& core = core_of(bio);
    *got = core.take_input(data, size);
    if (*got != 0) return 1;
    if (!core.input_ended_already()) BIO_set_retry_read(bio);
    return 0;
}

int bio_write(BIO* bio, const char* data, std::size_t size, std::size_t* put) {
    BIO_clear_retry_flags(bio);
    core_of(bio).append_output(data, size);
    *put = size;
    return 1;
}

long bio_ctrl(BIO* bio, int cmd, long, void*) {
    switch (cmd) {
    case BIO_CTRL_FLUSH: return 1;
    case BIO_CTRL_PENDING: return static_cast<long>(core_of(bio).input_pending());
    case BIO_CTRL_EOF: return core_of(bio).input_ended_already() && core_of(bio).input_pending() == 0;
    default: return 0;
    }
}

int bio_create(BIO* bio) {
    BIO_set_init(bio, 1);
    return 1;
}

BIO_METHOD* buffer_bio_method() {
    static BIO_METHOD* method = [] {
        BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "telehub TLS buffers");
        if (m == nullptr || BIO_meth_set_read_ex(m, bio_read) != 1 || BIO_meth_set_write_ex(m, bio_write) != 1 ||
            BIO_meth_set_ctrl(m, bio_ctrl) != 1 || BIO_meth_set_create(m, bio_create) != 1)
            throw std::runtime_error("cannot make the TLS BIO method: " + openssl_error_text());
        return m;
    }();
    return method;
}

}  // namespace

Core::Core(SSL_CTX* ctx, const void* already_read, std::size_t size) {
    ssl_ = SSL_new(ctx);
    BIO* bio = ssl_ ? BIO_new(buffer_bio_method()) : nullptr;
    if (bio == nullptr) {
        SSL_free(ssl_);
        throw std::runtime_error("cannot make a TLS connection: " + openssl_error_text());
    }
    BIO_set_data(bio, this);
    SSL_set_bio(ssl_, bio, bio);
    SSL_set_accept_state(ssl_);
    // OpenSSL's own record buffers exist only while a record is in them.
    SSL_set_mode(ssl_, SSL_MODE_RELEASE_BUFFERS);
    if (size > input_capacity) throw std::length_error("TLS detection read more than a record");
    if (size != 0) {
        in_.reset(new char[input_capacity]);
        std::memcpy(in_.get(), already_read, size);
        in_end_ = size;
    }
}

Core::~Core() { SSL_free(ssl_); }

net::mutable_buffer Core::input_space() {
    if (!in_) in_.reset(new char[input_capacity]);
    if (in_begin_ == in_end_) in_begin_ = in_end_ = 0;
    return {in_.get() + in_end_, input_capacity - in_end_};
}

std::size_t Core::take_input(char* data, std::size_t size) {
    std::size_t n = std::min(size, in_end_ - in_begin_);
    if (n == 0) return 0;
    std::memcpy(data, in_.get() + in_begin_, n);
    in_begin_ += n;
    if (in_begin_ == in_end_) in_begin_ = in_end_ = 0;
    return n;
}

net::const_buffer Core::begin_flush() {
    flushing_ = true;
    sending_.swap(out_);
    out_.clear();
    return net::buffer(sending_);
}

void Core::end_flush() {
    flushing_ = false;
    sending_.clear();
}

Step Core::failed(int ret, boost::system::error_code& ec) {
    switch (SSL_get_error(ssl_, ret)) {
    case SSL_ERROR_WANT_READ: return Step::need_input;
    case SSL_ERROR_ZERO_RETURN: ec = net::error::eof; return Step::failed;
    case SSL_ERROR_SSL: {
        unsigned long e = ERR_get_error();
        ERR_clear_error();
        if (ERR_GET_REASON(e) == SSL_R_UNEXPECTED_EOF_WHILE_READING) ec = net::ssl::error::stream_truncated;
        else ec = {static_cast<int>(e), net::error::get_ssl_category()};
        return Step::failed;
    }
    default:
        // The BIO never blocks on write, so anything else is the input
        // ending in the middle of a record.
        ERR_clear_error();
        ec = net::ssl::error::stream_truncated;
        return Step::failed;
    }
}

Step Core::handshake(boost::system::error_code& ec) {
    ERR_clear_error();
    int ret = SSL_do_handshake(ssl_);
    return ret == 1 ? Step::done : failed(ret, ec);
}

Step Core::read(void* data, std::size_t size, std::size_t& got, boost::system::error_code& ec) {
    got = 0;
    if (size == 0) return Step::done;
    ERR_clear_error();
    int ret = SSL_read_ex(ssl_, data, size, &got);
    return ret == 1 ? Step::done : failed(ret, ec);
}

Step Core::write(const void* data, std::size_t size, std::size_t& put, boost::system::error_code& ec) {
    put = 0;
    if (size == 0) return Step::done;
    ERR_clear_error();
    int ret = SSL_write_ex(ssl_, data, size, &put);
    if (ret == 1) return Step::done;
    // A write cannot wait for input: renegotiation is off.
    if (failed(ret, ec) == Step::need_input) ec = net::ssl::error::stream_truncated;
    return Step::failed;
}

Step Core::shutdown(boost::system::error_code&) {
    ERR_clear_error();
    // 0 (close_notify queued) and 1 are both fine here: the peer's answer
    // is not awaited. A connection already broken has nothing to send.
    SSL_shutdown(ssl_);
    ERR_clear_error();
    return Step::done;
}

}  // namespace tls_core

TlsSocketStream::TlsSocketStream(boost::beast::tcp_stream&& stream, net::ssl::context& ctx,
                                 net::const_buffer already_read)
    : stream_(std::move(stream)),
      core_(std::make_unique<Core>(ctx.native_handle(), already_read.data(), already_read.size())) {}

}  // namespace telehub::hub
