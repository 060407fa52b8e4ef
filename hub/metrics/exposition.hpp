// The Prometheus text exposition format (version 0.0.4): HELP and TYPE lines,
// samples, label value escaping, numbers. Appends to one string that the
// caller reserves, because a 10,000-host scrape writes tens of megabytes and
// a stream or a string per line would cost more than the numbers themselves.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace telehub::hub {

enum class MetricType { counter, gauge };

std::string_view metric_type_name(MetricType t);

// True for a valid metric name ([a-zA-Z_:][a-zA-Z0-9_:]*) or, without the
// colon, a valid label name.
bool valid_metric_name(std::string_view name);
bool valid_label_name(std::string_view name);

// Label value escaping: backslash, double quote and newline.
void append_label_value(std::string& out, std::string_view value);
// HELP text escaping: backslash and newline.
void append_help_text(std::string& out, std::string_view help);
// Shortest round-trip decimal; NaN, +Inf and -Inf as the format spells them.
void append_number(std::string& out, double v);
void append_number(std::string& out, std::uint64_t v);

using LabelPair = std::pair<std::string_view, std::string_view>;

// `name="value",name="value"` with the values escaped: built once per host
// and reused by every family's line for that host.
std::string label_list(std::initializer_list<LabelPair> labels);

class Exposition {
public:
    explicit Exposition(std::string& out) : out_(out) {}

    // # HELP and # TYPE; every sample of the family must follow before the next family.
    void family(std::string_view name, MetricType type, std::string_view help);

    // name{labels} value, `labels` from label_list (or empty for none).
    // Integers are written exactly, everything else as a double.
    template <class V>
    void sample(std::string_view name, std::string_view labels, V value) {
        open(name, labels, false);
        finish(!labels.empty(), value);
    }
    // The same with one more label after `labels`, escaped here.
    template <class V>
    void sample(std::string_view name, std::string_view labels, LabelPair extra, V value) {
        open(name, labels, true);
        if (!labels.empty()) out_ += ',';
        out_ += extra.first;
        out_ += "=\"";
        append_label_value(out_, extra.second);
        out_ += '"';
        finish(true, value);
    }

private:
    void open(std::string_view name, std::string_view labels, bool more_labels);
    template <class V>
    void finish(bool braces, V value) {
        out_ += braces ? "} " : " ";
        if constexpr (std::is_integral_v<V>) append_number(out_, static_cast<std::uint64_t>(value));
        else append_number(out_, static_cast<double>(value));
        out_ += '\n';
    }

    std::string& out_;
};

}  // namespace telehub::hub
