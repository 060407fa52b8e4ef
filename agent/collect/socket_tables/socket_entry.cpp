#include "agent/collect/socket_tables/socket_entry.hpp"

#include <charconv>

#include <arpa/inet.h>

namespace telehub::agent {

bool SocketAddress::ip_is_zero() const {
    std::size_t n = v6 ? 16 : 4;
    for (std::size_t i = 0; i < n; ++i)
        if (ip[i] != 0) return false;
    return true;
}

std::string address_text(const SocketAddress& a) {
    char buf[INET6_ADDRSTRLEN + 8];
    if (::inet_ntop(a.v6 ? AF_INET6 : AF_INET, a.ip.data(), buf, INET6_ADDRSTRLEN) == nullptr) return "?";
    std::string out(buf);
    out += '@';
    char port[8];
    auto r = std::to_chars(port, port + sizeof port, a.port);
    out.append(port, r.ptr);
    return out;
}

}  // namespace telehub::agent
