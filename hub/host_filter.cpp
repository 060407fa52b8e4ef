#include "hub/host_filter.hpp"

#include <cctype>
#include <charconv>
#include <cmath>

#include <nlohmann/json.hpp>

namespace telehub::hub {
namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

bool contains_ci(std::string_view hay, std::string_view needle_lower) {
    if (needle_lower.size() > hay.size()) return false;
    for (std::size_t i = 0; i + needle_lower.size() <= hay.size(); ++i) {
        std::size_t j = 0;
        while (j < needle_lower.size() &&
               std::tolower(static_cast<unsigned char>(hay[i + j])) == static_cast<unsigned char>(needle_lower[j]))
            ++j;
        if (j == needle_lower.size()) return true;
    }
    return false;
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

int hex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace

bool HostFilter::matches(const HostSummary& s) const {
    if (min_cpu && s.cpu < *min_cpu) return false;
    if (max_cpu && s.cpu > *max_cpu) return false;
    if (!q.empty() && !contains_ci(s.host_id, q) && !contains_ci(s.hostname, q)) return false;
    return true;
}

std::string HostFilter::key() const {
    auto num = [](const std::optional<double>& v) { return v ? std::to_string(*v) : std::string("-"); };
    return num(min_cpu) + "|" + num(max_cpu) + "|" + q;
}

std::optional<std::string> url_decode(std::string_view in, bool plus_is_space) {
    std::string out;
    out.reserve(in.size());
    for (std::size_t i = 0; i < in.size(); ++i) {
        char c = in[i];
        if (c == '%') {
            if (i + 2 >= in.size()) return std::nullopt;
            int hi = hex(in[i + 1]), lo = hex(in[i + 2]);
            if (hi < 0 || lo < 0) return std::nullopt;
            out.push_back(static_cast<char>(hi * 16 + lo));
            i += 2;
        } else if (c == '+' && plus_is_space) {
            out.push_back(' ');
        } else {
            out.push_back(c);
        }
    }
    return out;
}

std::optional<std::string> query_param(std::string_view query, std::string_view name, bool& bad) {
    while (!query.empty()) {
        auto amp = query.find('&');
        auto part = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
        auto eq = part.find('=');
        auto key = part.substr(0, eq);
        if (key != name) continue;
        auto value = eq == std::string_view::npos ? std::string_view{} : part.substr(eq + 1);
        auto decoded = url_decode(value, true);
        if (!decoded) bad = true;
        return decoded.value_or(std::string());
    }
    return std::nullopt;
}

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
    if (auto err = check_range(f)) return *err;
    return f;
}

}  // namespace telehub::hub
