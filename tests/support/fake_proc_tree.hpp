// A /proc tree in a temporary directory for the socket collectors: recorded
// /proc/net tables plus /proc/PID/fd links ("socket:[INODE]") that a test
// makes and changes between ticks. As on a real host, a new socket is a new
// inode in a table and an fd link to it; a closed one leaves both.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

namespace telehub::test {

class FakeProcTree {
public:
    // Copies the recorded tables in `recorded_net` (tcp, tcp6, udp, ...) to
    // <root>/net. Throws std::runtime_error if the directory cannot be made.
    explicit FakeProcTree(const std::filesystem::path& recorded_net);
    ~FakeProcTree();
    FakeProcTree(const FakeProcTree&) = delete;
    FakeProcTree& operator=(const FakeProcTree&) = delete;

    // What the collector takes in place of "/proc".
    std::string root() const { return root_.string(); }

    // /proc/PID/fd/FD -> `target`, replacing whatever the fd held.
    void link(int pid, int fd, const std::string& target);
    void socket(int pid, int fd, std::uint64_t inode);
    void close(int pid, int fd);
    void remove_pid(int pid);
    // The process stays, holding no fds.
    void empty_fds(int pid);

    // `line` ends in '\n'.
    void add_line(const std::string& table, const std::string& line);
    // Drops the lines of `table` that hold " INODE ".
    void drop_inode(const std::string& table, std::uint64_t inode);
    void remove_table(const std::string& table);

private:
    std::filesystem::path fd_dir(int pid) const;

    std::filesystem::path root_;
};

// A /proc/net/{tcp,udp} line from 127.0.0.1:lport to 127.0.0.1:rport in `state`.
std::string inet_line(int state, std::uint16_t lport, std::uint16_t rport, std::uint64_t inode);
// A /proc/net/unix line for a connected stream socket.
std::string unix_line(std::uint64_t inode);

}  // namespace telehub::test
