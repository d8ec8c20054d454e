// Raw-listener endpoints for curl's crawler.c example (see routes.h): a small site of HTML
// pages with absolute links, so the crawl stays on loopback and ends by itself.
//   /crawl/            root: 4 links to /crawl/mid/1..4
//   /crawl/mid/N       2 links to /crawl/hop/N-1 and /crawl/hop/N-2
//   /crawl/hop/ID      302, relative Location /crawl/leaf/ID
//   /crawl/leaf/ID     1 link to /crawl/gone/ID
//   /crawl/gone/ID     404 with an HTML body
// All links of a page are of one kind (the crawler picks with rand(), repeats included), so
// whatever links the crawler's rand() picks, the kinds of pages it visits and their count are the
// same from run to run.
#include "routes.h"

#include <string>

namespace evm::test {

namespace {

std::string origin(const RouteRequest &req) {
  std::string_view host = req.header("Host");
  if (host.empty()) return "http://127.0.0.1:" + std::to_string(req.port);
  return "http://" + std::string(host);
}

std::string page(const RouteRequest &req, std::string_view status, const std::string &links) {
  std::string body =
      "<!DOCTYPE html>\n<html><head><title>loopback crawl</title></head><body>\n"
      "<p>A page of the loopback site that curl's crawler example walks in the tests.</p>\n" +
      links + "</body></html>\n";
  std::string bytes = "HTTP/1.1 " + std::string(status) +
                      "\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: " +
                      std::to_string(body.size()) + "\r\n\r\n";
  if (req.method != "HEAD") bytes += body;
  return bytes;
}

std::string link(const std::string &href) {
  return "<a href=\"" + href + "\">" + href + "</a><br>\n";
}

}  // namespace

bool route_crawl(const RouteRequest &req, RouteReply &reply) {
  std::string_view path = req.path;
  if (path.substr(0, 7) != "/crawl/") return false;
  std::string_view rest = path.substr(7);
  std::string base = origin(req) + "/crawl/";
  auto after = [&](std::string_view prefix, std::string_view *id) {
    if (rest.substr(0, prefix.size()) != prefix || rest.size() == prefix.size()) return false;
    *id = rest.substr(prefix.size());
    return true;
  };
  std::string_view id;
  if (rest.empty()) {
    std::string links;
    for (int i = 1; i <= 4; ++i) links += link(base + "mid/" + std::to_string(i));
    reply.bytes = page(req, "200 OK", links);
  } else if (after("mid/", &id)) {
    std::string links;
    for (int i = 1; i <= 2; ++i)
      links += link(base + "hop/" + std::string(id) + "-" + std::to_string(i));
    reply.bytes = page(req, "200 OK", links);
  } else if (after("hop/", &id)) {
    reply.bytes = "HTTP/1.1 302 Found\r\nLocation: /crawl/leaf/" + std::string(id) +
                  "\r\nContent-Length: 0\r\n\r\n";
  } else if (after("leaf/", &id)) {
    reply.bytes = page(req, "200 OK", link(base + "gone/" + std::string(id)));
  } else if (after("gone/", &id)) {
    reply.bytes = page(req, "404 Not Found", "");
  } else {
    return false;
  }
  return true;
}

}  // namespace evm::test
