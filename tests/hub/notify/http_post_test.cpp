// The webhook client against a real HTTPS receiver on loopback (the Python
// one, with certificates from the test PKI): delivered when the chain is
// trusted and names the host, with SNI sent; refused for an unknown CA, a
// certificate for another name; plain http, and a closed port.
#include "hub/notify/notify.hpp"

#define BOOST_TEST_MODULE http_post
#include <boost/test/unit_test.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <nlohmann/json.hpp>

#include "tests/support/child_process.hpp"
#include "tests/support/net.hpp"
#include "tests/support/test_pki.hpp"
#include "tests/support/wait.hpp"

using namespace telehub::hub;
using namespace telehub::test;
using namespace std::chrono_literals;
using json = nlohmann::json;

namespace {

const std::string receiver_script = TELEHUB_SOURCE_DIR "/tests/integration/webhook_receiver.py";

struct Receiver {
    std::uint16_t port = free_port();
    std::unique_ptr<ChildProcess> proc;
    Receiver(const std::string& cert = {}, const std::string& key = {}) {
        std::vector<std::string> argv = {"/usr/bin/python3", receiver_script, std::to_string(port), "k"};
        if (!cert.empty()) argv.insert(argv.end(), {cert, key});
        proc = std::make_unique<ChildProcess>(argv);
        BOOST_REQUIRE(wait_until([&] { return proc->output().find("READY") != std::string::npos; }, 10s));
    }
    std::vector<json> received() const {
        std::vector<json> out;
        std::istringstream lines(proc->output());
        for (std::string line; std::getline(lines, line);)
            if (!line.empty() && line.front() == '{') out.push_back(json::parse(line));
        return out;
    }
};

// One POST, run to completion on an io_context of its own.
std::string post(const std::string& url, const std::string& ca_file, const std::string& body = R"({"status":"firing"})") {
    boost::asio::io_context ioc;
    auto parsed = parse_http_url(url);
    BOOST_REQUIRE(parsed);
    std::unique_ptr<boost::asio::ssl::context> tls;
    if (parsed->tls) tls = make_client_tls(ca_file);
    HeaderList headers = {{std::string(signature_header), signature_value("k", body)}};
    auto result = boost::asio::co_spawn(ioc, http_post(*parsed, tls.get(), body, headers, 5s), boost::asio::use_future);
    ioc.run();
    return result.get();
}

}  // namespace

BOOST_AUTO_TEST_CASE(https_verifies_the_chain_and_the_name_and_sends_sni) {
    TestPki pki;
    Receiver good(pki.hub.cert_file, pki.hub.key_file);
    const std::string url = "https://localhost:" + std::to_string(good.port) + "/hook";
    BOOST_TEST(post(url, pki.ca_file) == "");
    auto got = good.received();
    BOOST_TEST_REQUIRE(got.size() == 1u);
    BOOST_TEST(got[0]["verified"] == true);
    BOOST_TEST(got[0]["sni"] == "localhost");
    BOOST_TEST(got[0]["path"] == "/hook");

    const std::string untrusted = post(url, pki.other_ca_file);
    BOOST_TEST(untrusted.find("TLS handshake with localhost") != std::string::npos, untrusted);
    BOOST_TEST(untrusted.find("certificate verify failed") != std::string::npos, untrusted);

    Receiver wrong_name(pki.other_name.cert_file, pki.other_name.key_file);
    const std::string mismatch = post("https://localhost:" + std::to_string(wrong_name.port) + "/", pki.ca_file);
    BOOST_TEST(mismatch.find("certificate verify failed") != std::string::npos, mismatch);
    BOOST_TEST(wrong_name.received().empty());
    BOOST_TEST(good.received().size() == 1u, "a refused handshake still delivered");
}

BOOST_AUTO_TEST_CASE(plain_http_and_its_failures) {
    Receiver plain;
    BOOST_TEST(post("http://127.0.0.1:" + std::to_string(plain.port) + "/x?y=1", "") == "");
    BOOST_TEST_REQUIRE(plain.received().size() == 1u);
    BOOST_TEST(plain.received()[0]["path"] == "/x?y=1");
    BOOST_TEST(plain.received()[0]["verified"] == true);
    BOOST_TEST(plain.received()[0]["sni"].is_null());
    const std::uint16_t closed = free_port();
    const std::string refused = post("http://127.0.0.1:" + std::to_string(closed) + "/", "");
    BOOST_TEST(refused.find("connecting to 127.0.0.1:" + std::to_string(closed)) != std::string::npos, refused);
}
