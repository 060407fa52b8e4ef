#include "hub/alerts/alert_json.hpp"

#include "telehub/tcp_state.hpp"

namespace telehub::hub {

using json = nlohmann::json;

json culprit_json(const AlertCulprit& c) {
    json top = json::array();
    for (const auto& p : c.top_cpu)
        top.push_back({{"pid", p.pid}, {"name", p.name}, {"user", p.user}, {"cpu", p.cpu}, {"cmdline", p.cmdline},
                       {"container", p.container}});
    json sockets = json::array();
    for (const auto& p : c.top_sockets) {
        json tcp = json::object();
        for (int s = 1; s < tcp_state_count; ++s)
            if (p.tcp[static_cast<std::size_t>(s)]) tcp[std::string(tcp_state_name(s))] = p.tcp[static_cast<std::size_t>(s)];
        sockets.push_back({{"pid", p.pid}, {"name", p.name}, {"total", p.total}, {"tcp", tcp}, {"udp", p.udp},
                           {"unix", p.unix_}, {"container", p.container}});
    }
    json leaks = json::array();
    for (const auto& l : c.leaks)
        leaks.push_back({{"pid", l.pid}, {"name", l.name}, {"reason", l.reason}, {"count", l.count},
                         {"evidence", l.evidence}, {"container", l.container}});
    return {{"top_cpu", top}, {"top_sockets", sockets}, {"leaks", leaks}};
}

}  // namespace telehub::hub
