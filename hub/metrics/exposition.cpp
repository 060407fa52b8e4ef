#include "hub/metrics/exposition.hpp"

#include <charconv>
#include <cmath>

namespace telehub::hub {
namespace {

bool name_char(char c, bool first, bool colon_ok) {
    const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (colon_ok && c == ':');
    return letter || (!first && c >= '0' && c <= '9');
}

bool valid_name(std::string_view name, bool colon_ok) {
    if (name.empty()) return false;
    for (std::size_t i = 0; i < name.size(); ++i)
        if (!name_char(name[i], i == 0, colon_ok)) return false;
    return true;
}

template <class T>
void append_chars(std::string& out, T v) {
    char buf[32];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, r.ptr);
}

}  // namespace

std::string_view metric_type_name(MetricType t) { return t == MetricType::counter ? "counter" : "gauge"; }

bool valid_metric_name(std::string_view name) { return valid_name(name, true); }

// Names starting with "__" are reserved for Prometheus itself.
bool valid_label_name(std::string_view name) { return valid_name(name, false) && name.substr(0, 2) != "__"; }

void append_label_value(std::string& out, std::string_view value) {
    for (char c : value) {
        switch (c) {
            case '\\': out += "\\\\"; break;
            case '"': out += "\\\""; break;
            case '\n': out += "\\n"; break;
            default: out += c;
        }
    }
}

void append_help_text(std::string& out, std::string_view help) {
    for (char c : help) {
        switch (c) {
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            default: out += c;
        }
    }
}

void append_number(std::string& out, double v) {
    if (std::isnan(v)) out += "NaN";
    else if (std::isinf(v)) out += v > 0 ? "+Inf" : "-Inf";
    else append_chars(out, v);
}

void append_number(std::string& out, std::uint64_t v) { append_chars(out, v); }

std::string label_list(std::initializer_list<LabelPair> labels) {
    std::string out;
    for (const auto& [name, value] : labels) {
        if (!out.empty()) out += ',';
        out += name;
        out += "=\"";
        append_label_value(out, value);
        out += '"';
    }
    return out;
}

void Exposition::family(std::string_view name, MetricType type, std::string_view help) {
    out_ += "# HELP ";
    out_ += name;
    out_ += ' ';
    append_help_text(out_, help);
    out_ += "\n# TYPE ";
    out_ += name;
    out_ += ' ';
    out_ += metric_type_name(type);
    out_ += '\n';
}

void Exposition::open(std::string_view name, std::string_view labels, bool more_labels) {
    out_ += name;
    if (!labels.empty() || more_labels) out_ += '{';
    out_ += labels;
}

}  // namespace telehub::hub
