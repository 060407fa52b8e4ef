// Serves files from the web root. A request path is percent-decoded once,
// then refused if any segment is "." or "..", if it holds a backslash or NUL,
// or if it is not origin-form; the joined path is resolved with symlinks and
// must still lie inside the (canonical) root. Dotfiles are not served.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace telehub::hub {

struct StaticFile {
    std::filesystem::path path;  // canonical, inside the root
    std::string_view content_type;
};

struct StaticRefusal {
    int status;  // 400 for a malformed or traversing path, 404 for anything not served
    std::string code;
    std::string message;
};

class StaticFiles {
public:
    // Throws std::runtime_error when `root` is not a readable directory
    // (a start-up error).
    explicit StaticFiles(const std::filesystem::path& root);

    // `target` is the request target (query string allowed).
    std::variant<StaticFile, StaticRefusal> resolve(std::string_view target) const;

    // The whole file, up to `max_bytes`; nullopt when unreadable or larger.
    static std::optional<std::string> read(const StaticFile& f, std::size_t max_bytes = 16 << 20);

    // By extension ("js", "css", ...); application/octet-stream when unknown.
    static std::string_view content_type(std::string_view extension);

    const std::filesystem::path& root() const { return root_; }

private:
    std::filesystem::path root_;
};

}  // namespace telehub::hub
