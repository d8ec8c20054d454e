// What the loopback test servers (HTTP/1.1 and HTTP/2) share: loopback-only addresses, the
// pattern their bodies are made of, numbers in paths, and a polite TLS close.
#pragma once

#include <event2/bufferevent.h>
#include <event2/util.h>
#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace evm::test::server_util {

// A whole number of 26-byte periods of 'a' + (i % 26).
constexpr size_t kPatternBlockSize = 26 * 2048;
const char *pattern_block();

// A decimal number of at most 19 digits, at most `max`.
bool parse_decimal(std::string_view s, uint64_t max, uint64_t *out);
// "/bytes/123" with prefix "/bytes/" -> 123.
bool number_after(std::string_view path, std::string_view prefix, uint64_t max, uint64_t *out);

// Fills `ss` for a numeric address of 127/8 or ::1; false for anything else.
bool make_loopback_sockaddr(const std::string &address, sockaddr_storage *ss, socklen_t *len);
uint16_t local_port(evutil_socket_t fd);

// Sends close_notify on an established TLS connection; a no-op for plain connections. Best
// effort: the socket is non-blocking and about to close.
void send_close_notify(bufferevent *bev);

}  // namespace evm::test::server_util
