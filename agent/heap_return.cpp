#include "agent/heap_return.hpp"

#include <malloc.h>

namespace telehub::agent {

bool return_free_heap(std::size_t threshold) {
    // mallinfo2 sums the free lists (a few hundred chunks in the agent's
    // small heap); malloc_trim also madvises their pages away, so it runs
    // only when enough is free.
    if (mallinfo2().fordblks < threshold) return false;
    return malloc_trim(0) == 1;
}

}  // namespace telehub::agent
