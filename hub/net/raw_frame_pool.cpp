#include "hub/net/raw_frame_pool.hpp"

#include <atomic>

#include "telehub/codec.hpp"

namespace telehub::hub {

std::shared_ptr<std::string> RawFramePool::take(std::string_view frame) {
    std::shared_ptr<std::string> b;
    if (free_.empty()) {
        b = std::make_shared<std::string>();
    } else {
        b = std::move(free_.back());
        free_.pop_back();
    }
    b->reserve(frame.size() + FrameDecoder::padding);
    b->assign(frame);
    return b;
}

void RawFramePool::give_back(std::shared_ptr<const std::string> buffer) {
    if (!buffer || buffer.use_count() != 1 || free_.size() >= max_free || buffer->capacity() > max_kept_capacity)
        return;
    // The last other holder let go on another thread (a REST reply, a live
    // session's write): its reads of the bytes happen before our writes.
    std::atomic_thread_fence(std::memory_order_acquire);
    // Every buffer here was made by take() as a mutable string.
    free_.push_back(std::const_pointer_cast<std::string>(std::move(buffer)));
}

RawFramePool& RawFramePool::of_this_thread() {
    thread_local RawFramePool pool;
    return pool;
}

}  // namespace telehub::hub
