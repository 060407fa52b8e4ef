#include "hub/api/static_files.hpp"

#include <array>
#include <stdexcept>
#include <utility>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hub/http/http.hpp"

namespace telehub::hub {
namespace fs = std::filesystem;

namespace {

StaticRefusal bad_path(std::string why) { return {400, "bad_path", std::move(why)}; }
StaticRefusal not_found(std::string_view path) {
    return {404, "not_found", "no file '" + std::string(path) + "'"};
}

bool inside(const fs::path& root, const fs::path& p) {
    auto r = root.native(), s = p.native();
    return s == r || (s.size() > r.size() && s.compare(0, r.size(), r) == 0 && s[r.size()] == '/');
}

}  // namespace

StaticFiles::StaticFiles(const fs::path& root) {
    std::error_code ec;
    root_ = fs::canonical(root, ec);
    if (ec || !fs::is_directory(root_, ec))
        throw std::runtime_error("--web-root '" + root.string() + "' is not a readable directory");
}

std::string_view StaticFiles::content_type(std::string_view ext) {
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 12> types = {{
        {"html", "text/html; charset=utf-8"},
        {"htm", "text/html; charset=utf-8"},
        {"js", "text/javascript; charset=utf-8"},
        {"mjs", "text/javascript; charset=utf-8"},
        {"css", "text/css; charset=utf-8"},
        {"svg", "image/svg+xml"},
        {"png", "image/png"},
        {"json", "application/json"},
        {"ico", "image/x-icon"},
        {"map", "application/json"},
        {"txt", "text/plain; charset=utf-8"},
        {"wasm", "application/wasm"},
    }};
    for (auto [e, t] : types)
        if (e == ext) return t;
    return "application/octet-stream";
}

std::variant<StaticFile, StaticRefusal> StaticFiles::resolve(std::string_view target) const {
    target = target.substr(0, target.find_first_of("?#"));
    if (target.empty() || target.front() != '/') return bad_path("the path must start with '/'");
    auto decoded = url_decode(target, false);
    if (!decoded) return bad_path("the path is not valid percent-encoding");
    const std::string& path = *decoded;
    if (path.find('\0') != std::string::npos) return bad_path("the path holds a NUL byte");
    if (path.find('\\') != std::string::npos) return bad_path("the path holds a backslash");

    fs::path rel;
    std::string_view rest = path;
    while (!rest.empty()) {
        auto slash = rest.find('/');
        auto seg = rest.substr(0, slash);
        rest = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash + 1);
        if (seg.empty()) continue;  // "//" collapses; a leading "/" never makes the path absolute
        if (seg == "." || seg == "..") return bad_path("the path may not contain '.' or '..' segments");
        if (seg.front() == '.') return not_found(path);
        rel /= fs::path(std::string(seg));
    }
    fs::path full = root_ / rel;
    std::error_code ec;
    if (rel.empty() || fs::is_directory(full, ec)) full /= "index.html";
    auto real = fs::canonical(full, ec);
    // A symlink may point anywhere; only what resolves inside the root is served.
    if (ec || !inside(root_, real) || !fs::is_regular_file(real, ec)) return not_found(path);
    auto ext = real.extension().string();
    return StaticFile{real, content_type(ext.empty() ? std::string_view{} : std::string_view(ext).substr(1))};
}

std::optional<std::string> StaticFiles::read(const StaticFile& f, std::size_t max_bytes) {
    int fd = ::open(f.path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) return std::nullopt;
    struct stat st {};
    std::optional<std::string> out;
    if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && static_cast<std::size_t>(st.st_size) <= max_bytes) {
        std::string data(static_cast<std::size_t>(st.st_size), '\0');
        std::size_t got = 0;
        while (got < data.size()) {
            auto n = ::read(fd, data.data() + got, data.size() - got);
            if (n <= 0) break;
            got += static_cast<std::size_t>(n);
        }
        data.resize(got);
        out = std::move(data);
    }
    ::close(fd);
    return out;
}

}  // namespace telehub::hub
