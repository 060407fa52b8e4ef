// Samples as people read them: the one-line-per-sample summary of streaming
// mode, and the full table of `--once --format text`.
#pragma once

#include <ostream>
#include <string>

#include "telehub/sample.hpp"

namespace telehub::agent {

// "16:40:01 web-1 cpu  12.5% usr 8.0 sys 4.0 io 0.5 | load 0.50 | mem 45% | procs 312/2 | top nginx[1234] 35.2%
//  | tcp est 120 listen 8 tw 3 cw 0 | udp 4 unix 60"
std::string summary_line(const Sample& s);

void write_sample_table(std::ostream& out, const Sample& s);

}  // namespace telehub::agent
