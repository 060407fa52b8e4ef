// return_free_heap: freed heap goes back to the kernel once enough is free,
// and a heap with little free is left alone.
#include "agent/heap_return.hpp"

#define BOOST_TEST_MODULE heap_return
#include <boost/test/unit_test.hpp>

#include <fstream>
#include <memory>
#include <string>
#include <vector>

namespace {

long rss_anon_kb() {
    std::ifstream in("/proc/self/status");
    std::string key;
    long value = -1;
    while (in >> key) {
        if (key == "RssAnon:") {
            in >> value;
            return value;
        }
        in.ignore(1 << 12, '\n');
    }
    return value;
}

}  // namespace

BOOST_AUTO_TEST_CASE(freed_megabytes_go_back_and_a_small_heap_is_left_alone) {
    using telehub::agent::return_free_heap;
    // 32 MB in 4 KB blocks (under the mmap threshold, so in the heap),
    // written so their pages are resident; every 16th stays, so what is freed
    // is holes of 60 KB inside the heap, which free() alone never returns
    // (only the heap's top shrinks by itself).
    std::vector<std::unique_ptr<char[]>> blocks, kept;
    for (int i = 0; i < 8192; ++i) {
        blocks.emplace_back(new char[4096]);
        std::fill_n(blocks.back().get(), 4096, static_cast<char>(i));
        if (i % 16 == 15) kept.push_back(std::move(blocks.back()));
    }
    const long full = rss_anon_kb();
    blocks.clear();
    BOOST_TEST_REQUIRE(rss_anon_kb() > full - 8 * 1024, "freeing alone returned the pages; the test proves nothing here");
    BOOST_TEST(!return_free_heap(std::size_t(1) << 40), "trimmed although less than the threshold was free");
    BOOST_TEST(return_free_heap(std::size_t(1) << 20));
    BOOST_TEST(rss_anon_kb() < full - 16 * 1024, "RssAnon " << rss_anon_kb() << " kB after, " << full << " kB before");
}
