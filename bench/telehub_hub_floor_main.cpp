// telehub-hub-floor: the floor of the hub-ingest benchmark (issue 22). It does
// the least any hub on Boost.Beast must do per agent frame: accept the
// connection, complete the WebSocket handshake on /ws/agent and read every
// frame to its end (unmasking included), on one io thread like the hub's
// `--threads 1`. Nothing is parsed, kept or forwarded. The hub's CPU per
// sample is judged against this program's under the same load
// (scripts/bench-hub --floor-only, docs/benchmarks.md).
//
// Just enough of the hub's surface for telehub-loadgen to run against it:
// GET /healthz, GET /api/stats (samples_received counts every agent message
// after the first, the hello: the floor does not look at a frame's type),
// GET /api/hosts (always empty), a fixed welcome after the hello (built once,
// without last_seq tracking), and /ws/live, which is accepted and then sent
// nothing: the floor serves no dashboards, so a fair pair runs both with
// `--dashboards 0 --detail 0`.
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <utility>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/program_options.hpp>

namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace po = boost::program_options;
using tcp = net::ip::tcp;
using error_code = boost::system::error_code;

constexpr const char* program = "telehub-hub-floor";

struct Floor {
    std::uint64_t samples = 0;
    std::size_t max_frame = 1 << 20;
    // The hub's welcome to a new agent (docs/protocol.md); one for all.
    const std::string welcome = R"({"type":"welcome","protocol":1,"last_seq":0})";
};

// One upgraded connection: reads every message and drops it. An agent's first
// message (its hello) is answered with the welcome; each later one is counted.
class WsSession : public std::enable_shared_from_this<WsSession> {
public:
    WsSession(Floor& floor, tcp::socket socket, bool agent) : floor_(floor), ws_(std::move(socket)), agent_(agent) {}

    void start(http::request<http::string_body> req) {
        ws_.read_message_max(floor_.max_frame);
        ws_.async_accept(req, [self = shared_from_this()](error_code ec) {
            if (!ec) self->read();
        });
    }

private:
    void read() {
        ws_.async_read(buffer_, [self = shared_from_this()](error_code ec, std::size_t) { self->on_read(ec); });
    }

    void on_read(error_code ec) {
        // A malformed or oversized frame ends here: Beast has sent the close
        // frame with its code (1002, 1009, ...) and the session is dropped.
        if (ec) return;
        buffer_.clear();
        if (!agent_) return read();
        if (greeted_) ++floor_.samples;
        else {
            greeted_ = true;
            ws_.async_write(net::buffer(floor_.welcome), [self = shared_from_this()](error_code, std::size_t) {});
        }
        read();
    }

    Floor& floor_;
    websocket::stream<tcp::socket> ws_;
    beast::flat_buffer buffer_;
    bool agent_;
    bool greeted_ = false;
};

// A new connection: one HTTP request at a time until it asks for an upgrade.
class HttpSession : public std::enable_shared_from_this<HttpSession> {
public:
    HttpSession(Floor& floor, tcp::socket socket) : floor_(floor), socket_(std::move(socket)) {}

    void read() {
        req_ = {};
        http::async_read(socket_, buffer_, req_, [self = shared_from_this()](error_code ec, std::size_t) {
            if (!ec) self->on_request();
        });
    }

private:
    void on_request() {
        const auto target = req_.target();
        if (websocket::is_upgrade(req_) && (target == "/ws/agent" || target == "/ws/live")) {
            // Bytes already read past the request would belong to the WebSocket;
            // a client waits for the 101, so there are none.
            std::make_shared<WsSession>(floor_, std::move(socket_), target == "/ws/agent")->start(std::move(req_));
            return;
        }
        auto res = std::make_shared<http::response<http::string_body>>(http::status::ok, req_.version());
        res->set(http::field::content_type, "application/json");
        if (req_.method() != http::verb::get) {
            res->result(http::status::method_not_allowed);
            res->body() = R"({"error":"the floor answers GET only"})";
        } else if (target == "/healthz") {
            res->body() = R"({"status":"ok"})";
        } else if (target == "/api/stats") {
            res->body() = R"({"samples_received":)" + std::to_string(floor_.samples) + R"(,"floor":true})";
        } else if (target == "/api/hosts") {
            res->body() = R"({"hosts":[]})";
        } else {
            res->result(http::status::not_found);
            res->body() = R"({"error":"the floor has no )" + std::string(target.substr(0, 100)) + "\"}";
        }
        res->keep_alive(req_.keep_alive());
        res->prepare_payload();
        http::async_write(socket_, *res, [self = shared_from_this(), res](error_code ec, std::size_t) {
            if (!ec && res->keep_alive()) self->read();
        });
    }

    Floor& floor_;
    tcp::socket socket_;
    beast::flat_buffer buffer_;
    http::request<http::string_body> req_;
};

void accept(tcp::acceptor& acceptor, Floor& floor) {
    acceptor.async_accept([&acceptor, &floor](error_code ec, tcp::socket socket) {
        if (!acceptor.is_open()) return;
        if (!ec) {
            socket.set_option(tcp::no_delay(true), ec);
            std::make_shared<HttpSession>(floor, std::move(socket))->read();
        }
        // Out of descriptors or a reset before accept: keep accepting.
        accept(acceptor, floor);
    });
}

tcp::endpoint parse_listen(const std::string& v) {
    auto colon = v.rfind(':');
    if (colon == std::string::npos) throw std::runtime_error("--listen '" + v + "' must be ADDR:PORT");
    error_code ec;
    auto addr = net::ip::make_address(v.substr(0, colon), ec);
    if (ec) throw std::runtime_error("--listen '" + v + "': '" + v.substr(0, colon) + "' is not an IP address");
    unsigned long port = 0;
    try {
        std::size_t used = 0;
        port = std::stoul(v.substr(colon + 1), &used);
        if (used != v.size() - colon - 1) port = 0;
    } catch (const std::exception&) {
        port = 0;
    }
    if (port == 0 || port > 65535) throw std::runtime_error("--listen '" + v + "': the port must be 1-65535");
    return {addr, static_cast<unsigned short>(port)};
}

int run(int argc, char** argv) {
    std::string listen = "127.0.0.1:8080", ignored;
    unsigned threads = 1;
    Floor floor;
    po::options_description desc(std::string(program) +
                                  ": the hub-ingest floor (accepts agents, reads their frames, does nothing else)\nOptions");
    desc.add_options()
        ("help,h", "show this help and exit")
        ("listen", po::value(&listen)->default_value(listen), "ADDR:PORT to serve HTTP and WebSockets on")
        ("max-frame", po::value(&floor.max_frame)->default_value(floor.max_frame), "largest message in bytes; larger ones are refused with close code 1009")
        ("threads", po::value(&threads)->default_value(threads), "accepted for the hub's flags; must be 1 (one io thread)")
        ("quiet", po::bool_switch(), "the hub's flag, accepted and ignored: the floor logs nothing")
        ("log-format", po::value(&ignored), "the hub's flag, accepted and ignored")
        ("log-rate", po::value(&ignored), "the hub's flag, accepted and ignored")
        ("data-dir", po::value(&ignored), "the hub's flag, accepted and ignored: the floor keeps nothing")
        ("no-persist", po::bool_switch(), "the hub's flag, accepted and ignored")
        ("rules", po::value(&ignored), "the hub's flag, accepted and ignored");
    po::variables_map vm;
    po::store(po::parse_command_line(argc, argv, desc), vm);
    po::notify(vm);
    if (vm.count("help")) {
        std::cout << desc << "\nNot served: TLS (--self-signed-tls is refused), dashboards (/ws/live is accepted and "
                             "sent nothing), history, commands.\n";
        return 0;
    }
    if (threads != 1) throw std::runtime_error("--threads " + std::to_string(threads) + ": the floor runs one io thread");
    if (floor.max_frame < 1024) throw std::runtime_error("--max-frame must be at least 1024 bytes");

    net::io_context io(1);
    tcp::acceptor acceptor(io);
    auto at = parse_listen(listen);
    acceptor.open(at.protocol());
    acceptor.set_option(net::socket_base::reuse_address(true));
    acceptor.bind(at);
    acceptor.listen(net::socket_base::max_listen_connections);
    net::signal_set signals(io, SIGTERM, SIGINT);
    signals.async_wait([&](error_code, int) {
        error_code ignore;
        acceptor.close(ignore);
        io.stop();
    });
    accept(acceptor, floor);
    std::fprintf(stderr, "%s: listening on %s\n", program, listen.c_str());
    io.run();
    std::fprintf(stderr, "%s: stopped; %llu samples received\n", program, static_cast<unsigned long long>(floor.samples));
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        return run(argc, argv);
    } catch (const po::error& e) {
        std::fprintf(stderr, "%s: %s (see --help)\n", program, e.what());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s: %s\n", program, e.what());
    }
    return 2;
}
