// The public face of agent/collect/proc/: what other rooms may use.
#pragma once

#include "agent/collect/proc/proc_file.hpp"
#include "agent/collect/proc/process_entry.hpp"
#include "agent/collect/proc/process_pids.hpp"
#include "agent/collect/proc/text_scan.hpp"
#include "agent/collect/proc/tty_name.hpp"
#include "agent/collect/proc/user_names.hpp"
