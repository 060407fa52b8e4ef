// Gives the heap's free pages back to the kernel once enough of them pile up.
// glibc keeps what the agent frees inside its heap: one `sockets` report on a
// host with 20,000 connections (a JSON tree of every connection) left a
// streaming agent at 53 MB of RSS for good, 40 MB of it free heap
// (docs/benchmarks.md). Called once a tick, after the sample is sent.
#pragma once

#include <cstddef>

namespace telehub::agent {

// When at least `threshold` bytes of the heap are free, returns their pages
// to the kernel; true if any went back.
bool return_free_heap(std::size_t threshold);

}  // namespace telehub::agent
