#include "hub/auth/kept_admin_token.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hub/auth/access_tokens.hpp"

namespace telehub::hub {
namespace {

std::string read_kept(const std::string& path, const struct stat& st) {
    if (st.st_mode & (S_IRWXG | S_IRWXO))
        throw std::runtime_error("the generated admin token '" + path + "' can be used by other users (mode " +
                                 file_mode_text(st.st_mode) + "): chmod 600 it, or delete it and restart for a new token");
    std::ifstream in(path);
    std::string line;
    if (!in || !std::getline(in, line))
        throw std::runtime_error("cannot read the generated admin token '" + path + "': " + std::strerror(errno));
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (line.size() < min_token_length)
        throw std::runtime_error("'" + path + "' holds no admin token: delete it and restart for a new one");
    return line;
}

}  // namespace

KeptAdminToken kept_admin_token(const std::string& data_dir) {
    const std::string path = (std::filesystem::path(data_dir) / "admin.token").string();
    struct stat st{};
    if (::stat(path.c_str(), &st) == 0) return {read_kept(path, st), path, {}};

    KeptAdminToken made{AccessTokens::random_token(), path, {}};
    std::error_code ec;
    std::filesystem::create_directories(data_dir, ec);
    // O_EXCL: two hubs on one data folder must not each write a token of their own over the other's.
    const int fd = ec ? -1 : ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        if (!ec && errno == EEXIST && ::stat(path.c_str(), &st) == 0) return {read_kept(path, st), path, {}};
        made.problem = "cannot keep it in " + path + ": " + (ec ? ec.message() : std::string(std::strerror(errno)));
        made.file.clear();
        return made;
    }
    const std::string text = made.token + "\n";
    const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    const bool closed = ::close(fd) == 0;
    if (!written || !closed) {
        made.problem = "cannot write " + path + ": " + std::strerror(errno);
        ::unlink(path.c_str());  // a half-written token must not be read back at the next start
        made.file.clear();
    }
    return made;
}

}  // namespace telehub::hub
