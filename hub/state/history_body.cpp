#include "hub/state/history_body.hpp"

#include "telehub/json_writer.hpp"

namespace telehub::hub {
namespace {

template <class T>
void append_numbers(std::string& out, const std::vector<T>& values) {
    append_json_array(out, values, append_json_number<T>);
}

// The minute tier as columns: ts_ms and count, then {min, avg, max} per value.
void append_minutes(std::string& out, const std::vector<MinuteRow>& rows) {
    struct Column {
        const char* name;
        std::uint16_t HistoryPoint::*field;
        double scale;
    };
    static constexpr Column columns[] = {
        {"cpu", &HistoryPoint::cpu_tenths, 0.1},
        {"load1", &HistoryPoint::load1_hundredths, 0.01},
        {"tcp_established", &HistoryPoint::tcp_established, 1},
        {"tcp_listen", &HistoryPoint::tcp_listen, 1},
        {"tcp_time_wait", &HistoryPoint::tcp_time_wait, 1},
        {"tcp_close_wait", &HistoryPoint::tcp_close_wait, 1},
        {"udp", &HistoryPoint::udp, 1},
        {"unix", &HistoryPoint::unix_, 1},
        {"top_cpu", &HistoryPoint::top_cpu_tenths, 0.1},
        {"opens_exact", &HistoryPoint::opens_exact, 1},
        {"opened", &HistoryPoint::opened_sampled, 1},
        {"closed", &HistoryPoint::closed_sampled, 1},
    };
    JsonObjectWriter o(out);
    o.num("interval_ms", minute_ms);
    append_json_array(o.key("ts_ms"), rows, [](std::string& s, const MinuteRow& r) { append_json_number(s, r.minute_ms); });
    append_json_array(o.key("count"), rows, [](std::string& s, const MinuteRow& r) { append_json_number(s, r.count); });
    for (const auto& c : columns) {
        JsonObjectWriter stats(o.key(c.name));
        // Whole counts are written as integers, scaled ones as the shortest decimal that reads back.
        auto column = [&](HistoryPoint MinuteRow::*which) {
            return [&c, which](std::string& s, const MinuteRow& r) {
                const auto v = r.*which.*c.field;
                if (c.scale == 1) append_json_number(s, v);
                else append_json_number(s, v * c.scale);
            };
        };
        append_json_array(stats.key("min"), rows, column(&MinuteRow::min));
        append_json_array(stats.key("avg"), rows, column(&MinuteRow::avg));
        append_json_array(stats.key("max"), rows, column(&MinuteRow::max));
        stats.close();
    }
    o.close();
}

}  // namespace

std::string history_body(const HostHistory& h, const std::vector<MinuteRow>* minutes) {
    const auto& c = h.columns;
    std::string out;
    // About 12 bytes a point for each of 17 columns, and 6 a minute row for each of 38.
    out.reserve(256 + c.ts_ms.size() * (17 * 12 + c.per_core.size() * 6) + (minutes ? minutes->size() * 38 * 6 : 0));
    JsonObjectWriter o(out);
    o.str("host_id", h.host_id);
    if (minutes) append_minutes(o.key("minutes"), *minutes);
    else o.key("minutes").append("null");
    o.num("interval_ms", h.interval_ms);
    append_numbers(o.key("ts_ms"), c.ts_ms);
    append_numbers(o.key("seq"), c.seq);
    append_numbers(o.key("cpu"), c.cpu);
    append_json_array(o.key("per_core"), c.per_core, append_numbers<double>);
    append_numbers(o.key("load1"), c.load1);
    append_numbers(o.key("tcp_established"), c.tcp_established);
    append_numbers(o.key("tcp_listen"), c.tcp_listen);
    append_numbers(o.key("tcp_time_wait"), c.tcp_time_wait);
    append_numbers(o.key("tcp_close_wait"), c.tcp_close_wait);
    append_numbers(o.key("udp"), c.udp);
    append_numbers(o.key("unix"), c.unix_);
    append_json_array(o.key("top_name"), c.top_name, append_json_string);
    append_numbers(o.key("top_cpu"), c.top_cpu);
    append_numbers(o.key("opens_exact"), c.opens_exact);
    append_numbers(o.key("opened"), c.opened);
    append_numbers(o.key("closed"), c.closed);
    o.close();
    return out;
}

}  // namespace telehub::hub
