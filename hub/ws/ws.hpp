// The public face of hub/ws/: the WebSocket server side the hub's agent
// sessions speak (frames, the opening handshake, and the stream that reads
// whole frames in one read), the socket read that spends one system call
// per frame, which the TLS stream uses too, and the read buffers an io thread
// lends its plain connections.
#pragma once

#include "hub/ws/drained_read.hpp"
#include "hub/ws/read_scratch.hpp"
#include "hub/ws/ws_frame.hpp"
#include "hub/ws/ws_server_stream.hpp"
#include "hub/ws/ws_upgrade.hpp"
