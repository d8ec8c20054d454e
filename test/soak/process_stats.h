// What the soak watches of its own process between rounds: resident memory, open descriptors,
// and the descriptor limit it needs raised to hold its connections.
#pragma once

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>

namespace evm::test {

// Resident set size in KiB, from /proc/self/statm (its second field, in pages).
inline long resident_kib() {
  FILE *f = std::fopen("/proc/self/statm", "r");
  if (!f) return -1;
  long size = 0, resident = -1;
  if (std::fscanf(f, "%ld %ld", &size, &resident) != 2) resident = -1;
  std::fclose(f);
  return resident < 0 ? -1 : resident * (sysconf(_SC_PAGESIZE) / 1024);
}

// Descriptors open in this process (the entries of /proc/self/fd, less the one reading it).
inline int open_fds() {
  DIR *d = opendir("/proc/self/fd");
  if (!d) return -1;
  int n = 0;
  while (dirent *e = readdir(d))
    if (e->d_name[0] != '.') ++n;
  closedir(d);
  return n - 1;
}

// Lifts RLIMIT_NOFILE to at least `want` if it can: the soft limit up to the hard one, and as
// root the hard limit too. Returns the soft limit in force afterwards (children inherit it).
inline rlim_t raise_fd_limit(rlim_t want) {
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return 0;
  if (rl.rlim_cur >= want) return rl.rlim_cur;
  if (rl.rlim_max < want && geteuid() == 0) {
    rlimit root = {want, want};
    if (setrlimit(RLIMIT_NOFILE, &root) == 0) return want;
  }
  rl.rlim_cur = rl.rlim_max < want ? rl.rlim_max : want;
  setrlimit(RLIMIT_NOFILE, &rl);
  getrlimit(RLIMIT_NOFILE, &rl);
  return rl.rlim_cur;
}

}  // namespace evm::test
