// One sample with every part of the protocol's sample filled (a process in
// the top list, by_process, churn, a leak suspect), for the codec's tests.
#pragma once

#include "telehub/sample.hpp"

namespace telehub::test {

inline Sample example_sample() {
    Sample s;
    s.host_id = "host-a";
    s.seq = 42;
    s.ts_ms = 1763800000000;
    s.interval_ms = 1000;
    s.cpu = {12.5, 8.0, 4.0, 0.5, 0.0, {10.1, 14.9}};
    s.load = {0.5, 0.4, 0.3};
    s.mem = {16'000'000'000ULL, 8'000'000'000ULL};
    s.procs = {312, 2};
    TopProcess p;
    p.pid = 1234;
    p.ppid = 1;
    p.name = "ng (x) inx";
    p.user = "www-data";
    p.state = 'R';
    p.cpu = 35.2;
    p.utime = 573;
    p.stime = 806;
    p.rss = 12345678;
    p.threads = 4;
    p.nice = -5;
    p.sockets = {100, 0, 2};
    s.top.push_back(p);
    s.sockets.tcp[tcp_established] = 120;
    s.sockets.tcp[tcp_listen] = 8;
    s.sockets.tcp[tcp_time_wait] = 3;
    s.sockets.udp = 4;
    s.sockets.unix_ = 60;
    s.sockets.source = "netlink";
    ProcessSockets ps;
    ps.pid = 1234;
    ps.name = "nginx";
    ps.total = 102;
    ps.tcp[tcp_established] = 98;
    ps.tcp[tcp_listen] = 2;
    s.sockets.by_process.push_back(ps);
    s.sockets.churn.exact = true;
    s.sockets.churn.tcp_active_opens = 10;
    s.sockets.churn.opened = 9;
    ProcessChurn pc;
    pc.pid = 1234;
    pc.name = "nginx";
    pc.opened.tcp = 9;
    pc.closed.udp = 2;
    pc.opened_total = 90;
    pc.open.tcp = 100;
    s.sockets.churn_by_process.push_back(pc);
    s.leaks.push_back({1234, "nginx", "growth", 102, 1763800000000, "sockets grew"});
    return s;
}

// The same on a container host: processes, a leak and sockets in container
// "web", the host's namespace and the container's, and three containers (one
// whose CPU, one whose memory could not be read) of 9.
inline Sample example_container_host_sample() {
    Sample in = example_sample();
    in.sockets.by_process[0].container = "web";
    in.top[0].container = "web";
    in.leaks[0].container = "web";
    NetnsSockets host;
    host.inode = 4026531833;
    host.host = true;
    host.source = "netlink";
    host.owner_pid = 1;
    host.owner_name = "init";
    host.tcp[tcp_established] = 120;
    NetnsSockets web = host;
    web.inode = 4026532301;
    web.host = false;
    web.source = "proc";
    web.container_id = "3f1a9c2e7b4d5a6f";
    web.container = "web";
    web.owner_pid = 1234;
    web.tcp[tcp_established] = 98;
    web.udp = 3;
    in.sockets.netns = {host, web};
    ContainerStats c;
    c.id = "3f1a9c2e7b4d5a6f";
    c.name = "web";
    c.runtime = "docker";
    c.cpu_known = true;
    c.cpu = 55.5;
    c.mem_known = true;
    c.mem = 1 << 20;
    c.mem_limit = 1 << 30;
    c.procs = 3;
    c.tcp[tcp_established] = 98;
    c.tcp[tcp_listen] = 2;
    c.leaks = 1;
    ContainerStats unknown_cpu = c;
    unknown_cpu.id = unknown_cpu.name = "cron.service";
    unknown_cpu.cpu_known = false;
    ContainerStats unknown_mem = c;
    unknown_mem.id = unknown_mem.name = "backup.service";
    unknown_mem.mem_known = false;
    in.containers = {c, unknown_cpu, unknown_mem};
    in.containers_total = 9;
    return in;
}

}  // namespace telehub::test
