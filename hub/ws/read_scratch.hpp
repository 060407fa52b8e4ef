// Buffers an io thread lends to the agent connections it reads. A
// connection's read takes one only once its socket is ready (drained_read's
// ReadTarget) and gives it back when the frames in it are handled, so one or
// two serve every connection of the thread and stay in its cache. Each
// connection keeping a read buffer of its own instead held 8 KiB per agent
// (80 MB at 10,000) that the kernel wrote into cold, once a second each.
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

namespace telehub::hub::ws {

class ReadScratch {
public:
    using Buffer = std::unique_ptr<char[]>;
    static constexpr std::size_t size = 8 * 1024;

    // A spare of this thread's, or a new buffer of `size` bytes.
    static Buffer lease() {
        auto& s = spares();
        if (s.empty()) return std::make_unique_for_overwrite<char[]>(size);
        Buffer b = std::move(s.back());
        s.pop_back();
        return b;
    }

    // Kept as a spare of the calling thread (which may not be the one that lent it).
    static void give_back(Buffer b) {
        auto& s = spares();
        if (b && s.size() < max_spares) s.push_back(std::move(b));
    }

    static std::size_t spares_held() { return spares().size(); }

    // Reads in flight on one thread at once: one, more only while a
    // connection's handler waits for its strand.
    static constexpr std::size_t max_spares = 4;

private:
    static std::vector<Buffer>& spares() {
        thread_local std::vector<Buffer> s;
        return s;
    }
};

}  // namespace telehub::hub::ws
