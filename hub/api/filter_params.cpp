#include "hub/api/filter_params.hpp"

#include <cctype>
#include <charconv>
#include <cmath>
#include <optional>

#include <nlohmann/json.hpp>

#include "hub/http/http.hpp"

namespace telehub::hub {
namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::optional<double> parse_percent(std::string_view s) {
    double v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
    return v;
}

constexpr double max_cpu_value = 100;  // host cpu is of all cores together

std::optional<FilterError> check_range(HostFilter& f) {
    for (auto [v, name] : {std::pair{&f.min_cpu, "min_cpu"}, std::pair{&f.max_cpu, "max_cpu"}}) {
        if (*v && (**v < 0 || **v > max_cpu_value))
            return FilterError{name, std::string("parameter '") + name + "' must be a number from 0 to 100"};
    }
    if (f.min_cpu && f.max_cpu && *f.min_cpu > *f.max_cpu)
        return FilterError{"min_cpu", "parameter 'min_cpu' must not be greater than 'max_cpu'"};
    return std::nullopt;
}

}  // namespace

FilterResult parse_filter_query(std::string_view query) {
    HostFilter f;
    for (auto name : {"min_cpu", "max_cpu"}) {
        bool bad = false;
        auto v = query_param(query, name, bad);
        if (!v) continue;
        auto n = bad ? std::nullopt : parse_percent(*v);
        if (!n) return FilterError{name, std::string("parameter '") + name + "' must be a number, got '" + *v + "'"};
        (std::string_view(name) == "min_cpu" ? f.min_cpu : f.max_cpu) = *n;
    }
    bool bad = false;
    if (auto q = query_param(query, "q", bad)) {
        if (bad) return FilterError{"q", "parameter 'q' is not valid percent-encoding"};
        f.q = lower(*q);
    }
    if (auto c = query_param(query, "container", bad)) {
        if (bad) return FilterError{"container", "parameter 'container' is not valid percent-encoding"};
        if (c->empty()) return FilterError{"container", "parameter 'container' must name a container"};
        f.container = *c;
    }
    if (auto err = check_range(f)) return *err;
    return f;
}

FilterResult parse_filter_json(const nlohmann::json& filter) {
    HostFilter f;
    if (filter.is_null()) return f;
    if (!filter.is_object()) return FilterError{"filter", "field 'filter' must be an object"};
    for (auto name : {"min_cpu", "max_cpu"}) {
        auto it = filter.find(name);
        if (it == filter.end() || it->is_null()) continue;
        if (!it->is_number()) return FilterError{name, std::string("field 'filter.") + name + "' must be a number"};
        (std::string_view(name) == "min_cpu" ? f.min_cpu : f.max_cpu) = it->get<double>();
    }
    if (auto it = filter.find("q"); it != filter.end() && !it->is_null()) {
        if (!it->is_string()) return FilterError{"q", "field 'filter.q' must be a string"};
        f.q = lower(it->get<std::string>());
    }
    if (auto it = filter.find("container"); it != filter.end() && !it->is_null()) {
        if (!it->is_string()) return FilterError{"container", "field 'filter.container' must be a string"};
        f.container = it->get<std::string>();
    }
    if (auto err = check_range(f)) return *err;
    return f;
}

std::variant<Subscription, SubscribeError> parse_subscribe(std::string_view text) {
    auto j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_discarded()) return SubscribeError{"bad_json", "message is not valid JSON"};
    if (!j.is_object()) return SubscribeError{"wrong_type", "message must be a JSON object"};
    auto type = j.find("type");
    if (type == j.end()) return SubscribeError{"missing_field", "field 'type' is missing"};
    if (!type->is_string()) return SubscribeError{"wrong_type", "field 'type' must be a string"};
    if (*type != "subscribe")
        return SubscribeError{"unknown_type", "unknown message type '" + type->get<std::string>() + "'; expected subscribe"};

    auto f = parse_filter_json(j.contains("filter") ? j["filter"] : nlohmann::json(nullptr));
    if (auto* e = std::get_if<FilterError>(&f)) return SubscribeError{"bad_value", e->message};
    Subscription sub{std::get<HostFilter>(f), {}};
    if (auto d = j.find("detail"); d != j.end() && !d->is_null()) {
        if (!d->is_array()) return SubscribeError{"wrong_type", "field 'detail' must be an array of host ids"};
        if (d->size() > max_detail_hosts)
            return SubscribeError{"bad_value", "field 'detail' lists more than " + std::to_string(max_detail_hosts) + " hosts"};
        for (const auto& id : *d) {
            if (!id.is_string()) return SubscribeError{"wrong_type", "field 'detail' must hold host id strings"};
            sub.detail.push_back(id.get<std::string>());
        }
    }
    return sub;
}

}  // namespace telehub::hub
