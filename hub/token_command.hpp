// `telehub token new NAME [--host ID]... [--role agent|admin|viewer] --file FILE`:
// makes a random token, appends its credentials line (name, SHA-256, host
// ids) to FILE and prints the token once. The hub never sees the token
// itself; it loads the line at start or on SIGHUP.
#pragma once

namespace telehub::hub {

// True when argv names a `token` subcommand (argv[1] == "token").
bool is_token_command(int argc, const char* const* argv);

// Runs it; returns the exit status. Usage errors throw std::runtime_error
// (main prints them as one line, status 2).
int run_token_command(int argc, const char* const* argv);

}  // namespace telehub::hub
