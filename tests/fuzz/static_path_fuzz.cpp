// The hub's static-file resolution (StaticFiles::resolve) over a web root
// the target builds once: files, a sub-folder, a dotfile, a symlink to a file
// outside the root and one to the root's parent. Whatever the request target,
// a file it serves is a regular file inside the canonical root, never the
// outside secret and never a dotfile; a refusal is a 400 or a 404 with a code.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <variant>

#include "hub/api/static_files.hpp"
#include "tests/fuzz/fuzz_check.hpp"

namespace fs = std::filesystem;

namespace {

fs::path sandbox;

void write(const fs::path& p, std::string_view text) { std::ofstream(p) << text; }

void remove_sandbox() {
    std::error_code ec;
    fs::remove_all(sandbox, ec);
}

const telehub::hub::StaticFiles& files() {
    static const telehub::hub::StaticFiles f = [] {
        std::string dir = (fs::temp_directory_path() / "telehub-fuzz-static-XXXXXX").string();
        FUZZ_CHECK(::mkdtemp(dir.data()) != nullptr);
        sandbox = dir;
        std::atexit(remove_sandbox);
        fs::create_directories(sandbox / "web" / "js");
        fs::create_directories(sandbox / "outside");
        write(sandbox / "outside" / "secret.txt", "secret");
        write(sandbox / "web" / "index.html", "<html></html>");
        write(sandbox / "web" / "js" / "app.js", "1");
        write(sandbox / "web" / "a b%.css", "x");
        write(sandbox / "web" / ".env", "hidden");
        fs::create_symlink(sandbox / "outside" / "secret.txt", sandbox / "web" / "link.txt");
        fs::create_directory_symlink(sandbox, sandbox / "web" / "up");
        return telehub::hub::StaticFiles(sandbox / "web");
    }();
    return f;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto& f = files();
    const std::string target(reinterpret_cast<const char*>(data), size);
    auto r = f.resolve(target);
    if (auto* no = std::get_if<telehub::hub::StaticRefusal>(&r)) {
        FUZZ_CHECK(no->status == 400 || no->status == 404);
        FUZZ_CHECK(!no->code.empty() && !no->message.empty());
        return 0;
    }
    const auto& file = std::get<telehub::hub::StaticFile>(r);
    const fs::path root = f.root();
    // Inside the root, compared component by component on the canonical path.
    auto [root_end, path_it] = std::mismatch(root.begin(), root.end(), file.path.begin(), file.path.end());
    FUZZ_CHECK(root_end == root.end());
    FUZZ_CHECK(path_it != file.path.end());
    for (auto it = path_it; it != file.path.end(); ++it) {
        const std::string part = it->string();
        FUZZ_CHECK(!part.empty() && part.front() != '.');
    }
    FUZZ_CHECK(file.path == fs::canonical(file.path));
    FUZZ_CHECK(fs::is_regular_file(file.path));
    FUZZ_CHECK(file.path.filename() != "secret.txt");
    FUZZ_CHECK(!file.content_type.empty());
    return 0;
}
