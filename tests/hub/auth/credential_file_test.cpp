#include "hub/auth/credential_file.hpp"

#define BOOST_TEST_MODULE credential_file
#include <boost/test/unit_test.hpp>

#include <stdexcept>
#include <string>

using namespace telehub::hub;

namespace {

// The message of the exception parse_credentials throws, or "" when it parses.
std::string error_of(const std::string& text) {
    try {
        parse_credentials(text, "agents.tokens");
    } catch (const std::runtime_error& e) {
        return e.what();
    }
    return {};
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

}  // namespace

BOOST_AUTO_TEST_CASE(a_written_line_reads_back_with_its_digest_and_hosts) {
    auto text = "# fleet\n\n" + format_credential("web1", "token-of-web1-abc", {"web1", "web1-b"}) +
                format_credential("ci", "token-of-ci-xyz", {});
    auto lines = parse_credentials(text, "agents.tokens");
    BOOST_REQUIRE_EQUAL(lines.size(), 2u);
    BOOST_TEST(lines[0].name == "web1");
    BOOST_TEST(lines[0].digest == token_digest("token-of-web1-abc"));
    BOOST_TEST(lines[0].digest != token_digest("token-of-ci-xyz"));
    BOOST_TEST(lines[0].hosts == (std::vector<std::string>{"web1", "web1-b"}), boost::test_tools::per_element());
    BOOST_TEST(lines[1].hosts.empty());
    // The token itself is never in the file.
    BOOST_TEST(!contains(text, "token-of-web1-abc"));
}

BOOST_AUTO_TEST_CASE(bad_lines_are_named_by_file_and_line) {
    const std::string digest = "sha256:" + std::string(64, 'a');
    BOOST_TEST(error_of("web1 " + digest + "\nweb2\n") ==
               "agents.tokens:2: expected NAME sha256:HEX [HOST,...], got 1 fields");
    // A token pasted in place of its digest is not repeated in the message (it would reach the log).
    const auto pasted = error_of("web1 plain-token-here\n");
    BOOST_TEST(contains(pasted, "agents.tokens:1: the second field (16 characters, not shown) is not sha256:"), pasted);
    BOOST_TEST(!contains(pasted, "plain-token-here"), pasted);
    BOOST_TEST(contains(error_of("web1 sha256:abc\n"), "64 hex digits"));
    BOOST_TEST(contains(error_of("web1 sha256:" + std::string(64, 'g') + "\n"), "is not sha256:"));
    BOOST_TEST(contains(error_of("we/b1 " + digest + "\n"), "name 'we/b1'"));
    BOOST_TEST(contains(error_of("web1 " + digest + " a,,b\n"), "host id ''"));
    BOOST_TEST(contains(error_of("web1 " + digest + "\nweb1 " + digest + "\n"), "agents.tokens:2: the name 'web1' is used twice"));
    BOOST_TEST(error_of("  # only a comment\r\n\n").empty());
}

BOOST_AUTO_TEST_CASE(words_that_fit_the_format) {
    BOOST_TEST(valid_credential_word("web-1.example_a"));
    BOOST_TEST(!valid_credential_word(""));
    BOOST_TEST(!valid_credential_word("a b"));
    BOOST_TEST(!valid_credential_word("a,b"));
    BOOST_TEST(!valid_credential_word(std::string(129, 'a')));
}

BOOST_AUTO_TEST_CASE(a_file_names_its_role_in_its_first_line) {
    for (std::string role : {"agent", "admin", "viewer"}) {
        const auto line = role_line(role);
        BOOST_TEST(line.front() == '#');
        BOOST_TEST(declared_role(line) == role);
        BOOST_TEST(declared_role("\n  \n" + line + "web1 sha256:" + std::string(64, 'a') + "\n") == role);
        // The role line is a comment to the parser.
        BOOST_TEST(parse_credentials(line, "f").empty());
    }
    BOOST_TEST(contains(role_line("agent"), "[HOST,...]"));
    BOOST_TEST(!contains(role_line("admin"), "HOST"));
    // A file written by hand, or before files had the line, says nothing.
    BOOST_TEST(declared_role("").empty());
    BOOST_TEST(declared_role("web1 sha256:" + std::string(64, 'a') + "\n").empty());
    BOOST_TEST(declared_role("# my fleet\n" + role_line("admin")).empty());
    BOOST_TEST(declared_role("# telehub root credentials\n").empty());
    BOOST_TEST(declared_role("# telehub adminx credentials\n").empty());
}
