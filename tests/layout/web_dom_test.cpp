// The dashboard builds its DOM from nodes and text, never from HTML strings
// (docs/protocol.md: host names, process names and command lines come from
// agents and must not become markup). A review found no HTML sink in web/js;
// this keeps it so. The vendored uPlot is outside: it is not our code.
#define BOOST_TEST_MODULE web_dom
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <regex>
#include <string>

namespace fs = std::filesystem;

BOOST_AUTO_TEST_CASE(no_script_of_the_dashboard_writes_html_strings) {
    const fs::path js = fs::path(TELEHUB_SOURCE_DIR) / "web" / "js";
    const std::regex sink(R"(\b(innerHTML|outerHTML|insertAdjacentHTML|createContextualFragment)\b|document\.write|\beval\s*\(|new\s+Function\s*\()");
    std::size_t scripts = 0;
    for (const auto& entry : fs::recursive_directory_iterator(js)) {
        if (entry.path().extension() != ".js") continue;
        ++scripts;
        std::ifstream in(entry.path());
        std::string line;
        for (int n = 1; std::getline(in, line); ++n)
            BOOST_TEST(!std::regex_search(line, sink), entry.path().filename().string() << ":" << n << ": " << line);
    }
    BOOST_TEST(scripts >= 5u);  // the folder was found and read
}
