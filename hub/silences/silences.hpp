// The public face of hub/silences/ (docs/alerts.md, "Silences"): for a
// maintenance window, alerts of matching rules and hosts still change state
// and are in the history, but notify nobody. The book is shared by the io
// threads (the API) and the notifier's thread; guarded by a mutex.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "hub/http/http.hpp"

namespace telehub::hub {

struct Silence {
    std::uint64_t id = 0;
    std::string rule;   // glob on the rule name; empty: any rule
    std::string host;   // glob on the host id or hostname; empty: any host
    std::int64_t until_ms = 0;
    std::string comment;
    std::string created_by;  // the token's name
    std::int64_t created_ms = 0;

    bool operator==(const Silence&) const = default;
};

// Whether `s` covers this rule on this host at `now_ms` (before its end).
bool silence_matches(const Silence& s, std::string_view rule, std::string_view host_id, std::string_view hostname,
                     std::int64_t now_ms);

// A POST /api/silences body ({"rule","host","until","comment"}) checked:
// the silence (without id) or what is wrong and which field.
struct SilenceError {
    std::string message;
    std::string field;
};
std::variant<Silence, SilenceError> parse_silence(std::string_view body, std::string_view created_by, std::int64_t now_ms);

// "2026-12-05T03:00:00Z", "...+01:00", fractions of a second allowed: unix ms; nullopt when not that.
std::optional<std::int64_t> parse_iso8601_ms(std::string_view text);

class SilenceBook {
public:
    // Silences in force at once: each is matched on every alert change, and
    // a script looping on POST must not grow the book and the state file
    // without end.
    static constexpr std::size_t max_silences = 1000;

    // Gives `s` the next id; nullopt when max_silences are in force at
    // `now_ms` (ended ones are dropped first, so they do not count).
    std::optional<std::uint64_t> add(Silence s, std::int64_t now_ms);
    bool remove(std::uint64_t id);
    // The silences not yet over at `now_ms`; ended ones are dropped.
    std::vector<Silence> active(std::int64_t now_ms);
    bool silenced(std::string_view rule, std::string_view host_id, std::string_view hostname, std::int64_t now_ms) const;

    // For the state file: every silence, and a count that moves on any change.
    std::vector<Silence> all() const;
    std::uint64_t version() const;
    void restore(std::vector<Silence> list);

private:
    mutable std::mutex mu_;
    std::vector<Silence> list_;
    std::uint64_t next_id_ = 1;
    std::uint64_t version_ = 0;
};

// POST/GET /api/silences and DELETE /api/silences/{id}: a function of the
// book and the request, no network. `who`: the token's name, recorded on a
// new silence.
bool is_silences_path(std::string_view path);
HttpReply silences_reply(SilenceBook& book, std::string_view method, std::string_view path, std::string_view body,
                         std::string_view who, std::int64_t now_ms);

}  // namespace telehub::hub
