// The process's open-file limit (RLIMIT_NOFILE): a server of 10 000 connections needs more than
// the usual soft limit of 1 024, and so does a test that opens thousands of them.
#pragma once

#include <cstddef>

namespace pistesim {

// Raises the soft limit towards `wanted` (up to the hard limit); returns the limit now.
size_t raise_open_file_limit(size_t wanted);

}  // namespace pistesim
