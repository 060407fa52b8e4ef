// One simulated agent: connects to /ws/agent, sends its hello, answers to
// nothing but reads what the hub sends (welcome, errors, close), and sends a
// sample whenever the fleet's pacer says it is due. Lives on the fleet's
// single io thread, so it needs no strand.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/stream.hpp>

#include "loadgen/fleet_counters.hpp"
#include "loadgen/sample_factory.hpp"
#include "loadgen/sample_frame.hpp"

namespace telehub::loadgen {

// What every agent of a fleet shares; outlives the agents.
struct FleetShared {
    boost::asio::ip::tcp::endpoint hub;
    const SampleFactory* factory = nullptr;
    SendTimes* send_times = nullptr;
    std::uint32_t refresh = 10;  // full re-encode every this many samples
    std::int64_t instance_ms = 0;
    FleetCounters counters;
    ErrorTally errors;
};

class AgentConnection : public std::enable_shared_from_this<AgentConnection> {
public:
    AgentConnection(boost::asio::io_context& ioc, FleetShared& shared, std::size_t index);

    // `settled` runs once, when the connection is ready or has failed.
    void start(std::function<void()> settled);
    // Stamps and sends the next sample unless the previous one is still being written.
    void send_sample();
    void close();

private:
    void on_connect(boost::beast::error_code ec);
    void on_handshake(boost::beast::error_code ec);
    void do_read();
    void on_read(boost::beast::error_code ec, std::size_t n);
    void fail_connect(boost::beast::error_code ec, const char* what);
    void settle();

    boost::beast::websocket::stream<boost::beast::tcp_stream> ws_;
    FleetShared& shared_;
    std::size_t index_;
    std::function<void()> settled_;
    boost::beast::flat_buffer read_buffer_;
    std::string hello_;
    SampleFrame frame_;
    std::uint64_t seq_ = 0;
    bool open_ = false;     // handshake done, not closed
    bool welcomed_ = false;  // the hub accepted the hello: samples may flow
    bool failed_ = false;
    bool writing_ = false;
    bool closing_ = false;
};

}  // namespace telehub::loadgen
