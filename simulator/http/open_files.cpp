#include "http/open_files.h"

#include <sys/resource.h>

#include <algorithm>

namespace pistesim {

size_t raise_open_file_limit(size_t wanted) {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return wanted;
  if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < wanted) {
    rlim_t raised =
        limit.rlim_max == RLIM_INFINITY ? wanted : std::min<rlim_t>(wanted, limit.rlim_max);
    rlimit next{raised, limit.rlim_max};
    if (::setrlimit(RLIMIT_NOFILE, &next) == 0) limit.rlim_cur = raised;
  }
  return limit.rlim_cur == RLIM_INFINITY ? wanted : static_cast<size_t>(limit.rlim_cur);
}

}  // namespace pistesim
