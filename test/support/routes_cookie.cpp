// Raw-listener endpoints for the cookie tests (see routes.h).
//   /cookie/<any path>?c=<Set-Cookie value>&c=...   200 with one Set-Cookie header per `c`
//        (percent-decoded, in order); the body is the request's Cookie headers, one
//        "Cookie: value" line each, or "no cookie" when there was none.
//   /cookie/status/<code>?c=...                      the same with that status (a 302 also gets
//        "Location: /cookie/after"), so cookies can come with a redirect or an error.
#include <cstdlib>
#include <string>

#include "routes.h"

namespace evm::test {

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string percent_decoded(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
      i += 2;
    } else {
      out += s[i] == '+' ? ' ' : s[i];
    }
  }
  return out;
}

std::string lowered(std::string_view s) {
  std::string out(s);
  for (char &c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

}  // namespace

bool route_cookie(const RouteRequest &req, RouteReply &reply) {
  if (req.path.substr(0, 8) != "/cookie/") return false;
  int status = 200;
  if (req.path.substr(0, 15) == "/cookie/status/") {
    status = std::atoi(std::string(req.path.substr(15)).c_str());
    if (status < 200 || status > 599) status = 200;
  }
  std::string body;
  for (const auto &[name, value] : req.headers)
    if (lowered(name) == "cookie") body += "Cookie: " + value + "\n";
  if (body.empty()) body = "no cookie\n";
  std::string head = "HTTP/1.1 " + std::to_string(status) + " Cookie\r\n";
  std::string_view q = req.query;
  while (!q.empty()) {
    size_t amp = q.find('&');
    std::string_view pair = q.substr(0, amp);
    if (pair.substr(0, 2) == "c=")
      head += "Set-Cookie: " + percent_decoded(pair.substr(2)) + "\r\n";
    if (amp == std::string_view::npos) break;
    q.remove_prefix(amp + 1);
  }
  if (status == 302) head += "Location: /cookie/after\r\n";
  head += "Content-Type: text/plain\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  reply.bytes = head + (req.method == "HEAD" ? std::string() : body);
  return true;
}

}  // namespace evm::test
