// The layout rules of docs/architecture.md, checked on the source tree: a
// folder holds one concern and few files, each room has one public header
// named for it, and a file of one room reaches another room only through that
// header. A change that breaks a seam fails here, not in review.
#define BOOST_TEST_MODULE rooms
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

const fs::path source_dir = TELEHUB_SOURCE_DIR;

// A folder past this many .cpp/.hpp files holds more than one concern.
constexpr std::size_t max_files_per_folder = 16;

// The programs' own folders compose the rooms; they are not rooms themselves.
const std::set<std::string> program_folders = {"agent", "hub"};

// Headers of a program folder that rooms may read: the hub's shared context
// (docs/architecture.md explains why the request handlers take it whole).
const std::set<std::string> shared_program_headers = {"hub/hub_context.hpp", "hub/hub_config.hpp"};

std::vector<fs::path> product_folders() {
    std::vector<fs::path> out;
    for (auto top : {"agent", "hub"}) {
        out.push_back(top);
        for (const auto& e : fs::recursive_directory_iterator(source_dir / top))
            if (e.is_directory()) out.push_back(fs::relative(e.path(), source_dir));
    }
    return out;
}

std::vector<fs::path> sources_in(const fs::path& folder) {
    std::vector<fs::path> out;
    for (const auto& e : fs::directory_iterator(source_dir / folder)) {
        auto ext = e.path().extension();
        if (e.is_regular_file() && (ext == ".cpp" || ext == ".hpp")) out.push_back(fs::relative(e.path(), source_dir));
    }
    return out;
}

bool is_room(const fs::path& folder) { return !program_folders.count(folder.string()); }

fs::path public_header(const fs::path& room) { return room / (room.filename().string() + ".hpp"); }

std::vector<std::string> project_includes(const fs::path& file) {
    static const std::regex include_re(R"re(^#include "((?:agent|hub)/[^"]+)")re");
    std::vector<std::string> out;
    std::ifstream in(source_dir / file);
    std::string line;
    std::smatch m;
    while (std::getline(in, line))
        if (std::regex_search(line, m, include_re)) out.push_back(m[1]);
    return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(no_folder_holds_too_many_files) {
    for (const auto& folder : product_folders()) {
        auto n = sources_in(folder).size();
        BOOST_TEST(n <= max_files_per_folder, folder << " holds " << n << " source files; split it by concern");
    }
}

BOOST_AUTO_TEST_CASE(every_room_has_its_public_header) {
    for (const auto& folder : product_folders()) {
        if (!is_room(folder) || sources_in(folder).empty()) continue;
        BOOST_TEST(fs::exists(source_dir / public_header(folder)), folder << " has no " << public_header(folder));
    }
}

BOOST_AUTO_TEST_CASE(rooms_meet_only_through_public_headers) {
    std::size_t checked = 0;
    for (const auto& folder : product_folders()) {
        for (const auto& file : sources_in(folder)) {
            for (const auto& inc : project_includes(file)) {
                ++checked;
                fs::path target_room = fs::path(inc).parent_path();
                if (target_room == folder) continue;
                if (!is_room(target_room)) {
                    // A room reads the program folder only for its shared context.
                    BOOST_TEST((!is_room(folder) || shared_program_headers.count(inc)),
                               file << " includes " << inc << ", which belongs to the program, not to a room");
                    continue;
                }
                BOOST_TEST(fs::path(inc) == public_header(target_room),
                           file << " includes " << inc << "; outside " << target_room << " include only "
                                << public_header(target_room));
            }
        }
    }
    BOOST_TEST(checked > 100u);  // the scan found the tree's includes at all
}

BOOST_AUTO_TEST_CASE(collectors_and_state_do_not_reach_for_the_network) {
    static const std::regex network_re(R"re(#include <boost/(beast|asio))re");
    for (auto top : {"agent/collect", "hub/state", "hub/history", "hub/store", "hub/live", "hub/http", "hub/log", "hub/metrics"}) {
        for (const auto& e : fs::recursive_directory_iterator(source_dir / top)) {
            if (!e.is_regular_file()) continue;
            std::ifstream in(e.path());
            std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
            BOOST_TEST(!std::regex_search(text, network_re), e.path() << " includes Boost.Asio or Beast");
        }
    }
}
