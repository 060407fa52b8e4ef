// The message each hub publishes once a second on the cluster's fleet
// channel (docs/cluster.md): its name, its clock and the summaries of the
// hosts it holds online, as GET /api/hosts writes them:
//   {"hub":"A","ts_ms":..,"high_cpu":..,"counts":{..},"hosts":[summary, ...]}
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "hub/state/state.hpp"

namespace telehub::hub {

struct FleetBatch {
    std::string hub;
    std::int64_t ts_ms = 0;
    std::vector<HostSummary> hosts;
};

struct FleetBatchError {
    std::string message;
};

std::string encode_fleet_batch(std::string_view hub, std::int64_t ts_ms, double high_cpu,
                               const std::vector<HostSummary>& hosts);

// Reads batches with simdjson, its buffers reused from one to the next: a
// batch of 3,000 hosts is 1.4 MB, and a hub reads one from every other hub
// each second. One per thread.
class FleetBatchDecoder {
public:
    FleetBatchDecoder();
    ~FleetBatchDecoder();
    FleetBatchDecoder(const FleetBatchDecoder&) = delete;
    FleetBatchDecoder& operator=(const FleetBatchDecoder&) = delete;

    // Anything but a batch another telehub wrote is refused with why.
    std::variant<FleetBatch, FleetBatchError> decode(std::string_view text);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

std::variant<FleetBatch, FleetBatchError> decode_fleet_batch(std::string_view text);

// True when `text` is a batch `hub` wrote (its first field), read without
// decoding it: a hub receives its own batches back from the channel.
bool is_batch_of(std::string_view text, std::string_view hub);
// The "ts_ms" of a batch `hub` wrote (its second field), read the same way;
// nullopt when it is not one.
std::optional<std::int64_t> batch_ts_of(std::string_view text, std::string_view hub);

}  // namespace telehub::hub
