// The hub's WebSocket frame reader (hub/ws/ws_frame) over a stream of bytes
// as a client might send them. Every header it accepts is the one canonical
// encoding of what it read (so nothing it parsed can be read two ways), a
// control frame it accepts is whole and small, every refusal has a reason,
// unmasking twice gives the bytes back, and an accepted close code is one a
// peer may send.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "hub/ws/ws_frame.hpp"
#include "tests/fuzz/fuzz_check.hpp"

namespace {

using namespace telehub::hub;

// The client encoding of a header: what a canonical sender writes for it.
std::string encode(const ws::FrameHeader& h) {
    std::string out(1, static_cast<char>((h.fin ? 0x80 : 0) | static_cast<std::uint8_t>(h.opcode)));
    if (h.payload_size < 126) {
        out.push_back(static_cast<char>(0x80 | h.payload_size));
    } else if (h.payload_size <= 0xffff) {
        out.push_back(static_cast<char>(0x80 | 126));
        out.push_back(static_cast<char>(h.payload_size >> 8));
        out.push_back(static_cast<char>(h.payload_size & 0xff));
    } else {
        out.push_back(static_cast<char>(0x80 | 127));
        for (int i = 7; i >= 0; --i) out.push_back(static_cast<char>((h.payload_size >> (8 * i)) & 0xff));
    }
    out.append(reinterpret_cast<const char*>(h.mask.data()), 4);
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string bytes(reinterpret_cast<const char*>(data), size);
    std::size_t at = 0;
    while (at < bytes.size()) {
        const std::string_view rest(bytes.data() + at, bytes.size() - at);
        const auto r = ws::parse_client_header(rest);
        if (r.status == ws::HeaderStatus::invalid) {
            FUZZ_CHECK(r.error != nullptr && *r.error != '\0');
            return 0;
        }
        if (r.status == ws::HeaderStatus::need_more) {
            FUZZ_CHECK(rest.size() < 14);
            return 0;
        }
        const auto& h = r.header;
        FUZZ_CHECK(h.header_size >= 6 && h.header_size <= 14 && h.header_size <= rest.size());
        FUZZ_CHECK(encode(h) == rest.substr(0, h.header_size));
        if (ws::is_control(h.opcode)) FUZZ_CHECK(h.fin && h.payload_size <= 125);
        if (h.payload_size > rest.size() - h.header_size) return 0;
        char* payload = bytes.data() + at + h.header_size;
        const std::string masked(payload, h.payload_size);
        ws::unmask(payload, h.payload_size, h.mask);
        for (std::size_t i = 0; i < h.payload_size; ++i)
            FUZZ_CHECK(static_cast<std::uint8_t>(payload[i]) == (static_cast<std::uint8_t>(masked[i]) ^ h.mask[i % 4]));
        if (h.opcode == ws::Opcode::close) {
            const auto c = ws::parse_close_payload(std::string_view(payload, h.payload_size));
            if (c.valid && h.payload_size >= 2) FUZZ_CHECK(c.code >= 1000 && c.code <= 4999 && c.code != 1005 && c.code != 1006);
        }
        ws::unmask(payload, h.payload_size, h.mask);
        FUZZ_CHECK(std::string_view(payload, h.payload_size) == masked);
        at += h.header_size + h.payload_size;
    }
    return 0;
}
