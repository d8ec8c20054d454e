// The limits of lib/util/limits.h over loopback, each at its boundary: exactly the limit passes,
// one more fails with the stated code and ERRORBUFFER text. The values are spelled out here on
// purpose: they are promises (SECURITY.md), not whatever the constant happens to say.
#include <curl/curl.h>
#include <doctest/doctest.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

#include "easy_fixture.h"
#include "h2_test_server.h"
#include "raw_h2_server.h"
#include "scripted_server.h"
#include "shared_test_server.h"
#include "test_certs.h"
#include "zlib_compress.h"

using evm::test::Fetch;
using evm::test::ScriptedServer;

namespace {

constexpr size_t kHeaderBytes = 300 * 1024;
constexpr size_t kHeaderCount = 5000;
constexpr long kDefaultMaxRedirs = 30;
constexpr size_t kPauseBuffer = 64 * 1024 * 1024;

// Header lines "X: yyy...\r\n" of exactly `bytes` in all, none near the 100 KiB line limit.
std::string filler_lines(size_t bytes) {
  std::string out;
  while (bytes > 0) {
    size_t len = std::min<size_t>(bytes, 50000);
    if (bytes - len > 0 && bytes - len < 5) len -= 5;  // leave room for one more whole line
    REQUIRE(len >= 5);
    out += "X: " + std::string(len - 5, 'y') + "\r\n";
    bytes -= len;
  }
  return out;
}

// `n` short header lines.
std::string short_lines(size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += "a: " + std::to_string(i % 10) + "\r\n";
  return out;
}

// Counts body bytes without keeping them.
size_t count_body(char *, size_t size, size_t n, void *userp) {
  *static_cast<uint64_t *>(userp) += size * n;
  return size * n;
}

}  // namespace

TEST_CASE("limits: all heads of a response together, 1xx included, up to 300 KiB") {
  const std::string interim = "HTTP/1.1 100 Continue\r\n\r\n";
  const std::string status = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n";
  auto reply = [&](size_t total) {
    size_t fixed = interim.size() + status.size() + 2;  // the blank line ending the final head
    return interim + status + filler_lines(total - fixed) + "\r\nok";
  };
  SUBCASE("exactly the limit passes") {
    ScriptedServer s(reply(kHeaderBytes));
    Fetch f(s.url("/"));
    CHECK(curl_easy_perform(f.easy) == CURLE_OK);
    CHECK(f.body == "ok");
    CHECK(f.headers.size() == kHeaderBytes);
  }
  SUBCASE("one byte more fails with CURLE_RECV_ERROR") {
    ScriptedServer s(reply(kHeaderBytes + 1));
    Fetch f(s.url("/"));
    CHECK(curl_easy_perform(f.easy) == CURLE_RECV_ERROR);
    CHECK(std::string(f.error) == "Too large response headers: 307201 > 307200");
    CHECK(f.body.empty());
  }
}

TEST_CASE("limits: 5000 header lines per response, 1xx heads included") {
  // 1000 lines in the 100 head, the rest in the final head with its two framing lines.
  auto reply = [](size_t total) {
    return "HTTP/1.1 100 Continue\r\n" + short_lines(1000) + "\r\nHTTP/1.1 200 OK\r\n" +
           short_lines(total - 1002) + "Content-Length: 2\r\nConnection: close\r\n\r\nok";
  };
  SUBCASE("exactly the limit passes") {
    ScriptedServer s(reply(kHeaderCount));
    Fetch f(s.url("/"));
    CHECK(curl_easy_perform(f.easy) == CURLE_OK);
    CHECK(f.body == "ok");
  }
  SUBCASE("one line more fails with CURLE_TOO_LARGE") {
    ScriptedServer s(reply(kHeaderCount + 1));
    Fetch f(s.url("/"));
    CHECK(curl_easy_perform(f.easy) == CURLE_TOO_LARGE);
    CHECK(std::string(f.error) == "Too many response headers, 5000 is max");
    CHECK(f.status() == 200);
    CHECK(f.body.empty());
  }
  SUBCASE("trailers count too") {
    ScriptedServer s("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n" +
                     short_lines(2998) + "\r\n2\r\nok\r\n0\r\n" + short_lines(2001) + "\r\n");
    Fetch f(s.url("/"));
    CHECK(curl_easy_perform(f.easy) == CURLE_TOO_LARGE);
    CHECK(std::string(f.error) == "Too many response headers, 5000 is max");
    CHECK(f.body == "ok");
  }
}

TEST_CASE("limits: a chunk-size line has at most 16 hex digits, leading zeros counted") {
  const std::string head =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
  SUBCASE("16 digits pass") {
    ScriptedServer s(head + std::string(15, '0') + "3\r\nabc\r\n0\r\n\r\n");
    Fetch f(s.url("/"));
    CHECK(curl_easy_perform(f.easy) == CURLE_OK);
    CHECK(f.body == "abc");
  }
  SUBCASE("17 digits fail with CURLE_RECV_ERROR") {
    ScriptedServer s(head + std::string(16, '0') + "3\r\nabc\r\n0\r\n\r\n");
    Fetch f(s.url("/"));
    CHECK(curl_easy_perform(f.easy) == CURLE_RECV_ERROR);
    CHECK(std::string(f.error) == "Too long hexadecimal number");
    CHECK(f.body.empty());
  }
}

TEST_CASE("limits: chunk extensions end the line within 300 KiB") {
  // The bytes after ';' up to the LF, the CR included, are counted.
  auto reply = [](size_t ext_bytes) {
    return "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n3;" +
           std::string(ext_bytes - 1, 'e') + "\r\nabc\r\n0\r\n\r\n";
  };
  SUBCASE("exactly the limit passes") {
    ScriptedServer s(reply(kHeaderBytes));
    Fetch f(s.url("/"));
    CHECK(curl_easy_perform(f.easy) == CURLE_OK);
    CHECK(f.body == "abc");
  }
  SUBCASE("one byte more fails with CURLE_RECV_ERROR") {
    ScriptedServer s(reply(kHeaderBytes + 1));
    Fetch f(s.url("/"));
    CHECK(curl_easy_perform(f.easy) == CURLE_RECV_ERROR);
    CHECK(std::string(f.error) == "Too long chunk extension in chunked-encoding");
    CHECK(f.body.empty());
  }
}

TEST_CASE("limits: redirects are followed 30 times unless MAXREDIRS says otherwise") {
  auto chain = [](int n) {
    return evm::test::server().raw_url("/redir-chain/" + std::to_string(n));
  };
  long count = -1;
  SUBCASE("30 pass") {
    Fetch f(chain(kDefaultMaxRedirs));
    curl_easy_setopt(f.easy, CURLOPT_FOLLOWLOCATION, 1L);
    CHECK(curl_easy_perform(f.easy) == CURLE_OK);
    CHECK(f.body == "chain end\n");
    curl_easy_getinfo(f.easy, CURLINFO_REDIRECT_COUNT, &count);
    CHECK(count == kDefaultMaxRedirs);
  }
  SUBCASE("the 31st fails with CURLE_TOO_MANY_REDIRECTS") {
    Fetch f(chain(kDefaultMaxRedirs + 1));
    curl_easy_setopt(f.easy, CURLOPT_FOLLOWLOCATION, 1L);
    CHECK(curl_easy_perform(f.easy) == CURLE_TOO_MANY_REDIRECTS);
    CHECK(std::string(f.error) == "Maximum (30) redirects followed");
    curl_easy_getinfo(f.easy, CURLINFO_REDIRECT_COUNT, &count);
    CHECK(count == kDefaultMaxRedirs);
  }
  SUBCASE("curl_easy_reset brings the default back; -1 still means no limit") {
    Fetch f(chain(kDefaultMaxRedirs + 5));
    curl_easy_setopt(f.easy, CURLOPT_MAXREDIRS, -1L);
    curl_easy_setopt(f.easy, CURLOPT_FOLLOWLOCATION, 1L);
    CHECK(curl_easy_perform(f.easy) == CURLE_OK);
    CHECK(f.body == "chain end\n");
    curl_easy_reset(f.easy);
    std::string url = chain(kDefaultMaxRedirs + 1);
    curl_easy_setopt(f.easy, CURLOPT_URL, url.c_str());
    curl_easy_setopt(f.easy, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(f.easy, CURLOPT_WRITEFUNCTION, evm::test::collect_body);
    curl_easy_setopt(f.easy, CURLOPT_WRITEDATA, &f.body);
    CHECK(curl_easy_perform(f.easy) == CURLE_TOO_MANY_REDIRECTS);
  }
}

TEST_CASE("limits: decoded bytes at most 1100 per byte received, past 1 MiB") {
  SUBCASE("one gzip layer of zeros (about 1030:1, as far as deflate goes) passes whole") {
    const uint64_t size = 16u << 20;
    std::string body = evm::test::compress("", 31, size);
    ScriptedServer s("HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: " +
                     std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
    Fetch f(s.url("/"));
    uint64_t got = 0;
    curl_easy_setopt(f.easy, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(f.easy, CURLOPT_WRITEFUNCTION, count_body);
    curl_easy_setopt(f.easy, CURLOPT_WRITEDATA, &got);
    CHECK(curl_easy_perform(f.easy) == CURLE_OK);
    CHECK(got == size);
  }
  SUBCASE("gzip of gzip (a bomb) fails with CURLE_BAD_CONTENT_ENCODING soon after 1 MiB") {
    std::string body = evm::test::compress(evm::test::compress("", 31, 64u << 20), 31);
    ScriptedServer s("HTTP/1.1 200 OK\r\nContent-Encoding: gzip, gzip\r\nContent-Length: " +
                     std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
    Fetch f(s.url("/"));
    uint64_t got = 0;
    curl_easy_setopt(f.easy, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(f.easy, CURLOPT_WRITEFUNCTION, count_body);
    curl_easy_setopt(f.easy, CURLOPT_WRITEDATA, &got);
    CHECK(curl_easy_perform(f.easy) == CURLE_BAD_CONTENT_ENCODING);
    CHECK(std::string(f.error).rfind("Decompression ratio over 1100:1 (", 0) == 0);
    // Stopped at the first piece past both the grace and 1100 times what had arrived (at most
    // the whole body): that piece is not delivered.
    CAPTURE(body.size());
    CHECK(got <= std::max<uint64_t>(1u << 20, 1100 * body.size()));
    CHECK(got + CURL_MAX_WRITE_SIZE > (1u << 20));
  }
}

namespace {

// The whole reply must be in the socket before the first read, so that one read brings what
// would decode past the pause buffer (a paused transfer reads no more).
int low_water(void *clientp, curl_socket_t fd, curlsocktype) {
  int bytes = *static_cast<int *>(clientp);
  return setsockopt(fd, SOL_SOCKET, SO_RCVLOWAT, &bytes, sizeof bytes) == 0 ? CURL_SOCKOPT_OK
                                                                            : CURL_SOCKOPT_ERROR;
}

struct PausedBody {
  bool pause_next = true;  // the first call pauses
  uint64_t got = 0;        // bytes taken in all
  uint64_t in_call = 0;    // bytes taken during the current curl_multi_perform
};

size_t pause_first(char *, size_t size, size_t n, void *userp) {
  auto *p = static_cast<PausedBody *>(userp);
  if (p->pause_next) {
    p->pause_next = false;
    return CURL_WRITEFUNC_PAUSE;
  }
  p->got += size * n;
  p->in_call += size * n;
  return size * n;
}

}  // namespace

TEST_CASE("limits: a paused transfer keeps what it read, not what that decodes to") {
  // 65 MiB of zeros in one gzip layer (about 66 KB on the wire), read at once: decoded while
  // paused, it would pass the 64 MiB pause buffer (CURLE_TOO_LARGE). Decoding stops with the
  // pause instead; after the resume each call hands on the held piece and at most 1 MiB and one
  // buffer more, and the body arrives whole. (The 64 MiB cap itself: limit_boundaries_test.cpp.)
  const uint64_t size = kPauseBuffer + (1u << 20);
  std::string body = evm::test::compress("", 31, size);
  std::string reply = "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: " +
                      std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
  int whole = static_cast<int>(reply.size());
  ScriptedServer s(reply);
  Fetch f(s.url("/"));
  PausedBody p;
  curl_easy_setopt(f.easy, CURLOPT_ACCEPT_ENCODING, "");
  curl_easy_setopt(f.easy, CURLOPT_BUFFERSIZE, 512L * 1024);
  curl_easy_setopt(f.easy, CURLOPT_SOCKOPTFUNCTION, low_water);
  curl_easy_setopt(f.easy, CURLOPT_SOCKOPTDATA, &whole);
  curl_easy_setopt(f.easy, CURLOPT_WRITEFUNCTION, pause_first);
  curl_easy_setopt(f.easy, CURLOPT_WRITEDATA, &p);
  curl_easy_setopt(f.easy, CURLOPT_TIMEOUT_MS, 120000L);  // a sanity cap, never the verdict
  CURLM *m = curl_multi_init();
  REQUIRE(curl_multi_add_handle(m, f.easy) == CURLM_OK);
  int running = 1, paused_calls = 0;
  uint64_t largest = 0;
  while (running) {
    p.in_call = 0;
    REQUIRE(curl_multi_perform(m, &running) == CURLM_OK);
    largest = std::max(largest, p.in_call);
    if (!p.pause_next && ++paused_calls == 20)
      CHECK(curl_easy_pause(f.easy, CURLPAUSE_CONT) == CURLE_OK);
    if (paused_calls < 20) CHECK(p.got == 0);
    if (running) curl_multi_wait(m, nullptr, 0, 10, nullptr);
  }
  int left = 0;
  CURLMsg *msg = curl_multi_info_read(m, &left);
  REQUIRE(msg);
  CHECK(msg->data.result == CURLE_OK);
  CHECK(p.got == size);
  CHECK(largest <= (1u << 20) + 2 * CURL_MAX_WRITE_SIZE);
  curl_multi_remove_handle(m, f.easy);
  curl_multi_cleanup(m);
}

namespace {

evm::test::H2TestServer &h2c() {
  (void)evm::test::TestPki::get();  // OpenSSL first: see h2_test.cpp
  static evm::test::H2TestServer s([] {
    evm::test::H2TestServerOptions o;
    o.tls = false;
    return o;
  }());
  REQUIRE(s.start());
  return s;
}

}  // namespace

namespace {

// An HPACK integer with a 7-bit prefix (the string length of a literal, no Huffman).
std::string hpack_length(size_t n) {
  if (n < 127) return std::string(1, static_cast<char>(n));
  std::string out(1, '\x7f');
  for (n -= 127; n >= 128; n >>= 7) out += static_cast<char>(0x80 | (n & 0x7f));
  out += static_cast<char>(n);
  return out;
}

// A header block of exactly `bytes`: ":status: 200", then literal "x-f" fields (without
// indexing, so the bytes on the wire are what is counted).
std::string header_block(size_t bytes) {
  std::string block = "\x88";
  auto field = [](size_t value) { return std::string("\x00\x03x-f", 5) + hpack_length(value); };
  while (bytes - block.size() > 20000) block += field(10000) + std::string(10000, 'a');
  size_t left = bytes - block.size();
  size_t value = left - field(left).size();
  while (field(value).size() + value < left) ++value;
  REQUIRE(field(value).size() + value == left);
  block += field(value) + std::string(value, 'a');
  return block;
}

// A whole h2c answer to stream 1: SETTINGS, then HEADERS (END_STREAM) and CONTINUATION frames of
// at most 16 KiB carrying `block`.
std::string h2c_reply(const std::string &block) {
  std::string out = evm::test::h2_frame(0x4, 0, 0, "");
  for (size_t at = 0; at < block.size(); at += 16384) {
    bool first = at == 0, last = at + 16384 >= block.size();
    uint8_t flags = (first ? 0x1 : 0) | (last ? 0x4 : 0);
    out +=
        evm::test::h2_frame(first ? 0x1 : 0x9, flags, 1, std::string_view(block).substr(at, 16384));
  }
  return out;
}

// Fetches over h2c from a peer that answers with `reply`: the code and ERRORBUFFER text as
// expected; returns the response code.
long fetch_raw_h2(const std::string &reply, CURLcode expected, const char *error) {
  evm::test::RawH2Server s(reply);
  Fetch f(s.url("/"));
  curl_easy_setopt(f.easy, CURLOPT_HTTP_VERSION, long{CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE});
  curl_easy_setopt(f.easy, CURLOPT_TIMEOUT_MS, 20000L);
  CHECK(curl_easy_perform(f.easy) == expected);
  CAPTURE(f.error);
  CHECK(std::string(f.error).find(error) != std::string::npos);
  return f.status();
}

}  // namespace

TEST_CASE("limits: an HTTP/2 header block may span 8 CONTINUATION frames, not 9") {
  // Frames are at most 16 KiB (our SETTINGS leave MAX_FRAME_SIZE at its default), and nghttp2
  // (1.52.0-1+deb12u3, CVE-2024-27316) takes at most 8 CONTINUATIONs after a HEADERS: a block is
  // bounded at 144 KiB before limits::kH2HeaderBlockBytes (1 MiB, for nghttp2 builds without
  // that cap) could be reached. At 144 KiB the response is read whole; one byte more needs a
  // ninth CONTINUATION and ends the connection with CURLE_HTTP2.
  auto fetch = [](size_t bytes, CURLcode expected, const char *error) {
    std::string block = header_block(bytes);
    REQUIRE(block.size() == bytes);
    return fetch_raw_h2(h2c_reply(block), expected, error);
  };
  SUBCASE("HEADERS and 8 CONTINUATIONs") {
    CHECK(fetch(9 * 16384, CURLE_OK, "") == 200);
  }
  SUBCASE("one byte more") {
    fetch(9 * 16384 + 1, CURLE_HTTP2, "Too many CONTINUATION frames");
  }
}

TEST_CASE("limits: HTTP/2 holds 1000 unsent acknowledgements, not 1001") {
  // The server's SETTINGS and its PINGs, sent in one piece, each want an ack; acks leave once
  // per turn, so all of them wait together: SETTINGS + 999 PINGs are 1000 and the response is
  // read; one PING more is a flood (CVE-2019-9512) and ends the connection with CURLE_HTTP2.
  // (One send of 17 KB on loopback arrives as one segment, so the client reads it in one turn.)
  auto fetch = [](int pings, CURLcode expected, const char *error) {
    using evm::test::h2_frame;
    std::string reply = h2_frame(0x4, 0, 0, "");
    for (int i = 0; i < pings; ++i) reply += h2_frame(0x6, 0, 0, std::string(8, 'p'));
    reply += h2_frame(0x1, 0x5, 1, "\x88");  // :status 200, END_STREAM | END_HEADERS
    fetch_raw_h2(reply, expected, error);
  };
  SUBCASE("1000") {
    fetch(999, CURLE_OK, "");
  }
  SUBCASE("1001") {
    fetch(1000, CURLE_HTTP2, "Flooding was detected");
  }
}

TEST_CASE("limits: HTTP/2 allows 1000 empty DATA frames in a row, not 1001") {
  auto fetch = [](int frames, long timeout_ms, CURLcode expected, const char *error) {
    Fetch f(h2c().url("/flood/empty-data?n=" + std::to_string(frames)));
    curl_easy_setopt(f.easy, CURLOPT_HTTP_VERSION, long{CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE});
    curl_easy_setopt(f.easy, CURLOPT_TIMEOUT_MS, timeout_ms);
    CHECK(curl_easy_perform(f.easy) == expected);
    CHECK(std::string(f.error).find(error) != std::string::npos);
  };
  // The stream never ends either way: 1000 frames leave it waiting until the timeout.
  SUBCASE("1000") {
    fetch(1000, 1000, CURLE_OPERATION_TIMEDOUT, "timed out");
  }
  SUBCASE("1001") {
    fetch(1001, 20000, CURLE_HTTP2, "HTTP/2 flood of empty DATA frames");
  }
}
