#include "server_util.h"

#include <arpa/inet.h>
#include <event2/bufferevent_ssl.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <array>
#include <cstring>

namespace evm::test::server_util {

const char *pattern_block() {
  static const std::array<char, kPatternBlockSize> block = [] {
    std::array<char, kPatternBlockSize> b{};
    for (size_t i = 0; i < b.size(); ++i) b[i] = static_cast<char>('a' + i % 26);
    return b;
  }();
  return block.data();
}

bool parse_decimal(std::string_view s, uint64_t max, uint64_t *out) {
  if (s.empty() || s.size() > 19) return false;
  uint64_t v = 0;
  for (char ch : s) {
    if (ch < '0' || ch > '9') return false;
    v = v * 10 + static_cast<uint64_t>(ch - '0');
  }
  if (v > max) return false;
  *out = v;
  return true;
}

bool number_after(std::string_view path, std::string_view prefix, uint64_t max, uint64_t *out) {
  if (path.substr(0, prefix.size()) != prefix) return false;
  return parse_decimal(path.substr(prefix.size()), max, out);
}

bool make_loopback_sockaddr(const std::string &address, sockaddr_storage *ss, socklen_t *len) {
  std::memset(ss, 0, sizeof(*ss));
  sockaddr_in sin{};
  if (inet_pton(AF_INET, address.c_str(), &sin.sin_addr) == 1) {
    if ((ntohl(sin.sin_addr.s_addr) >> 24) != 127) return false;
    sin.sin_family = AF_INET;
    std::memcpy(ss, &sin, sizeof(sin));
    *len = sizeof(sin);
    return true;
  }
  sockaddr_in6 sin6{};
  if (inet_pton(AF_INET6, address.c_str(), &sin6.sin6_addr) == 1) {
    if (!IN6_IS_ADDR_LOOPBACK(&sin6.sin6_addr)) return false;
    sin6.sin6_family = AF_INET6;
    std::memcpy(ss, &sin6, sizeof(sin6));
    *len = sizeof(sin6);
    return true;
  }
  return false;
}

uint16_t local_port(evutil_socket_t fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof(ss);
  if (getsockname(fd, reinterpret_cast<sockaddr *>(&ss), &len) != 0) return 0;
  if (ss.ss_family == AF_INET) return ntohs(reinterpret_cast<sockaddr_in *>(&ss)->sin_port);
  if (ss.ss_family == AF_INET6) return ntohs(reinterpret_cast<sockaddr_in6 *>(&ss)->sin6_port);
  return 0;
}

void send_close_notify(bufferevent *bev) {
  SSL *ssl = bufferevent_openssl_get_ssl(bev);
  if (ssl == nullptr) return;
  if (SSL_is_init_finished(ssl) && (SSL_get_shutdown(ssl) & SSL_SENT_SHUTDOWN) == 0)
    SSL_shutdown(ssl);
  ERR_clear_error();
}

}  // namespace evm::test::server_util
