// What every fuzz target uses to state an invariant: a broken one aborts, so
// libFuzzer saves the input as a crash (plain assert() would vanish under
// NDEBUG in a RelWithDebInfo build).
#pragma once

#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(cond)                                                                   \
    do {                                                                                   \
        if (!(cond)) {                                                                     \
            std::fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__, __LINE__, #cond); \
            std::abort();                                                                  \
        }                                                                                  \
    } while (0)
