#include "hub/api/static_files.hpp"

#define BOOST_TEST_MODULE static_files
#include <boost/test/unit_test.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include <unistd.h>

using namespace telehub::hub;
namespace fs = std::filesystem;

namespace {

struct Tree {
    fs::path base = fs::temp_directory_path() / ("telehub-static-" + std::to_string(::getpid()));
    fs::path root = base / "web";
    Tree() {
        fs::remove_all(base);
        fs::create_directories(root / "js");
        fs::create_directories(root / "sub");
        write(root / "index.html", "<h1>home</h1>");
        write(root / "js" / "app.mjs", "export{}");
        write(root / "sub" / "index.html", "sub");
        write(root / "style.css", "body{}");
        write(root / ".secret", "x");
        write(base / "outside.txt", "secret");
        fs::create_symlink(base / "outside.txt", root / "escape.txt");
        fs::create_symlink(base, root / "up");
        fs::create_symlink(root / "style.css", root / "alias.css");
    }
    ~Tree() { fs::remove_all(base); }
    static void write(const fs::path& p, const std::string& s) { std::ofstream(p) << s; }
};

int status_of(const std::variant<StaticFile, StaticRefusal>& r) {
    if (auto* f = std::get_if<StaticRefusal>(&r)) return f->status;
    return 200;
}

}  // namespace

BOOST_FIXTURE_TEST_CASE(serves_files_with_content_types, Tree) {
    StaticFiles files(root);
    auto r = files.resolve("/");
    BOOST_REQUIRE(std::holds_alternative<StaticFile>(r));
    BOOST_TEST(std::get<StaticFile>(r).path.filename() == "index.html");
    BOOST_TEST(std::get<StaticFile>(r).content_type == "text/html; charset=utf-8");
    BOOST_TEST(*StaticFiles::read(std::get<StaticFile>(r)) == "<h1>home</h1>");
    auto js = files.resolve("/js/app.mjs?v=3");
    BOOST_REQUIRE(std::holds_alternative<StaticFile>(js));
    BOOST_TEST(std::get<StaticFile>(js).content_type == "text/javascript; charset=utf-8");
    BOOST_TEST(std::get<StaticFile>(files.resolve("/sub/")).path == fs::canonical(root / "sub" / "index.html"));
    BOOST_TEST(std::get<StaticFile>(files.resolve("//style.css")).content_type == "text/css; charset=utf-8");
    BOOST_TEST(std::get<StaticFile>(files.resolve("/alias.css")).path == fs::canonical(root / "style.css"));
    BOOST_TEST(StaticFiles::content_type("svg") == "image/svg+xml");
    BOOST_TEST(StaticFiles::content_type("png") == "image/png");
    BOOST_TEST(StaticFiles::content_type("json") == "application/json");
    BOOST_TEST(StaticFiles::content_type("ico") == "image/x-icon");
    BOOST_TEST(StaticFiles::content_type("map") == "application/json");
    BOOST_TEST(StaticFiles::content_type("txt") == "text/plain; charset=utf-8");
    BOOST_TEST(StaticFiles::content_type("exe") == "application/octet-stream");
}

BOOST_FIXTURE_TEST_CASE(traversal_is_refused, Tree) {
    StaticFiles files(root);
    BOOST_TEST(status_of(files.resolve("/../outside.txt")) == 400);
    BOOST_TEST(status_of(files.resolve("/js/../../outside.txt")) == 400);
    BOOST_TEST(status_of(files.resolve("/%2e%2e/outside.txt")) == 400);
    BOOST_TEST(status_of(files.resolve("/%2E%2E%2Foutside.txt")) == 400);
    BOOST_TEST(status_of(files.resolve("/..%2foutside.txt")) == 400);
    BOOST_TEST(status_of(files.resolve("/js/..%5c..%5coutside.txt")) == 400);
    BOOST_TEST(status_of(files.resolve("/index.html%00.png")) == 400);
    BOOST_TEST(status_of(files.resolve("/%zz")) == 400);
    BOOST_TEST(status_of(files.resolve("http://evil/etc/passwd")) == 400);
    BOOST_TEST(status_of(files.resolve("../outside.txt")) == 400);
    // Absolute-looking paths stay under the root.
    BOOST_TEST(status_of(files.resolve("//etc/passwd")) == 404);
    BOOST_TEST(status_of(files.resolve("/" + base.string() + "/outside.txt")) == 404);
    // Symlinks that lead out of the root are not followed.
    BOOST_TEST(status_of(files.resolve("/escape.txt")) == 404);
    BOOST_TEST(status_of(files.resolve("/up/outside.txt")) == 404);
    BOOST_TEST(status_of(files.resolve("/.secret")) == 404);
    BOOST_TEST(status_of(files.resolve("/missing.js")) == 404);
    // Double encoding is a literal name, not a traversal.
    BOOST_TEST(status_of(files.resolve("/%252e%252e/outside.txt")) == 404);
}

BOOST_AUTO_TEST_CASE(a_missing_root_is_a_startup_error) {
    BOOST_CHECK_THROW(StaticFiles("/nonexistent/telehub/web"), std::runtime_error);
}
