// Endpoints of the raw listener that features add, each in its own routes_<feature>.cpp, so
// that a feature's test server behaviour lives beside nothing else. A route sees one parsed
// request and answers with the exact bytes to send; it runs on the server thread and must not
// block. The server tries the routes in kRoutes order before its own 404. A HEAD request
// (method "HEAD") gets the head only: the route leaves the body out.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace evm::test {

struct RouteRequest {
  std::string_view method;
  std::string_view target;  // as received, query included
  std::string_view path;    // without the query
  std::string_view query;   // after '?', empty when none
  const std::vector<std::pair<std::string, std::string>> &headers;
  std::string_view body;  // the whole body (Content-Length or de-chunked)
  uint16_t port;          // the raw listener's port, for absolute URLs
  bool tls;               // the listener speaks TLS

  // First header of that name (any case), or empty.
  std::string_view header(std::string_view name) const;
  // Value of query parameter `key` ("a=1&b=2"), or empty.
  std::string_view param(std::string_view key) const;
};

struct RouteReply {
  std::string bytes;         // the whole response: status line, headers, body
  bool close_after = false;  // FIN once written (the server also closes when the client asked)
};

using Route = bool (*)(const RouteRequest &, RouteReply &);  // false: not mine

// One per feature (defined in routes_<feature>.cpp).
bool route_redirect(const RouteRequest &req, RouteReply &reply);
bool route_auth(const RouteRequest &req, RouteReply &reply);
bool route_upload(const RouteRequest &req, RouteReply &reply);
bool route_cookie(const RouteRequest &req, RouteReply &reply);
bool route_encoding(const RouteRequest &req, RouteReply &reply);
bool route_crawl(const RouteRequest &req, RouteReply &reply);  // curl's crawler.c example
bool route_headers(const RouteRequest &req, RouteReply &reply);

inline constexpr Route kRoutes[] = {route_redirect, route_auth,  route_upload, route_cookie,
                                    route_encoding, route_crawl, route_headers};

}  // namespace evm::test
