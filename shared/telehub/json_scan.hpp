// A forward cursor over one JSON text that checks the grammar of every byte it
// passes, values it reads and values it skips alike. It is the tokenizer under
// FrameReader (frame_reader.hpp): an agent's frame is read in one pass into
// the reused AgentFrame, with no tree built first (docs/protocol.md says what
// is validated). UTF-8 is checked once for the whole text before any of it is
// scanned, so the cursor itself takes every byte of 0x80 and above as text.
//
// A grammar error is sticky: the cursor stops where it was found, every
// further call fails, and `broken()` says so with what was expected.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace telehub {

// A key the reader asks for, made at compile time from its literal: its
// text, and the bytes `"key":` as a compact frame has them, as two words to
// compare against the text in two loads instead of byte by byte.
struct FieldKey {
    template <std::size_t N>
    consteval FieldKey(const char (&key)[N]) : FieldKey(std::string_view(key, N - 1)) {}
    consteval explicit FieldKey(std::string_view key) : text(key), pattern_size(key.size() + 3) {
        const std::size_t n = key.size();
        char pattern[16] = {};
        for (std::size_t i = 0; i < n + 3 && i < 16; ++i)
            pattern[i] = i == 0 ? '"' : i <= n ? key[i - 1] : i == n + 1 ? '"' : ':';
        for (std::size_t i = 0; i < 16; ++i) {
            const auto byte = std::uint64_t(static_cast<unsigned char>(pattern[i]));
            const unsigned shift = std::endian::native == std::endian::little ? 8 * (i % 8) : 56 - 8 * (i % 8);
            (i < 8 ? words[0] : words[1]) |= byte << shift;
            if (i < n + 3) (i < 8 ? masks[0] : masks[1]) |= std::uint64_t{0xFF} << shift;
        }
    }
    std::string_view text;
    std::size_t pattern_size;  // `"key":`, in bytes
    std::uint64_t words[2] = {};
    std::uint64_t masks[2] = {};
};

// Powers of ten a double holds exactly: a decimal whose digits fit 53 bits,
// scaled by one of them, is rounded once, so correctly (Clinger's fast path).
inline constexpr double exact_pow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                         1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

// An object's key as the text has it, between its quotes.
struct JsonKey {
    std::string_view raw;
    bool escaped;  // holds escapes: compare it decoded
};

// A number token as JSON wrote it: an integer when it had neither fraction
// nor exponent and fits 64 bits, else only its double value.
struct JsonNumber {
    enum class Kind { negative, non_negative, real } kind = Kind::real;
    std::uint64_t magnitude = 0;  // of an integer
    double value = 0;             // always set
};

class JsonScan {
public:
    explicit JsonScan(std::string_view text) : begin_(text.data()), p_(text.data()), end_(text.data() + text.size()) {}

    bool broken() const { return broken_ != nullptr; }
    const char* broken_reason() const { return broken_; }
    // Broken for a key sent twice in one object, not for the grammar: JSON
    // allows it, but two readers of one frame could then take different
    // copies. `key_twice()` is that key, decoded.
    bool broke_on_key_twice() const { return broke_on_key_twice_; }
    std::string key_twice() const;
    std::size_t offset() const { return static_cast<std::size_t>(p_ - begin_); }
    const char* position() const { return p_; }
    void seek(const char* p) { p_ = p; }

    // The next byte after whitespace, left unread; 0 at the end or once broken.
    char peek() {
        skip_space();
        return !broken_ && p_ < end_ ? *p_ : '\0';
    }
    // Consumes `c` after whitespace, or breaks with `why`.
    bool expect(char c, const char* why) {
        if (peek() == c) {
            ++p_;
            return true;
        }
        return fail(why);
    }
    // Whether the text is a key equal to `key` (which holds no '"' or '\\')
    // followed by ':'; on a match consumes both. The usual case, a key the
    // reader expects in its place, costs one compare.
    bool take_key(std::string_view key) {
        const auto n = key.size();
        if (static_cast<std::size_t>(end_ - p_) < n + 2 || p_[0] != '"' || p_[n + 1] != '"') return false;
        // Keys are a few bytes: compared inline, without a call to memcmp.
        for (std::size_t i = 0; i < n; ++i)
            if (p_[i + 1] != key[i]) return false;
        p_ += n + 2;
        if (p_ < end_ && *p_ == ':') {
            ++p_;
            return true;
        }
        return expect(':', "':' after a key");
    }

    // take_key for a key asked for by name: `"key":` with no whitespace, the
    // way agents write it, in two compares (byte by byte near the text's end
    // or past 14 bytes of key). A key written with whitespace does not match
    // here; the reader then finds it through its index.
    bool take_key(const FieldKey& key) {
        if (end_ - p_ >= 16) {
            std::uint64_t a, b;
            std::memcpy(&a, p_, 8);
            std::memcpy(&b, p_ + 8, 8);
            if (((a ^ key.words[0]) & key.masks[0]) | ((b ^ key.words[1]) & key.masks[1])) return false;
            if (key.pattern_size <= 16) {
                p_ += key.pattern_size;
                return true;
            }
        }
        return take_key(key.text);
    }
    // After a field's value: a ',' and the next key's quote (consumed: the
    // ',' only), or the object's '}' (not consumed); false for anything else.
    // Compact frames take the first branch.
    bool comma_before_key(bool& at_close) {
        if (end_ - p_ >= 2 && p_[0] == ',' && p_[1] == '"') {
            ++p_;
            return true;
        }
        const char c = peek();
        if (c == '}') return (at_close = true);
        if (c != ',') return fail("',' or '}' after a field");
        ++p_;
        return peek() == '"' || fail("a key after ','");
    }
    // A non-negative integer of at most 19 digits at the cursor, not part of
    // a real number; false (nothing consumed) for any other value.
    bool small_count(std::uint64_t& out) {
        const char* q = p_;
        const char* limit = end_ - q > 19 ? q + 19 : end_;
        std::uint64_t v = 0;
        for (; q < limit && static_cast<unsigned>(*q - '0') < 10; ++q) v = v * 10 + static_cast<unsigned>(*q - '0');
        if (q == p_ || q == limit || *q == '.' || *q == 'e' || *q == 'E' || (*p_ == '0' && q - p_ > 1)) return false;
        p_ = q;
        out = v;
        return true;
    }

    // A string at the cursor into `out`, its escapes decoded; false (and
    // nothing consumed) when the value there is not a string.
    bool string(std::string& out);
    // A string's raw text between its quotes, escapes left as written, and
    // whether it held any.
    bool raw_string(std::string_view& raw, bool& escaped);
    // Decodes the escapes of a raw_string into `out`.
    static void unescape(std::string_view raw, std::string& out);
    // A raw_string's text into `out`, its escapes decoded if it has any.
    static void decode(std::string_view raw, bool escaped, std::string& out) {
        if (escaped) unescape(raw, out);
        else out.assign(raw);
    }
    // An object's key (as raw_string) and the ':' after it.
    bool key(std::string_view& raw, bool& escaped) {
        if (!raw_string(raw, escaped)) return fail("a key in quotes");
        return expect(':', "':' after a key");
    }

    // A number at the cursor; false (nothing consumed) when the value there is
    // not one, or broken when its text is not a JSON number.
    bool number(JsonNumber& out) {
        // Most numbers of a frame are small counts or short decimals (12.5):
        // read here, in one pass of at most 19 characters; the rest (signs,
        // exponents, long or inexact ones) by number_slow from the start.
        peek();
        const char* q = p_;
        const char* limit = end_ - q > 19 ? q + 19 : end_;
        std::uint64_t v = 0;
        for (; q < limit && static_cast<unsigned>(*q - '0') < 10; ++q) v = v * 10 + static_cast<unsigned>(*q - '0');
        if (q == p_ || q == limit || (*p_ == '0' && q - p_ > 1)) return number_slow(out);
        if (*q == '.') {
            const char* fraction = ++q;
            for (; q < limit && static_cast<unsigned>(*q - '0') < 10; ++q) v = v * 10 + static_cast<unsigned>(*q - '0');
            if (q == fraction || q == limit || *q == 'e' || *q == 'E' || v >= (std::uint64_t{1} << 53))
                return number_slow(out);
            p_ = q;
            out.kind = JsonNumber::Kind::real;
            out.value = static_cast<double>(v) / exact_pow10[q - fraction];
            return true;
        }
        if (*q == 'e' || *q == 'E') return number_slow(out);
        p_ = q;
        out.kind = JsonNumber::Kind::non_negative;
        out.magnitude = v;
        out.value = static_cast<double>(v);
        return true;
    }
    // true / false / null at the cursor; false (nothing consumed) otherwise.
    bool boolean(bool& out);
    bool null();

    // Passes over one value of any kind, checking it, no key sent twice in
    // any object of it included. `depth` counts the arrays and objects the
    // cursor is inside.
    bool skip_value(int depth = 1) { return skip(depth, true); }
    // For the object whose '{' is at `open`, already passed whole: whether a
    // key is sent twice in it (not in the objects it holds); if so the key,
    // decoded, in `key`. The cursor does not move.
    bool key_sent_twice(const char* open, std::string& key) const;
    // As skip_value, appending the value's text without its whitespace.
    bool copy_value(std::string& out);

    // After the root value: only whitespace may follow.
    bool at_end() {
        skip_space();
        return !broken_ && p_ == end_;
    }

    bool fail(const char* why) {
        if (!broken_) broken_ = why;
        return false;
    }

private:
    void skip_space() {
        while (p_ < end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
    }
    bool literal(std::string_view word);
    bool number_slow(JsonNumber& out);
    bool skip(int depth, bool check_keys);
    // After an object's '{': its keys into `keys` (unless null), its values
    // skipped (with `check_keys`), the cursor past its '}'.
    bool object_body(int depth, bool check_keys, std::vector<JsonKey>* keys);

    const char* begin_;
    const char* p_;
    const char* end_;
    const char* broken_ = nullptr;
    JsonKey key_twice_{};
    bool broke_on_key_twice_ = false;
};

}  // namespace telehub
