#include "net/address.h"

#include <arpa/inet.h>

#include <cstring>

namespace evm {

std::string Address::ip() const {
  char buf[INET6_ADDRSTRLEN] = "";
  if (family() == AF_INET)
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in *>(&storage)->sin_addr, buf, sizeof buf);
  else if (family() == AF_INET6)
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6 *>(&storage)->sin6_addr, buf,
              sizeof buf);
  return buf;
}

uint16_t Address::port() const {
  if (family() == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in *>(&storage)->sin_port);
  if (family() == AF_INET6)
    return ntohs(reinterpret_cast<const sockaddr_in6 *>(&storage)->sin6_port);
  return 0;
}

void Address::set_port(uint16_t port) {
  if (family() == AF_INET)
    reinterpret_cast<sockaddr_in *>(&storage)->sin_port = htons(port);
  else if (family() == AF_INET6)
    reinterpret_cast<sockaddr_in6 *>(&storage)->sin6_port = htons(port);
}

bool Address::from_numeric(const std::string &text, uint16_t port, Address &out) {
  out = Address{};
  auto *v4 = reinterpret_cast<sockaddr_in *>(&out.storage);
  if (inet_pton(AF_INET, text.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    out.length = sizeof(sockaddr_in);
    return true;
  }
  auto *v6 = reinterpret_cast<sockaddr_in6 *>(&out.storage);
  std::string host = text;
  uint32_t scope = 0;
  if (auto pct = host.find('%'); pct != std::string::npos) {
    scope = static_cast<uint32_t>(std::strtoul(host.c_str() + pct + 1, nullptr, 10));
    host.resize(pct);
  }
  if (inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    v6->sin6_scope_id = scope;
    out.length = sizeof(sockaddr_in6);
    return true;
  }
  out = Address{};
  return false;
}

Address Address::from_sockaddr(const sockaddr *sa, socklen_t len) {
  Address a;
  if (len > sizeof a.storage) len = sizeof a.storage;
  std::memcpy(&a.storage, sa, len);
  a.length = len;
  return a;
}

}  // namespace evm
