#include "hub/token_command.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <fcntl.h>
#include <grp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/program_options.hpp>

#include "hub/auth/auth.hpp"

namespace telehub::hub {
namespace po = boost::program_options;

namespace {

constexpr const char* usage = "telehub token new NAME [--host ID]... [--role agent|admin|viewer] --file FILE";

[[noreturn]] void bad(const std::string& what) { throw std::runtime_error("token new: " + what + " (usage: " + usage + ")"); }

std::string read_existing(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return {};
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

}  // namespace

bool is_token_command(int argc, const char* const* argv) { return argc >= 2 && std::string(argv[1]) == "token"; }

int run_token_command(int argc, const char* const* argv) {
    std::string verb, name, role = "agent", file;
    std::vector<std::string> hosts;
    po::options_description desc("Options");
    desc.add_options()
        ("help,h", "show this help")
        ("host", po::value(&hosts)->composing(), "host id the credential may speak for (agents; repeatable; default: any)")
        ("role", po::value(&role)->default_value(role), "agent, admin or viewer")
        ("file", po::value(&file), "the credentials file to append to (--agent-tokens-file etc. of the hub)");
    po::options_description hidden;
    hidden.add_options()("verb", po::value(&verb))("name", po::value(&name));
    po::options_description all;
    all.add(desc).add(hidden);
    po::positional_options_description pos;
    pos.add("verb", 1).add("name", 1);
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(argc - 1, argv + 1).options(all).positional(pos).run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        bad(e.what());
    }
    if (vm.count("help")) {
        std::ostringstream text;
        text << "Usage: telehub token new NAME --file FILE [--role agent|admin|viewer] [--host ID]...\n"
                "Adds a credential NAME with a new random token to FILE and prints the token (only this once).\n"
             << desc;
        std::fputs(text.str().c_str(), stdout);
        return 0;
    }
    if (verb != "new") bad(verb.empty() ? "a verb is missing" : "unknown verb '" + verb + "'");
    if (!valid_credential_word(name)) bad("NAME must be letters, digits, '.', '_' or '-'");
    if (file.empty()) bad("--file is missing");
    if (role != "agent" && role != "admin" && role != "viewer") bad("--role '" + role + "' is not agent, admin or viewer");
    if (role != "agent" && !hosts.empty()) bad("--host applies to agent credentials only");
    for (const auto& h : hosts)
        if (!valid_credential_word(h)) bad("host id '" + h + "' must be letters, digits, '.', '_' or '-'");
    // The file must stay loadable: refuse a duplicate name or a file already broken.
    const auto existing = read_existing(file);
    for (const auto& c : parse_credentials(existing, file))
        if (c.name == name) bad("'" + name + "' is already in " + file + "; remove its line first to replace it");
    // The hub takes a file's role from the flag it is given with, so one file holds one role.
    if (auto declared = declared_role(existing); !declared.empty() && declared != role)
        bad(file + " holds " + declared + " credentials (its first line says so), not " + role + " ones: give --role " +
            declared + ", or another --file for " + role + " credentials");

    auto token = AccessTokens::random_token();
    auto line = format_credential(name, token, hosts);
    if (existing.find_first_not_of(" \t\r\n") == std::string::npos) line = role_line(role) + line;
    const bool created = ::access(file.c_str(), F_OK) != 0;
    int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    if (fd < 0) throw std::runtime_error("token new: cannot write '" + file + "': " + std::strerror(errno));
    // The packaged hub runs as user telehub: a file root makes here must be readable by its group,
    // or the hub cannot load it at its next reload or start.
    const group* hub_group = ::getgrnam("telehub");
    if (created && ::geteuid() == 0 && hub_group && ::fchown(fd, 0, hub_group->gr_gid) == 0)
        std::fprintf(stderr, "telehub: made %s readable by group telehub (mode 0640), as the packaged hub runs as user telehub\n",
                     file.c_str());
    auto off = ::lseek(fd, 0, SEEK_END);
    // A file whose last line lacks its newline must not swallow ours.
    if (off > 0) {
        char last = '\n';
        if (::pread(fd, &last, 1, off - 1) == 1 && last != '\n') line.insert(line.begin(), '\n');
    }
    bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
    ::close(fd);
    if (!ok) throw std::runtime_error("token new: writing '" + file + "' failed: " + std::strerror(errno));
    // `token new ... > web1.token` must not leave the token readable by everyone (the shell's umask is usually 022).
    struct stat out{};
    if (::fstat(STDOUT_FILENO, &out) == 0 && S_ISREG(out.st_mode) && (out.st_mode & (S_IRWXG | S_IRWXO)) &&
        ::fchmod(STDOUT_FILENO, S_IRUSR | S_IWUSR) == 0)
        std::fprintf(stderr, "telehub: the file the token is written to is now readable by its owner only (mode 0600)\n");
    std::printf("%s\n", token.c_str());
    std::fprintf(stderr,
                 "telehub: added %s credential '%s' to %s (give the file to the hub with --%s-tokens-file). The "
                 "token above is shown only now: %s. Send SIGHUP to the hub to load it.\n",
                 role.c_str(), name.c_str(), file.c_str(), role.c_str(),
                 role == "agent" ? "keep it in a file only root can read on the agent's machine (its --token-file)"
                                 : "give it to the user, who sends it as 'Authorization: Bearer TOKEN' or opens the "
                                   "dashboard once with ?token=TOKEN");
    return 0;
}

}  // namespace telehub::hub
