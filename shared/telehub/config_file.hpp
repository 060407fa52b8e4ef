// Config files (TOML, docs/config.md) for the hub and the agent, read
// through the same Boost.Program_options table as the command line: the
// flag --some-flag is the key some_flag. A flag added to a program's table
// therefore has its key with no further work, and the two cannot drift.
//
// Start-up errors (docs/errors.md): everything here throws ConfigError, whose
// message starts with FILE:LINE:COLUMN and names the key.
#pragma once

#include <cstddef>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <boost/program_options/options_description.hpp>
#include <boost/program_options/variables_map.hpp>

namespace telehub::config {

// "high-cpu" -> "high_cpu".
std::string key_for_flag(std::string_view long_name);

// Flags that say what to do rather than how the program runs (--help,
// --version, --config, --check-config, --config-template): they have no key.
bool is_command_flag(std::string_view long_name);

// Every key a config file may hold for `flags`, in table order.
std::vector<std::string> config_keys(const boost::program_options::options_description& flags);

// The known key nearest to `key` by edit distance ("" when there is none).
std::string nearest_key(std::string_view key, const std::vector<std::string>& known);

// A config file listing every key of `flags`, commented out, each under its
// help text and showing its default (--config-template; the packages' default
// /etc/telehub/*.toml is made from it, so it lists a new flag by itself).
// A key with no default shows its entry in `examples` instead (a TOML value:
// quoted for strings, as written for numbers), marked as an example, so that
// every line is a valid setting once uncommented; a number with neither
// throws std::logic_error, caught by each program's template test.
std::string config_template(const boost::program_options::options_description& flags, std::string_view header,
                            const std::map<std::string, std::string, std::less<>>& examples = {});

struct ConfigError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// A value the program rejected once parsed (a range, a format). Validators
// throw it with the flag's long name; ConfigFile::rethrow reports it at the
// key's place in the file when the value came from there.
struct OptionError : std::runtime_error {
    // `message`: the text for the command line ("invalid value for --x: ...");
    // `reason`: the same without the flag, for the file ("must be ...").
    OptionError(std::string option_name, std::string reason_text, const std::string& message)
        : std::runtime_error(message), option(std::move(option_name)), reason(std::move(reason_text)) {}
    std::string option;
    std::string reason;
};

// Where one value of the file is.
struct Origin {
    std::string key;
    std::size_t line = 0, column = 0;
};

class ConfigFile {
public:
    ConfigFile() = default;  // no file: every value came from the command line or a default

    // Reads `path` and stores each key's value into `vm` as its flag, unless
    // the command line (already stored in `vm`) gave that flag: the command
    // line wins, for lists too. Throws ConfigError for a file that cannot be
    // read, a syntax error, an unknown key (naming the nearest known one), a
    // section, or a value of the wrong shape or type.
    // `command_line_only`: flags for a single run (--once) that a file may
    // not set; their keys are refused with that reason, not as unknown.
    ConfigFile(std::string path, const boost::program_options::options_description& flags,
               boost::program_options::variables_map& vm,
               const boost::program_options::options_description* command_line_only = nullptr);

    const std::string& path() const { return path_; }
    bool empty() const { return path_.empty(); }
    // Where the value of flag `long_name` came from; null when not from the file.
    const Origin* origin(std::string_view long_name) const;

    // Throws `e` again: as a ConfigError at the key's place when that flag's
    // value came from the file, otherwise as it is.
    [[noreturn]] void rethrow(const OptionError& e) const;

private:
    std::string located(const Origin& o, const std::string& what) const;

    std::string path_;
    std::map<std::string, Origin, std::less<>> origins_;  // by flag long name
};

}  // namespace telehub::config
