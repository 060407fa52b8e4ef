#include "agent/collect/proc/proc_file.hpp"

#include <cerrno>

#include <fcntl.h>
#include <unistd.h>

namespace telehub::agent {

DirFd::DirFd(const std::string& path) : fd_(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) {}

DirFd::DirFd(int dirfd, const char* relative) : fd_(::openat(dirfd, relative, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) {}

DirFd::~DirFd() {
    if (fd_ >= 0) ::close(fd_);
}

DirFd::DirFd(DirFd&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }

DirFd& DirFd::operator=(DirFd&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = other.fd_;
        other.fd_ = -1;
    }
    return *this;
}

namespace {

bool read_all(int fd, std::string& buf) {
    // /proc files report size 0, so grow until a read comes back short.
    if (buf.capacity() < 4096) buf.reserve(4096);
    buf.resize(buf.capacity());
    std::size_t used = 0;
    for (;;) {
        ssize_t n = ::read(fd, buf.data() + used, buf.size() - used);
        if (n < 0) {
            if (errno == EINTR) continue;
            buf.clear();
            return false;
        }
        if (n == 0) break;
        used += static_cast<std::size_t>(n);
        if (used == buf.size()) buf.resize(buf.size() * 2);
    }
    buf.resize(used);
    return true;
}

}  // namespace

bool read_file_at(int dirfd, const char* relative, std::string& buf) {
    int fd = ::openat(dirfd, relative, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        buf.clear();
        return false;
    }
    bool ok = read_all(fd, buf);
    ::close(fd);
    return ok;
}

bool read_file(const std::string& path, std::string& buf) { return read_file_at(AT_FDCWD, path.c_str(), buf); }

}  // namespace telehub::agent
