#include "hub/http/http_reply.hpp"

#include <algorithm>
#include <vector>

#include <nlohmann/json.hpp>

#include "telehub/json_text.hpp"

namespace telehub::hub {

HttpReply error_reply(int status, std::string_view code, std::string_view message) {
    nlohmann::json j = {{"error", {{"code", code}, {"message", message}}}};
    return {status, "application/json", json_text(j), {}};
}

std::string allow_header(std::string_view methods) {
    std::vector<std::string_view> list;
    for (std::size_t at = 0; at <= methods.size();) {
        const auto comma = std::min(methods.find(',', at), methods.size());
        auto m = methods.substr(at, comma - at);
        while (m.starts_with(' ')) m.remove_prefix(1);
        if (!m.empty()) list.push_back(m);
        at = comma + 1;
    }
    const auto get = std::find(list.begin(), list.end(), "GET");
    if (get != list.end() && std::find(list.begin(), list.end(), "HEAD") == list.end()) list.insert(get + 1, "HEAD");
    std::string out;
    for (auto m : list) out.append(out.empty() ? "" : ", ").append(m);
    return out;
}

}  // namespace telehub::hub
