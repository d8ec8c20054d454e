// Loopback DNS server for resolver tests: answers A and AAAA questions for names it was told
// about, so tests never depend on (or leak to) the real DNS.
//
// One UDP socket on 127.0.0.1 (ephemeral port) served by one background thread. For an added
// name, an A question gets one record per IPv4 address and an AAAA question one per IPv6
// address (TTL 60, the owner name a compression pointer to the question); a name with no
// address of the asked type gets NOERROR with no answer. Unknown names get NXDOMAIN; silent
// names get nothing at all. Names match case-insensitively, without a trailing dot.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

namespace evm::test {

class FakeDns {
 public:
  static constexpr uint16_t kTypeA = 1;
  static constexpr uint16_t kTypeAAAA = 28;

  FakeDns();
  ~FakeDns();  // stops if running

  FakeDns(const FakeDns &) = delete;
  FakeDns &operator=(const FakeDns &) = delete;

  // Binds 127.0.0.1 on an ephemeral UDP port and starts the thread; true if already running.
  bool start();
  // Thread-safe and idempotent; joins the thread.
  void stop();

  // The port of the last successful start(); 0 before.
  uint16_t port() const;
  // "127.0.0.1:PORT", the form CURLOPT_DNS_SERVERS takes.
  std::string servers() const;

  // Adds an address (numeric IPv4 or IPv6) for `name`; may be called several times per name
  // and while running. Returns false if `address` is not numeric.
  bool add(std::string name, std::string ipv4_or_ipv6);
  // `name` is never answered.
  void add_silent(std::string name);

  // Well-formed questions received, whatever the answer (silent ones included). Thread-safe;
  // counters never reset.
  uint64_t queries() const;
  uint64_t queries_for(std::string name) const;                  // any type
  uint64_t queries_for(std::string name, uint16_t qtype) const;  // one type (kTypeA, ...)

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace evm::test
