#include "transfer/request_attempt.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "http/request_builder.h"
#include "transfer/attempt_cookies.h"
#include "http/retry_after.h"
#include "transfer/cr_buffer.h"
#include "transfer/cr_read_callback.h"
#include "transfer/cr_mime.h"
#include "util/ascii.h"
#include "util/base64.h"

namespace evm {

RequestAttempt::RequestAttempt(AttemptEnv env)
    : env_(env), out_(env.opt, env.host, env.error, &env.info.headers) {}

CURLcode RequestAttempt::prepare(const std::string &url) {
  auto parsed = http::parse_url(url, url_);
  if (!parsed.ok()) {
    bool scheme = parsed.code == http::UrlError::kUnsupportedScheme;
    env_.info.effective_url = scheme ? url_.to_string() : url;
    env_.error = parsed.message.empty() ? "URL rejected: malformed input" : parsed.message;
    return scheme ? CURLE_UNSUPPORTED_PROTOCOL : CURLE_URL_MALFORMAT;
  }
  tls_ = url_.scheme == "https";
  origin_ = url_.origin_key();
  // A TLS connection is only reused by a transfer with the same TLS settings, as libcurl does.
  if (tls_) origin_.append("|").append(env_.opt.tls_identity());
  // HTTP/2 by prior knowledge and HTTP/1.1 never share a clear-text connection.
  if (!tls_ && env_.opt.http_version == CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE) origin_ += "|h2c";
  env_.info.effective_url = url_.to_string();
  // -- connections: PORT and CONNECT_TO, once the effective URL is taken
  if (CURLcode rc = route_connection()) return rc;
  return build_head();
}

CURLcode RequestAttempt::build_head() {
  const EasyOptions &opt = env_.opt;
  const char *method = "GET";
  int64_t body_size = http::kNoBody;
  if (opt.method == EasyOptions::Method::Head) {
    method = "HEAD";
    head_request_ = true;
  } else if (opt.method == EasyOptions::Method::Post && !post_as_get()) {
    method = "POST";
    const char *data = opt.post_fields ? opt.post_fields : "";
    body_size = opt.post_size >= 0 ? opt.post_size : static_cast<int64_t>(std::strlen(data));
    body_ = std::make_unique<BufferReader>(data, static_cast<size_t>(body_size));
  } else if (is_form_post(opt) && !post_as_get()) {
    method = "POST";  // forms: MIMEPOST and HTTPPOST, see cr_mime.h
    FormBody form = make_form_body(opt, env_.error, stop_);
    form_tree_ = std::move(form.converted);
    form_type_ = std::move(form.content_type);
    body_ = std::move(form.reader);
    body_size = form.size < 0 ? http::kUnknownBodySize : form.size;
  }
  if (!opt.custom_request.empty()) {
    method = opt.custom_request.c_str();
    head_request_ = head_request_ || opt.custom_request == "HEAD";
  }
  std::vector<const char *> custom;
  for (const curl_slist *s = opt.http_headers; s; s = s->next) custom.push_back(s->data);
  http::RequestSpec spec;
  spec.method = method;
  spec.target = url_.target;
  std::string host = url_.host_header();
  spec.host_header = host;
  spec.user_agent = opt.user_agent;
  // Credentials in the URL are sent with Basic authentication, as libcurl does by default.
  std::string authorization;
  if (url_.has_userinfo) authorization = "Basic " + base64_encode(url_.user + ":" + url_.password);
  spec.authorization = authorization;

  // -- redirects and auth
  env_.info.effective_method = method;
  if (follow_) {
    if (!follow_->may_send_credentials(opt, url_)) {
      // Custom Authorization and Cookie headers are for the first host only.
      std::erase_if(custom, [](const char *h) {
        std::string_view v(h ? h : "");
        return ascii::istarts_with(v, "Authorization:") || ascii::istarts_with(v, "Cookie:");
      });
    }
    authorization =
        follow_->auth.authorization(opt, credentials_for(*follow_, opt, url_), method, url_.target);
    spec.authorization = authorization;
  }
  // A custom Host header is for the first host only, after a redirect elsewhere too (libcurl).
  if (!custom_host_applies())
    std::erase_if(custom, [](const char *h) {
      return h && ascii::istarts_with(h, "Host") && (h[4] == ':' || h[4] == ';');
    });
  spec.referer = follow_ && !follow_->referer.empty() ? follow_->referer : opt.referer;
  env_.info.referer = spec.referer;

  // -- uploads and pause
  // UPLOAD sends INFILESIZE bytes; POST without POSTFIELDS reads POSTFIELDSIZE bytes. Both come
  // from READFUNCTION, and a size of -1 (unknown) goes out chunked.
  bool post_from_callback =
      opt.method == EasyOptions::Method::Post && !opt.post_fields && !post_as_get();
  if (opt.method == EasyOptions::Method::Put || post_from_callback) {
    int64_t length = post_from_callback ? opt.post_size : opt.infile_size;
    if (!post_from_callback && opt.custom_request.empty()) spec.method = "PUT";
    body_size = length >= 0 ? length : http::kUnknownBodySize;
    body_ = std::make_unique<ReadCallbackReader>(opt, env_.host, length, stop_, env_.error);
  }

  // -- forms
  if (is_form_post(opt) && !post_as_get()) {
    spec.content_type = form_type_;
  }

  // While an auth scheme is being negotiated the first request goes without its body (whichever
  // reader would give it), as libcurl sends Content-Length: 0.
  if (body_ && follow_ && follow_->auth.negotiating) {
    body_ = std::make_unique<BufferReader>("", 0);
    body_size = 0;
  }

  // -- cookies
  std::string cookie_value = cookie_header_value(opt, url_, tls_, custom_host_applies());
  spec.cookie = cookie_value;

  // -- response handling
  add_response_headers(spec);

  spec.custom_headers = custom;
  spec.body_size = body_size;
  spec.http10 = opt.http_version == CURL_HTTP_VERSION_1_0;
  spec.is_post = opt.method == EasyOptions::Method::Post && !post_as_get();
  decide_expect_100(spec);
  // libcurl 7.88: the size sent, -1 when unknown, 0 without a body.
  env_.info.content_length_upload =
      spec.body_size == http::kNoBody ? 0 : std::max<int64_t>(spec.body_size, -1);
  http::RequestBuildResult built = http::build_request(spec, head_);
  chunked_ = built.chunked_body;
  if (built.ok()) return CURLE_OK;
  env_.error = built.message;
  return built.code == http::RequestError::kLineBreak ? CURLE_BAD_FUNCTION_ARGUMENT
                                                      : CURLE_UPLOAD_FAILED;
}

// Whether to send "Expect: 100-continue" and wait for the 100, as libcurl 7.88 decides: a PUT
// of any non-empty body, a POST over 1 MiB or of unknown size, never over HTTP/1.0; a custom
// Expect header replaces the decision (a POST honours it even over HTTP/1.0).
void RequestAttempt::decide_expect_100(http::RequestSpec &spec) {
  if (follow_ && follow_->expect_disabled) return;  // a 417 said no: the retry goes without
  constexpr int64_t kThreshold = 1024 * 1024;
  const char *custom = nullptr;
  for (const char *h : spec.custom_headers)
    if (h && ascii::istarts_with(h, "Expect") && (h[6] == ':' || h[6] == ';')) {
      custom = h;
      break;
    }
  bool custom_wants = false;
  if (custom && ascii::istarts_with(custom, "Expect:")) {
    std::string_view value(custom + 7);
    for (size_t i = 0; i + 12 <= value.size() && !custom_wants; ++i)
      custom_wants = ascii::istarts_with(value.substr(i), "100-continue");
  }
  bool put = env_.opt.method == EasyOptions::Method::Put;
  bool post = env_.opt.method == EasyOptions::Method::Post || is_form_post(env_.opt);
  if (put && spec.body_size != 0 && spec.body_size != http::kNoBody && !spec.http10) {
    spec.expect_100 = !custom;
    expect_100_ = custom ? custom_wants : true;
  } else if (post && spec.body_size != http::kNoBody) {
    if (custom) {
      expect_100_ = custom_wants;
    } else if ((spec.body_size > kThreshold || spec.body_size == http::kUnknownBodySize) &&
               !spec.http10) {
      spec.expect_100 = expect_100_ = true;
    }
  }
}

ExchangeRequest RequestAttempt::request() const {
  ExchangeRequest req{head_, body_ ? body_->length() : -1, head_request_};
  req.tls = tls_;
  req.raw_chunked = !env_.opt.transfer_decoding;
  req.chunked = chunked_;
  req.expect_100 = expect_100_;
  req.expect_100_timeout_ms = env_.opt.expect_100_timeout_ms;
  return req;
}

BodyRead RequestAttempt::read_body(std::span<char> buf) {
  if (!body_) return BodyRead{BodyRead::Data, 0, true};
  BodyRead r = body_->read(buf);
  if (r.status == BodyRead::Data && r.bytes) body_started_ = true;
  if (r.status == BodyRead::Paused) pause_.send = true;  // CURL_READFUNC_PAUSE
  if (r.status == BodyRead::Abort && stop_ == CURLE_OK) stop_ = CURLE_ABORTED_BY_CALLBACK;
  return r;
}

bool RequestAttempt::on_head(const h1::ResponseHead &head) {
  TransferInfo &info = env_.info;
  header_bytes_ += head.raw.size();
  info.header_size += static_cast<long>(head.raw.size());
  if (header_bytes_ > kMaxHeaderBytes) {
    // Like libcurl, the status line that was parsed stays reported.
    info.response_code = head.status;
    env_.error = "Too large response headers: " + std::to_string(header_bytes_) + " > " +
                 std::to_string(kMaxHeaderBytes);
    return stop(CURLE_RECV_ERROR);
  }
  if (!count_headers(head)) return false;
  env_.trace.headers('<', head.raw);
  if (CURLcode rc = writers_->write(WriteKind::Head, head.raw)) return stop(rc);
  if (head.interim()) return true;
  info.response_code = head.status;
  info.http_version = head.version_major == 2   ? CURL_HTTP_VERSION_2_0
                      : head.version_minor == 0 ? CURL_HTTP_VERSION_1_0
                                                : CURL_HTTP_VERSION_1_1;
  std::string_view type = head.find("Content-Type");
  info.has_content_type = !type.empty();
  info.content_type.assign(type);
  // Reported for HEAD responses too: NOBODY + this item is how applications ask for a size.
  info.content_length_download = head.content_length;

  // -- redirects and auth
  if (follow_ && follow_on_head(*follow_, env_.opt, url_, head, info)) discard_body_ = true;
  if (follow_ && head.status == 417 && expect_100_ && !body_started_ &&
      follow_on_expect_failed(*follow_, url_)) {
    env_.trace.info("Got 417 while waiting for a 100");
    discard_body_ = true;
  }

  // -- cookies
  store_response_cookies(env_.opt, url_, tls_, custom_host_applies(), head, env_.trace);

  // -- response handling
  if (!react_to_head(head)) return false;

  // -- connections
  if (std::string_view v = head.find("Retry-After"); v.data())
    info.retry_after = http::parse_retry_after(v, std::time(nullptr));

  if (env_.opt.fail_on_error && head.status >= 400 && !discard_body_) {
    env_.error = "The requested URL returned error: " + std::to_string(head.status);
    return stop(CURLE_HTTP_RETURNED_ERROR);
  }
  return true;
}

bool RequestAttempt::on_body(std::string_view data) {
  if (discard_body_) return true;
  env_.info.size_download += static_cast<int64_t>(data.size());
  env_.trace.data(CURLINFO_DATA_IN, data);  // -- control: DEBUGFUNCTION sees body bytes
  if (CURLcode rc = writers_->write(WriteKind::Body, data)) return stop(rc);
  return true;
}

bool RequestAttempt::count_headers(const h1::ResponseHead &head) {
  header_count_ += head.headers.size();
  if (header_count_ <= limits::kResponseHeaderCount) return true;
  env_.info.response_code = head.status ? head.status : env_.info.response_code;
  env_.error =
      "Too many response headers, " + std::to_string(limits::kResponseHeaderCount) + " is max";
  return stop(CURLE_TOO_LARGE);
}

bool RequestAttempt::on_trailers(const h1::ResponseHead &trailers) {
  if (!count_headers(trailers)) return false;
  env_.trace.headers('<', trailers.raw);
  // libcurl 7.88 hands over the trailer lines, not the blank line that ends them.
  std::string_view lines = trailers.raw;
  if (lines.ends_with("\r\n\r\n") || lines.ends_with("\n\r\n"))
    lines.remove_suffix(2);
  else if (lines.ends_with("\n\n"))
    lines.remove_suffix(1);
  if (CURLcode rc = writers_->write(WriteKind::Trailer, lines)) return stop(rc);
  return true;
}

}  // namespace evm
