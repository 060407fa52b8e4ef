// Reading small /proc files the cheap way: open/read into a buffer the caller
// keeps between ticks, relative to a held directory fd, no iostreams.
#pragma once

#include <string>
#include <string_view>

namespace telehub::agent {

// An open directory (for example /proc, or a recorded tree in tests).
class DirFd {
public:
    DirFd() = default;
    explicit DirFd(const std::string& path);  // fd() < 0 when it cannot be opened
    DirFd(int dirfd, const char* relative);   // opens relative to another directory
    ~DirFd();
    DirFd(DirFd&& other) noexcept;
    DirFd& operator=(DirFd&& other) noexcept;
    DirFd(const DirFd&) = delete;
    DirFd& operator=(const DirFd&) = delete;

    int fd() const { return fd_; }
    bool ok() const { return fd_ >= 0; }

private:
    int fd_ = -1;
};

// Reads the whole of `relative` (under `dirfd`) into `buf`, replacing its
// contents. Returns false when the file cannot be opened or read (a process
// that exited, a permission refusal): normal events, not errors.
bool read_file_at(int dirfd, const char* relative, std::string& buf);

// Convenience for tests and one-off reads: an absolute or cwd-relative path.
bool read_file(const std::string& path, std::string& buf);

}  // namespace telehub::agent
