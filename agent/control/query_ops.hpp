// The read-only commands: ps, users, tasks (process details), sockets (seed
// 000's report) and top (seed 003's). Each returns the reply's result or a
// failure; none changes anything on the host.
#pragma once

#include <cstddef>
#include <string>

#include <nlohmann/json.hpp>

#include "agent/control/command_outcome.hpp"
#include "agent/report/report.hpp"

namespace telehub::agent {

class SocketCollector;

struct QuerySources {
    std::string proc_root = "/proc";
    DetailsLookups details;  // the sampler's CPU % and socket owners
    // The sampler's socket collector after its last tick; nullptr: `sockets`
    // collects afresh (the one-shot path, and tests without a sampler).
    const SocketCollector* sockets = nullptr;
    ContainerOf container_of;  // the sampler's pid -> container; empty function: none named
    bool netlink = true;
    bool setns = true;
};

class QueryOps {
public:
    explicit QueryOps(QuerySources sources);

    CommandOutcome ps();
    CommandOutcome users();
    CommandOutcome tasks(const std::string& username);
    // format "csv" | "json"
    CommandOutcome sockets(const std::string& format);
    CommandOutcome top(std::size_t n, const std::string& format);

private:
    QuerySources sources_;
    ProcessDetailsReader reader_;
};

}  // namespace telehub::agent
