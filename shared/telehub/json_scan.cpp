#include "telehub/json_scan.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <limits>
#include <vector>

namespace telehub {
namespace {

// simdjson's own limit on nesting, so that a frame deep enough to be refused
// is refused for the same reason whichever of the two reads it.
constexpr int max_depth = 1024;

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// Four hex digits at `p` (which has at least four bytes), or -1.
long hex4(const char* p) {
    long v = 0;
    for (int i = 0; i < 4; ++i) {
        const int d = hex_digit(p[i]);
        if (d < 0) return -1;
        v = v * 16 + d;
    }
    return v;
}

void append_utf8(std::string& out, unsigned long cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Whether a number token a double cannot hold is too small rather than too
// large: the power of ten of its first non-zero digit is negative.
bool below_smallest_double(const char* p, const char* end) {
    if (*p == '-') ++p;
    long magnitude = 0;  // power of ten of the first non-zero digit, plus one
    bool seen = false;
    for (; p < end && is_digit(*p); ++p)
        if (seen || *p != '0') seen = true, ++magnitude;
    if (p < end && *p == '.')
        for (++p; p < end && is_digit(*p); ++p) {
            if (seen) continue;
            if (*p != '0') seen = true;
            else --magnitude;
        }
    long exponent = 0;
    if (p < end && (*p == 'e' || *p == 'E')) {
        ++p;
        const bool minus = *p == '-';
        if (*p == '+' || *p == '-') ++p;
        for (; p < end && is_digit(*p); ++p) exponent = exponent < 100000 ? exponent * 10 + (*p - '0') : exponent;
        if (minus) exponent = -exponent;
    }
    return magnitude + exponent <= 0;
}

// A key of `keys` sent twice (keys compare as decoded: "a" and "\u0061" are
// one key), or nullptr. A few plain keys are compared pairwise, without
// allocating; more are sorted, so a frame of many keys costs n log n.
const JsonKey* find_key_twice(const std::vector<JsonKey>& keys) {
    const std::size_t n = keys.size();
    if (n < 2) return nullptr;
    const auto escaped = static_cast<std::size_t>(
        std::count_if(keys.begin(), keys.end(), [](const JsonKey& k) { return k.escaped; }));
    if (escaped == 0 && n <= 8) {
        for (std::size_t i = 1; i < n; ++i)
            for (std::size_t j = 0; j < i; ++j)
                if (keys[i].raw == keys[j].raw) return &keys[i];
        return nullptr;
    }
    std::vector<std::string> decoded;  // reserved once: the views below point into it
    decoded.reserve(escaped);
    std::vector<std::pair<std::string_view, const JsonKey*>> text;
    text.reserve(n);
    for (const auto& k : keys) {
        if (!k.escaped) {
            text.emplace_back(k.raw, &k);
            continue;
        }
        JsonScan::unescape(k.raw, decoded.emplace_back());
        text.emplace_back(decoded.back(), &k);
    }
    std::sort(text.begin(), text.end());
    for (std::size_t i = 1; i < n; ++i)
        if (text[i].first == text[i - 1].first) return text[i].second;
    return nullptr;
}

}  // namespace

bool JsonScan::raw_string(std::string_view& raw, bool& escaped) {
    if (peek() != '"') return false;
    const char* start = ++p_;
    escaped = false;
    while (p_ < end_) {
        // Eight bytes at a time to the first quote, backslash or control
        // character (the lowest byte flagged is exact; ones above it may not be).
        constexpr std::uint64_t ones = 0x0101010101010101, highs = 0x8080808080808080;
        while (end_ - p_ >= 8) {
            std::uint64_t w;
            std::memcpy(&w, p_, 8);
            const std::uint64_t quote = w ^ (ones * '"'), slash = w ^ (ones * '\\');
            const std::uint64_t hits = ((quote - ones) & ~quote) | ((slash - ones) & ~slash) | ((w - ones * 0x20) & ~w);
            if (hits & highs) {
                p_ += static_cast<unsigned>(__builtin_ctzll(hits & highs)) / 8;
                break;
            }
            p_ += 8;
        }
        if (p_ == end_) break;
        const char c = *p_;
        if (c == '"') {
            raw = std::string_view(start, static_cast<std::size_t>(p_ - start));
            ++p_;
            return true;
        }
        if (static_cast<unsigned char>(c) < 0x20) return fail("a control character escaped in a string");
        if (c != '\\') {
            ++p_;
            continue;
        }
        escaped = true;
        if (end_ - p_ < 2) break;
        switch (p_[1]) {
        case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
            p_ += 2;
            continue;
        case 'u': {
            if (end_ - p_ < 6) break;
            const long cp = hex4(p_ + 2);
            if (cp < 0) return fail("four hex digits after \\u");
            p_ += 6;
            if (cp >= 0xDC00 && cp <= 0xDFFF) return fail("a low surrogate after a high one");
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                if (end_ - p_ < 6 || p_[0] != '\\' || p_[1] != 'u') return fail("a low surrogate after a high one");
                const long low = hex4(p_ + 2);
                if (low < 0xDC00 || low > 0xDFFF) return fail("a low surrogate after a high one");
                p_ += 6;
            }
            continue;
        }
        default:
            return fail("a valid escape in a string");
        }
        break;
    }
    return fail("a string's closing quote");
}

void JsonScan::unescape(std::string_view raw, std::string& out) {
    out.clear();
    for (std::size_t i = 0; i < raw.size(); ++i) {
        if (raw[i] != '\\') {
            out += raw[i];
            continue;
        }
        const char e = raw[++i];
        switch (e) {
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
            unsigned long cp = static_cast<unsigned long>(hex4(raw.data() + i + 1));
            i += 4;
            if (cp >= 0xD800 && cp <= 0xDBFF) {  // raw_string checked that its low half follows
                const auto low = static_cast<unsigned long>(hex4(raw.data() + i + 3));
                cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                i += 6;
            }
            append_utf8(out, cp);
            break;
        }
        default: out += e; break;  // '"', '\\', '/'
        }
    }
}

bool JsonScan::string(std::string& out) {
    std::string_view raw;
    bool escaped;
    if (!raw_string(raw, escaped)) return false;
    decode(raw, escaped, out);
    return true;
}

bool JsonScan::number_slow(JsonNumber& out) {
    const char c0 = peek();
    if (c0 != '-' && !is_digit(c0)) return false;
    const char* start = p_;
    const bool negative = c0 == '-';
    if (negative) ++p_;
    if (p_ == end_ || !is_digit(*p_)) return fail("a digit in a number");
    std::uint64_t mantissa = 0;
    int digits = 0;  // significant digits in `mantissa`, up to 19
    bool exact = true;  // `mantissa` holds every digit
    if (*p_ == '0') {
        ++p_;
    } else {
        for (; p_ < end_ && is_digit(*p_); ++p_) {
            if (digits < 19) {
                mantissa = mantissa * 10 + static_cast<unsigned>(*p_ - '0');
                ++digits;
            } else {
                exact = false;
            }
        }
    }
    const char* int_end = p_;
    int scale = 0;  // the value is mantissa × 10^scale when `exact`
    bool integer = true;
    if (p_ < end_ && *p_ == '.') {
        integer = false;
        ++p_;
        if (p_ == end_ || !is_digit(*p_)) return fail("a digit after a decimal point");
        for (; p_ < end_ && is_digit(*p_); ++p_) {
            if (digits < 19 && exact) {
                mantissa = mantissa * 10 + static_cast<unsigned>(*p_ - '0');
                if (mantissa != 0) ++digits;
                --scale;
            } else if (*p_ != '0') {
                exact = false;
            }
        }
    }
    if (p_ < end_ && (*p_ == 'e' || *p_ == 'E')) {
        integer = false;
        exact = false;
        ++p_;
        if (p_ < end_ && (*p_ == '+' || *p_ == '-')) ++p_;
        if (p_ == end_ || !is_digit(*p_)) return fail("a digit in an exponent");
        while (p_ < end_ && is_digit(*p_)) ++p_;
    }
    if (integer && exact && int_end - start - (negative ? 1 : 0) <= 19) {
        // 19 digits always fit; a 20th is checked by the slow path below.
        if (negative && mantissa > std::uint64_t{1} << 63) return fail("an integer of at most 64 bits");
        // -0 is an integer 0, as simdjson reads it.
        out.kind = negative && mantissa != 0 ? JsonNumber::Kind::negative : JsonNumber::Kind::non_negative;
        out.magnitude = mantissa;
        out.value = negative ? -static_cast<double>(mantissa) : static_cast<double>(mantissa);
        return true;
    }
    if (integer) {
        // simdjson refuses an integer of more than 64 bits rather than round it.
        std::uint64_t v;
        auto [end, ec] = std::from_chars(start + (negative ? 1 : 0), p_, v);
        if (ec != std::errc() || end != p_ || (negative && v > std::uint64_t{1} << 63))
            return fail("an integer of at most 64 bits");
        out.kind = negative ? JsonNumber::Kind::negative : JsonNumber::Kind::non_negative;
        out.magnitude = v;
        out.value = negative ? -static_cast<double>(v) : static_cast<double>(v);
        return true;
    }
    out.kind = JsonNumber::Kind::real;
    if (exact && mantissa < (std::uint64_t{1} << 53) && scale >= -22) {
        const double m = static_cast<double>(mantissa);
        out.value = scale < 0 ? m / exact_pow10[-scale] : m;
        if (negative) out.value = -out.value;
        return true;
    }
    auto [end, ec] = std::from_chars(start, p_, out.value);
    if (ec == std::errc::result_out_of_range && below_smallest_double(start, p_)) {
        out.value = negative ? -0.0 : 0.0;  // as simdjson reads it: too small is zero, too large is an error
        return true;
    }
    if (ec != std::errc() || end != p_) return fail("a number a double can hold");
    return true;
}

bool JsonScan::literal(std::string_view word) {
    if (static_cast<std::size_t>(end_ - p_) < word.size() ||
        std::char_traits<char>::compare(p_, word.data(), word.size()) != 0)
        return fail("true, false or null");
    p_ += word.size();
    return true;
}

bool JsonScan::boolean(bool& out) {
    const char c = peek();
    if (c == 't') return (out = true, literal("true"));
    if (c == 'f') return (out = false, literal("false"));
    return false;
}

bool JsonScan::null() { return peek() == 'n' && literal("null"); }

bool JsonScan::skip(int depth, bool check_keys) {
    switch (peek()) {
    case '"': {
        std::string_view raw;
        bool escaped;
        return raw_string(raw, escaped);
    }
    case 't': case 'f': {
        bool b;
        return boolean(b);
    }
    case 'n':
        return null();
    case '{': {
        if (depth > max_depth) return fail("nesting no deeper than 1024");
        ++p_;
        std::vector<JsonKey> keys;  // each object's own, gathered as it is passed: no second walk
        if (!object_body(depth, check_keys, check_keys ? &keys : nullptr)) return false;
        if (const JsonKey* k = find_key_twice(keys)) {
            if (!broken_) key_twice_ = *k, broke_on_key_twice_ = true;
            return fail("each key once in an object");
        }
        return true;
    }
    case '[': {
        if (depth > max_depth) return fail("nesting no deeper than 1024");
        ++p_;
        if (peek() == ']') return (++p_, true);
        do {
            if (!skip(depth + 1, check_keys)) return false;
        } while (peek() == ',' && ++p_);
        return expect(']', "',' or ']' after an element");
    }
    default: {
        JsonNumber n;
        return number(n) || fail("a value");
    }
    }
}

bool JsonScan::object_body(int depth, bool check_keys, std::vector<JsonKey>* keys) {
    if (peek() == '}') return (++p_, true);
    do {
        std::string_view raw;
        bool escaped;
        if (!key(raw, escaped) || !skip(depth + 1, check_keys)) return false;
        if (keys) keys->push_back({raw, escaped});
    } while (peek() == ',' && ++p_);
    return expect('}', "',' or '}' after a field");
}

bool JsonScan::key_sent_twice(const char* open, std::string& key) const {
    JsonScan s(*this);
    s.p_ = open + 1;
    s.broken_ = nullptr;
    std::vector<JsonKey> keys;
    // Passed whole before (its objects' keys checked then), so this walk
    // cannot fail and need not look inside the values again.
    if (!s.object_body(1, false, &keys)) return false;
    const JsonKey* k = find_key_twice(keys);
    if (!k) return false;
    decode(k->raw, k->escaped, key);
    return true;
}

std::string JsonScan::key_twice() const {
    std::string key;
    decode(key_twice_.raw, key_twice_.escaped, key);
    return key;
}

bool JsonScan::copy_value(std::string& out) {
    const char* start = (peek(), p_);
    if (!skip_value()) return false;
    out.clear();
    bool in_string = false;
    for (const char* q = start; q < p_; ++q) {
        const char c = *q;
        if (in_string) {
            out += c;
            if (c == '\\') out += *++q;
            else if (c == '"') in_string = false;
        } else if (c == '"') {
            in_string = true;
            out += c;
        } else if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
            out += c;
        }
    }
    return true;
}

}  // namespace telehub
