#include "agent/collect/proc/user_names.hpp"

#define BOOST_TEST_MODULE user_names
#include <boost/test/unit_test.hpp>

#include <pwd.h>
#include <unistd.h>

using telehub::agent::UserNames;

BOOST_AUTO_TEST_CASE(known_uid_resolves_to_its_name) {
    UserNames users;
    passwd* pw = ::getpwuid(::getuid());
    BOOST_REQUIRE(pw != nullptr);
    BOOST_TEST(users.name(::getuid()) == pw->pw_name);
    BOOST_TEST(users.name(0) == "root");
}

BOOST_AUTO_TEST_CASE(unknown_uid_falls_back_to_the_number) {
    UserNames users;
    BOOST_TEST(users.name(4000000123u) == "4000000123");
}

BOOST_AUTO_TEST_CASE(cached_reference_is_stable) {
    UserNames users;
    const std::string& first = users.name(0);
    for (std::uint32_t uid = 4000000000u; uid < 4000000200u; ++uid) users.name(uid);  // force rehashes
    BOOST_TEST(&users.name(0) == &first);
    BOOST_TEST(first == "root");
}
