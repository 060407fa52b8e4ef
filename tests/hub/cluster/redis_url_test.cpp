#define BOOST_TEST_MODULE redis_url
#include <boost/test/unit_test.hpp>

#include "hub/cluster/cluster.hpp"

using namespace telehub::hub;

namespace {

RedisUrl ok(std::string_view text) {
    auto r = parse_redis_url(text);
    auto* e = std::get_if<RedisUrlError>(&r);
    BOOST_REQUIRE_MESSAGE(!e, text << ": " << (e ? e->message : ""));
    return std::get<RedisUrl>(r);
}

std::string refused(std::string_view text) {
    auto r = parse_redis_url(text);
    BOOST_REQUIRE_MESSAGE(std::holds_alternative<RedisUrlError>(r), text << " was accepted");
    return std::get<RedisUrlError>(r).message;
}

}  // namespace

BOOST_AUTO_TEST_CASE(host_port_database_and_credentials) {
    auto a = ok("redis://127.0.0.1:6380/2");
    BOOST_TEST(a.host == "127.0.0.1");
    BOOST_TEST(a.port == 6380);
    BOOST_TEST(a.db == 2);
    BOOST_TEST(a.password.empty());

    auto b = ok("redis://redis.internal");
    BOOST_TEST(b.host == "redis.internal");
    BOOST_TEST(b.port == 6379);
    BOOST_TEST(b.db == 0);

    auto c = ok("redis://telehub:s3cr%t@[::1]:7000");
    BOOST_TEST(c.host == "::1");
    BOOST_TEST(c.port == 7000);
    BOOST_TEST(c.user == "telehub");
    BOOST_TEST(c.password == "s3cr%t");
    BOOST_TEST(c.display() == "redis://telehub:***@[::1]:7000");  // never the password

    auto d = ok("redis://:pw@host/");
    BOOST_TEST(d.user.empty());
    BOOST_TEST(d.password == "pw");
}

BOOST_AUTO_TEST_CASE(rediss_is_redis_over_tls) {
    auto t = ok("rediss://:pw@redis.internal:6380/1");
    BOOST_TEST(t.tls);
    BOOST_TEST(t.host == "redis.internal");
    BOOST_TEST(t.port == 6380);
    BOOST_TEST(t.db == 1);
    BOOST_TEST(t.display() == "rediss://:***@redis.internal:6380/1");
    BOOST_TEST(!ok("redis://redis.internal").tls);
}

BOOST_AUTO_TEST_CASE(bad_urls_name_what_is_wrong) {
    BOOST_TEST(refused("http://127.0.0.1:6379").find("redis://") != std::string::npos);
    BOOST_TEST(refused("redisx://127.0.0.1").find("rediss://") != std::string::npos);
    BOOST_TEST(refused("redis://127.0.0.1:0").find("port") != std::string::npos);
    BOOST_TEST(refused("redis://127.0.0.1:99999").find("port") != std::string::npos);
    BOOST_TEST(refused("redis://127.0.0.1:6379/16").find("database") != std::string::npos);
    BOOST_TEST(refused("redis://127.0.0.1:6379/x").find("database") != std::string::npos);
    BOOST_TEST(refused("redis://:6379").find("no host") != std::string::npos);
    BOOST_TEST(refused("redis://[::1:6379").find("]") != std::string::npos);
    BOOST_TEST(refused("redis://a b:6379").find("host") != std::string::npos);
}

// A password may hold '/' as typed or as %2F (percent-encoding decoded in the
// user-info), and no message ever repeats it.
BOOST_AUTO_TEST_CASE(a_password_with_a_slash_and_messages_without_the_password) {
    auto raw = ok("redis://:Zm9v+YmFy/cXV4=@10.0.0.5:6381/3");
    BOOST_TEST(raw.password == "Zm9v+YmFy/cXV4=");
    BOOST_TEST(raw.host == "10.0.0.5");
    BOOST_TEST(raw.port == 6381);
    BOOST_TEST(raw.db == 3);
    auto encoded = ok("redis://ops%3Aa:ab%2Fcd%40x@host");
    BOOST_TEST(encoded.user == "ops:a");
    BOOST_TEST(encoded.password == "ab/cd@x");
    BOOST_TEST(ok("redis://:100%zz@host").password == "100%zz");  // not an escape: as typed
    for (const char* url : {"redis://:s3cret/pw@:6379", "redis://:s3cret/pw@host:6379/99", "redis://:s3cret/pw@host:0"}) {
        const auto why = refused(url);
        BOOST_TEST(why.find("s3cret") == std::string::npos, url << ": " << why);
    }
    BOOST_TEST(refused("http://:s3cret@host").find("s3cret") == std::string::npos);
}
