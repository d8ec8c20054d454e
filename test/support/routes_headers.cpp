// Raw-listener endpoints for the header API tests (see routes.h):
//   /hdr/final       a "100 Continue" head with "X-Info: early", then a chunked 200 with padded,
//                    folded and repeated headers and two trailers; body "abc"
//   /hdr/redir/N     302 with "X-Step: N" to /hdr/redir/N-1 until N is 0, then /hdr/final's reply
#include <string>

#include "routes.h"

namespace evm::test {
namespace {

std::string final_reply(const RouteRequest &req) {
  std::string r =
      "HTTP/1.1 100 Continue\r\nX-Info: early\r\n\r\n"
      "HTTP/1.1 200 OK\r\nX-A:   final  \r\nX-Fold: a\r\n   b\r\n\tc \r\nx-a: second\r\n"
      "Transfer-Encoding: chunked\r\n\r\n";
  if (req.method != "HEAD") r += "3\r\nabc\r\n0\r\nX-Trail: t1\r\nX-A: trail\r\n\r\n";
  return r;
}

}  // namespace

bool route_headers(const RouteRequest &req, RouteReply &reply) {
  std::string_view path = req.path;
  if (path == "/hdr/final") {
    reply.bytes = final_reply(req);
    return true;
  }
  if (path.starts_with("/hdr/redir/")) {
    int n = std::stoi(std::string(path.substr(11)));
    if (n <= 0) {
      reply.bytes = final_reply(req);
      return true;
    }
    std::string body = "redirect body\n";
    reply.bytes = "HTTP/1.1 302 Found\r\nX-Step: " + std::to_string(n) +
                  "\r\nLocation: /hdr/redir/" + std::to_string(n - 1) +
                  "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n";
    if (req.method != "HEAD") reply.bytes += body;
    return true;
  }
  return false;
}

}  // namespace evm::test
