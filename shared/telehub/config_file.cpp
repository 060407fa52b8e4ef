#include "telehub/config_file.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>

#include <boost/program_options/errors.hpp>
#include <boost/program_options/parsers.hpp>

// Header-only: the one file that parses TOML compiles it, so neither program
// needs Debian's libtomlplusplus3 where it runs.
#include <toml++/toml.h>

#include "telehub/toml_text_check.hpp"

namespace telehub::config {
namespace po = boost::program_options;

namespace {

// The shortest text that reads back as `v`. Not std::to_chars: its double
// overload makes the agent load libm (fesetround), half a megabyte of RSS.
std::string number_text(double v) {
    char buf[64];
    for (int precision = 1; precision <= 17; ++precision) {
        std::snprintf(buf, sizeof buf, "%.*g", precision, v);
        if (std::strtod(buf, nullptr) == v) break;
    }
    return buf;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diag = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            std::size_t up = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diag = up;
        }
    }
    return row[b.size()];
}

Origin origin_of(std::string_view key, const toml::source_region& where) {
    return {std::string(key), static_cast<std::size_t>(where.begin.line), static_cast<std::size_t>(where.begin.column)};
}

// `text` as "# " lines of at most about 100 characters.
std::string wrapped_comment(std::string_view text) {
    std::string out, line;
    std::size_t pos = 0;
    while (pos < text.size()) {
        auto space = text.find(' ', pos);
        auto word = text.substr(pos, space == std::string_view::npos ? std::string_view::npos : space - pos);
        if (!line.empty() && line.size() + 1 + word.size() > 98) {
            out += "# " + line + "\n";
            line.clear();
        }
        line += (line.empty() ? "" : " ") + std::string(word);
        pos = space == std::string_view::npos ? text.size() : space + 1;
    }
    if (!line.empty()) out += "# " + line + "\n";
    return out;
}

// "key: " for the key a line of `path` starts to set, to name it in a syntax
// error (toml++ reports where, not which key); "" when the line sets none.
std::string key_on_line(const std::string& path, std::size_t line_no) {
    std::ifstream in(path);
    std::string line;
    for (std::size_t n = 0; n < line_no && std::getline(in, line); ++n) {
    }
    auto eq = line.find('=');
    if (eq == std::string::npos) return "";
    auto key = line.substr(0, eq);
    auto first = key.find_first_not_of(" \t"), last = key.find_last_not_of(" \t");
    if (first == std::string::npos || key[first] == '#') return "";
    return key.substr(first, last - first + 1) + ": ";
}

}  // namespace

std::string key_for_flag(std::string_view long_name) {
    std::string key(long_name);
    std::replace(key.begin(), key.end(), '-', '_');
    return key;
}

bool is_command_flag(std::string_view long_name) {
    return long_name == "help" || long_name == "version" || long_name == "config" || long_name == "check-config" ||
           long_name == "config-template";
}

std::string config_template(const po::options_description& flags, std::string_view header,
                            const std::map<std::string, std::string, std::less<>>& examples) {
    std::string out(header);
    for (const auto& opt : flags.options()) {
        const auto& name = opt->long_name();
        if (name.empty() || is_command_flag(name)) continue;
        const auto* sem = opt->semantic().get();
        // "arg (=80)" is how Program_options shows a default; its text is the value.
        std::string shown = opt->format_parameter(), value;
        auto eq = shown.find("(=");
        if (eq != std::string::npos && shown.back() == ')') value = shown.substr(eq + 2, shown.size() - eq - 3);
        const auto* typed = dynamic_cast<const po::typed_value_base*>(sem);
        const bool is_text = typed && typed->value_type() == typeid(std::string);
        const bool is_list = sem->is_composing() || sem->max_tokens() > 1;
        const std::string key = key_for_flag(name);
        std::string line;
        if (sem->max_tokens() == 0) line = key + " = false";
        else if (is_list) line = key + " = []";
        else if (auto ex = examples.find(key); value.empty() && ex != examples.end())
            line = key + " = " + ex->second + "  # an example, not a default";
        else if (value.empty() && is_text) line = key + " = \"\"";
        else if (value.empty()) throw std::logic_error("config_template: --" + name + " has no default; give an example");
        else line = key + " = " + (is_text ? "\"" + value + "\"" : value);
        out += "\n" + wrapped_comment(opt->description()) + "#" + line + "\n";
    }
    return out;
}

std::vector<std::string> config_keys(const po::options_description& flags) {
    std::vector<std::string> keys;
    for (const auto& opt : flags.options()) {
        const auto& name = opt->long_name();
        if (!name.empty() && !is_command_flag(name)) keys.push_back(key_for_flag(name));
    }
    return keys;
}

std::string nearest_key(std::string_view key, const std::vector<std::string>& known) {
    std::string best;
    std::size_t best_distance = 0;
    for (const auto& k : known) {
        auto d = edit_distance(key, k);
        if (best.empty() || d < best_distance) {
            best = k;
            best_distance = d;
        }
    }
    return best;
}

std::string ConfigFile::located(const Origin& o, const std::string& what) const {
    return path_ + ":" + std::to_string(o.line) + ":" + std::to_string(o.column) + ": " + o.key + ": " + what;
}

ConfigFile::ConfigFile(std::string path, const po::options_description& flags, po::variables_map& vm,
                       const po::options_description* command_line_only)
    : path_(std::move(path)) {
    std::error_code ec;
    if (std::filesystem::is_directory(path_, ec)) throw ConfigError(path_ + ": is a directory, not a config file");
    std::ifstream in(path_, std::ios::binary);
    if (!in) throw ConfigError(path_ + ": cannot read the config file");
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) throw ConfigError(path_ + ": cannot read the config file");
    if (auto p = toml_text_problem(text))
        throw ConfigError(path_ + ":" + std::to_string(p->line) + ":" + std::to_string(p->column) + ": " +
                          key_on_line(path_, p->line) + "syntax error: " + p->what);
    toml::table table;
    try {
        table = toml::parse(text, path_);
    } catch (const toml::parse_error& e) {
        const auto& at = e.source().begin;
        throw ConfigError(path_ + ":" + std::to_string(at.line) + ":" + std::to_string(at.column) + ": " +
                          key_on_line(path_, at.line) + "syntax error: " + std::string(e.description()));
    }
    // Flags by key: only the table's named flags, never positional words.
    std::map<std::string, const po::option_description*, std::less<>> by_key;
    for (const auto& opt : flags.options())
        if (!opt->long_name().empty() && !is_command_flag(opt->long_name()))
            by_key.emplace(key_for_flag(opt->long_name()), opt.get());

    for (auto&& [k, node] : table) {
        // Errors point at the value (the key's name is in the message).
        const Origin here = origin_of(k.str(), node.source());
        if (node.is_table())
            throw ConfigError(located(here, "sections are not used; write every key at the top level, before any [section]"));
        auto found = by_key.find(k.str());
        if (found == by_key.end()) {
            if (command_line_only)
                for (const auto& opt : command_line_only->options())
                    if (!opt->long_name().empty() && key_for_flag(opt->long_name()) == k.str())
                        throw ConfigError(located(here, "is for one run on the command line (--" + opt->long_name() +
                                                            "), not a setting of a config file"));
            auto near = nearest_key(k.str(), config_keys(flags));
            throw ConfigError(located(here, "unknown key" + (near.empty() ? std::string() : " (did you mean '" + near + "'?)")));
        }
        const po::option_description& opt = *found->second;
        const std::string& name = opt.long_name();
        if (vm.count(name) && !vm[name].defaulted()) continue;  // given on the command line

        const bool is_switch = opt.semantic()->max_tokens() == 0;
        const bool is_list = opt.semantic()->is_composing() || opt.semantic()->max_tokens() > 1;
        std::vector<std::string> tokens;
        auto scalar = [&](const toml::node& v) -> std::string {
            if (auto s = v.as_string()) return s->get();
            if (auto i = v.as_integer()) return std::to_string(i->get());
            if (auto f = v.as_floating_point()) return number_text(f->get());
            if (auto b = v.as_boolean()) return b->get() ? "true" : "false";
            throw ConfigError(located(here, "expected a string, a number or true/false"));
        };
        if (is_switch) {
            auto b = node.as_boolean();
            if (!b) throw ConfigError(located(here, "expected true or false"));
            if (!b->get()) continue;  // a switch left off
        } else if (auto list = node.as_array()) {
            if (!is_list) throw ConfigError(located(here, "takes one value, not a list"));
            for (const auto& item : *list) tokens.push_back(scalar(item));
        } else {
            tokens.push_back(scalar(node));
        }

        po::parsed_options parsed(&flags);
        if (is_switch || !is_list || tokens.empty()) {
            po::option o(name, tokens);
            o.original_tokens = {here.key};
            parsed.options.push_back(std::move(o));
        } else {
            // One occurrence per item: how a repeatable flag arrives from the command line.
            for (auto& t : tokens) {
                po::option o(name, {t});
                o.original_tokens = {here.key};
                parsed.options.push_back(std::move(o));
            }
        }
        try {
            po::store(parsed, vm);
        } catch (const po::error&) {
            std::string shown;
            for (const auto& t : tokens) shown += (shown.empty() ? "'" : ", '") + t + "'";
            throw ConfigError(located(here, "invalid value " + shown + " for --" + name));
        }
        origins_.emplace(name, here);
    }
}

const Origin* ConfigFile::origin(std::string_view long_name) const {
    auto it = origins_.find(long_name);
    return it == origins_.end() ? nullptr : &it->second;
}

void ConfigFile::rethrow(const OptionError& e) const {
    if (const Origin* o = origin(e.option)) throw ConfigError(located(*o, e.reason));
    throw e;
}

}  // namespace telehub::config
