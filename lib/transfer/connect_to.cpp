#include "transfer/connect_to.h"

#include "transfer/request_attempt.h"
#include "util/ascii.h"

namespace evm {

namespace {

// Splits "[v6]rest" or "name:rest" at the colon after the host; false when there is none.
bool split_host(std::string_view s, std::string_view &host, std::string_view &rest) {
  if (!s.empty() && s.front() == '[') {
    size_t close = s.find(']');
    if (close == std::string_view::npos) return false;
    host = s.substr(1, close - 1);
    s.remove_prefix(close + 1);
    if (s.empty() || s.front() != ':') return false;
    rest = s.substr(1);
    return true;
  }
  size_t colon = s.find(':');
  if (colon == std::string_view::npos) return false;
  host = s.substr(0, colon);
  rest = s.substr(colon + 1);
  return true;
}

bool parse_port(std::string_view s, long &out) {
  if (s.empty() || s.size() > 5) return false;
  long v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  if (v > 65535) return false;
  out = v;
  return true;
}

bool same_host(std::string_view a, std::string_view b) {
  return ascii::lowered(a) == ascii::lowered(b);
}

}  // namespace

CURLcode find_connect_to(const curl_slist *list, std::string_view host, uint16_t port,
                         ConnectTarget &out, std::string &error) {
  out = ConnectTarget{};
  for (; list; list = list->next) {
    if (!list->data) continue;
    std::string_view entry = list->data, match_host, rest;
    if (!split_host(entry, match_host, rest)) continue;
    if (!match_host.empty() && !same_host(match_host, host)) continue;
    size_t colon = rest.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view match_port = rest.substr(0, colon);
    long p = 0;
    if (!match_port.empty() && (!parse_port(match_port, p) || p != port)) continue;

    // The target: "[v6]:port", "name:port", "name", ":port" or nothing.
    std::string_view target = rest.substr(colon + 1), to_host, to_port;
    if (!target.empty() && target.front() == '[') {
      size_t close = target.find(']');
      to_host = target.substr(1, close == std::string_view::npos ? target.npos : close - 1);
      target.remove_prefix(close == std::string_view::npos ? target.size() : close + 1);
      if (!target.empty() && target.front() == ':') to_port = target.substr(1);
    } else {
      size_t c = target.find(':');
      to_host = target.substr(0, c);
      if (c != std::string_view::npos) to_port = target.substr(c + 1);
    }
    if (!to_port.empty()) {
      long v = 0;
      if (!parse_port(to_port, v)) {
        error = "No valid port number in connect to host string (" + std::string(to_port) + ")";
        return CURLE_SETOPT_OPTION_SYNTAX;
      }
      out.port = static_cast<uint16_t>(v);
    }
    out.host.assign(to_host);
    return CURLE_OK;
  }
  return CURLE_OK;
}

CURLcode RequestAttempt::route_connection() {
  const EasyOptions &opt = env_.opt;
  if (opt.port && (!follow_ || follow_->allow_port)) {
    // CURLOPT_PORT moves the request to another port (the Host header says so too) while the
    // effective URL stays as given.
    std::string old_key = url_.origin_key();
    url_.port = static_cast<uint16_t>(opt.port);
    origin_ = url_.origin_key() + origin_.substr(old_key.size());
  }
  connect_ = ConnectTarget{};
  if (!opt.connect_to) return CURLE_OK;
  if (CURLcode rc = find_connect_to(opt.connect_to, url_.host, url_.port, connect_, env_.error))
    return rc;
  if (!connect_.host.empty()) env_.trace.info("Connecting to hostname: %s", connect_.host.c_str());
  if (connect_.port) env_.trace.info("Connecting to port: %u", connect_.port);
  // Only a request going the same way may reuse the connection.
  if (!connect_.host.empty() || connect_.port)
    origin_ += "|to " + ascii::lowered(connect_.host) + ":" + std::to_string(connect_.port);
  return CURLE_OK;
}

}  // namespace evm
