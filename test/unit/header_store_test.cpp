// Unit tests for HeaderStore: what curl_easy_header and curl_easy_nextheader answer over the
// heads of a transfer, as libcurl 7.88 does (checked against the system libcurl).
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "transfer/header_store.h"

namespace {

using evm::HeaderStore;

constexpr unsigned kReserved = 1u << 27;  // libcurl's bit in every answer's origin

std::string value_of(HeaderStore &s, const char *name, size_t index = 0,
                     unsigned origin = CURLH_HEADER, int request = -1) {
  curl_header *h = nullptr;
  CURLHcode rc = s.find(name, index, origin, request, &h);
  return rc == CURLHE_OK ? std::string(h->value) : "<" + std::to_string(rc) + ">";
}

// "name=value" of every header nextheader walks through.
std::vector<std::string> walk(HeaderStore &s, unsigned origin, int request) {
  std::vector<std::string> out;
  for (curl_header *h = s.next(origin, request, nullptr); h; h = s.next(origin, request, h))
    out.push_back(std::string(h->name) + "=" + h->value + " " + std::to_string(h->index) + "/" +
                  std::to_string(h->amount));
  return out;
}

// A redirect (request 0), then a 100 and a chunked 200 with trailers (request 1).
void fill_two_requests(HeaderStore &s) {
  s.add("HTTP/1.1 302 Found\r\nLocation: /next\r\nX-A: zero\r\n\r\n", false);
  s.next_request();
  s.add("HTTP/1.1 100 Continue\r\nX-Info: early\r\n\r\n", false);
  s.add("HTTP/1.1 200 OK\r\nX-A: one\r\nx-a: two\r\nTransfer-Encoding: chunked\r\n\r\n", false);
  s.add("X-Trail: t\r\nX-A: trailer\r\n\r\n", true);
}

}  // namespace

TEST_CASE("header_store: an empty store answers NOHEADERS, bad arguments first") {
  HeaderStore s;
  curl_header *h = nullptr;
  CHECK(s.find("X-A", 0, CURLH_HEADER, 0, &h) == CURLHE_NOHEADERS);
  CHECK(s.find("X-A", 0, 0, 0, &h) == CURLHE_BAD_ARGUMENT);                  // no origin
  CHECK(s.find("X-A", 0, CURLH_PSEUDO << 1, 0, &h) == CURLHE_BAD_ARGUMENT);  // unknown bit
  CHECK(s.find("X-A", 0, CURLH_HEADER, -2, &h) == CURLHE_BAD_ARGUMENT);
  CHECK(s.next(CURLH_HEADER, -1, nullptr) == nullptr);
  CHECK(h == nullptr);
}

TEST_CASE("header_store: requests are numbered, -1 is the last, later ones are NOREQUEST") {
  HeaderStore s;
  fill_two_requests(s);
  CHECK(value_of(s, "x-a", 0, CURLH_HEADER, 0) == "zero");
  CHECK(value_of(s, "X-A", 0, CURLH_HEADER, 1) == "one");
  CHECK(value_of(s, "X-A") == "one");
  CHECK(value_of(s, "X-A", 0, CURLH_HEADER, 2) == "<" + std::to_string(CURLHE_NOREQUEST) + ">");
  CHECK(s.next(CURLH_HEADER, 2, nullptr) == nullptr);
  CHECK(value_of(s, "Location", 0, CURLH_HEADER, 1) == "<" + std::to_string(CURLHE_MISSING) + ">");
}

TEST_CASE("header_store: amount and index count one name, any case, within the origins") {
  HeaderStore s;
  fill_two_requests(s);
  curl_header *h = nullptr;
  REQUIRE(s.find("X-A", 1, CURLH_HEADER, -1, &h) == CURLHE_OK);
  CHECK(std::string(h->name) == "x-a");  // as the server spelled it
  CHECK(std::string(h->value) == "two");
  CHECK(h->index == 1);
  CHECK(h->amount == 2);
  CHECK(h->origin == (CURLH_HEADER | kReserved));
  CHECK(s.find("X-A", 2, CURLH_HEADER, -1, &h) == CURLHE_BADINDEX);
  // Trailers join the count when asked for together.
  REQUIRE(s.find("X-A", 2, CURLH_HEADER | CURLH_TRAILER, -1, &h) == CURLHE_OK);
  CHECK(std::string(h->value) == "trailer");
  CHECK(h->amount == 3);
  CHECK(h->origin == (CURLH_TRAILER | kReserved));
  REQUIRE(s.find("X-Info", 0, CURLH_1XX, -1, &h) == CURLHE_OK);
  CHECK(h->origin == (CURLH_1XX | kReserved));
  CHECK(s.find("X-Info", 0, CURLH_HEADER, -1, &h) == CURLHE_MISSING);
  // Nothing of ours has CONNECT or pseudo headers: asking for only them finds nothing.
  CHECK(s.find("X-A", 0, CURLH_CONNECT, -1, &h) == CURLHE_MISSING);
  CHECK(s.find("X-A", 0, CURLH_PSEUDO, -1, &h) == CURLHE_MISSING);
}

TEST_CASE("header_store: nextheader walks in arrival order, with index and amount per name") {
  HeaderStore s;
  fill_two_requests(s);
  CHECK(walk(s, CURLH_HEADER | CURLH_TRAILER | CURLH_1XX, -1) ==
        std::vector<std::string>{"X-Info=early 0/1", "X-A=one 0/3", "x-a=two 1/3",
                                 "Transfer-Encoding=chunked 0/1", "X-Trail=t 0/1",
                                 "X-A=trailer 2/3"});
  CHECK(walk(s, CURLH_TRAILER, 1) == std::vector<std::string>{"X-Trail=t 0/1", "X-A=trailer 0/1"});
  CHECK(walk(s, CURLH_HEADER, 0) == std::vector<std::string>{"Location=/next 0/1", "X-A=zero 0/1"});
  CHECK(walk(s, 0, 0).empty());
  CHECK(walk(s, CURLH_HEADER, -2).empty());
  // The walk may continue from curl_easy_header's answer.
  curl_header *h = nullptr;
  REQUIRE(s.find("x-a", 0, CURLH_HEADER, 1, &h) == CURLHE_OK);
  h = s.next(CURLH_HEADER, 1, h);
  REQUIRE(h);
  CHECK(std::string(h->value) == "two");
}

TEST_CASE("header_store: an anchor that names no header ends the walk") {
  HeaderStore s;
  fill_two_requests(s);
  curl_header fake{};
  CHECK(s.next(CURLH_HEADER, -1, &fake) == nullptr);     // no anchor
  fake.anchor = reinterpret_cast<void *>(uintptr_t{3});  // inside a line
  CHECK(s.next(CURLH_HEADER, -1, &fake) == nullptr);
  fake.anchor = reinterpret_cast<void *>(uintptr_t{1} << 40);  // beyond the store
  CHECK(s.next(CURLH_HEADER, -1, &fake) == nullptr);
}

TEST_CASE("header_store: values are trimmed and folded lines joined as libcurl does") {
  HeaderStore s;
  s.add(
      "HTTP/1.1 200 OK\r\nX-Pad:   final  \r\nX-Fold: a\r\n   b\r\n\tc \r\nX-Empty:\r\nX-Sp:   "
      "\r\n",
      false);
  s.add("X-Lf:\nX-After: z\r\n\r\n", false);
  CHECK(value_of(s, "X-Pad") == "final");
  CHECK(value_of(s, "X-Fold") == "a b\tc");
  CHECK(value_of(s, "X-After") == "z");
  // libcurl 7.88 leaves an empty value as its line end.
  CHECK(value_of(s, "X-Empty") == "\r");
  CHECK(value_of(s, "X-Sp") == "\r");
  CHECK(value_of(s, "X-Lf") == "\n");
}

TEST_CASE("header_store: lines arriving one by one are visible as they come") {
  HeaderStore s;
  curl_header *h = nullptr;
  s.add("HTTP/1.1 200 OK\r\n", false);
  CHECK(s.find("X-A", 0, CURLH_HEADER, -1, &h) == CURLHE_NOHEADERS);  // a status line is no header
  s.add("Location: /x\r\n", false);
  CHECK(s.find("X-A", 0, CURLH_HEADER, -1, &h) == CURLHE_MISSING);
  s.add("X-A: 1\r\n", false);
  CHECK(value_of(s, "X-A") == "1");
  s.add("\r\n", false);
  // A 101 head is an interim one for the header API (libcurl's 1xx rule).
  s.add("HTTP/1.1 101 Switching\r\nUpgrade: x\r\n\r\n", false);
  CHECK(s.find("Upgrade", 0, CURLH_1XX, -1, &h) == CURLHE_OK);
}
