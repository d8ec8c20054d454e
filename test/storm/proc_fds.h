// What the process holds, read from /proc: its descriptors (number -> what they point at) and
// its TCP sockets stuck in CLOSE_WAIT (the peer closed, we never did).
#pragma once

#include <dirent.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace evm::test::storm {

using FdTable = std::map<int, std::string>;

inline FdTable open_fds() {
  FdTable fds;
  DIR *d = opendir("/proc/self/fd");
  if (d == nullptr) return fds;
  int self = dirfd(d);
  while (dirent *e = readdir(d)) {
    if (e->d_name[0] == '.') continue;
    int fd = std::atoi(e->d_name);
    if (fd == self) continue;
    char target[256] = "";
    std::string link = std::string("/proc/self/fd/") + e->d_name;
    ssize_t n = readlink(link.c_str(), target, sizeof target - 1);
    fds[fd] = n > 0 ? std::string(target, static_cast<size_t>(n)) : "?";
  }
  closedir(d);
  return fds;
}

// "fd N: target" for each descriptor only in `a` or pointing elsewhere in `b`.
inline std::vector<std::string> fd_diff(const FdTable &a, const FdTable &b) {
  std::vector<std::string> out;
  for (auto &[fd, what] : a) {
    auto it = b.find(fd);
    if (it == b.end() || it->second != what)
      out.push_back("fd " + std::to_string(fd) + ": " + what);
  }
  return out;
}

// Sockets of this process in CLOSE_WAIT (state 08) whose remote port is one of `ports`: client
// sockets whose server closed and that nobody closed since. Matched by inode against our fds.
inline std::vector<std::string> close_wait_sockets(const std::set<unsigned> &ports) {
  std::set<unsigned long> ours;
  for (auto &[fd, what] : open_fds())
    if (what.rfind("socket:[", 0) == 0) ours.insert(std::strtoul(what.c_str() + 8, nullptr, 10));
  std::vector<std::string> found;
  for (const char *file : {"/proc/net/tcp", "/proc/net/tcp6"}) {
    FILE *f = std::fopen(file, "r");
    if (f == nullptr) continue;
    char line[512];
    if (std::fgets(line, sizeof line, f) == nullptr) {  // the column titles
      std::fclose(f);
      continue;
    }
    while (std::fgets(line, sizeof line, f)) {
      char local[64], remote[64];
      unsigned state = 0;
      unsigned long inode = 0;
      // sl local rem st tx:rx tr:when retrnsmt uid timeout inode
      if (std::sscanf(line, "%*s %63s %63s %x %*s %*s %*s %*s %*s %lu", local, remote, &state,
                      &inode) != 4)
        continue;
      const char *colon = std::strrchr(remote, ':');
      unsigned port = colon ? static_cast<unsigned>(std::strtoul(colon + 1, nullptr, 16)) : 0;
      if (state == 0x08 && ours.count(inode) && ports.count(port))
        found.push_back(std::string(file) + " " + local + " -> " + remote + " inode " +
                        std::to_string(inode));
    }
    std::fclose(f);
  }
  return found;
}

}  // namespace evm::test::storm
