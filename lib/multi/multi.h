// A multi handle: the transfers added to it, the sockets and deadlines they wait on, the
// connection pool and resolver they share, and the queue of finished-transfer messages.
#pragma once

#include <curl/curl.h>

#include <memory>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "conn/connection_pool.h"
#include "event/socket_registry.h"
#include "event/timer_queue.h"
#include "net/resolver.h"
#include "net/tls_context_cache.h"
#include "transfer/transfer.h"
#include "transfer/transfer_host.h"
#include "util/handle_tag.h"
#include "util/intrusive_list.h"

namespace evm {

class Multi final : public SocketReporter, public TransferHost {
 public:
  static constexpr uint32_t kMagic = 0x45564d4d;  // "EVMM"
  static constexpr size_t kRecvBufferSize = 64 * 1024;

  Multi();
  ~Multi();
  Multi(const Multi &) = delete;
  Multi &operator=(const Multi &) = delete;

  static Multi *from(CURLM *h) { return HandleTag<Multi>::resolve(h, kMagic); }
  CURLM *handle() { return static_cast<CURLM *>(&tag_); }

  // The API surface (argument checks are done by lib/api).
  CURLMcode add(Transfer &t);
  CURLMcode remove(Transfer &t);
  CURLMcode socket_action(curl_socket_t fd, int ev_bitmask, int *running);
  CURLMcode perform(int *running);
  CURLMcode wait(curl_waitfd extra[], unsigned extra_nfds, int timeout_ms, int *numfds,
                 bool use_wakeup);
  CURLMcode wakeup();
  CURLMcode waitfds(curl_waitfd *ufds, unsigned size, unsigned *fd_count) const;
  CURLMcode fdset(fd_set *read, fd_set *write, fd_set *exc, int *max_fd);
  long timeout_ms_value() const;  // curl_multi_timeout's answer
  CURLMsg *info_read(int *msgs_in_queue);
  CURLMcode assign(curl_socket_t fd, void *socketp);
  CURL **handles() const;

  // Handles curl_easy_cleanup'd from inside our callbacks (Transfer::retire): the API layer frees
  // them once no callback is running.
  std::vector<Transfer *> retired;

  // Whether a callback of ours is running: multi calls made now are refused.
  bool in_callback() const { return in_callback_ > 0; }
  struct CallbackScope {
    explicit CallbackScope(Multi *m) : m_(m) {
      if (m_) ++m_->in_callback_;
    }
    ~CallbackScope() {
      if (m_) --m_->in_callback_;
    }
    Multi *m_;
  };

  // TransferHost: what transfers use of their multi.
  SocketRegistry &sockets() override { return sockets_; }
  TimerQueue &timers() override { return timers_; }
  ConnectionPool &pool() override { return pool_; }
  TlsContextCache &tls_contexts() override { return tls_contexts_; }
  Resolver &resolver_for(const std::string &servers) override;
  std::span<char> recv_buffer() override { return {recv_buffer_.get(), kRecvBufferSize}; }
  void schedule(Transfer &t) override;
  void unschedule(Transfer &t) override { ready_.remove(t); }
  void transfer_done(Transfer &t) override;
  bool push_enabled() const override { return push_fn != nullptr; }
  PushAnswer on_push(Connection &c, const H2Promise &promise) override;  // push_promise.cpp
  void enter_callback() override { ++in_callback_; }
  void leave_callback() override { --in_callback_; }

  curl_socket_callback socket_fn = nullptr;
  void *socket_data = nullptr;
  curl_multi_timer_callback timer_fn = nullptr;
  void *timer_data = nullptr;
  // Kept for HTTP/2 (issue 12): CURLMOPT_PIPELINING, MAX_CONCURRENT_STREAMS, PUSHFUNCTION/DATA.
  long pipelining = CURLPIPE_MULTIPLEX;
  long max_concurrent_streams = 100;
  curl_push_callback push_fn = nullptr;
  void *push_data = nullptr;

  void report_socket(CURL *easy, curl_socket_t fd, int what, void *socketp) override;
  void update_timer();
  size_t running() const { return running_; }

 private:
  void run_due(TimePoint t);
  void dispatch_socket(curl_socket_t fd, int cselect);

  HandleTag<Multi> tag_{kMagic, this};
  int in_callback_ = 0;
  SocketRegistry sockets_{*this};
  TimerQueue timers_;
  TlsContextCache tls_contexts_;  // declared before the pool: it outlives every connection
  // The easy handle SOCKETFUNCTION names for a socket no transfer uses (an idle HTTP/2
  // connection still read for PING and GOAWAY), as libcurl 8 names its internal handle. Never
  // added, never run; declared before the pool, which names it until its last connection closes.
  Transfer internal_easy_;
  ConnectionPool pool_{sockets_, internal_easy_.handle()};
  IntrusiveList<Transfer, &Transfer::multi_link> transfers_;
  IntrusiveList<Transfer, &Transfer::ready_link> ready_;
  IntrusiveList<Transfer, &Transfer::message_link> messages_;
  size_t running_ = 0;
  std::unique_ptr<char[]> recv_buffer_;
  int wakeup_fd_ = -1;  // eventfd for curl_multi_wakeup
  std::unordered_map<std::string, std::unique_ptr<Resolver>> resolvers_;
  int64_t next_xfer_id_ = 0;
  bool timer_armed_ = false;
  TimePoint timer_reported_{};
};

}  // namespace evm
