#include "hub/control/audit_log.hpp"

#define BOOST_TEST_MODULE audit_log
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <future>
#include <string>

#include <nlohmann/json.hpp>
#include <unistd.h>

using namespace telehub::hub;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

struct TempDir {
    fs::path dir = fs::temp_directory_path() / ("telehub-audit-" + std::to_string(::getpid()));
    TempDir() { fs::remove_all(dir); }
    ~TempDir() { fs::remove_all(dir); }
};

std::vector<std::string> file_lines(const fs::path& p) {
    std::ifstream in(p);
    std::vector<std::string> out;
    for (std::string l; std::getline(in, l);) out.push_back(l);
    return out;
}

AuditEntry entry(int pid) {
    AuditEntry e;
    e.ts_ms = 1763800000123;
    e.client = "127.0.0.1:5000";
    e.token_name = "admin";
    e.host = "web-1";
    e.op = "signal";
    e.args_json = R"({"pid":)" + std::to_string(pid) + R"(,"signal":9})";
    e.status = 200;
    e.result_json = R"({"pid":)" + std::to_string(pid) + "}";
    return e;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_line_is_on_disk_before_the_caller_is_told) {
    TempDir t;
    auto path = t.dir / "sub" / "audit.jsonl";
    AuditLog log(path.string());
    // Checked here, not in the callback: it runs on the log's writer thread,
    // and Boost.Test's checks are not thread-safe (ThreadSanitizer said so).
    std::promise<std::pair<bool, std::size_t>> when_told;
    log.append(entry(42), [&](bool ok) { when_told.set_value({ok, file_lines(path).size()}); });
    const auto [ok, lines] = when_told.get_future().get();
    BOOST_TEST(ok);
    BOOST_TEST(lines == 1u);
    auto j = json::parse(file_lines(path).at(0));
    BOOST_TEST(j["time"] == "2025-11-22T08:26:40.123Z");
    BOOST_TEST(j["client"] == "127.0.0.1:5000");
    BOOST_TEST(j["token"] == "admin");
    BOOST_TEST(j["host"] == "web-1");
    BOOST_TEST(j["op"] == "signal");
    BOOST_TEST(j["args"]["pid"] == 42);
    BOOST_TEST(j["status"] == 200);
    BOOST_TEST(j["result"]["pid"] == 42);
    BOOST_TEST(j["error"].is_null());
}

BOOST_AUTO_TEST_CASE(errors_and_query_sizes_are_recorded) {
    AuditEntry e = entry(1);
    e.status = 403;
    e.result_json.clear();
    e.error_code = "refused";
    e.error_message = "pid 1 is protected";
    auto j = json::parse(audit_line(e));
    BOOST_TEST(j["error"]["code"] == "refused");
    BOOST_TEST(j["result_bytes"] == 0);
    BOOST_TEST(!j.contains("result"));
}

BOOST_AUTO_TEST_CASE(the_tail_survives_a_restart_and_appends) {
    TempDir t;
    auto path = (t.dir / "audit.jsonl").string();
    {
        AuditLog log(path);
        for (int i = 1; i <= 5; ++i) log.append(entry(i), nullptr);
    }  // the destructor writes what is queued
    BOOST_TEST(file_lines(path).size() == 5u);
    AuditLog again(path, 3);
    auto tail = again.tail(10);
    BOOST_REQUIRE(tail.size() == 3u);
    BOOST_TEST(json::parse(tail.back())["args"]["pid"] == 5);
    std::promise<void> done;
    again.append(entry(6), [&](bool) { done.set_value(); });
    done.get_future().get();
    BOOST_TEST(file_lines(path).size() == 6u);
    BOOST_TEST(json::parse(again.tail(1).at(0))["args"]["pid"] == 6);
}

namespace {
std::string writable_error(AuditLog& log) {
    std::promise<std::string> p;
    log.check_writable([&](std::string error) { p.set_value(std::move(error)); });
    return p.get_future().get();
}
}  // namespace

// A command must not run unaudited: the hub asks check_writable() first.
BOOST_AUTO_TEST_CASE(an_unopenable_path_is_reported_and_fails_every_check) {
    AuditLog log("/proc/telehub-audit.jsonl");
    BOOST_TEST(log.open_error().find("/proc/telehub-audit.jsonl") != std::string::npos, log.open_error());
    BOOST_TEST(writable_error(log).find("not open") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_full_device_fails_the_check_and_a_fine_file_passes_it) {
    AuditLog full("/dev/full");
    BOOST_TEST(full.open_error().empty());
    BOOST_TEST(writable_error(full).find("No space left") != std::string::npos, writable_error(full));
    TempDir t;
    fs::create_directories(t.dir);
    AuditLog fine((t.dir / "audit.jsonl").string());
    BOOST_TEST(writable_error(fine) == "");
}

// logrotate moves the file away; after reopen() (SIGHUP) new lines go to a
// new file at the path, and none is lost or written twice.
BOOST_AUTO_TEST_CASE(reopen_after_a_rotation_writes_to_a_new_file) {
    TempDir t;
    fs::create_directories(t.dir);
    auto path = t.dir / "audit.jsonl";
    auto rotated = t.dir / "audit.jsonl.1";
    AuditLog log(path.string());
    auto append_and_wait = [&](int pid) {
        std::promise<bool> written;
        log.append(entry(pid), [&](bool ok) { written.set_value(ok); });
        return written.get_future().get();
    };
    BOOST_TEST(append_and_wait(1));
    fs::rename(path, rotated);
    BOOST_TEST(append_and_wait(2));  // still the open (moved) file until told
    log.reopen();
    BOOST_TEST(append_and_wait(3));
    BOOST_TEST(file_lines(rotated).size() == 2u);
    auto fresh = file_lines(path);
    BOOST_REQUIRE(fresh.size() == 1u);
    BOOST_TEST(json::parse(fresh[0])["args"]["pid"] == 3);
}
