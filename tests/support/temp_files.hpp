// Temporary files a test makes (folders: temp_dir.hpp), removed by the destructor.
#pragma once

#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

#include "tests/support/temp_dir.hpp"  // TempDir

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

}  // namespace telehub::test
