// Raw-listener endpoints for the redirect tests (see routes.h):
//   /redir/CODE?to=URL   CODE with "Location: URL" (URL percent-decoded; relative or absolute),
//                        body "redirect body\n"; with &close=1 also "Connection: close", and
//                        the server closes after it
//   /redir-chain/N       302 to "chain/N-1" (a relative reference) until N is 0: 200 "chain end\n"
//   /redir-loop          302 to itself, forever
#include <string>

#include "routes.h"

namespace evm::test {
namespace {

std::string percent_decoded(std::string_view s) {
  std::string r;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      r += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      r += s[i];
    }
  }
  return r;
}

std::string response(const RouteRequest &req, int code, const std::string &location,
                     const std::string &body) {
  std::string r = "HTTP/1.1 " + std::to_string(code) + " Redirect\r\n";
  if (!location.empty()) r += "Location: " + location + "\r\n";
  r += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  if (req.method != "HEAD") r += body;
  return r;
}

}  // namespace

bool route_redirect(const RouteRequest &req, RouteReply &reply) {
  std::string_view path = req.path;
  if (path.starts_with("/redir/")) {
    int code = std::stoi(std::string(path.substr(7)));
    reply.bytes = response(req, code, percent_decoded(req.param("to")), "redirect body\n");
    if (req.param("close") == "1") {
      reply.bytes.insert(reply.bytes.find("\r\n") + 2, "Connection: close\r\n");
      reply.close_after = true;
    }
    return true;
  }
  if (path.starts_with("/redir-chain/")) {
    int n = std::stoi(std::string(path.substr(13)));
    if (n <= 0)
      reply.bytes = response(req, 200, "", "chain end\n");
    else
      reply.bytes = response(req, 302, std::to_string(n - 1), "redirect body\n");
    return true;
  }
  if (path == "/redir-loop") {
    reply.bytes = response(req, 302, "/redir-loop", "redirect body\n");
    return true;
  }
  return false;
}

}  // namespace evm::test
