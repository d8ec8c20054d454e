#include "transfer/transfer.h"

#include <cctype>
#include <cstring>

#include "conn/tcp_filter.h"
#include "conn/tls_filter.h"
#include "http/request_builder.h"
#include "http/url.h"
#include "multi/multi.h"
#include "util/base64.h"

namespace evm {

namespace {
constexpr long kDefaultConnectTimeoutMs = 300000;  // libcurl's default
constexpr size_t kMaxWriteSize = CURL_MAX_WRITE_SIZE;
constexpr size_t kInlineBodyLimit = 64 * 1024;  // small bodies go out with the head in one send
constexpr auto kProgressInterval = std::chrono::seconds(1);

CURLcode map_parse_error(h1::ParseError e) {
  switch (e) {
    case h1::ParseError::HeaderTooLarge:
    case h1::ParseError::BadChunk:
      return CURLE_RECV_ERROR;
    case h1::ParseError::PartialBody:
      return CURLE_PARTIAL_FILE;
    case h1::ParseError::EmptyReply:
      return CURLE_GOT_NOTHING;
    default:
      return CURLE_WEIRD_SERVER_REPLY;
  }
}
}  // namespace

struct Transfer::Target {
  http::Url url;
  std::string origin;  // connection-pool key
  bool tls = false;
};

Transfer::Transfer() = default;

Transfer::~Transfer() {
  abandon();
  free_certinfo();
  tag_.magic = 0;
}

void Transfer::reset_options() { opt = EasyOptions{}; }

FilterContext Transfer::context() {
  return FilterContext{multi->sockets, handle(), trace_, error_text_, os_errno_};
}

static bool same_host(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
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

void Transfer::begin(TimePoint t) {
  info = TransferInfo{};
  cert_info_.clear();
  free_certinfo();
  error_text_.clear();
  result_ = CURLE_OK;
  pending_rc_ = CURLE_OK;
  retried_ = force_fresh_ = false;
  addrs_.clear();
  resolve_failed_ = false;
  response_started_ = false;
  os_errno_ = 0;
  waited_once_ = excess_bytes_ = false;
  request_sent_ = body_sent_ = 0;
  message = CURLMsg{};
  state_ = State::Init;
  if (opt.error_buffer) opt.error_buffer[0] = '\0';
  multi->timers.arm(*this, t);  // run at the next timeout, as libcurl does on add
}

void Transfer::run(TimePoint t) {
  if (state_ == State::Idle || state_ == State::Done) return;
  now_ = t;
  while (state_ != State::Done && step(t) == Step::Continue) {
  }
  if (state_ != State::Done) {
    if (!opt.no_progress && !progress(t)) return;
    sync_sockets();
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
    case State::Send:
      return send_request(t);
    case State::Receive:
      return receive(t);
    default:
      return Step::Wait;
  }
}

Transfer::Step Transfer::start(TimePoint t) {
  info.started = evm::now();
  last_progress_ = t;
  trace_.enabled = opt.verbose;
  target_ = std::make_unique<Target>();
  if (!opt.url_set) {
    fail(CURLE_URL_MALFORMAT, "No URL set");
    return Step::Wait;
  }
  auto parsed = http::parse_url(opt.url, target_->url);
  if (!parsed.ok()) {
    bool scheme = parsed.code == http::UrlError::kUnsupportedScheme;
    info.effective_url = scheme ? target_->url.to_string() : opt.url;
    fail(scheme ? CURLE_UNSUPPORTED_PROTOCOL : CURLE_URL_MALFORMAT,
         parsed.message.empty() ? "URL rejected: malformed input" : parsed.message);
    return Step::Wait;
  }
  target_->tls = target_->url.scheme == "https";
  target_->origin = target_->url.origin_key();
  // A TLS connection is only reused by a transfer with the same TLS settings, as libcurl does.
  if (target_->tls) target_->origin += "|" + opt.tls.identity();
  info.effective_url = target_->url.to_string();
  prepare_request();
  state_ = State::Pending;
  return Step::Continue;
}

void Transfer::prepare_request() {
  const char *method = "GET";
  int64_t body_size = -1;
  head_request_ = false;
  body_ = nullptr;
  body_len_ = 0;
  if (opt.method == EasyOptions::Method::Head) {
    method = "HEAD";
    head_request_ = true;
  } else if (opt.method == EasyOptions::Method::Post) {
    method = "POST";
    body_ = opt.post_fields ? opt.post_fields : "";
    body_size = opt.post_size >= 0 ? opt.post_size
                                   : static_cast<int64_t>(opt.post_fields ? std::strlen(body_) : 0);
    body_len_ = static_cast<size_t>(body_size);
  }
  if (!opt.custom_request.empty()) {
    method = opt.custom_request.c_str();
    head_request_ = head_request_ || opt.custom_request == "HEAD";
  }
  std::vector<const char *> custom;
  for (const curl_slist *s = opt.http_headers; s; s = s->next) custom.push_back(s->data);
  http::RequestSpec spec;
  spec.method = method;
  spec.target = target_->url.target;
  std::string host = target_->url.host_header();
  spec.host_header = host;
  spec.user_agent = opt.user_agent;
  // Credentials in the URL are sent with Basic authentication, as libcurl does by default.
  std::string authorization;
  if (target_->url.has_userinfo)
    authorization = "Basic " + base64_encode(target_->url.user + ":" + target_->url.password);
  spec.authorization = authorization;
  spec.custom_headers = custom;
  spec.body_size = body_size;
  spec.http10 = opt.http_version == CURL_HTTP_VERSION_1_0;
  spec.is_post = opt.method == EasyOptions::Method::Post;
  request_.clear();
  http::build_request(spec, request_);
  info.request_size = 0;
  // Small bodies travel in the same send() as the head.
  if (body_len_ && body_len_ <= kInlineBodyLimit) {
    request_.append(body_, body_len_);
    head_len_ = request_.size() - body_len_;
    body_len_ = 0;
    inline_body_ = true;
  } else {
    head_len_ = request_.size();
    inline_body_ = false;
  }
}

Transfer::Step Transfer::acquire_connection(TimePoint) {
  ConnectionPool &pool = multi->pool;
  if (!opt.fresh_connect && !force_fresh_) {
    if (auto c = pool.take_idle(target_->origin)) {
      conn_ = std::move(c);
      trace_.info("Re-using existing connection #%llu with host %s",
                  static_cast<unsigned long long>(conn_->id()), target_->url.host.c_str());
      // No lookup, connect or handshake happened for this transfer: those timings stay 0, as
      // libcurl reports them on reuse.
      note_connection(true);
      state_ = State::Send;
      return Step::Continue;
    }
  }
  if (!pool.may_open(target_->origin)) {
    trace_.info("No connections available, waiting");
    pool.wait(*this, target_->origin, waited_once_);
    waited_once_ = true;
    return Step::Wait;
  }
  conn_ = std::make_unique<Connection>(target_->origin, pool.next_id());
  pool.opened(*conn_);
  ++info.num_connects;
  state_ = State::Resolve;
  return Step::Continue;
}

bool Transfer::find_resolve_override(AddressList &out) const {
  // CURLOPT_RESOLVE entries: "host:port:addr[,addr]...", "+host:port:addr", "-host:port".
  const std::string &host = target_->url.host;
  std::string port = std::to_string(target_->url.port);
  for (const curl_slist *s = opt.resolve; s; s = s->next) {
    std::string_view e = s->data ? s->data : "";
    if (!e.empty() && (e[0] == '-')) continue;
    if (!e.empty() && e[0] == '+') e.remove_prefix(1);
    size_t c1 = e.find(':');
    if (c1 == std::string_view::npos) continue;
    size_t c2 = e.find(':', c1 + 1);
    if (c2 == std::string_view::npos) continue;
    if (!same_host(e.substr(0, c1), host) || e.substr(c1 + 1, c2 - c1 - 1) != port)
      continue;
    std::string_view list = e.substr(c2 + 1);
    while (!list.empty()) {
      size_t comma = list.find(',');
      std::string a(list.substr(0, comma));
      if (a.size() > 2 && a.front() == '[' && a.back() == ']') a = a.substr(1, a.size() - 2);
      Address addr;
      if (Address::from_numeric(a, 0, addr)) out.push_back(addr);
      if (comma == std::string_view::npos) break;
      list.remove_prefix(comma + 1);
    }
    if (!out.empty()) return true;
  }
  return false;
}

Transfer::Step Transfer::resolve(TimePoint t) {
  if (resolve_failed_) {
    fail(CURLE_COULDNT_RESOLVE_HOST, "Could not resolve host: " + target_->url.host);
    return Step::Wait;
  }
  if (addrs_.empty()) {
    if (resolving()) return Step::Wait;
    if (!find_resolve_override(addrs_)) {
      int family = opt.ip_resolve == CURL_IPRESOLVE_V4   ? AF_INET
                   : opt.ip_resolve == CURL_IPRESOLVE_V6 ? AF_INET6
                                                         : AF_UNSPEC;
      AddressList out;
      resolver_ = &multi->resolver_for(opt.dns_servers);
      if (!resolver_->resolve(target_->url.host, family, *this, out, t)) return Step::Wait;
      if (out.empty()) {
        fail(CURLE_COULDNT_RESOLVE_HOST, "Could not resolve host: " + target_->url.host);
        return Step::Wait;
      }
      addrs_ = std::move(out);
    }
  }
  info.resolved = evm::now();
  for (auto &a : addrs_) a.set_port(target_->url.port);
  std::unique_ptr<Filter> top = std::make_unique<TcpFilter>(
      addrs_, target_->url.host, target_->url.port, TcpOptions{opt.tcp_nodelay});
  if (target_->tls)
    top = std::make_unique<TlsFilter>(std::move(top), multi->tls_contexts, opt.tls,
                                      target_->url.host, target_->url.port);
  conn_->set_filter(std::move(top));
  state_ = State::Connect;
  return Step::Continue;
}

void Transfer::on_resolved(bool ok, const AddressList &addrs) {
  resolve_failed_ = !ok;
  addrs_ = addrs;
  multi->schedule(*this);
}

const TcpFilter *Transfer::tcp_filter() const {
  const Filter *f = &conn_->filter();
  while (f->below()) f = f->below();
  return dynamic_cast<const TcpFilter *>(f);
}

void Transfer::note_connection(bool reused) {
  if (const TcpFilter *tcp = tcp_filter()) {
    info.primary_ip = tcp->peer().ip();
    info.primary_port = tcp->peer().port();
    info.local_ip = tcp->local().ip();
    info.local_port = tcp->local().port();
  }
  if (!target_->tls) return;
  auto *tls = dynamic_cast<const TlsFilter *>(&conn_->filter());
  if (!tls) return;
  info.ssl_verify_result = tls->verify_result();
  if (!reused) cert_info_ = tls->cert_info();  // libcurl lists no chain on a reused connection
}

Transfer::Step Transfer::connect(TimePoint t) {
  FilterContext ctx = context();
  bool done = false;
  CURLcode rc = conn_->filter().connect(ctx, t, done);
  // The TCP connection may be up while TLS still shakes hands: CONNECT_TIME is the former.
  if (info.connected == TimePoint{} && tcp_filter() && tcp_filter()->socket() != CURL_SOCKET_BAD)
    info.connected = evm::now();
  if (rc != CURLE_OK) {
    if (target_->tls)
      if (auto *tls = dynamic_cast<const TlsFilter *>(&conn_->filter()))
        info.ssl_verify_result = tls->verify_result();
    fail(rc, error_text_);
    return Step::Wait;
  }
  if (!done) return Step::Wait;
  if (target_->tls) info.appconnected = evm::now();
  conn_->connected = true;
  note_connection(false);
  state_ = State::Send;
  return Step::Continue;
}

Transfer::Step Transfer::send_request(TimePoint t) {
  if (request_sent_ == 0 && body_sent_ == 0) {
    info.pretransfer = evm::now();
    ++conn_->requests;
    trace_.headers('>', std::string_view(request_).substr(0, head_len_));
  }
  FilterContext ctx = context();
  CURLcode rc = CURLE_OK;
  while (request_sent_ < request_.size()) {
    ssize_t n = conn_->filter().send(ctx, request_.data() + request_sent_,
                                     request_.size() - request_sent_, rc);
    if (n < 0) return rc == CURLE_AGAIN ? Step::Wait : send_failed(rc, t);
    request_sent_ += static_cast<size_t>(n);
  }
  while (body_sent_ < body_len_) {
    ssize_t n = conn_->filter().send(ctx, body_ + body_sent_, body_len_ - body_sent_, rc);
    if (n < 0) return rc == CURLE_AGAIN ? Step::Wait : send_failed(rc, t);
    body_sent_ += static_cast<size_t>(n);
  }
  info.request_size = static_cast<long>(request_.size() + body_len_);
  info.size_upload = static_cast<int64_t>(request_.size() - head_len_ + body_len_);
  parser_.begin(head_request_);
  state_ = State::Receive;
  // No response can have come yet, and no filter keeps input between reads (the previous
  // response took all, or the connection is not reused): wait for the socket instead of a read
  // that would find nothing.
  return Step::Wait;
}

Transfer::Step Transfer::send_failed(CURLcode rc, TimePoint t) {
  if (retry_on_fresh_connection(t)) return Step::Continue;
  fail(rc, error_text_);
  return Step::Wait;
}

bool Transfer::retry_on_fresh_connection(TimePoint t) {
  (void)t;
  // A reused connection may have been closed by the server just as we sent: try once more on a
  // new one, but only while nothing of the response has been seen.
  if (!conn_ || conn_->requests <= 1 || retried_ || parser_.got_any_bytes()) return false;
  trace_.info("Connection died, retrying a fresh connect");
  retried_ = force_fresh_ = true;
  forget_sockets();
  multi->pool.discard(std::move(conn_));
  request_sent_ = body_sent_ = 0;
  error_text_.clear();
  os_errno_ = 0;
  state_ = State::Pending;
  return true;
}

Transfer::Step Transfer::receive(TimePoint t) {
  FilterContext ctx = context();
  char *buf = multi->recv_buffer();
  for (;;) {
    CURLcode rc = CURLE_OK;
    ssize_t n = conn_->filter().recv(ctx, buf, Multi::kRecvBufferSize, rc);
    if (n < 0) {
      if (rc == CURLE_AGAIN) return Step::Wait;
      if (retry_on_fresh_connection(t)) return Step::Continue;
      fail(rc, error_text_);
      return Step::Wait;
    }
    if (n > 0 && info.first_byte == TimePoint{}) info.first_byte = evm::now();
    if (n == 0) {
      parser_.feed_eof(*this);
      if (parser_.complete()) {
        finish(CURLE_OK, t);
        return Step::Wait;
      }
      if (!parser_.got_any_bytes() && retry_on_fresh_connection(t)) return Step::Continue;
      parse_failed();
      return Step::Wait;
    }
    std::string &stash = conn_->stash;
    size_t leftover;
    if (stash.empty()) {
      size_t used = parser_.feed(std::string_view(buf, static_cast<size_t>(n)), *this);
      leftover = static_cast<size_t>(n) - used;
      if (leftover && !parser_.complete() && !parser_.failed()) stash.assign(buf + used, leftover);
    } else {
      stash.append(buf, static_cast<size_t>(n));
      size_t used = parser_.feed(stash, *this);
      stash.erase(0, used);
      leftover = stash.size();
    }
    if (parser_.failed()) {
      parse_failed();
      return Step::Wait;
    }
    if (parser_.complete()) {
      // Bytes past the end of the response mean the stream is out of step: do not reuse it.
      if (leftover) excess_bytes_ = true;
      finish(CURLE_OK, t);
      return Step::Wait;
    }
    if (!opt.no_progress && !progress(t)) return Step::Wait;
  }
}

void Transfer::parse_failed() {
  if (parser_.aborted()) {
    fail(pending_rc_ != CURLE_OK ? pending_rc_ : CURLE_WRITE_ERROR, error_text_);
    return;
  }
  CURLcode rc = map_parse_error(parser_.error());
  std::string text = parser_.error_message();
  if (rc == CURLE_GOT_NOTHING) text = "Empty reply from server";
  if (rc == CURLE_PARTIAL_FILE) {
    if (parser_.body_kind() == h1::BodyKind::ContentLength)
      text = "transfer closed with " + std::to_string(parser_.body_remaining()) +
             " bytes remaining to read";
    else
      text = "transfer closed with outstanding read data remaining";
  }
  fail(rc, text);
}

bool Transfer::on_response_head(const h1::ResponseHead &head) {
  response_started_ = true;
  trace_.headers('<', head.raw);
  info.header_size += static_cast<long>(head.raw.size());
  if (!deliver_header_lines(head.raw)) return false;
  if (head.interim()) return true;
  info.response_code = head.status;
  info.http_version = head.version_minor == 0 ? CURL_HTTP_VERSION_1_0 : CURL_HTTP_VERSION_1_1;
  std::string_view type = head.find("Content-Type");
  info.has_content_type = !type.empty();
  info.content_type.assign(type);
  // Reported for HEAD responses too: NOBODY + this item is how applications ask for a size.
  info.content_length_download = head.content_length;
  if (opt.fail_on_error && head.status >= 400) {
    pending_rc_ = CURLE_HTTP_RETURNED_ERROR;
    error_text_ = "The requested URL returned error: " + std::to_string(head.status);
    return false;
  }
  return true;
}

bool Transfer::on_trailers(const h1::ResponseHead &trailers) {
  trace_.headers('<', trailers.raw);
  return deliver_header_lines(trailers.raw);
}

void Transfer::on_complete() {}

bool Transfer::deliver_header_lines(std::string_view raw) {
  curl_write_callback fn = opt.header_fn;
  void *data = opt.header_data;
  if (!fn) {
    // libcurl: without HEADERFUNCTION, HEADERDATA alone sends headers through the write path.
    if (!data) return true;
    fn = opt.write_fn;
  }
  while (!raw.empty()) {
    size_t eol = raw.find('\n');
    size_t len = eol == std::string_view::npos ? raw.size() : eol + 1;
    char *line = const_cast<char *>(raw.data());
    size_t wrote;
    {
      Multi::CallbackScope in_cb(multi);
      wrote = fn ? fn(line, 1, len, data) : std::fwrite(line, 1, len, static_cast<FILE *>(data));
    }
    if (wrote != len) {
      pending_rc_ = CURLE_WRITE_ERROR;
      error_text_ = "Failed writing header";
      return false;
    }
    raw.remove_prefix(len);
  }
  return true;
}

size_t Transfer::write_body(const char *data, size_t len) {
  Multi::CallbackScope in_cb(multi);
  if (opt.write_fn) return opt.write_fn(const_cast<char *>(data), 1, len, opt.write_data);
  return std::fwrite(data, 1, len, static_cast<FILE *>(opt.write_data));
}

bool Transfer::on_body(std::string_view data) {
  info.size_download += static_cast<int64_t>(data.size());
  // WRITEFUNCTION never sees more than CURL_MAX_WRITE_SIZE bytes at once, as documented.
  while (!data.empty()) {
    size_t len = data.size() < kMaxWriteSize ? data.size() : kMaxWriteSize;
    size_t wrote = write_body(data.data(), len);
    if (wrote != len) {
      pending_rc_ = CURLE_WRITE_ERROR;
      error_text_ = wrote == CURL_WRITEFUNC_PAUSE ? "Pausing transfers is not supported yet"
                                                  : "Failure writing output to destination";
      return false;
    }
    data.remove_prefix(len);
  }
  return true;
}

bool Transfer::progress(TimePoint t) {
  if (!opt.xferinfo_fn || t - last_progress_ < kProgressInterval) return true;
  last_progress_ = t;
  int rc;
  {
    Multi::CallbackScope in_cb(multi);
    rc = opt.xferinfo_fn(opt.progress_data,
                         info.content_length_download > 0 ? info.content_length_download : 0,
                         info.size_download, static_cast<curl_off_t>(body_len_),
                         static_cast<curl_off_t>(body_sent_));
  }
  if (rc == 0) return true;
  fail(CURLE_ABORTED_BY_CALLBACK, "Callback aborted");
  return false;
}

TimePoint Transfer::timeout_deadline() const {
  TimePoint d = TimePoint::max();
  if (opt.timeout_ms > 0) d = info.started + std::chrono::milliseconds(opt.timeout_ms);
  if (state_ == State::Resolve || state_ == State::Connect || state_ == State::Pending) {
    long ms = opt.connect_timeout_ms > 0 ? opt.connect_timeout_ms : kDefaultConnectTimeoutMs;
    d = std::min(d, info.started + std::chrono::milliseconds(ms));
  }
  return d;
}

void Transfer::on_timeout(TimePoint t) {
  if (state_ == State::Init) {
    run(t);
    return;
  }
  if (t >= timeout_deadline()) {
    long ms = static_cast<long>(micros_between(info.started, t) / 1000);
    if (state_ == State::Resolve && resolving())
      fail(CURLE_OPERATION_TIMEDOUT, "Resolving timed out after " + std::to_string(ms) +
                                         " milliseconds");
    else if (state_ == State::Resolve || state_ == State::Connect || state_ == State::Pending)
      fail(CURLE_OPERATION_TIMEDOUT,
           "Connection timed out after " + std::to_string(ms) + " milliseconds");
    else
      fail(CURLE_OPERATION_TIMEDOUT, "Operation timed out after " + std::to_string(ms) +
                                         " milliseconds with " +
                                         std::to_string(info.size_download) + " bytes received");
    return;
  }
  run(t);
}

void Transfer::on_socket_ready(curl_socket_t, int) { run(now_ = evm::now()); }

void Transfer::on_slot_free() { multi->schedule(*this); }

void Transfer::sync_deadline(TimePoint t) {
  (void)t;
  TimePoint d = timeout_deadline();
  if (state_ == State::Connect && conn_) d = std::min(d, conn_->filter().connect_deadline());
  if (!opt.no_progress && opt.xferinfo_fn) d = std::min(d, last_progress_ + kProgressInterval);
  if (d == TimePoint::max())
    multi->timers.cancel(*this);
  else
    multi->timers.arm(*this, d);
}

void Transfer::sync_sockets() {
  Pollset want;
  if (conn_ && conn_->has_filter()) {
    if (state_ == State::Connect)
      conn_->filter().adjust_pollset(want, false, false);
    else if (state_ == State::Send || state_ == State::Receive)
      conn_->filter().adjust_pollset(want, state_ == State::Send, state_ == State::Receive);
  }
  for (int i = 0; i < watched_.count; ++i)
    if (!want.events_of(watched_.entries[i].fd))
      multi->sockets.unwatch(watched_.entries[i].fd, *this, handle());
  for (int i = 0; i < want.count; ++i)
    multi->sockets.watch(want.entries[i].fd, want.entries[i].events, *this, handle());
  watched_ = want;
}

void Transfer::forget_sockets() {
  for (int i = 0; i < watched_.count; ++i)
    multi->sockets.unwatch(watched_.entries[i].fd, *this, handle());
  watched_ = Pollset{};
}

void Transfer::fail(CURLcode rc, std::string text) {
  error_text_ = std::move(text);
  finish(rc, now_);
}

void Transfer::finish(CURLcode rc, TimePoint t) {
  if (state_ == State::Done || state_ == State::Idle) return;
  result_ = rc;
  // Stamped when it happens (not with the event's time) so the timings of a transfer that runs
  // whole inside one event still add up.
  info.finished = evm::now();
  info.os_errno = os_errno_;
  if (rc != CURLE_OK) {
    if (error_text_.empty()) error_text_ = curl_easy_strerror(rc);
    trace_.info("%s", error_text_.c_str());
    if (opt.error_buffer) {
      std::strncpy(opt.error_buffer, error_text_.c_str(), CURL_ERROR_SIZE - 1);
      opt.error_buffer[CURL_ERROR_SIZE - 1] = '\0';
    }
  }
  bool reusable = rc == CURLE_OK && !excess_bytes_ && !opt.forbid_reuse && parser_.reusable();
  excess_bytes_ = false;
  state_ = State::Done;
  drop_everything(reusable, t);
  message.msg = CURLMSG_DONE;
  message.easy_handle = handle();
  message.data.result = rc;
  multi->transfer_done(*this);
}

void Transfer::drop_everything(bool reusable, TimePoint t) {
  forget_sockets();
  multi->timers.cancel(*this);
  if (resolver_) {
    resolver_->cancel(*this);
    resolver_->release_easy(handle());
  }
  resolver_ = nullptr;
  multi->pool.cancel_wait(*this);
  multi->unschedule(*this);
  if (!conn_) return;
  if (reusable) {
    trace_.info("Connection #%llu to host %s left intact",
                static_cast<unsigned long long>(conn_->id()), target_->url.host.c_str());
    multi->pool.release(std::move(conn_), true, t);
  } else {
    trace_.info("Closing connection %llu", static_cast<unsigned long long>(conn_->id()));
    multi->pool.discard(std::move(conn_));
  }
}

void Transfer::abandon() {
  if (!multi || state_ == State::Idle) return;
  if (state_ != State::Done) drop_everything(false, evm::now());
  state_ = State::Idle;
}

}  // namespace evm
