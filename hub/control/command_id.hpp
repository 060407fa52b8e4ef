// The id of one control command, written in its audit line and sent back in
// the X-Telehub-Command-Id header. With --cluster the hub asked makes it and
// the hub that runs the command writes the same one, so the two lines join.
#pragma once

#include <string>
#include <string_view>

namespace telehub::hub {

// 16 lower-case hex digits: a random start per process, then one more per
// command, so two hubs' ids do not meet in practice and one hub's never do.
std::string new_command_id();

// True for what new_command_id makes (checked on ids another hub sends).
bool is_command_id(std::string_view id);

}  // namespace telehub::hub
