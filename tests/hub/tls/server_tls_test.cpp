// The hub's TLS identity: ticket keys kept across restarts but renewed with a
// new certificate, warnings about the certificate's dates, and a half-done
// rotation named as such.
#include "hub/tls/server_tls.hpp"
#include "hub/tls/self_signed.hpp"

#define BOOST_TEST_MODULE server_tls
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "tests/support/test_pki.hpp"

using namespace telehub::hub;
using namespace telehub::test;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

std::string read_all(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

void copy_pair(const TestCert& from, const fs::path& cert, const fs::path& key) {
    fs::copy_file(from.cert_file, cert, fs::copy_options::overwrite_existing);
    fs::copy_file(from.key_file, key, fs::copy_options::overwrite_existing);
}

struct Files {
    TestPki pki;
    fs::path cert = pki.dir() / "in-use.pem", key = pki.dir() / "in-use.key", keys = pki.dir() / "tls" / "ticket-keys";
};

}  // namespace

BOOST_AUTO_TEST_CASE(ticket_keys_survive_a_restart_with_the_same_certificate) {
    Files f;
    copy_pair(f.pki.hub, f.cert, f.key);
    std::string first;
    {
        ServerTls tls(f.cert.string(), f.key.string(), f.keys.string());
        first = read_all(f.keys);
        BOOST_TEST(first.size() == 80 + tls.fingerprint().size());
        BOOST_TEST(first.substr(80) == f.pki.hub.fingerprint);
    }
    ServerTls again(f.cert.string(), f.key.string(), f.keys.string());
    BOOST_TEST(read_all(f.keys) == first);
    again.reload();  // the same certificate: the keys stay
    BOOST_TEST(read_all(f.keys) == first);
}

// A resumed session shows no certificate: with the old keys an agent pinning
// the old certificate would resume after a rotation instead of being refused.
BOOST_AUTO_TEST_CASE(a_new_certificate_gets_new_ticket_keys_at_reload_and_at_start) {
    Files f;
    copy_pair(f.pki.hub, f.cert, f.key);
    ServerTls tls(f.cert.string(), f.key.string(), f.keys.string());
    const auto before = read_all(f.keys);
    copy_pair(f.pki.hub_rsa, f.cert, f.key);
    tls.reload();
    const auto after = read_all(f.keys);
    BOOST_TEST(tls.fingerprint() == f.pki.hub_rsa.fingerprint);
    BOOST_TEST(after.substr(80) == f.pki.hub_rsa.fingerprint);
    BOOST_TEST(after.substr(0, 80) != before.substr(0, 80));

    // Started on another certificate than the file names: new keys too.
    copy_pair(f.pki.hub, f.cert, f.key);
    ServerTls restarted(f.cert.string(), f.key.string(), f.keys.string());
    BOOST_TEST(read_all(f.keys).substr(0, 80) != after.substr(0, 80));
}

BOOST_AUTO_TEST_CASE(a_file_of_the_keys_alone_is_adopted) {
    Files f;
    copy_pair(f.pki.hub, f.cert, f.key);
    fs::create_directories(f.keys.parent_path());
    const std::string legacy(80, 'k');
    std::ofstream(f.keys, std::ios::binary) << legacy;
    ServerTls tls(f.cert.string(), f.key.string(), f.keys.string());
    BOOST_TEST(read_all(f.keys) == legacy + f.pki.hub.fingerprint);
}

BOOST_AUTO_TEST_CASE(the_certificate_dates_are_warned_about) {
    Files f;
    copy_pair(f.pki.expired, f.cert, f.key);
    ServerTls expired(f.cert.string(), f.key.string(), f.keys.string());
    auto w = expired.validity_warning();
    BOOST_TEST(w.find(" expired on ") != std::string::npos, w);
    BOOST_TEST(w.find(f.cert.string()) != std::string::npos, w);

    // The good test certificate is valid from an hour ago for 7 days.
    copy_pair(f.pki.hub, f.cert, f.key);
    ServerTls good(f.cert.string(), f.key.string(), f.keys.string());
    const auto now = std::chrono::system_clock::now();
    BOOST_TEST(good.validity_warning(now - 24h).find("is not valid before") != std::string::npos);
    BOOST_TEST(good.validity_warning(now).find("in less than 14 days") != std::string::npos);
    BOOST_TEST(good.validity_warning(now + 8 * 24h).find(" expired on ") != std::string::npos);
    // The hub's own certificate is good for years: nothing to say.
    auto made = ensure_self_signed((f.pki.dir() / "made").string(), {"localhost"}, {"127.0.0.1"});
    ServerTls own(made.cert_file, made.key_file, f.keys.string());
    BOOST_TEST(own.validity_warning().empty(), own.validity_warning());
    BOOST_TEST(own.validity_warning(now + 365 * 24h).empty());
}

BOOST_AUTO_TEST_CASE(a_key_of_another_certificate_is_named_as_such) {
    Files f;
    fs::copy_file(f.pki.hub.cert_file, f.cert);
    fs::copy_file(f.pki.other_name.key_file, f.key);
    try {
        ServerTls tls(f.cert.string(), f.key.string(), f.keys.string());
        BOOST_FAIL("a mismatched pair was accepted");
    } catch (const std::runtime_error& e) {
        const std::string what = e.what();
        BOOST_TEST(what.find("does not belong to the certificate") != std::string::npos, what);
        BOOST_TEST(what.find("--tls-key") != std::string::npos, what);
    }
}
