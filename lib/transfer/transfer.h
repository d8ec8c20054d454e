// One easy handle: its options, its lifecycle (pending → resolve → connect → exchange → done),
// its deadlines, result and what getinfo reports. Each request it makes is a RequestAttempt run
// by an Exchange on a leased connection. Driven by its host through connection events, timeouts
// and wake-ups.
#pragma once

#include <curl/curl.h>

#include <memory>
#include <string>
#include <vector>

#include "conn/connection.h"
#include "conn/connection_pool.h"
#include "event/timer_queue.h"
#include "net/resolver.h"
#include "transfer/debug_sink.h"
#include "transfer/easy_options.h"
#include "transfer/low_speed.h"
#include "transfer/progress.h"
#include "transfer/request_attempt.h"
#include "transfer/transfer_host.h"
#include "transfer/transfer_info.h"
#include "util/handle_tag.h"
#include "util/intrusive_list.h"
#include "util/trace.h"

namespace evm {

class Multi;
// Defined beside Multi, so this header needs only its name.
struct MultiDeleter {
  void operator()(Multi *m) const;
};

class Transfer final : public TimerClient,
                       public SlotWaiter,
                       public ResolveWaiter,
                       public ConnectionUser {
 public:
  static constexpr uint32_t kMagic = 0x45564d54;  // "EVMT"
  enum class State { Idle, Init, Pending, Resolve, Connect, Exchange, Done };

  Transfer();
  ~Transfer();
  Transfer(const Transfer &) = delete;
  Transfer &operator=(const Transfer &) = delete;

  static Transfer *from(CURL *h) { return HandleTag<Transfer>::resolve(h, kMagic); }
  CURL *handle() { return static_cast<CURL *>(&tag_); }

  EasyOptions opt;
  TransferInfo info;
  Multi *multi = nullptr;  // the multi it is added to (for the API layer)
  std::unique_ptr<Multi, MultiDeleter>
      private_multi;  // curl_easy_perform's, kept for its connection cache
  CURLMsg message{};  // what curl_multi_info_read hands out
  ListLink multi_link, ready_link, message_link;

  State state() const { return state_; }
  // Called by the multi.
  void begin(TransferHost &host, TimePoint t);  // on add: fresh state, run at the next timeout
  void run(TimePoint t);
  void abandon();  // on remove: drop the connection and every wait, report no message
  // After a remove: trace lines made outside a transfer no longer reach that multi.
  void left_host() { debug_.leave_host(); }
  // curl_easy_cleanup from inside a callback of its multi: the handle is invalid to the API from
  // now on and its callbacks are ones that stop it; the API layer frees it once that multi call
  // returns (api/handle_cleanup.h).
  void retire() {
    tag_.magic = 0;
    retired = true;
    opt.write_fn = opt.header_fn = [](char *, size_t, size_t, void *) -> size_t { return 0; };
    opt.read_fn = [](char *, size_t, size_t, void *) -> size_t { return CURL_READFUNC_ABORT; };
    opt.xferinfo_fn = nullptr;
    opt.progress_fn = nullptr;
    opt.no_progress = true;
    opt.debug_fn = nullptr;
    opt.seek_fn = nullptr;
    opt.sockopt_fn = nullptr;
    opt.open_socket_fn = nullptr;
    opt.close_socket_fn = nullptr;
    opt.prereq_fn = nullptr;
    opt.verbose = false;
    trace_.enabled = false;
    trace_.sink = nullptr;
  }
  bool retired = false;
  void reset_options();
  // curl_easy_pause: the new CURLPAUSE_* state. A resumed direction runs at the next timeout,
  // without waiting for socket activity; `may_call_back` says the socket interest may be
  // reported now (no callback of ours is running).
  CURLcode pause(int bitmask, bool may_call_back);
  // CURLINFO_CERTINFO: valid until the handle's next transfer or cleanup.
  curl_certinfo *certinfo();

  void on_timeout(TimePoint t) override;
  void on_slot_free() override;
  void on_resolved(bool ok, const AddressList &addrs) override;
  CURL *resolve_easy() override { return handle(); }
  DnsStore *dns_store() override { return opt.share.dns_store(); }
  void on_connection_event(int cselect) override;
  void add_pollset(Pollset &ps) override;
  CURL *user_easy() override { return handle(); }
  ReuseLimits reuse_limits() override { return {opt.maxage_conn, opt.maxlifetime_conn, &trace_}; }
  // The socket of the connection in use now (CURLINFO_ACTIVESOCKET during a transfer), or of
  // the one a CONNECT_ONLY transfer left with the handle.
  curl_socket_t leased_socket() const {
    const ConnectionLease &l = lease_ ? lease_ : session_;
    return l && l->connected && l->has_filter() ? l->filter().socket() : CURL_SOCKET_BAD;
  }

  curl_tlssessioninfo tls_info{};  // what CURLINFO_TLS_SSL_PTR points the application at
  // The OpenSSL SSL * of the connection in use now (CURLINFO_TLS_SSL_PTR), or null.
  void *tls_handle() const {
    const ConnectionLease &l = lease_ ? lease_ : session_;
    FilterAnswer a;
    return l && l->has_filter() && l->filter().query(FilterQuery::TlsHandle, a) ? a.pointer
                                                                                : nullptr;
  }

  // A pushed response (CURLMOPT_PUSHFUNCTION said CURL_PUSH_OK): the transfer, just added, takes
  // the promised stream `id` on the lease's connection instead of making a request.
  void adopt_push(ConnectionLease lease, int32_t id) {
    lease_ = std::move(lease);
    run_.pushed_id = id;
  }

  // The HTTP/2 stream this transfer runs on `c` now (STREAM_DEPENDS of another handle), or 0.
  int32_t stream_on(const Connection &c) const {
    return lease_ && &*lease_ == &c && exchange_ ? exchange_->stream_id() : 0;
  }

  // -- CONNECT_ONLY (lib/transfer/connect_only.cpp): the connection a connect-only transfer
  // keeps for curl_easy_send/recv, never pooled for others; null when there is none.
  Connection *session_connection() { return session_ ? &*session_ : nullptr; }
  // A context for filter calls made on the session connection outside a transfer.
  FilterContext session_context() { return context(); }
  Trace &trace() { return trace_; }
  // Closes the session connection (curl_easy_cleanup, a new transfer, leaving a multi).
  void drop_session();

 private:
  enum class Step { Continue, Wait };

  // What one run of the handle accumulates; a new run starts from a fresh one.
  struct RunState {
    std::string error;  // ERRORBUFFER text
    int os_errno = 0;
    AddressList addrs;
    bool resolve_failed = false;
    bool retried = false;            // a failed reused connection was replaced once
    int refusals = 0;                // HTTP/2 streams refused so far, each sent again
    int32_t pushed_id = 0;           // a pushed response's promised stream
    bool force_fresh = false;        // ... so the retry may not take an idle one
    bool waited_once = false;        // waited for a slot before: back to the head of the queue
    int io_hint = 0;                 // CURL_CSELECT_* bits seen since the last exchange step
    bool carry_on = false;           // the exchange spent its turn's budget: run again next turn
    FollowState follow;              // redirects and auth retries of this run
    bool complete_held = false;      // the response ended while paused data still waits
    TimePoint connect_started{};     // CONNECTTIMEOUT counts from here: each trip through PENDING
    long earlier_request_bytes = 0;  // REQUEST_SIZE of the requests before the current one
  };

  Step step(TimePoint t);
  Step start(TimePoint t);
  Step acquire_connection(TimePoint t);
  Step resolve(TimePoint t);
  Step connect(TimePoint t);
  Step start_exchange(TimePoint t);
  Step finish_connect_only(TimePoint t);
  Step exchange(TimePoint t);
  bool deliver_held(Step &step);
  bool retry_on_fresh_connection(TimePoint t);
  Step follow_up(TimePoint t);
  void enter_pending(TimePoint t);  // on to a connection: the connect timeout starts
  // HTTP/2 through ALPN over TLS unless HTTP/1.x was asked for; in clear text by prior
  // knowledge only.
  bool may_speak_h2() const;
  void choose_protocol();  // once connected: HTTP/2 when agreed
  // QUEUE_TIME_T: the first connection of the run ends the time spent queued.
  void note_queue_end() {
    if (info.queue_known) return;
    info.queue_known = true;
    info.queue_us = micros_between(info.started, evm::now());
  }
  bool note_connection(bool reused);  // false when PREREQFUNCTION ended the transfer

  void fail(CURLcode rc, std::string text);
  void finish(CURLcode rc, TimePoint t);
  void drop_everything(bool reusable, TimePoint t);
  void sync_deadline(TimePoint t);
  TimePoint timeout_deadline() const;
  bool timed_out(TimePoint t);
  bool progress(TimePoint t);
  CURLcode last_progress(CURLcode rc, TimePoint t);
  ProgressCounts progress_counts() const;

  FilterContext context();
  TransferHost &host() { return *host_; }

  HandleTag<Transfer> tag_{kMagic, this};
  TransferHost *host_ = nullptr;
  State state_ = State::Idle;
  Trace trace_;
  DebugSink debug_;
  Progress progress_;
  LowSpeedCheck low_speed_;
  RunState run_;
  TimePoint now_{};  // time of the event being handled

  std::unique_ptr<RequestAttempt> attempt_;  // the request being made
  Resolver *resolver_ = nullptr;             // the one asked, while an answer is awaited
  ConnectionLease lease_;
  ConnectionLease session_;       // CONNECT_ONLY: kept once connected, until the handle lets it go
  Exchange *exchange_ = nullptr;  // the leased connection's exchange, once the request started

  // The peer's certificate chain (with CURLOPT_CERTINFO), and its C form built on request.
  CertInfo cert_info_;
  curl_certinfo certinfo_{0, nullptr};
  void free_certinfo();
};

}  // namespace evm
