// The TCP sockets this process holds, as the kernel sees them: /proc/self/fd's socket inodes
// matched to /proc/net/tcp{,6} rows. The test servers run in the same process, so tests pick
// the client side by the remote port (the server's).
#pragma once

#include <dirent.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace evm::test {

struct ProcSocket {
  unsigned long inode = 0;
  uint16_t local_port = 0;
  uint16_t remote_port = 0;
  int state = 0;  // the kernel's TCP state: 1 ESTABLISHED, 8 CLOSE_WAIT, 10 LISTEN...
};

constexpr int kTcpCloseWait = 8;

// Inodes of the sockets among this process's descriptors.
inline std::set<unsigned long> own_socket_inodes() {
  std::set<unsigned long> out;
  DIR *d = opendir("/proc/self/fd");
  if (!d) return out;
  while (dirent *e = readdir(d)) {
    if (e->d_name[0] == '.') continue;
    char target[128] = "";
    std::string link = std::string("/proc/self/fd/") + e->d_name;
    ssize_t n = readlink(link.c_str(), target, sizeof target - 1);
    if (n <= 0) continue;
    target[n] = '\0';
    unsigned long ino = 0;
    if (std::sscanf(target, "socket:[%lu]", &ino) == 1) out.insert(ino);
  }
  closedir(d);
  return out;
}

// The TCP sockets (IPv4 and IPv6) that one of this process's descriptors refers to.
inline std::vector<ProcSocket> own_tcp_sockets() {
  std::set<unsigned long> mine = own_socket_inodes();
  std::vector<ProcSocket> out;
  for (const char *table : {"/proc/net/tcp", "/proc/net/tcp6"}) {
    std::ifstream in(table);
    std::string line;
    std::getline(in, line);  // the column titles
    while (std::getline(in, line)) {
      // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
      std::istringstream row(line);
      std::string sl, local, remote, st, queues, timer, retr, uid, timeout;
      unsigned long inode = 0;
      if (!(row >> sl >> local >> remote >> st >> queues >> timer >> retr >> uid >> timeout >>
            inode))
        continue;
      if (!mine.count(inode)) continue;
      ProcSocket s;
      s.inode = inode;
      s.local_port =
          static_cast<uint16_t>(std::stoul(local.substr(local.find(':') + 1), nullptr, 16));
      s.remote_port =
          static_cast<uint16_t>(std::stoul(remote.substr(remote.find(':') + 1), nullptr, 16));
      s.state = static_cast<int>(std::stoul(st, nullptr, 16));
      out.push_back(s);
    }
  }
  return out;
}

// Open descriptors of this process.
inline int open_fd_count() {
  DIR *d = opendir("/proc/self/fd");
  if (!d) return -1;
  int n = 0;
  while (dirent *e = readdir(d)) n += e->d_name[0] != '.';
  closedir(d);
  return n - 1;  // the directory's own descriptor
}

// Client sockets of ours connected to one of `server_ports`, optionally only those in `state`.
inline int client_sockets_to(const std::set<uint16_t> &server_ports, int state = 0) {
  int n = 0;
  for (const ProcSocket &s : own_tcp_sockets())
    if (server_ports.count(s.remote_port) && (state == 0 || s.state == state)) ++n;
  return n;
}

}  // namespace evm::test
