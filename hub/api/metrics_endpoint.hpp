// GET /metrics: the body is built on the metrics thread and the answer posted
// back to the HTTP session's strand; the io thread only queues and writes.
#pragma once

#include <functional>

#include <boost/asio/any_io_executor.hpp>

#include "hub/http/http.hpp"

namespace telehub::hub {

struct HubContext;

// The Prometheus text format's content type (exposition format 0.0.4).
inline constexpr const char* metrics_content_type = "text/plain; version=0.0.4; charset=utf-8";

// `respond` runs on `ex` with the body, or at once with a 503 when too many
// scrapes are already waiting.
void serve_metrics(HubContext& ctx, const boost::asio::any_io_executor& ex, std::function<void(HttpReply)> respond);

}  // namespace telehub::hub
