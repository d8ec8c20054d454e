// Whether this machine has an IPv6 loopback to bind to; tests of ::1 skip cleanly without one.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace evm::test {

inline bool ipv6_loopback_available() {
  int fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in6 sin6{};
  sin6.sin6_family = AF_INET6;
  sin6.sin6_addr = in6addr_loopback;
  bool ok = bind(fd, reinterpret_cast<sockaddr *>(&sin6), sizeof(sin6)) == 0;
  close(fd);
  return ok;
}

}  // namespace evm::test
