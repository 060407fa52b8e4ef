// The command line of the small bench programs: parse into the variables the
// options are bound to, print --help or the error.
#pragma once

#include <iostream>
#include <optional>

#include <boost/program_options.hpp>

namespace telehub::bench {

// nullopt: go on; otherwise the program's exit status (0 after --help, 2 for a bad flag).
inline std::optional<int> parse_flags(int argc, char** argv, const boost::program_options::options_description& desc,
                                      const char* program) {
    namespace po = boost::program_options;
    po::variables_map vm;
    try {
        po::store(po::parse_command_line(argc, argv, desc), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        std::cerr << program << ": " << e.what() << "\n";
        return 2;
    }
    if (vm.count("help")) {
        std::cout << desc << "\n";
        return 0;
    }
    return std::nullopt;
}

}  // namespace telehub::bench
