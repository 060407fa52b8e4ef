#include "hub/api/metrics_endpoint.hpp"

#include <boost/asio/post.hpp>

#include "hub/hub_context.hpp"

namespace telehub::hub {

void serve_metrics(HubContext& ctx, const boost::asio::any_io_executor& ex, std::function<void(HttpReply)> respond) {
    // The callback is shared so that a refused request can still answer with it.
    auto shared = std::make_shared<std::function<void(HttpReply)>>(std::move(respond));
    bool queued = ctx.metrics->request([ex, shared](std::string body) {
        boost::asio::post(ex, [shared, body = std::move(body)]() mutable {
            (*shared)(HttpReply{200, metrics_content_type, std::move(body), {}, {}});
        });
    });
    if (!queued)
        (*shared)(error_reply(503, "busy", "too many /metrics scrapes are already waiting for this hub; retry later"));
}

}  // namespace telehub::hub
