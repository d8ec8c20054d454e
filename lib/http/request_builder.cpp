#include "http/request_builder.h"

#include <utility>

#include "util/ascii.h"

namespace evm::http {
namespace {

constexpr std::string_view kCrlf = "\r\n";

// libcurl's notion of blank inside header lines (isspace in the C locale).
bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

bool contains_ci(std::string_view haystack, std::string_view needle) {
  for (size_t i = 0; i + needle.size() <= haystack.size(); ++i)
    if (ascii::istarts_with(haystack.substr(i), needle)) return true;
  return false;
}

bool all_space(std::string_view s) {
  for (char c : s)
    if (!is_space(c)) return false;
  return true;
}

// First custom entry naming header `name` followed by ':' or ';' (any value, even none).
// Such an entry switches off libcurl's own header of that name.
const char *find_custom(std::span<const char *const> custom, std::string_view name) {
  for (const char *entry : custom) {
    if (!entry) continue;
    std::string_view e(entry);
    if (ascii::istarts_with(e, name) && e.size() > name.size() &&
        (e[name.size()] == ':' || e[name.size()] == ';'))
      return entry;
  }
  return nullptr;
}

// What a custom entry puts on the wire: "Name: value" verbatim when the value is not blank,
// "Name;" (nothing after the ';') as "Name:", everything else nothing. Returns false to skip.
bool custom_line(std::string_view entry, std::string &line) {
  size_t colon = entry.find(':');
  if (colon != std::string_view::npos) {
    if (colon == 0 || all_space(entry.substr(colon + 1))) return false;
    line = entry;
    return true;
  }
  size_t semi = entry.find(';');
  // Only a ';' ending the entry counts; libcurl even turns a lone ";" into ":".
  if (semi == std::string_view::npos || semi + 1 != entry.size()) return false;
  line = entry;
  line[semi] = ':';
  return true;
}

bool has_line_break(std::string_view s) {
  return s.find_first_of("\r\n") != std::string_view::npos;
}

// The message for the first application string with a CR or LF in it, or nullptr.
const char *line_break_in(const RequestSpec &spec) {
  const std::pair<std::string_view, const char *> fields[] = {
      {spec.method, "CR or LF in the request method"},
      {spec.target, "CR or LF in the URL"},
      {spec.host_header, "CR or LF in the Host header"},
      {spec.authorization, "CR or LF in the Authorization header value"},
      {spec.range, "CR or LF in the Range header value"},
      {spec.user_agent, "CR or LF in the User-Agent header value"},
      {spec.accept_encoding, "CR or LF in the Accept-Encoding header value"},
      {spec.referer, "CR or LF in the Referer header value"},
      {spec.cookie, "CR or LF in the Cookie header value"},
      {spec.time_condition, "CR or LF in the time condition header"},
      {spec.content_type, "CR or LF in the Content-Type header value"},
  };
  for (const auto &[value, message] : fields)
    if (has_line_break(value)) return message;
  for (const char *entry : spec.custom_headers)
    if (entry && has_line_break(entry)) return "CR or LF in a CURLOPT_HTTPHEADER entry";
  return nullptr;
}

void add_header(std::string &out, std::string_view name, std::string_view value) {
  out.append(name).append(": ").append(value).append(kCrlf);
}

}  // namespace

RequestBuildResult build_request(const RequestSpec &spec, std::string &out) {
  RequestBuildResult result;
  const auto custom = spec.custom_headers;
  if (const char *message = line_break_in(spec)) {
    result.code = RequestError::kLineBreak;
    result.message = message;
    return result;
  }

  const char *custom_te = find_custom(custom, "Transfer-Encoding");
  if (custom_te) {
    // libcurl looks for "chunked" anywhere in the value, and only after a colon.
    std::string_view te(custom_te);
    result.chunked_body = spec.body_size != kNoBody &&
                          ascii::istarts_with(te, "Transfer-Encoding:") &&
                          contains_ci(te.substr(18), "chunked");
  } else if (spec.body_size == kUnknownBodySize) {
    if (spec.http10) {
      result.code = RequestError::kChunkedNeedsHttp11;
      result.message = "Chunky upload is not supported by HTTP 1.0";
      return result;
    }
    result.chunked_body = true;
  }

  out.append(spec.method).append(" ").append(spec.target);
  out.append(spec.http10 ? " HTTP/1.0" : " HTTP/1.1").append(kCrlf);

  // A custom Host entry takes Host's slot: everything after its 5th byte is reused, so
  // "Host; x" yields "Host: x". Exactly "Host:" removes the header.
  bool host_sent = true;
  if (const char *custom_host = find_custom(custom, "Host")) {
    std::string_view h(custom_host);
    if (h == "Host:")
      host_sent = false;
    else
      out.append("Host:").append(h.substr(5)).append(kCrlf);
  } else {
    add_header(out, "Host", spec.host_header);
  }

  if (!spec.authorization.empty() && !find_custom(custom, "Authorization"))
    add_header(out, "Authorization", spec.authorization);
  auto add_unless_custom = [&](std::string_view name, std::string_view value) {
    if (!value.empty() && !find_custom(custom, name)) add_header(out, name, value);
  };
  add_unless_custom("Range", spec.range);
  add_unless_custom("User-Agent", spec.user_agent);
  add_unless_custom("Accept", "*/*");
  add_unless_custom("Accept-Encoding", spec.accept_encoding);
  add_unless_custom("Referer", spec.referer);
  if (!custom_te && spec.body_size == kUnknownBodySize)
    add_header(out, "Transfer-Encoding", "chunked");
  // libcurl sends its cookies even beside a custom Cookie header.
  if (!spec.cookie.empty()) add_header(out, "Cookie", spec.cookie);
  if (!spec.time_condition.empty()) out.append(spec.time_condition).append(kCrlf);

  std::string line;
  for (const char *entry : custom) {
    if (!entry || !custom_line(entry, line)) continue;
    // Custom Host lines already went into Host's slot, unless Host was removed.
    if (host_sent && ascii::istarts_with(line, "Host:")) continue;
    // A body type of our own (a form's, with its boundary) already took a custom type's value.
    if (!spec.content_type.empty() && ascii::istarts_with(line, "Content-Type:")) continue;
    out.append(line).append(kCrlf);
  }

  if (spec.body_size >= 0 && !result.chunked_body && !find_custom(custom, "Content-Length"))
    add_header(out, "Content-Length", std::to_string(spec.body_size));
  if (!spec.content_type.empty())
    add_header(out, "Content-Type", spec.content_type);
  else if (spec.is_post)
    add_unless_custom("Content-Type", "application/x-www-form-urlencoded");
  if (spec.expect_100) add_unless_custom("Expect", "100-continue");

  out.append(kCrlf);
  return result;
}

}  // namespace evm::http
