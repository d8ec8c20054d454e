// One easy handle: its options, its state machine (resolve → connect → send → receive) and what
// getinfo reports. Driven by its Multi through socket events, timeouts and wake-ups.
#pragma once

#include <curl/curl.h>

#include <memory>
#include <vector>
#include <string>

#include "conn/connection.h"
#include "conn/connection_pool.h"
#include "http/h1_response_parser.h"
#include "event/socket_registry.h"
#include "event/timer_queue.h"
#include "net/resolver.h"
#include "transfer/easy_options.h"
#include "transfer/transfer_info.h"
#include "util/handle_tag.h"
#include "util/intrusive_list.h"
#include "util/trace.h"

namespace evm {

class Multi;

class Transfer final : public IoHandler,
                       public TimerClient,
                       public SlotWaiter,
                       public ResolveWaiter,
                       private h1::ResponseHandler {
 public:
  static constexpr uint32_t kMagic = 0x45564d54;  // "EVMT"
  enum class State { Idle, Init, Pending, Resolve, Connect, Send, Receive, Done };

  Transfer();
  ~Transfer();
  Transfer(const Transfer &) = delete;
  Transfer &operator=(const Transfer &) = delete;

  static Transfer *from(CURL *h) { return HandleTag<Transfer>::resolve(h, kMagic); }
  CURL *handle() { return static_cast<CURL *>(&tag_); }

  EasyOptions opt;
  TransferInfo info;
  Multi *multi = nullptr;                // the multi it is added to
  std::unique_ptr<Multi> private_multi;  // curl_easy_perform's, kept for its connection cache
  CURLMsg message{};                     // what curl_multi_info_read hands out
  ListLink multi_link, ready_link, message_link;

  State state() const { return state_; }
  // Called by Multi.
  void begin(TimePoint t);  // on add: fresh per-transfer state, run at the next timeout
  void run(TimePoint t);
  void abandon();  // on remove: drop the connection and every wait, report no message
  void reset_options();
  // CURLINFO_CERTINFO: valid until the handle's next transfer or cleanup.
  curl_certinfo *certinfo();

  void on_socket_ready(curl_socket_t fd, int cselect) override;
  void on_timeout(TimePoint t) override;
  void on_slot_free() override;
  void on_resolved(bool ok, const AddressList &addrs) override;
  CURL *resolve_easy() override { return handle(); }

 private:
  enum class Step { Continue, Wait };

  Step step(TimePoint t);
  Step start(TimePoint t);
  Step acquire_connection(TimePoint t);
  Step resolve(TimePoint t);
  Step open_connection(TimePoint t);
  Step connect(TimePoint t);
  Step send_request(TimePoint t);
  Step receive(TimePoint t);
  Step send_failed(CURLcode rc, TimePoint t);
  bool retry_on_fresh_connection(TimePoint t);
  void parse_failed();
  void prepare_request();
  bool find_resolve_override(AddressList &out) const;
  const class TcpFilter *tcp_filter() const;
  void note_connection(bool reused);

  void fail(CURLcode rc, std::string text);
  void finish(CURLcode rc, TimePoint t);
  void drop_everything(bool reusable, TimePoint t);
  void sync_sockets();
  void forget_sockets();
  void sync_deadline(TimePoint t);
  TimePoint timeout_deadline() const;
  bool progress(TimePoint t);

  bool on_response_head(const h1::ResponseHead &head) override;
  bool on_body(std::string_view data) override;
  bool on_trailers(const h1::ResponseHead &trailers) override;
  void on_complete() override;
  bool deliver_header_lines(std::string_view raw);
  size_t write_body(const char *data, size_t len);

  FilterContext context();

  HandleTag<Transfer> tag_{kMagic, this};
  State state_ = State::Idle;
  Trace trace_;
  std::string error_text_;
  int os_errno_ = 0;
  CURLcode result_ = CURLE_OK;
  CURLcode pending_rc_ = CURLE_OK;  // why a callback of ours stopped the parser
  TimePoint now_{};                 // time of the event being handled
  TimePoint last_progress_{};

  // The request being made.
  struct Target;
  std::unique_ptr<Target> target_;
  std::string request_;  // request head (+ small body) to send
  size_t head_len_ = 0;
  size_t request_sent_ = 0;
  bool inline_body_ = false;
  const char *body_ = nullptr;  // body sent after request_, straight from the user's buffer
  size_t body_len_ = 0, body_sent_ = 0;
  bool head_request_ = false;

  AddressList addrs_;
  Resolver *resolver_ = nullptr;  // the one asked, while an answer is awaited
  bool resolve_failed_ = false;
  bool retried_ = false;
  bool force_fresh_ = false;
  bool waited_once_ = false;
  bool excess_bytes_ = false;
  std::unique_ptr<Connection> conn_;
  h1::ResponseParser parser_;
  bool response_started_ = false;
  Pollset watched_;

  // The peer's certificate chain (with CURLOPT_CERTINFO), and its C form built on request.
  std::vector<std::vector<std::string>> cert_info_;
  curl_certinfo certinfo_{0, nullptr};
  void free_certinfo();
};

}  // namespace evm
