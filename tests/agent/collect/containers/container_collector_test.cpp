#include "agent/collect/containers/container_collector.hpp"

#define BOOST_TEST_MODULE container_collector
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>

#include "agent/collect/sockets/socket_churn.hpp"
#include "agent/collect/sockets/socket_collector.hpp"
#include "tests/support/fake_proc_tree.hpp"

// Each container's cgroup accounting over a /proc tree and cgroup
// hierarchies the test builds: the mount table, each process's
// /proc/PID/cgroup and the files a cgroup directory holds.

using namespace telehub;
using namespace telehub::agent;
namespace fs = std::filesystem;

namespace {

const char* const recorded_net = TELEHUB_TEST_DATA "/net/proc/net";

void write(const fs::path& file, const std::string& text) {
    fs::create_directories(file.parent_path());
    std::ofstream(file) << text;
}

ProcessEntry proc(int pid, const char* name) {
    ProcessEntry e;
    e.pid = pid;
    e.starttime = 1000;
    e.name = name;
    return e;
}

// A hybrid host: cgroup v2 beside the v1 memory hierarchy, as on this
// project's own test machine. Three services:
//   v1mem.service  memory in the v1 hierarchy (usage 5 MiB, no limit)
//   v2mem.service  memory.current / memory.max in v2 (7 MiB of 64 MiB)
//   nomem.service  in v2 only, without the memory controller: nothing to read
struct Scenario {
    test::FakeProcTree tree{recorded_net};
    fs::path cg = fs::path(tree.root()) / "cgroup";
    ProcessList procs{proc(100, "v1mem"), proc(200, "v2mem"), proc(300, "nomem")};
    SocketCollector sockets{tree.root(), false};
    SocketChurnCollector churn;
    ContainerCollector containers;
    Sample out;

    static ContainerOptions options(const std::string& root) {
        ContainerOptions o;
        o.proc_root = root;
        return o;
    }

    Scenario() : containers((setup(), options(tree.root()))) {}

    void setup() {
        const fs::path root = tree.root();
        write(root / "self/mountinfo",
              "31 30 0:27 / " + (cg / "unified").string() + " rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n" +
                  "36 30 0:31 / " + (cg / "memory").string() + " rw,nosuid - cgroup cgroup rw,memory\n");
        write(root / "100/cgroup", "4:memory:/system.slice/v1mem.service\n0::/system.slice/v1mem.service\n");
        write(root / "200/cgroup", "4:memory:/\n0::/system.slice/v2mem.service\n");
        write(root / "300/cgroup", "4:memory:/\n0::/system.slice/nomem.service\n");
        for (const char* unit : {"v1mem.service", "v2mem.service", "nomem.service"})
            write(cg / "unified/system.slice" / unit / "cpu.stat", "usage_usec 1000\nuser_usec 600\nsystem_usec 400\n");
        write(cg / "memory/system.slice/v1mem.service/memory.usage_in_bytes", "5242880\n");
        write(cg / "memory/system.slice/v1mem.service/memory.limit_in_bytes", "9223372036854771712\n");
        write(cg / "unified/system.slice/v2mem.service/memory.current", "7340032\n");
        write(cg / "unified/system.slice/v2mem.service/memory.max", "67108864\n");
    }

    const ContainerStats& tick_and_find(const std::string& id) {
        containers.update(procs);
        BOOST_REQUIRE_MESSAGE(sockets.collect(procs, 10, out.sockets), sockets.error());
        churn.update(1000, procs, sockets);
        containers.fill(procs, sockets, churn, out);
        for (const auto& c : out.containers)
            if (c.id == id) return c;
        BOOST_FAIL("no container " << id << " among " << out.containers.size());
        throw std::logic_error("unreachable");
    }
};

}  // namespace

BOOST_AUTO_TEST_CASE(memory_from_v1_and_v2_accounting) {
    Scenario s;
    const ContainerStats& v1 = s.tick_and_find("v1mem.service");
    BOOST_TEST(v1.runtime == "systemd");
    BOOST_TEST(v1.mem_known);
    BOOST_TEST(v1.mem == 5242880u);
    BOOST_TEST(v1.mem_limit == 0u);  // v1's "no limit" is the largest page-aligned value
    const ContainerStats& v2 = s.tick_and_find("v2mem.service");
    BOOST_TEST(v2.mem_known);
    BOOST_TEST(v2.mem == 7340032u);
    BOOST_TEST(v2.mem_limit == 67108864u);
}

// A cgroup whose memory nobody accounts is unknown, not 0 bytes: the
// dashboard shows "–" for it rather than an idle container.
BOOST_AUTO_TEST_CASE(memory_not_accounted_is_unknown_not_zero) {
    Scenario s;
    const ContainerStats& c = s.tick_and_find("nomem.service");
    BOOST_TEST(c.procs == 1u);
    BOOST_TEST(!c.mem_known);
    BOOST_TEST(c.mem == 0u);
    BOOST_TEST(c.mem_limit == 0u);
}

// A file that stops being readable (the cgroup went away between two ticks
// while the process list still had it) makes the figure unknown again.
BOOST_AUTO_TEST_CASE(memory_that_can_no_longer_be_read_becomes_unknown) {
    Scenario s;
    BOOST_TEST(s.tick_and_find("v2mem.service").mem_known);
    fs::remove(s.cg / "unified/system.slice/v2mem.service/memory.current");
    const ContainerStats& c = s.tick_and_find("v2mem.service");
    BOOST_TEST(!c.mem_known);
    BOOST_TEST(c.mem == 0u);
}
