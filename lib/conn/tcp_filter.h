// The bottom filter: a non-blocking TCP connection, raced over IPv6 and IPv4 addresses the
// happy-eyeballs way (RFC 8305): the second family starts 200 ms after the first unless the
// first has already failed.
#pragma once

#include <memory>
#include <vector>

#include "conn/filter.h"
#include "conn/local_bind.h"
#include "conn/socket_callbacks.h"
#include "net/address.h"

namespace evm {

struct TcpOptions {
  bool nodelay = true;
  bool keepalive = false;  // CURLOPT_TCP_KEEPALIVE, with the probes' idle time and interval (s)
  int keepidle = 60;
  int keepintvl = 60;
  LocalBind local;  // CURLOPT_INTERFACE, LOCALPORT, LOCALPORTRANGE
  // The application's socket callbacks; null: socket() and close().
  std::shared_ptr<SocketCallbacks> callbacks;
};

class TcpFilter final : public Filter {
 public:
  TcpFilter(AddressList addresses, std::string host, uint16_t port, TcpOptions opts);
  ~TcpFilter() override;

  CURLcode connect(FilterContext &ctx, TimePoint t, bool &done) override;
  ssize_t send(FilterContext &ctx, const char *buf, size_t len, CURLcode &err) override;
  ssize_t recv(FilterContext &ctx, char *buf, size_t len, CURLcode &err) override;
  void adjust_pollset(Pollset &ps, bool want_send, bool want_recv) const override;
  TimePoint connect_deadline() const override;
  bool is_alive(FilterContext &ctx) override;
  bool query(FilterQuery q, FilterAnswer &out) const override;
  void close(FilterContext &ctx) override;
  curl_socket_t socket() const override { return fd_; }

  const Address &peer() const { return peer_; }
  const Address &local() const { return local_; }

 private:
  struct Attempt {
    curl_socket_t fd;
    Address addr;
  };
  // The addresses of one family, tried one after another.
  struct Family {
    std::vector<Address> addrs;
    size_t next = 0;
    bool exhausted() const { return next >= addrs.size(); }
  };

  bool start_next(FilterContext &ctx, Family &fam, TimePoint t);
  // A socket for `addr`, opened, tuned and bound; CURL_SOCKET_BAD when this address failed
  // (or `fatal_` is set). `connected` when the application connected it already.
  curl_socket_t open_socket(FilterContext &ctx, Address &addr, bool &connected);
  void tune(curl_socket_t fd);
  void close_socket(curl_socket_t fd);
  void drop_attempt(FilterContext &ctx, size_t i);
  void fail_attempt(FilterContext &ctx, size_t i, int err);
  bool any_in_flight(const Family &fam) const;

  Family families_[2];  // [0] is tried first (the family of the first resolved address)
  std::vector<Attempt> attempts_;
  TimePoint second_family_at_ = TimePoint::max();
  std::string host_;
  uint16_t port_;
  TcpOptions opts_;
  curl_socket_t fd_ = CURL_SOCKET_BAD;
  int last_errno_ = 0;
  CURLcode last_code_ = CURLE_COULDNT_CONNECT;  // what an address failed with, for the text
  CURLcode fatal_ = CURLE_OK;  // a local binding failure ends the whole connect at once
  TimePoint started_{};
  Address peer_, local_;
};

}  // namespace evm
