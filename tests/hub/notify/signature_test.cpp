// The webhook signature against OpenSSL's own command line, run here on the
// same bytes: what a receiver checking with `openssl dgst -sha256 -hmac`
// computes is what the hub sends.
#include "hub/notify/notify.hpp"

#define BOOST_TEST_MODULE signature
#include <boost/test/unit_test.hpp>

#include <array>
#include <cstdio>
#include <fstream>
#include <string>

#include "tests/support/temp_dir.hpp"

using namespace telehub::hub;

namespace {

// `openssl dgst -sha256 -hmac KEY FILE`: "HMAC-SHA2-256(FILE)= HEX".
std::string openssl_hmac(const std::string& key, const std::string& body) {
    telehub::test::TempDir dir("telehub-hmac");
    const std::string file = dir.str() + "/body";
    std::ofstream(file, std::ios::binary) << body;
    const std::string cmd = "openssl dgst -sha256 -hmac '" + key + "' '" + file + "'";
    FILE* p = ::popen(cmd.c_str(), "r");
    BOOST_REQUIRE(p);
    std::string out;
    std::array<char, 256> buf{};
    while (std::fgets(buf.data(), buf.size(), p)) out += buf.data();
    BOOST_REQUIRE(::pclose(p) == 0);
    auto eq = out.rfind("= ");
    BOOST_REQUIRE(eq != std::string::npos);
    std::string hex = out.substr(eq + 2);
    while (!hex.empty() && (hex.back() == '\n' || hex.back() == '\r')) hex.pop_back();
    return hex;
}

}  // namespace

BOOST_AUTO_TEST_CASE(matches_openssl_dgst) {
    const std::string bodies[] = {R"({"version":1,"status":"firing","rule":{"name":"busy-loop"}})", "", "ünïcode\nand\0nul"};
    for (const std::string& body : bodies) {
        const std::string want = openssl_hmac("shared-secret-123", body);
        BOOST_TEST(want.size() == 64u);
        BOOST_TEST(hmac_sha256_hex("shared-secret-123", body) == want, body);
        BOOST_TEST(signature_value("shared-secret-123", body) == "sha256=" + want);
    }
    BOOST_TEST(hmac_sha256_hex("another-secret", bodies[0]) != hmac_sha256_hex("shared-secret-123", bodies[0]));
}
