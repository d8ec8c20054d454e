// A resolved socket address, copyable by value.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <string>
#include <vector>

namespace evm {

struct Address {
  sockaddr_storage storage{};
  socklen_t length = 0;

  int family() const { return storage.ss_family; }
  const sockaddr *sa() const { return reinterpret_cast<const sockaddr *>(&storage); }
  std::string ip() const;
  uint16_t port() const;
  void set_port(uint16_t port);

  // Parses a numeric IPv4 or IPv6 address (no brackets); false if `text` is not one.
  static bool from_numeric(const std::string &text, uint16_t port, Address &out);
  static Address from_sockaddr(const sockaddr *sa, socklen_t len);
};

using AddressList = std::vector<Address>;

}  // namespace evm
