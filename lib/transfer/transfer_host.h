// What a transfer needs from the multi handle it runs in, and nothing more: the shared event
// bookkeeping, the connection pool, resolvers, and a way to be run again.
#pragma once

#include <span>
#include <string>

namespace evm {

class Connection;
class ConnectionPool;
struct H2Promise;
enum class PushAnswer;
class Resolver;
class SocketRegistry;
class TimerQueue;
class TlsContextCache;
class Transfer;

class TransferHost {
 public:
  virtual SocketRegistry &sockets() = 0;
  virtual TimerQueue &timers() = 0;
  virtual ConnectionPool &pool() = 0;
  virtual TlsContextCache &tls_contexts() = 0;
  // The resolver for a CURLOPT_DNS_SERVERS list (empty: the system's configuration).
  virtual Resolver &resolver_for(const std::string &servers) = 0;
  // A receive buffer lent for the duration of one call.
  virtual std::span<char> recv_buffer() = 0;
  // Runs `t` before the current API call returns; unschedule takes that back.
  virtual void schedule(Transfer &t) = 0;
  virtual void unschedule(Transfer &t) = 0;
  virtual void transfer_done(Transfer &t) = 0;
  // CURLMOPT_PUSHFUNCTION: whether one is set, and its answer to a promise that came on `c`.
  virtual bool push_enabled() const = 0;
  virtual PushAnswer on_push(Connection &c, const H2Promise &promise) = 0;
  // Brackets an application callback: multi calls made inside it are refused.
  virtual void enter_callback() = 0;
  virtual void leave_callback() = 0;

 protected:
  ~TransferHost() = default;
};

class CallbackGuard {
 public:
  explicit CallbackGuard(TransferHost &h) : h_(h) { h_.enter_callback(); }
  ~CallbackGuard() { h_.leave_callback(); }
  CallbackGuard(const CallbackGuard &) = delete;
  CallbackGuard &operator=(const CallbackGuard &) = delete;

 private:
  TransferHost &h_;
};

}  // namespace evm
