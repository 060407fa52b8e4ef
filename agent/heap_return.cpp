#include "agent/heap_return.hpp"

#include <malloc.h>

namespace telehub::agent {

bool return_free_heap(std::size_t threshold) {
    // mallinfo2 reads the arena's counters; malloc_trim walks every free
    // chunk and madvises its pages away, so it runs only when enough is free.
    if (mallinfo2().fordblks < threshold) return false;
    return malloc_trim(0) == 1;
}

}  // namespace telehub::agent
