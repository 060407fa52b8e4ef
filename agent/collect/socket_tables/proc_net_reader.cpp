#include "agent/collect/socket_tables/proc_net_reader.hpp"

#include <cerrno>
#include <cstring>

#include "agent/collect/socket_tables/proc_net_parser.hpp"

namespace telehub::agent {

ProcNetReader::ProcNetReader(std::string proc_root) : net_dir_(std::move(proc_root) + "/net"), net_(net_dir_) {}

bool ProcNetReader::read_table(const char* name, SocketFamily family, bool required, SocketTable& out) {
    if (!read_file_at(net_.fd(), name, text_)) {
        if (!required && errno == ENOENT) return true;
        error_ = "cannot read " + net_dir_ + "/" + name + ": " + std::strerror(errno);
        return false;
    }
    TableParse r = family == SocketFamily::unix_ ? parse_proc_net_unix(text_, out)
                                                 : parse_proc_net_inet(text_, family, out);
    if (!r) {
        error_ = net_dir_ + "/" + name + " is malformed at line " + std::to_string(r.bad_line);
        return false;
    }
    return true;
}

bool ProcNetReader::read_all(SocketTable& out) {
    const std::size_t size_on_entry = out.size();
    if (!net_.ok()) {
        error_ = "cannot open " + net_dir_;
        return false;
    }
    bool ok = read_table("tcp", SocketFamily::tcp, true, out) && read_table("tcp6", SocketFamily::tcp, false, out) &&
              read_table("udp", SocketFamily::udp, true, out) && read_table("udp6", SocketFamily::udp, false, out) &&
              read_table("unix", SocketFamily::unix_, true, out) && read_raw(out);
    if (!ok) out.truncate(size_on_entry);
    return ok;
}

bool ProcNetReader::read_raw(SocketTable& out) {
    const std::size_t size_on_entry = out.size();
    if (!net_.ok()) {
        error_ = "cannot open " + net_dir_;
        return false;
    }
    bool ok = read_table("raw", SocketFamily::raw, false, out) && read_table("raw6", SocketFamily::raw, false, out);
    if (!ok) out.truncate(size_on_entry);
    return ok;
}

}  // namespace telehub::agent
