// The admin token a hub makes when none is configured. It is kept in
// DATA-DIR/admin.token (0600, the hub's user) so that it outlives restarts,
// and a service never needs to print it: the dashboard URL an operator saved
// keeps working, and the journal holds the file's name, not the token.
#pragma once

#include <string>

namespace telehub::hub {

struct KeptAdminToken {
    std::string token;
    std::string file;     // where it is kept; empty when it could not be
    std::string problem;  // why it could not be kept (it then lasts this run)
};

// Reads DATA-DIR/admin.token, or makes it. Throws std::runtime_error for a
// file that others may read or write (chmod 600 it, or delete it for a new
// token) or that holds no usable token; a folder that cannot be written is
// not fatal: the token is returned with `problem` set.
KeptAdminToken kept_admin_token(const std::string& data_dir);

}  // namespace telehub::hub
