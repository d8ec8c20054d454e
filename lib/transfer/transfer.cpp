#include "transfer/transfer.h"

#include <cstring>

#include "conn/connection_builder.h"
#include "http/h2_session.h"
#include "share/share.h"
#include "transfer/follow_up.h"
#include "transfer/app_socket_callbacks.h"
#include "transfer/resolve_overrides.h"
#include "urlapi/url_for_transfer.h"

namespace evm {

Transfer::Transfer() {
  opt.share.bind(handle());
}

Transfer::~Transfer() {
  abandon();
  drop_session();  // before the private multi (and its pool) goes
  free_certinfo();
  tag_.magic = 0;
}

void Transfer::reset_options() {
  // libcurl keeps the cookies across curl_easy_reset (but forgets the COOKIEFILE names).
  std::shared_ptr<cookie::CookieJar> jar = std::move(opt.cookies.jar);
  opt = EasyOptions{};
  opt.cookies.jar = std::move(jar);
  // libcurl 7.88 forgets the last transfer too: getinfo answers as for a fresh handle. Its
  // headers stay for curl_easy_header until the next transfer starts.
  HeaderStore headers = std::move(info.headers);
  info = TransferInfo{};
  info.headers = std::move(headers);
  cert_info_.clear();
  free_certinfo();
}

FilterContext Transfer::context() {
  return FilterContext{host().sockets(), handle(), trace_, run_.error, run_.os_errno};
}

void Transfer::free_certinfo() {
  for (int i = 0; i < certinfo_.num_of_certs; ++i) curl_slist_free_all(certinfo_.certinfo[i]);
  delete[] certinfo_.certinfo;
  certinfo_ = curl_certinfo{0, nullptr};
}

curl_certinfo *Transfer::certinfo() {
  free_certinfo();
  if (!cert_info_.empty()) {
    certinfo_.certinfo = new curl_slist *[cert_info_.size()]();
    for (const auto &cert : cert_info_) {
      curl_slist *list = nullptr;
      for (const std::string &line : cert)
        if (curl_slist *grown = curl_slist_append(list, line.c_str())) list = grown;
      certinfo_.certinfo[certinfo_.num_of_certs++] = list;
    }
  }
  return &certinfo_;
}

void Transfer::begin(TransferHost &host, TimePoint t) {
  drop_session();  // a new transfer forgets the previous CONNECT_ONLY connection
  host_ = &host;
  info = TransferInfo{};
  run_ = RunState{};
  attempt_.reset();
  cert_info_.clear();
  free_certinfo();
  message = CURLMsg{};
  state_ = State::Init;
  if (opt.error_buffer) opt.error_buffer[0] = '\0';
  host.timers().arm(*this, t);  // run at the next timeout, as libcurl does on add
}

void Transfer::run(TimePoint t) {
  if (state_ == State::Idle || state_ == State::Done) return;
  RunningEasy running(handle());  // names it in the share's SSL_SESSION lock calls
  now_ = t;
  // Deadlines are checked between turns, so a transfer that always has more to read still ends.
  if (state_ != State::Init && timed_out(t)) return;
  while (state_ != State::Done && step(t) == Step::Continue) {
  }
  if (state_ == State::Done) return;
  if (!progress(t)) return;
  if (lease_) lease_->update_pollset();
  // Decoders that stopped at the turn's budget go on in the next turn, unless paused.
  if (run_.carry_on || (state_ == State::Exchange && attempt_->decode_waits())) {
    // Later than `t`, so this call's timer sweep leaves it for the next turn.
    run_.carry_on = false;
    host().timers().arm(*this, t + std::chrono::nanoseconds(1));
  } else {
    sync_deadline(t);
  }
}

Transfer::Step Transfer::step(TimePoint t) {
  switch (state_) {
    case State::Init:
      return start(t);
    case State::Pending:
      return acquire_connection(t);
    case State::Resolve:
      return resolve(t);
    case State::Connect:
      return connect(t);
    case State::Exchange:
      return exchange(t);
    default:
      return Step::Wait;
  }
}

Transfer::Step Transfer::start(TimePoint t) {
  info.started = evm::now();
  progress_.begin(t);
  low_speed_.reset();
  debug_.attach(trace_, opt, handle(), host());
  for (const std::string &note : opt.not_built_notes) trace_.info("%s", note.c_str());
  if (!opt.url_set && !opt.curlu) {
    fail(CURLE_URL_MALFORMAT, "No URL set");
    return Step::Wait;
  }
  std::string curlu_url;
  if (opt.curlu) {
    if (CURLcode rc = urlapi::url_for_transfer(*opt.curlu, curlu_url)) {
      fail(rc, "The CURLOPT_CURLU handle holds no complete URL");
      return Step::Wait;
    }
  }
  if (opt.connect_only && opt.connect_only != 1)
    trace_.info("CONNECT_ONLY=%ld: WebSockets are not built in, the whole transfer runs",
                opt.connect_only);
  {
    auto hold = opt.share.lock(CURL_LOCK_DATA_COOKIE);
    opt.cookies.load_files(opt.cookie_session, cookie::unix_now());  // as libcurl, every transfer
  }
  attempt_ = std::make_unique<RequestAttempt>(AttemptEnv{opt, info, trace_, run_.error, host()});
  attempt_->set_follow(run_.follow);
  CURLcode rc = attempt_->prepare(opt.curlu ? curlu_url : opt.url);
  if (!rc) rc = check_protocol(opt, attempt_->url(), false, run_.error);
  if (rc) {
    fail(rc, run_.error);
    return Step::Wait;
  }
  if (opt.share.shares(CURL_LOCK_DATA_CONNECT) && !opt.share.share()->is_perform_loop(host_))
    trace_.info(
        "Connections are shared only between curl_easy_perform calls of the share's "
        "handles; this multi handle's own connections are used");
  follow_begin(run_.follow, attempt_->url());
  if (run_.pushed_id) {
    // The server's response is already on its way on the parent's connection.
    note_queue_end();
    if (!note_connection(true)) return Step::Wait;
    return start_exchange(t);
  }
  enter_pending(now_);
  return Step::Continue;
}

Transfer::Step Transfer::acquire_connection(TimePoint t) {
  ConnectionPool &pool = host().pool();
  const std::string &origin = attempt_->origin();
  // A CONNECT_ONLY transfer takes a connection of its own, as libcurl: it is never pooled again.
  if (!opt.fresh_connect && !run_.force_fresh && opt.connect_only != 1) {
    {
      auto hold = opt.share.lock(CURL_LOCK_DATA_CONNECT);  // around the pool only
      lease_ = pool.take_multiplexed(origin, *this);
      if (!lease_) lease_ = pool.take_idle(origin, *this);
    }
    if (lease_) {
      note_queue_end();
      trace_.info("Re-using existing connection #%llu with host %s",
                  static_cast<unsigned long long>(lease_->id()), attempt_->url().host.c_str());
      // No lookup, connect or handshake happened for this transfer: those timings stay 0, as
      // libcurl reports them on reuse.
      if (!note_connection(true)) return Step::Wait;
      return start_exchange(t);
    }
  }
  auto hold = opt.share.lock(CURL_LOCK_DATA_CONNECT);
  if (opt.pipewait && may_speak_h2() &&
      (pool.multiplex_pending(origin) || pool.has_multiplexed(origin))) {
    trace_.info("Waiting for a connection being set up that may multiplex (PIPEWAIT)");
    pool.wait(*this, origin, run_.waited_once);
    run_.waited_once = true;
    return Step::Wait;
  }
  if (!pool.may_open(origin)) {
    trace_.info("No connections available, waiting");
    pool.wait(*this, origin, run_.waited_once);
    run_.waited_once = true;
    return Step::Wait;
  }
  lease_ = pool.open(origin, *this);
  if (may_speak_h2()) pool.expect_multiplex(*lease_);
  note_queue_end();
  ++info.num_connects;
  state_ = State::Resolve;
  return Step::Continue;
}

Transfer::Step Transfer::resolve(TimePoint t) {
  const http::Url &url = attempt_->url();
  // CONNECT_TO may send the connection elsewhere; the request still names the URL's host.
  const ConnectTarget &to = attempt_->connect_target();
  const std::string &target_host = to.host.empty() ? url.host : to.host;
  const uint16_t target_port = to.port ? to.port : url.port;
  if (run_.resolve_failed) {
    fail(CURLE_COULDNT_RESOLVE_HOST, "Could not resolve host: " + target_host);
    return Step::Wait;
  }
  AddressList &addrs = run_.addrs;
  if (addrs.empty()) {
    if (resolving()) return Step::Wait;
    if (!find_resolve_override(opt.resolve, target_host, target_port, addrs)) {
      int family = opt.ip_resolve == CURL_IPRESOLVE_V4   ? AF_INET
                   : opt.ip_resolve == CURL_IPRESOLVE_V6 ? AF_INET6
                                                         : AF_UNSPEC;
      AddressList out;
      resolver_ = &host().resolver_for(opt.dns_servers);
      if (!resolver_->resolve(target_host, family, *this, out, t, opt.dns_cache_timeout))
        return Step::Wait;
      if (out.empty()) {
        fail(CURLE_COULDNT_RESOLVE_HOST, "Could not resolve host: " + target_host);
        return Step::Wait;
      }
      addrs = std::move(out);
    }
  }
  info.resolved = evm::now();
  for (auto &a : addrs) a.set_port(target_port);
  if (!attempt_->tls() && opt.http_version == CURL_HTTP_VERSION_2_0)
    trace_.info(
        "HTTP/2 in clear text is made by prior knowledge only "
        "(CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE); no Upgrade: h2c, this goes as HTTP/1.1");
  TcpOptions tcp;
  tcp.nodelay = opt.tcp_nodelay;
  tcp.keepalive = opt.tcp_keepalive;
  tcp.keepidle = static_cast<int>(opt.tcp_keepidle);
  tcp.keepintvl = static_cast<int>(opt.tcp_keepintvl);
  tcp.local = LocalBind{opt.interface_name, static_cast<uint16_t>(opt.local_port),
                        static_cast<uint16_t>(opt.local_port_range)};
  tcp.callbacks = AppSocketCallbacks::from(opt, host());
  ChainSpec spec{addrs, url.host, url.port, to.host, to.port, std::move(tcp)};
  if (attempt_->tls()) {
    spec.tls = &opt.tls;
    // A share's contexts and session cache, when it shares SSL sessions; else the multi's.
    Share *share = opt.share.share();
    spec.tls_contexts =
        opt.share.shares(CURL_LOCK_DATA_SSL_SESSION) ? share->tls() : &host().tls_contexts();
  }
  {
    auto hold = opt.share.lock(CURL_LOCK_DATA_SSL_SESSION);  // building one takes a context
    lease_->set_filter(build_filter_chain(std::move(spec)));
  }
  state_ = State::Connect;
  return Step::Continue;
}

void Transfer::on_resolved(bool ok, const AddressList &addrs) {
  run_.resolve_failed = !ok;
  run_.addrs = addrs;
  host().schedule(*this);
}

bool Transfer::note_connection(bool reused) {
  const Connection::Ends &ends = lease_->ends();
  info.primary_ip = ends.peer_ip;
  info.primary_port = ends.peer_port;
  info.local_ip = ends.local_ip;
  info.local_port = ends.local_port;
  const Filter &chain = lease_->filter();
  FilterAnswer a;
  if (chain.query(FilterQuery::VerifyResult, a)) info.ssl_verify_result = a.number;
  // libcurl lists no certificate chain on a reused connection.
  if (!reused && chain.query(FilterQuery::CertChain, a) && a.certs) cert_info_ = *a.certs;
  info.scheme = attempt_->tls() ? "HTTPS" : "HTTP";
  info.protocol = attempt_->tls() ? CURLPROTO_HTTPS : CURLPROTO_HTTP;
  info.last_connection = static_cast<int64_t>(lease_->id());
  info.connection_pool = &host().pool();
  if (!opt.prereq_fn) return true;
  // The callback may keep nothing: copies it may scribble on.
  std::string peer_ip = info.primary_ip, local_ip = info.local_ip;
  int rc;
  {
    CallbackGuard in_cb(host());
    rc = opt.prereq_fn(opt.prereq_data, peer_ip.data(), local_ip.data(),
                       static_cast<int>(info.primary_port), static_cast<int>(info.local_port));
  }
  if (rc == CURL_PREREQFUNC_OK) return true;
  fail(CURLE_ABORTED_BY_CALLBACK, "operation aborted by pre-request callback");
  return false;
}

Transfer::Step Transfer::connect(TimePoint t) {
  FilterContext ctx = context();
  bool done = false;
  run_.io_hint = 0;  // events of the set-up say nothing about the request to come
  Filter &chain = lease_->filter();
  CURLcode rc = chain.connect(ctx, t, done);
  // The TCP connection may be up while TLS still shakes hands: CONNECT_TIME is the former.
  FilterAnswer peer;
  if (info.connected == TimePoint{} && chain.query(FilterQuery::PeerAddress, peer))
    info.connected = evm::now();
  if (rc != CURLE_OK) {
    FilterAnswer a;
    if (chain.query(FilterQuery::VerifyResult, a)) info.ssl_verify_result = a.number;
    fail(rc, run_.error);
    return Step::Wait;
  }
  if (!done) return Step::Wait;
  if (attempt_->tls()) info.appconnected = evm::now();
  lease_->connected = true;
  choose_protocol();
  if (!note_connection(false)) return Step::Wait;
  return start_exchange(t);
}

bool Transfer::may_speak_h2() const {
  if (opt.connect_only == 1) return false;  // the application speaks for itself
  if (attempt_->tls())
    return opt.http_version != CURL_HTTP_VERSION_1_0 && opt.http_version != CURL_HTTP_VERSION_1_1;
  return opt.http_version == CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE;
}

void Transfer::choose_protocol() {
  ConnectionPool &pool = host().pool();
  if (!lease_->multiplexed() && may_speak_h2()) {
    bool h2 = !attempt_->tls();
    FilterAnswer a;
    if (attempt_->tls() && lease_->filter().query(FilterQuery::Alpn, a)) h2 = a.text == "h2";
    if (h2) {
      H2Settings s{static_cast<uint32_t>(pool.limits.max_streams), pool.limits.multiplex,
                   host().push_enabled()};
      lease_->start_h2(s);
      if (s.enable_push) {
        Connection *c = &*lease_;
        TransferHost *h = &host();
        lease_->h2()->on_push = [c, h](const H2Promise &p) { return h->on_push(*c, p); };
      }
      trace_.info("using HTTP/2");
    }
  }
  pool.connected(*lease_);
}

Transfer::Step Transfer::start_exchange(TimePoint t) {
  if (opt.connect_only == 1) return finish_connect_only(t);
  info.pretransfer = evm::now();
  ++lease_->requests;
  ExchangeRequest req = attempt_->request();
  req.weight = static_cast<int>(opt.stream_weight);
  req.exclusive = opt.stream_exclusive;
  if (Transfer *dep = Transfer::from(opt.stream_depends)) req.depends_on = dep->stream_on(*lease_);
  if (run_.pushed_id) {
    exchange_ = lease_->h2() ? lease_->h2()->adopt_push(*this, run_.pushed_id) : nullptr;
    run_.pushed_id = 0;  // a redirect of a pushed response makes a request of its own
    if (!exchange_) {
      fail(CURLE_RECV_ERROR, "The pushed stream is gone");
      return Step::Wait;
    }
  } else {
    exchange_ = &lease_->begin_exchange(*this);
  }
  exchange_->set_io_sizes(static_cast<size_t>(opt.buffer_size),
                          static_cast<size_t>(opt.upload_buffer_size));
  exchange_->start(req, *attempt_);
  trace_.headers('>', exchange_->shown_head(req.head));
  state_ = State::Exchange;
  return Step::Continue;
}

Transfer::Step Transfer::exchange(TimePoint t) {
  Step held;
  if (deliver_held(held)) return held;
  FilterContext ctx = context();
  int hint = run_.io_hint;
  run_.io_hint = 0;
  Exchange::Status s = exchange_->on_io(lease_->filter(), ctx, hint, host().recv_buffer());
  if (info.first_byte == TimePoint{} && exchange_->response_started()) info.first_byte = evm::now();
  info.request_size =
      run_.earlier_request_bytes + static_cast<long>(exchange_->request_bytes_sent());
  info.size_upload = static_cast<int64_t>(exchange_->body_bytes_sent());
  switch (s) {
    case Exchange::Status::Wait:
      return Step::Wait;
    case Exchange::Status::CarryOn:
      run_.carry_on = true;
      return Step::Wait;
    case Exchange::Status::Complete:
      if (attempt_->holds_response_data()) {
        run_.complete_held = true;  // ends once the application has taken it all
        return Step::Wait;
      }
      if (attempt_->follow_up_due()) return follow_up(t);
      finish(CURLE_OK, t);
      return Step::Wait;
    case Exchange::Status::Stopped:
      fail(attempt_->stop_code(), run_.error);
      return Step::Wait;
    case Exchange::Status::Failed:
      break;
  }
  if (retry_on_fresh_connection(t)) return Step::Continue;
  if (int status = exchange_->status_seen()) info.response_code = status;
  if (exchange_->retry_safe() && run_.refusals >= 5)  // refused once more than libcurl retries
    return fail(CURLE_RECV_ERROR, "Connection died, tried 5 times before giving up"), Step::Wait;
  // A retry that could not rewind the body ends with that (CURLE_SEND_FAIL_REWIND).
  fail(attempt_->stop_code() ? attempt_->stop_code() : exchange_->code(), run_.error);
  return Step::Wait;
}

bool Transfer::retry_on_fresh_connection(TimePoint t) {
  // A reused connection may have been closed by the server just as we sent: try once more on a
  // new one, but only while nothing of the response has been seen.
  // An HTTP/2 stream the server refused, or that a GOAWAY left out, may go again too.
  bool refused = exchange_->retry_safe();
  // A reset stream is the server's answer, not a dead connection: only a refusal goes again.
  // Refused streams go again up to libcurl's five times; a stream whose reused HTTP/2 connection
  // died under it (not merely a reset of the stream) once, like an HTTP/1.1 request.
  bool died = lease_->requests > 1 && !run_.retried &&
              (!exchange_->multiplexed() || !exchange_->reusable());
  bool may_retry = refused ? run_.refusals < 5 : died;
  if (!may_retry || exchange_->response_started()) return false;
  if (!attempt_->rewind()) return false;
  trace_.info(refused ? "The HTTP/2 stream was refused, retrying on a fresh connection"
                      : "Connection died, retrying a fresh connect");
  info.headers.next_request();  // libcurl counts a retry as a request
  low_speed_.reset();
  if (refused)
    ++run_.refusals;
  else
    run_.retried = true;
  run_.force_fresh = !refused;  // a refused stream may go on any connection that takes it
  bool keep = exchange_->multiplexed() && exchange_->reusable();  // a refused stream only
  exchange_ = nullptr;
  lease_.release(keep, t);
  run_.error.clear();
  run_.os_errno = 0;
  enter_pending(now_);
  return true;
}

void Transfer::enter_pending(TimePoint t) {
  run_.connect_started = t;
  state_ = State::Pending;
}

// A redirect or an auth retry: a new attempt, on the same connection when the response left it
// reusable and the origin stays, else on one the pool finds or opens.
Transfer::Step Transfer::follow_up(TimePoint t) {
  std::string next;
  info.headers.next_request();  // before MAXREDIRS is checked, as libcurl counts
  if (CURLcode rc = follow_next(run_.follow, opt, attempt_->url(), info, run_.error, next)) {
    fail(rc, run_.error);
    return Step::Wait;
  }
  // The same body goes out again (307/308, a kept POST, an auth retry): its reader must rewind,
  // which the new attempt's reader then reads from the start.
  if (attempt_->has_body() && !run_.follow.post_as_get && !attempt_->rewind()) {
    fail(CURLE_SEND_FAIL_REWIND,
         run_.error.empty() ? "necessary data rewind wasn't possible" : run_.error);
    return Step::Wait;
  }
  bool reusable = !opt.forbid_reuse && exchange_->reusable();
  std::string old_origin = attempt_->origin();
  trace_.info("Issue another request to this URL: '%s'", next.c_str());
  bool redirect = run_.follow.next == FollowState::Next::Redirect;
  PauseState paused = attempt_->pause_state();
  attempt_ = std::make_unique<RequestAttempt>(AttemptEnv{opt, info, trace_, run_.error, host()});
  attempt_->set_follow(run_.follow);
  attempt_->set_pause(paused.recv, paused.send);  // curl_easy_pause holds for the handle
  CURLcode rc = attempt_->prepare(next);
  if (!rc) rc = check_protocol(opt, attempt_->url(), redirect, run_.error);
  if (rc) {
    fail(rc, run_.error);
    return Step::Wait;
  }
  // The next request's window starts now; its bytes add to what earlier requests sent.
  low_speed_.reset();
  run_.earlier_request_bytes += static_cast<long>(exchange_->request_bytes_sent());
  if (reusable && attempt_->origin() == old_origin) {
    // PREREQFUNCTION is asked before every request, a follow-up on a kept connection too.
    if (!note_connection(true)) return Step::Wait;
    return start_exchange(t);
  }
  exchange_ = nullptr;
  if (lease_->has_filter()) {
    FilterContext ctx = context();
    lease_->filter().control(ctx, FilterControl::TransferDone);
  }
  lease_.release(reusable, t);
  run_.addrs.clear();
  run_.resolve_failed = run_.retried = run_.force_fresh = run_.waited_once = false;
  enter_pending(now_);
  return Step::Continue;
}

void Transfer::on_timeout(TimePoint t) {
  run(t);
}

void Transfer::on_connection_event(int cselect) {
  // 0 means "find out yourself": try both ways.
  run_.io_hint |= cselect ? cselect : CURL_CSELECT_IN | CURL_CSELECT_OUT;
  host().schedule(*this);
}

void Transfer::add_pollset(Pollset &ps) {
  // A CONNECT_ONLY session (no lease, done) wants nothing watched.
  if (!lease_ || !lease_->has_filter()) return;
  if (state_ == State::Connect)
    lease_->filter().adjust_pollset(ps, false, false);
  else if (state_ == State::Exchange)
    exchange_->add_pollset(lease_->filter(), ps);
}

void Transfer::on_slot_free() {
  host().schedule(*this);
}

void Transfer::sync_deadline(TimePoint) {
  TimePoint d = timeout_deadline();
  if (state_ == State::Connect && lease_) d = std::min(d, lease_->filter().connect_deadline());
  d = std::min(d, progress_.next_report(opt));
  if (state_ == State::Exchange) d = std::min(d, low_speed_.deadline(opt));
  if (state_ == State::Exchange && exchange_) d = std::min(d, exchange_->deadline());
  if (d == TimePoint::max())
    host().timers().cancel(*this);
  else
    host().timers().arm(*this, d);
}

void Transfer::fail(CURLcode rc, std::string text) {
  run_.error = std::move(text);
  finish(rc, now_);
}

void Transfer::finish(CURLcode rc, TimePoint t) {
  if (state_ == State::Done || state_ == State::Idle) return;
  if (state_ != State::Init) rc = last_progress(rc, t);
  // Stamped when it happens (not with the event's time) so the timings of a transfer that runs
  // whole inside one event still add up.
  info.finished = evm::now();
  info.os_errno = run_.os_errno;
  if (rc != CURLE_OK) {
    if (run_.error.empty()) run_.error = curl_easy_strerror(rc);
    trace_.info("%s", run_.error.c_str());
    if (opt.error_buffer) {
      std::strncpy(opt.error_buffer, run_.error.c_str(), CURL_ERROR_SIZE - 1);
      opt.error_buffer[CURL_ERROR_SIZE - 1] = '\0';
    }
  }
  // A failed HTTP/2 stream leaves its connection to the others.
  bool reusable = !opt.forbid_reuse && exchange_ && exchange_->reusable() &&
                  (rc == CURLE_OK || exchange_->multiplexed());
  state_ = State::Done;
  drop_everything(reusable, t);
  message.msg = CURLMSG_DONE;
  message.easy_handle = handle();
  message.data.result = rc;
  host().transfer_done(*this);
}

void Transfer::drop_everything(bool reusable, TimePoint t) {
  host().timers().cancel(*this);
  if (resolver_) {
    resolver_->cancel(*this);
    resolver_->release_easy(handle());
  }
  resolver_ = nullptr;
  host().pool().cancel_wait(*this);
  host().unschedule(*this);
  exchange_ = nullptr;
  if (!lease_) return;
  if (reusable) {
    trace_.info("Connection #%llu to host %s left intact",
                static_cast<unsigned long long>(lease_->id()), attempt_->url().host.c_str());
  } else {
    trace_.info("Closing connection %llu", static_cast<unsigned long long>(lease_->id()));
  }
  if (lease_->has_filter()) {
    FilterContext ctx = context();
    lease_->filter().control(ctx, FilterControl::TransferDone);
  }
  lease_.release(reusable, t);
}

void Transfer::abandon() {
  if (!host_ || state_ == State::Idle) return;
  // Removed mid-way: an HTTP/2 stream is reset, its connection goes on for the others.
  if (state_ != State::Done)
    drop_everything(exchange_ && exchange_->multiplexed() && exchange_->reusable(), evm::now());
  state_ = State::Idle;
}

}  // namespace evm
