// Every piece of JSON the programs write goes through telehub::json_text
// (shared/telehub/json_text.hpp), which writes bytes that are not UTF-8 as
// U+FFFD. nlohmann's own dump() throws on them by default, and paths, host
// ids and process names are not always UTF-8: one such call on an io thread
// stopped the hub on a request for /api/%FF. This finds any other.
#define BOOST_TEST_MODULE json_dump
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <regex>
#include <string>

namespace fs = std::filesystem;

namespace {

// j.dump(), j->dump(), j.dump(2, ...): nlohmann's signature (an indent or nothing).
const std::regex dump_call(R"((\.|->)\s*dump\s*\(\s*(\)|-?\d))");

}  // namespace

BOOST_AUTO_TEST_CASE(no_product_file_calls_nlohmann_dump_itself) {
    const fs::path source_dir = TELEHUB_SOURCE_DIR;
    std::size_t files = 0;
    for (auto top : {"agent", "hub", "shared"}) {
        for (const auto& e : fs::recursive_directory_iterator(source_dir / top)) {
            auto ext = e.path().extension();
            if (!e.is_regular_file() || (ext != ".cpp" && ext != ".hpp")) continue;
            auto rel = fs::relative(e.path(), source_dir).string();
            if (rel == "shared/telehub/json_text.hpp") continue;
            ++files;
            std::ifstream in(e.path());
            std::string line;
            for (int n = 1; std::getline(in, line); ++n)
                BOOST_TEST(!std::regex_search(line, dump_call), rel << ":" << n << " calls dump() itself; use json_text: "
                                                                    << line);
        }
    }
    BOOST_TEST(files > 100u);  // the tree was found
}

BOOST_AUTO_TEST_CASE(the_check_sees_the_calls_it_forbids) {
    BOOST_TEST(std::regex_search(std::string("return j.dump();"), dump_call));
    BOOST_TEST(std::regex_search(std::string("x = args->dump();"), dump_call));
    BOOST_TEST(std::regex_search(std::string("    .dump(1, ' ', false)"), dump_call));
    BOOST_TEST(std::regex_search(std::string("j.dump(-1, ' ', false, json::error_handler_t::replace)"), dump_call));
    BOOST_TEST(!std::regex_search(std::string("r.dump(SocketFamily::tcp, AF_INET, table)"), dump_call));
    BOOST_TEST(!std::regex_search(std::string("return json_text(j);"), dump_call));
}
