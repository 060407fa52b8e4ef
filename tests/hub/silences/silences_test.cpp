#include "hub/silences/silences.hpp"

#define BOOST_TEST_MODULE silences
#include <boost/test/unit_test.hpp>

#include <nlohmann/json.hpp>

using namespace telehub::hub;

namespace {

Silence silence(std::string rule, std::string host, std::int64_t until_ms) {
    Silence s;
    s.rule = std::move(rule);
    s.host = std::move(host);
    s.until_ms = until_ms;
    return s;
}

}  // namespace

BOOST_AUTO_TEST_CASE(matches_rule_and_host_globs_until_its_end) {
    const Silence both = silence("busy-*", "web-?", 10'000);
    BOOST_TEST(silence_matches(both, "busy-loop", "web-1", "", 0));
    BOOST_TEST(!silence_matches(both, "disk-full", "web-1", "", 0), "another rule");
    BOOST_TEST(!silence_matches(both, "busy-loop", "db-1", "db-1.example", 0), "another host");
    BOOST_TEST(silence_matches(both, "busy-loop", "a1b2c3", "web-2", 0), "by hostname");
    BOOST_TEST(silence_matches(both, "busy-loop", "web-1", "", 9999));
    BOOST_TEST(!silence_matches(both, "busy-loop", "web-1", "", 10'000), "after its end");
    BOOST_TEST(silence_matches(silence("", "web-*", 10'000), "anything", "web-9", "", 0), "any rule");
    BOOST_TEST(silence_matches(silence("busy-loop", "", 10'000), "busy-loop", "anywhere", "", 0), "any host");
}

BOOST_AUTO_TEST_CASE(the_book_adds_lists_ends_and_forgets) {
    SilenceBook book;
    const auto v0 = book.version();
    auto a = book.add(silence("busy-*", "", 5000), 0).value();
    auto b = book.add(silence("", "web-1", 20'000), 0).value();
    BOOST_TEST(a != b);
    BOOST_TEST(book.version() != v0);
    BOOST_TEST(book.silenced("busy-loop", "x", "", 4000));
    BOOST_TEST(book.silenced("other", "web-1", "", 4000));
    BOOST_TEST(!book.silenced("other", "web-2", "", 4000));
    BOOST_TEST(book.active(6000).size() == 1u, "an ended silence is still listed");
    BOOST_TEST(!book.silenced("busy-loop", "x", "", 6000));
    BOOST_TEST(book.remove(b));
    BOOST_TEST(!book.remove(b));
    BOOST_TEST(!book.silenced("other", "web-1", "", 6000));
    // Restored silences keep their ids; new ones do not reuse them.
    SilenceBook again;
    again.restore({[] {
        Silence s = silence("r", "", 9000);
        s.id = 41;
        return s;
    }()});
    BOOST_TEST(again.add(silence("q", "", 9000), 0).value_or(0) == 42u);
}

BOOST_AUTO_TEST_CASE(the_book_holds_a_bounded_number_in_force) {
    SilenceBook book;
    for (std::size_t i = 0; i < SilenceBook::max_silences; ++i)
        BOOST_TEST_REQUIRE(book.add(silence("r-" + std::to_string(i), "", i == 0 ? 5000 : 20'000), 0).has_value());
    BOOST_TEST(!book.add(silence("one-more", "", 20'000), 1000).has_value(), "the book is full");
    BOOST_TEST(book.all().size() == SilenceBook::max_silences, "a refused silence is not kept");
    // The first one has ended by 6000: it no longer counts.
    BOOST_TEST(book.add(silence("one-more", "", 20'000), 6000).has_value());
    BOOST_TEST(!book.add(silence("two-more", "", 20'000), 6000).has_value());
}

BOOST_AUTO_TEST_CASE(a_request_is_checked_field_by_field) {
    const std::int64_t now = 1'800'000'000'000;
    auto ok = parse_silence(R"({"rule":"busy-*","host":"web-*","until":1800003600,"comment":"kernel upgrade"})", "alice", now);
    BOOST_TEST_REQUIRE(std::holds_alternative<Silence>(ok));
    const Silence& s = std::get<Silence>(ok);
    BOOST_TEST(s.until_ms == 1'800'003'600'000);
    BOOST_TEST(s.created_by == "alice");
    BOOST_TEST(s.created_ms == now);
    BOOST_TEST(s.comment == "kernel upgrade");
    auto iso = parse_silence(R"({"host":"web-1","until":"2027-01-15T10:00:00+01:00","comment":"x"})", "bob", now);
    BOOST_TEST_REQUIRE(std::holds_alternative<Silence>(iso));
    BOOST_TEST(std::get<Silence>(iso).until_ms == 1'800'003'600'000);

    struct Case {
        std::string body;
        std::string field;
        std::string want;
    };
    const Case cases[] = {
        {"not json", "body", "JSON object"},
        {R"({"until":1800003600,"comment":"x"})", "rule", "give a rule glob, a host glob or both"},
        {R"({"rule":"","until":1800003600,"comment":"x"})", "rule", "must be a glob"},
        {R"({"rule":"r","host":5,"until":1800003600,"comment":"x"})", "host", "must be a glob"},
        {R"({"rule":"r","comment":"x"})", "until", "missing"},
        {R"({"rule":"r","until":1700000000,"comment":"x"})", "until", "in the past"},
        {R"({"rule":"r","until":1900000000,"comment":"x"})", "until", "more than a year"},
        {R"({"rule":"r","until":"tomorrow","comment":"x"})", "until", "ISO 8601"},
        {R"({"rule":"r","until":"2027-01-15T08:30:00","comment":"x"})", "until", "with a zone"},
        {R"({"rule":"r","until":true,"comment":"x"})", "until", "unix seconds"},
        {R"({"rule":"r","until":1800003600})", "comment", "missing"},
        {R"({"rule":"r","until":1800003600,"comment":""})", "comment", "missing"},
        {R"({"rule":"r","until":1800003600,"comment":"x","why":"y"})", "why", "unknown field"},
    };
    for (const Case& c : cases) {
        auto r = parse_silence(c.body, "alice", now);
        BOOST_TEST_REQUIRE(std::holds_alternative<SilenceError>(r), "accepted " << c.body);
        const auto& e = std::get<SilenceError>(r);
        BOOST_TEST(e.field == c.field, c.body << ": " << e.message);
        BOOST_TEST(e.message.find(c.want) != std::string::npos, c.body << ": " << e.message);
    }
}

BOOST_AUTO_TEST_CASE(iso_times) {
    BOOST_TEST(parse_iso8601_ms("1970-01-01T00:00:00Z").value_or(-1) == 0);
    BOOST_TEST(parse_iso8601_ms("2026-12-05T03:00:00Z").value_or(-1) == 1'796'439'600'000);
    BOOST_TEST(parse_iso8601_ms("2026-12-05T04:00:00.250+01:00").value_or(-1) == 1'796'439'600'250);
    BOOST_TEST(parse_iso8601_ms("2026-12-05T03:00Z").value_or(-1) == 1'796'439'600'000);
    for (const char* bad : {"2026-02-31T00:00:00Z", "2026-12-05 03:00:00Z", "2026-12-05T25:00:00Z", "2026-12-05T03:00:00+1",
                            "2026-12-05T03:00:00Zjunk", ""})
        BOOST_TEST(!parse_iso8601_ms(bad).has_value(), bad);
}

BOOST_AUTO_TEST_CASE(the_api_makes_lists_and_deletes) {
    SilenceBook book;
    const std::int64_t now = 1'800'000'000'000;
    auto made = silences_reply(book, "POST", "/api/silences", R"({"rule":"busy-*","until":1800003600,"comment":"deploy"})",
                               "ops-token", now);
    BOOST_TEST_REQUIRE(made.status == 201, made.body);
    auto j = nlohmann::json::parse(made.body);
    BOOST_TEST(j["created_by"] == "ops-token");
    const auto id = j["id"].get<std::uint64_t>();
    auto bad = silences_reply(book, "POST", "/api/silences", R"({"rule":"x","until":"soon","comment":"c"})", "ops", now);
    BOOST_TEST(bad.status == 400);
    BOOST_TEST(nlohmann::json::parse(bad.body)["error"]["field"] == "until", bad.body);
    auto list = nlohmann::json::parse(silences_reply(book, "GET", "/api/silences", "", "-", now).body);
    BOOST_TEST(list["silences"].size() == 1u);
    BOOST_TEST(silences_reply(book, "DELETE", "/api/silences/" + std::to_string(id), "", "ops", now).status == 200);
    BOOST_TEST(silences_reply(book, "DELETE", "/api/silences/" + std::to_string(id), "", "ops", now).status == 404);
    BOOST_TEST(silences_reply(book, "DELETE", "/api/silences/abc", "", "ops", now).status == 404);
    BOOST_TEST(silences_reply(book, "PUT", "/api/silences", "", "ops", now).status == 405);
    // A full book: a clear refusal naming the limit, nothing added.
    for (std::size_t i = 0; i < SilenceBook::max_silences; ++i)
        BOOST_TEST_REQUIRE(book.add(silence("r", "", now + 1000), now).has_value());
    auto full = silences_reply(book, "POST", "/api/silences", R"({"rule":"busy-*","until":1800003600,"comment":"deploy"})",
                               "ops-token", now);
    BOOST_TEST(full.status == 409);
    const auto error = nlohmann::json::parse(full.body)["error"];
    BOOST_TEST(error["code"] == "too_many_silences", full.body);
    BOOST_TEST(error["message"].get<std::string>().find(std::to_string(SilenceBook::max_silences)) != std::string::npos);
    BOOST_TEST(book.all().size() == SilenceBook::max_silences);
    BOOST_TEST(is_silences_path("/api/silences/3"));
    BOOST_TEST(!is_silences_path("/api/silencesx"));
}
