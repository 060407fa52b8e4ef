#include "hub/http/http_reply.hpp"

#include <nlohmann/json.hpp>

#include "telehub/json_text.hpp"

namespace telehub::hub {

HttpReply error_reply(int status, std::string_view code, std::string_view message) {
    nlohmann::json j = {{"error", {{"code", code}, {"message", message}}}};
    return {status, "application/json", json_text(j), {}};
}

}  // namespace telehub::hub
