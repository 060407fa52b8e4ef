#include "hub/silences/silences.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>

#include <nlohmann/json.hpp>

#include "hub/alerts/alerts.hpp"
#include "hub/http/http.hpp"

namespace telehub::hub {
namespace {

using json = nlohmann::json;

/* a silence ends within a year: a forgotten one must not mute a hub for ever */
constexpr std::int64_t max_silence_ms = 366LL * 24 * 3600 * 1000;
constexpr std::size_t max_comment = 1000;
constexpr std::size_t max_glob = 256;

}  // namespace

bool silence_matches(const Silence& s, std::string_view rule, std::string_view host_id, std::string_view hostname,
                     std::int64_t now_ms) {
    if (now_ms >= s.until_ms) return false;
    if (!s.rule.empty() && !glob_match(s.rule, rule)) return false;
    if (!s.host.empty() && !glob_match(s.host, host_id) && (hostname.empty() || !glob_match(s.host, hostname)))
        return false;
    return true;
}

std::optional<std::int64_t> parse_iso8601_ms(std::string_view text) {
    std::string t(text);
    int year = 0, month = 0, day = 0, hour = 0, minute = 0, consumed = 0;
    if (std::sscanf(t.c_str(), "%4d-%2d-%2dT%2d:%2d%n", &year, &month, &day, &hour, &minute, &consumed) != 5 ||
        consumed != 16)
        return std::nullopt;
    std::size_t i = 16;
    double seconds = 0;
    if (i < t.size() && t[i] == ':') {
        std::size_t end = i + 1;
        while (end < t.size() && (std::isdigit(static_cast<unsigned char>(t[end])) || t[end] == '.')) ++end;
        if (end - i < 3) return std::nullopt;
        seconds = std::strtod(t.substr(i + 1, end - i - 1).c_str(), nullptr);
        i = end;
    }
    std::int64_t offset_s = 0;
    if (i < t.size() && (t[i] == 'Z' || t[i] == 'z')) {
        ++i;
    } else if (i + 6 == t.size() && (t[i] == '+' || t[i] == '-') && t[i + 3] == ':') {
        int oh = 0, om = 0;
        if (std::sscanf(t.c_str() + i + 1, "%2d:%2d", &oh, &om) != 2 || oh > 23 || om > 59) return std::nullopt;
        offset_s = (t[i] == '+' ? 1 : -1) * (oh * 3600 + om * 60);
        i += 6;
    } else {
        return std::nullopt;  // a time without a zone is ambiguous
    }
    if (i != t.size() || month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || seconds >= 61)
        return std::nullopt;
    std::tm tm{};
    tm.tm_year = year - 1900;
    tm.tm_mon = month - 1;
    tm.tm_mday = day;
    tm.tm_hour = hour;
    tm.tm_min = minute;
    const std::time_t base = ::timegm(&tm);
    if (tm.tm_mday != day) return std::nullopt;  // 31 February
    return (static_cast<std::int64_t>(base) - offset_s) * 1000 + static_cast<std::int64_t>(std::llround(seconds * 1000));
}

std::variant<Silence, SilenceError> parse_silence(std::string_view body, std::string_view created_by, std::int64_t now_ms) {
    auto parsed = parse_json_object(body);
    if (auto* problem = std::get_if<std::string>(&parsed)) return SilenceError{"must be a JSON object; " + *problem, "body"};
    json j = std::get<json>(std::move(parsed));
    for (const auto& [key, value] : j.items())
        if (key != "rule" && key != "host" && key != "until" && key != "comment")
            return SilenceError{"unknown field '" + key + "' (expected rule, host, until, comment)", key};
    Silence s;
    for (auto [key, out] : {std::pair<const char*, std::string*>{"rule", &s.rule}, {"host", &s.host}}) {
        if (!j.contains(key)) continue;
        if (!j[key].is_string() || j[key].get_ref<const std::string&>().empty() ||
            j[key].get_ref<const std::string&>().size() > max_glob)
            return SilenceError{std::string("must be a glob of 1 to ") + std::to_string(max_glob) + " characters", key};
        *out = j[key].get<std::string>();
    }
    if (s.rule.empty() && s.host.empty())
        return SilenceError{"give a rule glob, a host glob or both (\"*\" for everything)", "rule"};
    if (!j.contains("until")) return SilenceError{"missing: when the silence ends (unix seconds or ISO 8601)", "until"};
    const json& until = j["until"];
    if (until.is_number()) {
        const double v = until.get<double>();
        if (!std::isfinite(v) || v <= 0 || v > 1e11) return SilenceError{"must be unix seconds or an ISO 8601 time", "until"};
        s.until_ms = static_cast<std::int64_t>(std::llround(v * 1000));
    } else if (until.is_string()) {
        auto t = parse_iso8601_ms(until.get<std::string>());
        if (!t) return SilenceError{"must be an ISO 8601 time with a zone, like 2026-12-05T03:00:00Z", "until"};
        s.until_ms = *t;
    } else {
        return SilenceError{"must be unix seconds or an ISO 8601 time", "until"};
    }
    if (s.until_ms <= now_ms) return SilenceError{"is in the past", "until"};
    if (s.until_ms - now_ms > max_silence_ms) return SilenceError{"is more than a year ahead", "until"};
    if (!j.contains("comment") || !j["comment"].is_string() || j["comment"].get_ref<const std::string&>().empty())
        return SilenceError{"missing: say why (a non-empty string)", "comment"};
    s.comment = j["comment"].get<std::string>();
    if (s.comment.size() > max_comment) return SilenceError{"is over " + std::to_string(max_comment) + " bytes", "comment"};
    s.created_by = std::string(created_by);
    s.created_ms = now_ms;
    return s;
}

namespace {

bool drop_ended(std::vector<Silence>& list, std::int64_t now_ms) {
    const auto ended = std::remove_if(list.begin(), list.end(), [&](const Silence& s) { return s.until_ms <= now_ms; });
    if (ended == list.end()) return false;
    list.erase(ended, list.end());
    return true;
}

}  // namespace

std::optional<std::uint64_t> SilenceBook::add(Silence s, std::int64_t now_ms) {
    std::lock_guard lock(mu_);
    if (drop_ended(list_, now_ms)) ++version_;
    if (list_.size() >= max_silences) return std::nullopt;
    s.id = next_id_++;
    list_.push_back(std::move(s));
    ++version_;
    return list_.back().id;
}

bool SilenceBook::remove(std::uint64_t id) {
    std::lock_guard lock(mu_);
    auto it = std::find_if(list_.begin(), list_.end(), [&](const Silence& s) { return s.id == id; });
    if (it == list_.end()) return false;
    list_.erase(it);
    ++version_;
    return true;
}

std::vector<Silence> SilenceBook::active(std::int64_t now_ms) {
    std::lock_guard lock(mu_);
    if (drop_ended(list_, now_ms)) ++version_;
    return list_;
}

bool SilenceBook::silenced(std::string_view rule, std::string_view host_id, std::string_view hostname,
                           std::int64_t now_ms) const {
    std::lock_guard lock(mu_);
    return std::any_of(list_.begin(), list_.end(),
                       [&](const Silence& s) { return silence_matches(s, rule, host_id, hostname, now_ms); });
}

std::vector<Silence> SilenceBook::all() const {
    std::lock_guard lock(mu_);
    return list_;
}

std::uint64_t SilenceBook::version() const {
    std::lock_guard lock(mu_);
    return version_;
}

void SilenceBook::restore(std::vector<Silence> list) {
    std::lock_guard lock(mu_);
    list_ = std::move(list);
    for (const Silence& s : list_) next_id_ = std::max(next_id_, s.id + 1);
    ++version_;
}

}  // namespace telehub::hub
