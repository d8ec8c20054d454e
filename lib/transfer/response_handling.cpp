// What RequestAttempt does for the response options (RANGE, RESUME_FROM, ACCEPT_ENCODING,
// TIMECONDITION, MAXFILESIZE, FILETIME): the request headers they add and the reactions to the
// final response head, in libcurl 7.88's order.
#include <cstdint>
#include <string_view>

#include "transfer/request_attempt.h"
#include "util/ascii.h"
#include "util/http_date.h"

namespace evm {
namespace {

// Whether a CURLOPT_HTTPHEADER entry names `name` ("Name:" or "Name;"): then it decides.
bool custom_header_has(const curl_slist *list, std::string_view name) {
  for (; list; list = list->next) {
    std::string_view e(list->data ? list->data : "");
    if (e.size() > name.size() && ascii::istarts_with(e, name) &&
        (e[name.size()] == ':' || e[name.size()] == ';'))
      return true;
  }
  return false;
}

const char *time_condition_header(long condition) {
  switch (condition) {
    case CURL_TIMECOND_IFMODSINCE:
      return "If-Modified-Since";
    case CURL_TIMECOND_IFUNMODSINCE:
      return "If-Unmodified-Since";
    case CURL_TIMECOND_LASTMOD:
      return "Last-Modified";
    default:
      return nullptr;
  }
}

// libcurl's test: a document time or condition time of 0 always meets the condition.
bool meets_time_condition(long condition, int64_t value, int64_t doc_time) {
  if (doc_time == 0 || value == 0) return true;
  if (condition == CURL_TIMECOND_IFUNMODSINCE) return doc_time < value;
  return doc_time > value;  // IFMODSINCE, and LASTMOD the same way
}

// "bytes 5-9/10" -> 5; -1 when it names no first byte.
int64_t content_range_start(std::string_view v) {
  size_t i = 0;
  while (i < v.size() && !(v[i] >= '0' && v[i] <= '9') && v[i] != '*') ++i;
  if (i == v.size() || v[i] == '*') return -1;
  int64_t n = 0;
  for (; i < v.size() && v[i] >= '0' && v[i] <= '9'; ++i) {
    if (n > (INT64_MAX - 9) / 10) return -1;
    n = n * 10 + (v[i] - '0');
  }
  return n;
}

}  // namespace

void RequestAttempt::add_response_headers(http::RequestSpec &spec) {
  const EasyOptions &opt = env_.opt;
  writers_ = &limit_;
  limit_.set_limit(opt.max_filesize);
  // RANGE wins over RESUME_FROM; both only for requests without a body, as libcurl.
  bool bodiless = opt.method == EasyOptions::Method::Get || opt.method == EasyOptions::Method::Head;
  if (!opt.range.empty())
    range_value_ = "bytes=" + opt.range;
  else if (opt.resume_from > 0)
    range_value_ = "bytes=" + std::to_string(opt.resume_from) + "-";
  if (bodiless) spec.range = range_value_;
  if (opt.accept_encoding_set)
    spec.accept_encoding =
        opt.accept_encoding.empty() ? std::string_view(kSupportedEncodings) : opt.accept_encoding;
  if (const char *name = time_condition_header(opt.time_condition)) {
    if (!custom_header_has(opt.http_headers, name)) {
      time_condition_ = std::string(name) + ": " + format_http_date(opt.time_value);
      spec.time_condition = time_condition_;
    }
  }
}

bool RequestAttempt::react_to_head(const h1::ResponseHead &head) {
  const EasyOptions &opt = env_.opt;
  TransferInfo &info = env_.info;
  // The document's time: 0 when not given, -1 when not understood (libcurl's values).
  int64_t doc_time = 0;
  if ((opt.want_filetime || opt.time_condition != CURL_TIMECOND_NONE) && head.status != 304) {
    std::string_view lm = head.find("Last-Modified");
    if (!lm.empty()) doc_time = parse_http_date(lm).value_or(-1);
    if (opt.want_filetime && !lm.empty()) info.filetime = doc_time;
  }
  if (opt.time_condition != CURL_TIMECOND_NONE && head.status == 304) info.condition_unmet = true;

  if (opt.max_filesize > 0 && head.content_length > opt.max_filesize) {
    env_.error = "Maximum file size exceeded";
    return stop(CURLE_FILESIZE_EXCEEDED);
  }

  // Only a response that carries a body is checked further (libcurl does it at its first write).
  bool has_body = !head_request_ && head.status != 304 && head.status != 204;
  // A response dropped for a follow-up (a redirect, a 401) is not the resumed file.
  bool resuming = !discard_body_ && opt.range.empty() && opt.resume_from > 0 &&
                  opt.method == EasyOptions::Method::Get;
  if (resuming && has_body) {
    if (head.status == 416) {
      // "Range Not Satisfiable" to a resume: not an error, and its body is not the file.
      writers_ = &discard_;
      return true;
    }
    std::string_view cr = head.find("Content-Range");
    if (cr.empty() || content_range_start(cr) != opt.resume_from) {
      if (head.content_length == opt.resume_from) return stop(CURLE_OK);  // already complete
      env_.error = "HTTP server doesn't seem to support byte ranges. Cannot resume.";
      return stop(CURLE_RANGE_ERROR);
    }
  }
  if (opt.time_condition != CURL_TIMECOND_NONE && range_value_.empty() && has_body &&
      !meets_time_condition(opt.time_condition, opt.time_value, doc_time)) {
    // The server ignored the condition: pretend it answered 304, as libcurl does, and drop the
    // connection rather than read a body nobody wants.
    env_.trace.info("Simulate an HTTP 304 response");
    info.response_code = 304;
    info.condition_unmet = true;
    return stop(CURLE_OK);
  }

  // With HTTP_TRANSFER_DECODING 0 a chunked body comes framing and all, so libcurl leaves its
  // content coding alone too.
  bool raw_chunks = head.chunked && !opt.transfer_decoding;
  if (opt.accept_encoding_set && opt.content_decoding && has_body && !raw_chunks) {
    std::string codings;
    for (const h1::Header &h : head.headers)
      if (ascii::iequals(h.name, "Content-Encoding")) {
        if (!codings.empty()) codings += ", ";
        codings.append(h.value);
      }
    if (!codings.empty()) writers_ = &decode_.build(codings, limit_, env_.error);
  }
  return true;
}

}  // namespace evm
