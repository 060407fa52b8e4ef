// Reads the fields of one JSON object of an agent frame, in one pass over its
// text (JsonScan), remembering the first error with the field's path.
//
// Agents send keys in the order the hub asks for them, so each field asked
// for is usually the next key in the text: one compare, then its value is read
// where it lies. When the next key is another (a field out of its place, one
// this hub does not know, or an optional one left out), the rest of the
// object is indexed once, every value in it checked as it is passed, and
// fields are then found in the index. Whatever was not asked for is checked
// when the object is finished, so no byte of a frame goes unvalidated.
// A key sent twice in one object is refused (`duplicate_field`): the hub
// forwards frames as received, and a reader that takes the last copy (a
// browser's JSON.parse) would see a value the hub never checked. An object
// read wholly in order cannot hold one, since each key is asked for once;
// any other is walked again when finished to look.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "telehub/codec.hpp"
#include "telehub/json_scan.hpp"

namespace telehub {

// A field of an object being read out of its order: where its value starts.
struct IndexedField {
    std::string_view key;  // as written; `escaped` when it held escapes
    const char* value;
    bool escaped;
    bool taken;
};

// What the readers of one frame share: the cursor, the first error, and the
// index of fields found out of order (a stack: objects nest).
struct FrameReadState {
    explicit FrameReadState(std::string_view text) : scan(text) {}
    // For the next frame, keeping the buffers' capacity.
    void reset(std::string_view text) {
        scan = JsonScan(text);
        error.reset();
        index.clear();
    }
    JsonScan scan;
    std::optional<CodecError> error;
    std::vector<IndexedField> index;
    std::string key_scratch;    // an escaped key, decoded
    std::string value_scratch;  // a string value read only to look at
};

class FieldReader {
public:
    // The cursor is at the object's '{'.
    FieldReader(FrameReadState& state, std::string_view name, const FieldReader* parent = nullptr, long index = -1);
    FieldReader(const FieldReader&) = delete;
    FieldReader& operator=(const FieldReader&) = delete;

    // A refusal also stops the cursor, so this is one test.
    bool failed() const { return state_.scan.broken(); }
    JsonScan& scan() { return state_.scan; }

    // The readers of values below leave an absent field empty (0, "",
    // false): the frame is read into the elements of the one before.

    // Moves the cursor to `key`'s value; false when absent (an error if it is
    // `required`) or when reading has failed. The caller reads the value and
    // then calls `next()`.
    bool find(const FieldKey& key, bool required) {
        if (failed()) return false;
        if (index_base_ == not_indexed) {
            if (at_close_) return absent(key.text, required);
            if (state_.scan.take_key(key)) return true;
            if (!build_index()) return false;
        }
        return find_indexed(key.text, required);
    }
    // After a value read in place: on to the next key.
    void next() {
        if (index_base_ == not_indexed && !failed()) state_.scan.comma_before_key(at_close_);
    }
    // Checks the fields not asked for, and that no key is sent twice, and
    // moves the cursor past the '}'.
    void finish();

    // Each field in the order written, for objects whose keys are data from
    // a known list (TCP state names), usually in the list's order: a key is
    // first matched against `names` from the one after the last so matched,
    // in a compare of two words each, so the usual key is neither copied nor
    // looked up. `fn(key, i)` reads the value at the cursor; `i` is the key's
    // place in `names`, or `npos` when it was not matched there (out of
    // order, escaped, or not in the list). `fn` refuses a key it has seen.
    static constexpr std::size_t npos = std::numeric_limits<std::size_t>::max();
    template <class Fn>
    void each(std::span<const FieldKey> names, Fn fn) {
        std::size_t from = 0;
        while (!failed() && !at_close_) {
            std::size_t i = from;
            while (i < names.size() && !state_.scan.take_key(names[i])) ++i;
            std::string_view key;
            if (i < names.size()) {
                key = names[i].text;
                from = i + 1;
            } else {
                bool escaped;
                if (!state_.scan.key(key, escaped)) return;
                if (escaped) {
                    JsonScan::unescape(key, state_.key_scratch);
                    key = state_.key_scratch;
                }
                i = npos;
            }
            if (!fn(key, i)) return;
            next();
        }
    }

    template <class T>
    bool number(const FieldKey& field, T& out, bool required = true) {
        if (!find(field, required)) {
            out = T{};  // an absent field is 0, not the value of the frame before
            return false;
        }
        const std::string_view key = field.text;
        if constexpr (std::is_integral_v<T>) {
            std::uint64_t v;
            if (state_.scan.small_count(v)) {
                if (v > static_cast<std::uint64_t>(std::numeric_limits<T>::max()))
                    return refuse("bad_value", key, "is out of range");
                out = static_cast<T>(v);
                next();
                return true;
            }
        }
        JsonNumber n;
        if (!state_.scan.number(n)) return refuse_type(key, number_wanted<T>());
        if constexpr (std::is_floating_point_v<T>) {
            out = static_cast<T>(n.value);
        } else if constexpr (std::is_signed_v<T>) {
            if (n.kind == JsonNumber::Kind::real || (n.kind == JsonNumber::Kind::non_negative &&
                                                     n.magnitude > std::uint64_t(std::numeric_limits<std::int64_t>::max())))
                return refuse("wrong_type", key, "must be an integer");
            const auto v = n.kind == JsonNumber::Kind::negative ? static_cast<std::int64_t>(0 - n.magnitude)
                                                                : static_cast<std::int64_t>(n.magnitude);
            if (v < std::numeric_limits<T>::min() || v > std::numeric_limits<T>::max())
                return refuse("bad_value", key, "is out of range");
            out = static_cast<T>(v);
        } else {
            if (n.kind != JsonNumber::Kind::non_negative)
                return refuse("wrong_type", key, "must be a non-negative integer");
            if (n.magnitude > std::numeric_limits<T>::max()) return refuse("bad_value", key, "is out of range");
            out = static_cast<T>(n.magnitude);
        }
        next();
        return true;
    }

    void string(const FieldKey& key, std::string& out, bool required = true) {
        if (!find(key, required)) return out.clear();
        if (!state_.scan.string(out)) return void(refuse_type(key.text, "must be a string"));
        next();
    }
    // A number that may be null: `known` says which.
    void nullable_number(const FieldKey& key, double& out, bool& known);
    void boolean(const FieldKey& key, bool& out, bool required = true);
    // A field read for its validity only.
    void skip(const FieldKey& key);

    // An object field: `fn(FieldReader&)` reads its fields. False when absent
    // or failed.
    template <class Fn>
    bool object(const FieldKey& key, bool required, Fn fn) {
        if (!find(key, required)) return false;
        if (state_.scan.peek() != '{') return refuse_type(key.text, "must be an object");
        FieldReader child(state_, key.text, this);
        fn(child);
        child.finish();
        next();
        return !failed();
    }
    // An array field: `fn(i)` reads element i at the cursor, and answers
    // whether it did. False when absent or failed.
    template <class Fn>
    bool array(const FieldKey& key, bool required, Fn fn) {
        if (!find(key, required)) return false;
        bool empty;
        if (!open_array(key.text, empty)) return false;
        for (std::size_t i = 0; !empty && !failed(); ++i) {
            if (!fn(i)) return false;
            if (!close_element()) break;
        }
        next();
        return !failed();
    }
    // An array of objects, each read by `fn(FieldReader&, T&)` into `out`,
    // reusing the elements already there. An absent optional array reads as
    // empty.
    template <class T, class Fn>
    void objects(const FieldKey& key, std::vector<T>& out, Fn fn, bool required = false) {
        std::size_t n = 0;
        array(key, required, [&](std::size_t i) {
            if (state_.scan.peek() != '{') return refuse_type_at(key.text, i, "must be an object");
            if (i >= out.size()) out.emplace_back();
            FieldReader item(state_, key.text, this, static_cast<long>(i));
            fn(item, out[i]);
            item.finish();
            n = i + 1;
            return !failed();
        });
        out.resize(n);
    }

    // Whether an array begins at the cursor (else the error), and whether it
    // is `empty` (its ']' consumed) / after one element, whether another
    // follows (false at the ']', consumed).
    bool open_array(std::string_view key, bool& empty);
    bool close_element();

    std::string path(std::string_view key) const;
    // Text of a frame as a message shows it: at most 64 bytes, cut where a
    // character starts.
    static std::string shown(std::string_view text);
    void fail(std::string_view code, std::string_view key, std::string_view what);
    bool refuse(std::string_view code, std::string_view key, std::string_view what) {
        fail(code, key, what);
        return false;
    }
    // A value of the wrong kind, unless its text is not JSON at all (then
    // the cursor's own error names it).
    bool refuse_type(std::string_view key, std::string_view what);
    bool refuse_type_at(std::string_view key, std::size_t i, std::string_view what);

private:
    static constexpr std::size_t not_indexed = std::numeric_limits<std::size_t>::max();
    static const char* const refused;

    template <class T>
    static constexpr const char* number_wanted() {
        if constexpr (std::is_floating_point_v<T>) return "must be a number";
        else if constexpr (std::is_signed_v<T>) return "must be an integer";
        else return "must be a non-negative integer";
    }

    bool absent(std::string_view key, bool required) {
        if (required) fail("missing_field", key, "is missing");
        return false;
    }
    bool build_index();
    void refuse_key_sent_twice();
    bool find_indexed(std::string_view key, bool required);
    std::string prefix() const;

    FrameReadState& state_;
    std::string_view name_;
    const FieldReader* parent_;
    long index_;
    bool at_close_ = false;               // the cursor is at this object's '}'
    std::size_t index_base_ = not_indexed;  // where this object's fields start in state_.index
    const char* close_ = nullptr;          // past the '}', once indexed
    const char* open_ = nullptr;           // at the '{'
};

}  // namespace telehub
