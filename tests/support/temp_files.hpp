// Temporary files and folders a test makes, removed by the destructor.
#pragma once

#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

namespace telehub::test {

// A file holding `text` in the temp folder, named `stem`-PID-N`suffix`.
struct TempFile {
    std::string path;
    explicit TempFile(const std::string& text, const std::string& stem = "telehub-test", const std::string& suffix = ".toml") {
        static int n = 0;
        path = (std::filesystem::temp_directory_path() /
                (stem + "-" + std::to_string(::getpid()) + "-" + std::to_string(++n) + suffix))
                   .string();
        std::ofstream(path) << text;
    }
    ~TempFile() {
        std::error_code ec;
        std::filesystem::remove(path, ec);
    }
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;
};

// An empty folder in the temp folder, removed with everything in it.
struct TempDir {
    std::filesystem::path path;
    explicit TempDir(const std::string& stem = "telehub-test") {
        static int n = 0;
        path = std::filesystem::temp_directory_path() /
               (stem + "-" + std::to_string(::getpid()) + "-" + std::to_string(++n));
        std::filesystem::create_directories(path);
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
};

}  // namespace telehub::test
