#include "hub/ws/ws_frame.hpp"

#include <cstring>

namespace telehub::hub::ws {

HeaderResult parse_client_header(std::string_view bytes) {
    HeaderResult r;
    if (bytes.size() < 2) return r;
    const auto b0 = static_cast<std::uint8_t>(bytes[0]);
    const auto b1 = static_cast<std::uint8_t>(bytes[1]);
    auto invalid = [&r](const char* why) {
        r.status = HeaderStatus::invalid;
        r.error = why;
        return r;
    };
    if ((b0 & 0x70) != 0) return invalid("reserved bits set: no extension was negotiated");
    const auto op = static_cast<std::uint8_t>(b0 & 0x0f);
    if (op > 2 && (op < 8 || op > 10)) return invalid("unknown opcode");
    if ((b1 & 0x80) == 0) return invalid("frame from a client not masked");
    FrameHeader& h = r.header;
    h.fin = (b0 & 0x80) != 0;
    h.opcode = static_cast<Opcode>(op);
    std::uint64_t size = b1 & 0x7f;
    std::size_t at = 2;
    if (size == 126) {
        if (bytes.size() < at + 2) return r;
        size = (std::uint64_t{static_cast<std::uint8_t>(bytes[2])} << 8) | static_cast<std::uint8_t>(bytes[3]);
        if (size < 126) return invalid("payload length not in its shortest form");
        at += 2;
    } else if (size == 127) {
        if (bytes.size() < at + 8) return r;
        size = 0;
        for (std::size_t i = 0; i < 8; ++i) size = (size << 8) | static_cast<std::uint8_t>(bytes[at + i]);
        if (size >> 63) return invalid("payload length over 2^63");
        if (size <= 0xffff) return invalid("payload length not in its shortest form");
        at += 8;
    }
    if (is_control(h.opcode)) {
        if (!h.fin) return invalid("fragmented control frame");
        if (size > 125) return invalid("control frame over 125 bytes");
    }
    if (bytes.size() < at + 4) return r;
    std::memcpy(h.mask.data(), bytes.data() + at, 4);
    h.payload_size = size;
    h.header_size = at + 4;
    r.status = HeaderStatus::complete;
    return r;
}

void unmask(char* data, std::size_t size, const std::array<std::uint8_t, 4>& mask) {
    // Eight bytes at a time with the key repeated twice; the key's byte order
    // in memory is the payload's, so no shifting is needed.
    std::uint64_t key8;
    std::uint8_t twice[8];
    for (std::size_t i = 0; i < 8; ++i) twice[i] = mask[i % 4];
    std::memcpy(&key8, twice, 8);
    std::size_t i = 0;
    for (; i + 8 <= size; i += 8) {
        std::uint64_t word;
        std::memcpy(&word, data + i, 8);
        word ^= key8;
        std::memcpy(data + i, &word, 8);
    }
    for (; i < size; ++i) data[i] = static_cast<char>(data[i] ^ mask[i % 4]);
}

std::size_t server_header(Opcode opcode, std::uint64_t payload_size, std::array<char, 10>& out) {
    out[0] = static_cast<char>(0x80 | static_cast<std::uint8_t>(opcode));
    if (payload_size < 126) {
        out[1] = static_cast<char>(payload_size);
        return 2;
    }
    if (payload_size <= 0xffff) {
        out[1] = 126;
        out[2] = static_cast<char>(payload_size >> 8);
        out[3] = static_cast<char>(payload_size & 0xff);
        return 4;
    }
    out[1] = 127;
    for (std::size_t i = 0; i < 8; ++i) out[2 + i] = static_cast<char>((payload_size >> (56 - 8 * i)) & 0xff);
    return 10;
}

std::string close_payload(std::uint16_t code, std::string_view reason) {
    std::string p;
    p.reserve(2 + reason.size());
    p.push_back(static_cast<char>(code >> 8));
    p.push_back(static_cast<char>(code & 0xff));
    p.append(reason.substr(0, 123));
    return p;
}

ClosePayload parse_close_payload(std::string_view payload) {
    ClosePayload c;
    if (payload.empty()) return c;
    if (payload.size() == 1) return {false, 0};
    c.code = static_cast<std::uint16_t>((static_cast<std::uint8_t>(payload[0]) << 8) |
                                        static_cast<std::uint8_t>(payload[1]));
    // Codes a peer may send (RFC 6455 7.4 and the IANA registry); 1005, 1006
    // and 1015 only ever describe a close, they are never sent.
    const bool known = (c.code >= 1000 && c.code <= 1003) || (c.code >= 1007 && c.code <= 1014);
    c.valid = known || (c.code >= 3000 && c.code <= 4999);
    return c;
}

}  // namespace telehub::hub::ws
