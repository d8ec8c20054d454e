// CURLOPT_CONNECT_TO entries and Retry-After values, parsed without any connection.
#include <doctest/doctest.h>

#include <string>

#include "http/retry_after.h"
#include "transfer/connect_to.h"

namespace {

struct Result {
  CURLcode rc;
  std::string host;
  int port;
  std::string error;
};

Result route(std::initializer_list<const char *> entries, const char *host, uint16_t port) {
  curl_slist *list = nullptr;
  for (const char *e : entries) list = curl_slist_append(list, e);
  evm::ConnectTarget t;
  std::string error;
  CURLcode rc = evm::find_connect_to(list, host, port, t, error);
  curl_slist_free_all(list);
  return {rc, t.host, t.port, error};
}

}  // namespace

TEST_CASE("CONNECT_TO: matching host and port, empty parts, IPv6 brackets") {
  CHECK(route({"a.example:80:b.example:8080"}, "a.example", 80).host == "b.example");
  CHECK(route({"a.example:80:b.example:8080"}, "a.example", 80).port == 8080);
  CHECK(route({"A.EXAMPLE:80:b:1"}, "a.example", 80).host == "b");  // any case
  CHECK(route({"a.example:81:b:1"}, "a.example", 80).host.empty());
  CHECK(route({":80:b:1"}, "whatever", 80).host == "b");
  CHECK(route({"::b:"}, "whatever", 1234).host == "b");
  CHECK(route({"::b:"}, "whatever", 1234).port == 0);  // the URL's
  CHECK(route({"::[::1]:9"}, "x", 1).host == "::1");
  CHECK(route({"::[::1]:9"}, "x", 1).port == 9);
  CHECK(route({"[::1]:80:c:2"}, "::1", 80).host == "c");
  CHECK(route({"x:80::"}, "x", 80).host.empty());
  // The first entry that matches wins; entries without enough colons never match.
  CHECK(route({"nomatch", "a:b", "::first:1", "::second:2"}, "h", 5).host == "first");
  Result bad = route({"::h:80x"}, "h", 1);
  CHECK(bad.rc == CURLE_SETOPT_OPTION_SYNTAX);
  CHECK(bad.error == "No valid port number in connect to host string (80x)");
  CHECK(route({"::h:65536"}, "h", 1).rc == CURLE_SETOPT_OPTION_SYNTAX);
}

TEST_CASE("Retry-After: seconds and the three HTTP-date forms") {
  const std::time_t t0 = 784111777;  // Sun, 06 Nov 1994 08:49:37 GMT
  CHECK(evm::http::parse_retry_after("120", t0) == 120);
  CHECK(evm::http::parse_retry_after("", t0) == 0);
  CHECK(evm::http::parse_retry_after("-1", t0) == 0);
  CHECK(evm::http::parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", t0) == 0);
  CHECK(evm::http::parse_retry_after("Sunday, 06-Nov-94 08:49:47 GMT", t0) == 10);
  CHECK(evm::http::parse_retry_after("Sun Nov  6 08:50:37 1994", t0) == 60);
  CHECK(evm::http::parse_retry_after("Sat, 05 Nov 1994 08:49:37 GMT", t0) == -86400);
  CHECK(evm::http::parse_retry_after("Sun, 06 Nov 1994", t0) == -31777);  // midnight
  CHECK(evm::http::parse_retry_after("Sun, 32 Nov 1994 08:49:37 GMT", t0) == 0);
  CHECK(evm::http::parse_retry_after("12abc", t0) == 12);
}
