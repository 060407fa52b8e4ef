// Buffers for agent frames as received: the hub keeps each host's latest
// frame for REST and detail subscribers, so a sample's bytes need a buffer
// of their own. A buffer the registry lets go, once nobody else holds it
// (a dashboard's queue, a REST reply), comes back here for the next frame on
// this io thread instead of being freed, and a frame is parsed where it lies
// in it (room is kept for the parser's padding): one copy per frame, no
// allocation in the steady state.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace telehub::hub {

class RawFramePool {
public:
    // A buffer holding `frame`, with FrameDecoder::padding bytes of capacity after it.
    std::shared_ptr<std::string> take(std::string_view frame);
    // Keeps `buffer` for a later take() when this is its last holder.
    void give_back(std::shared_ptr<const std::string> buffer);

    std::size_t size() const { return free_.size(); }

    // The pool of the calling io thread.
    static RawFramePool& of_this_thread();

    // A few frames are in flight per thread at once; more spares would be
    // memory held for nothing.
    static constexpr std::size_t max_free = 8;
    // A buffer grown by an unusually large frame is not kept.
    static constexpr std::size_t max_kept_capacity = 64 * 1024;

private:
    std::vector<std::shared_ptr<std::string>> free_;
};

}  // namespace telehub::hub
