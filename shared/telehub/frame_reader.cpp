#include "telehub/frame_reader.hpp"

namespace telehub {

// The cursor's stop for a refused field (the refusal is in the state's error).
const char* const FieldReader::refused = "a field this hub accepts";

FieldReader::FieldReader(FrameReadState& state, std::string_view name, const FieldReader* parent, long index)
    : state_(state), name_(name), parent_(parent), index_(index) {
    if (!state_.scan.expect('{', "'{'")) return;
    open_ = state_.scan.position() - 1;
    const char c = state_.scan.peek();
    if (c == '}') at_close_ = true;
    else if (c != '"') state_.scan.fail("a key in quotes");
}

void FieldReader::finish() {
    if (failed()) return;
    if (index_base_ != not_indexed) {
        state_.index.resize(index_base_);
        state_.scan.seek(close_);
        return refuse_key_sent_twice();
    }
    const bool in_order = at_close_;  // every key was asked for, each once
    while (!at_close_) {
        std::string_view raw;
        bool escaped;
        if (!state_.scan.key(raw, escaped) || !state_.scan.skip_value()) return;
        next();
        if (failed()) return;
    }
    if (state_.scan.expect('}', "'}'") && !in_order) refuse_key_sent_twice();
}

void FieldReader::refuse_key_sent_twice() {
    if (state_.scan.key_sent_twice(open_, state_.key_scratch)) {
        fail("duplicate_field", shown(state_.key_scratch), "is sent twice");
    }
}

bool FieldReader::build_index() {
    auto& scan = state_.scan;
    index_base_ = state_.index.size();
    for (;;) {
        std::string_view raw;
        bool escaped;
        if (!scan.key(raw, escaped)) return false;
        const char* value = (scan.peek(), scan.position());
        if (!scan.skip_value()) return false;
        state_.index.push_back({raw, value, escaped, false});
        const char c = scan.peek();
        if (c == '}') break;
        if (c != ',') return scan.fail("',' or '}' after a field");
        scan.seek(scan.position() + 1);
    }
    close_ = scan.position() + 1;
    return true;
}

bool FieldReader::find_indexed(std::string_view key, bool required) {
    for (std::size_t i = index_base_; i < state_.index.size(); ++i) {
        auto& f = state_.index[i];
        if (f.taken) continue;
        std::string_view k = f.key;
        if (f.escaped) {
            JsonScan::unescape(f.key, state_.key_scratch);
            k = state_.key_scratch;
        }
        if (k != key) continue;
        f.taken = true;
        state_.scan.seek(f.value);
        return true;
    }
    return absent(key, required);
}

void FieldReader::nullable_number(const FieldKey& key, double& out, bool& known) {
    known = false;
    out = 0;
    if (!find(key, false)) return;
    JsonNumber n;
    if (state_.scan.null()) return next();
    if (!state_.scan.number(n)) return void(refuse_type(key.text, "must be a number or null"));
    out = n.value;
    known = true;
    next();
}

void FieldReader::boolean(const FieldKey& key, bool& out, bool required) {
    out = false;
    if (!find(key, required)) return;
    if (!state_.scan.boolean(out)) return void(refuse_type(key.text, "must be true or false"));
    next();
}

void FieldReader::skip(const FieldKey& key) {
    if (!find(key, false)) return;
    if (state_.scan.skip_value()) next();
}

bool FieldReader::open_array(std::string_view key, bool& empty) {
    if (state_.scan.peek() != '[') return refuse_type(key, "must be an array");
    state_.scan.seek(state_.scan.position() + 1);
    empty = state_.scan.peek() == ']';
    if (empty) state_.scan.seek(state_.scan.position() + 1);
    return true;
}

bool FieldReader::close_element() {
    const char c = state_.scan.peek();
    state_.scan.seek(state_.scan.position() + (c ? 1 : 0));
    if (c == ',') return true;
    if (c != ']') state_.scan.fail("',' or ']' after an element");
    return false;
}

bool FieldReader::refuse_type(std::string_view key, std::string_view what) {
    if (state_.scan.skip_value()) fail("wrong_type", key, what);
    return false;
}

bool FieldReader::refuse_type_at(std::string_view key, std::size_t i, std::string_view what) {
    if (state_.scan.skip_value()) fail("wrong_type", std::string(key) + "[" + std::to_string(i) + "]", what);
    return false;
}

std::string FieldReader::prefix() const {
    std::string p = parent_ ? parent_->prefix() : std::string();
    if (!p.empty() && !name_.empty()) p += ".";
    p += name_;
    if (index_ >= 0) {
        p += '[';
        p += std::to_string(index_);
        p += ']';
    }
    return p;
}

std::string FieldReader::shown(std::string_view text) {
    constexpr std::size_t most = 64;
    if (text.size() <= most) return std::string(text);
    std::size_t n = most;
    while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80) --n;
    return std::string(text.substr(0, n)) + "...";
}

std::string FieldReader::path(std::string_view key) const {
    auto p = prefix();
    return p.empty() ? std::string(key) : p + "." + std::string(key);
}

void FieldReader::fail(std::string_view code, std::string_view key, std::string_view what) {
    if (failed()) return;
    state_.error = CodecError{std::string(code), "field '" + path(key) + "' " + std::string(what)};
    state_.scan.fail(refused);
}

}  // namespace telehub
