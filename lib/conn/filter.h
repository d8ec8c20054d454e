// One layer of a connection (curl 8's connection-filter idea): TCP at the bottom, then TLS,
// proxies, HTTP/2. The engine talks only to the top filter, so layers plug in without special
// cases in the transfer code.
#pragma once

#include <curl/curl.h>
#include <sys/types.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "util/clock.h"
#include "net/address.h"

namespace evm {

class SocketRegistry;
class Trace;

// Sockets a connection wants watched right now, with CURL_POLL_IN/OUT bits.
struct Pollset {
  static constexpr int kMax = 4;
  struct Entry {
    curl_socket_t fd;
    int events;
  };
  Entry entries[kMax];
  int count = 0;

  void add(curl_socket_t fd, int events) {
    for (int i = 0; i < count; ++i)
      if (entries[i].fd == fd) {
        entries[i].events |= events;
        return;
      }
    if (count < kMax) entries[count++] = {fd, events};
  }
  int events_of(curl_socket_t fd) const {
    for (int i = 0; i < count; ++i)
      if (entries[i].fd == fd) return entries[i].events;
    return 0;
  }
};

// What a filter may use of its surroundings during one call.
struct FilterContext {
  SocketRegistry &sockets;  // sockets must be forgotten here before they are closed
  CURL *easy;               // the transfer on whose behalf the call runs
  Trace &trace;             // VERBOSE output
  std::string &error;       // readable text for ERRORBUFFER on failure
  int &os_errno;            // CURLINFO_OS_ERRNO
};

// Facts a filter may know about its connection; asked with Filter::query() by code above the
// chain, which never needs to know which filter answers.
enum class FilterQuery {
  PeerAddress,           // address: the peer the bottom filter connected to
  LocalAddress,          // address: our end of it
  Alpn,                  // text: the protocol TLS agreed on ("" when none)
  VerifyResult,          // number: CURLINFO_SSL_VERIFYRESULT
  CertChain,             // certs: the peer's chain as CURLINFO_CERTINFO lines
  MaxConcurrentStreams,  // number: requests the connection may carry at once
  TlsHandle,             // pointer: the OpenSSL SSL * (CURLINFO_TLS_SSL_PTR), when TLS is on
};

using CertInfo = std::vector<std::vector<std::string>>;

struct FilterAnswer {
  Address address;
  std::string_view text;
  long number = 0;
  const CertInfo *certs = nullptr;
  void *pointer = nullptr;
};

// Events passed down the chain from the engine.
enum class FilterControl {
  TransferDone,  // the request using the connection finished; the filter may drop per-request state
};

class Filter {
 public:
  virtual ~Filter() = default;

  // Advances connection set-up without blocking; `done` once this filter and those below it
  // can carry data.
  virtual CURLcode connect(FilterContext &ctx, TimePoint t, bool &done) = 0;
  // Both return bytes moved, or -1 with `err` set (CURLE_AGAIN when the call would block).
  // recv returns 0 at end of stream.
  virtual ssize_t send(FilterContext &ctx, const char *buf, size_t len, CURLcode &err) = 0;
  virtual ssize_t recv(FilterContext &ctx, char *buf, size_t len, CURLcode &err) = 0;
  // Adds the sockets to watch: during connect the filter decides; afterwards the caller says
  // whether it wants to send and/or receive.
  virtual void adjust_pollset(Pollset &ps, bool want_send, bool want_recv) const = 0;
  // A time at which connect() must be called again even without socket events (happy eyeballs).
  virtual TimePoint connect_deadline() const { return TimePoint::max(); }
  // Checks an idle connection before reuse. A filter consumes its own control traffic here (a
  // TLS session ticket, later an HTTP/2 PING), so only stray data or a close means "dead".
  virtual bool is_alive(FilterContext &ctx) = 0;
  // Bytes this filter holds that no socket event will announce (decrypted TLS records).
  virtual bool data_pending() const { return below() && below()->data_pending(); }
  virtual void control(FilterContext &ctx, FilterControl what) {
    if (below()) below()->control(ctx, what);
  }
  // Answers `q` if this filter knows it, else asks the one below; false when nobody knows.
  virtual bool query(FilterQuery q, FilterAnswer &out) const {
    return below() && below()->query(q, out);
  }
  virtual void close(FilterContext &ctx) = 0;
  virtual curl_socket_t socket() const = 0;
  // The filter this one is stacked on, null for the bottom one.
  virtual Filter *below() const { return nullptr; }
};

}  // namespace evm
