// A fresh directory under the system temp dir, removed with everything in it
// when the object goes (a hub's --data-dir, a store file).
#pragma once

#include <atomic>
#include <filesystem>
#include <string>

#include <unistd.h>

namespace telehub::test {

struct TempDir {
    std::filesystem::path path;
    explicit TempDir(const std::string& prefix = "telehub-test") {
        static std::atomic<int> n{0};
        path = std::filesystem::temp_directory_path() /
               (prefix + "-" + std::to_string(::getpid()) + "-" + std::to_string(n.fetch_add(1)));
        std::filesystem::create_directories(path);
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    std::string str() const { return path.string(); }
};

}  // namespace telehub::test
