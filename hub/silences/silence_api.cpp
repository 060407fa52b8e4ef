#include <charconv>

#include <nlohmann/json.hpp>

#include "hub/silences/silences.hpp"
#include "telehub/json_text.hpp"

namespace telehub::hub {
namespace {

using json = nlohmann::json;

constexpr std::string_view silences_path = "/api/silences";

json silence_json(const Silence& s) {
    return {{"id", s.id},           {"rule", s.rule},       {"host", s.host},
            {"until_ms", s.until_ms}, {"comment", s.comment}, {"created_by", s.created_by},
            {"created_ms", s.created_ms}};
}

HttpReply json_reply(int status, const json& j) {
    return {status, "application/json", json_text(j), {}, {}};
}

HttpReply not_allowed(std::string_view method, std::string_view path, const char* allow) {
    auto r = error_reply(405, "method_not_allowed",
                         "method " + std::string(method) + " is not allowed on " + std::string(path) + "; use " + allow);
    r.allow = allow;
    return r;
}

}  // namespace

bool is_silences_path(std::string_view path) {
    return path == silences_path || (path.starts_with(silences_path) && path.substr(silences_path.size()).starts_with("/"));
}

HttpReply silences_reply(SilenceBook& book, std::string_view method, std::string_view path, std::string_view body,
                         std::string_view who, std::int64_t now_ms) {
    if (path == silences_path) {
        if (method == "GET" || method == "HEAD") {
            json list = json::array();
            for (const Silence& s : book.active(now_ms)) list.push_back(silence_json(s));
            return json_reply(200, {{"silences", list}});
        }
        if (method != "POST") return not_allowed(method, path, "GET, POST");
        auto parsed = parse_silence(body, who, now_ms);
        if (auto* e = std::get_if<SilenceError>(&parsed)) {
            json j = {{"error", {{"code", "bad_silence"}, {"message", e->field + ": " + e->message}, {"field", e->field}}}};
            return json_reply(400, j);
        }
        Silence s = std::get<Silence>(std::move(parsed));
        const auto id = book.add(s, now_ms);
        if (!id)
            return error_reply(409, "too_many_silences",
                               std::to_string(SilenceBook::max_silences) +
                                   " silences are already in force; end one (DELETE /api/silences/{id}) or widen a glob");
        s.id = *id;
        return json_reply(201, silence_json(s));
    }
    const std::string_view id_text = path.substr(silences_path.size() + 1);
    std::uint64_t id = 0;
    auto [end, ec] = std::from_chars(id_text.data(), id_text.data() + id_text.size(), id);
    if (ec != std::errc() || end != id_text.data() + id_text.size())
        return error_reply(404, "not_found", "no silence '" + std::string(id_text) + "': ids are numbers");
    if (method != "DELETE") return not_allowed(method, path, "DELETE");
    if (!book.remove(id)) return error_reply(404, "not_found", "no silence " + std::to_string(id) + " (ended, or deleted)");
    return json_reply(200, {{"deleted", id}});
}

}  // namespace telehub::hub
