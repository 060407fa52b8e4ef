#include "telehub/json_writer.hpp"

namespace telehub {

void append_json_string(std::string& out, std::string_view v) {
    static constexpr char hex[] = "0123456789abcdef";
    out.push_back('"');
    for (char ch : v) {
        auto c = static_cast<unsigned char>(ch);
        if (c == '"' || c == '\\') {
            out.push_back('\\');
            out.push_back(ch);
        } else if (c < 0x20) {
            out.append("\\u00");
            out.push_back(hex[c >> 4]);
            out.push_back(hex[c & 15]);
        } else {
            out.push_back(ch);
        }
    }
    out.push_back('"');
}

}  // namespace telehub
