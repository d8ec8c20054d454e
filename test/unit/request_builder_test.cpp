// Expected bytes were captured from libcurl 7.88.1 sending to a loopback listener.
#include <doctest/doctest.h>

#include <initializer_list>
#include <vector>

#include "http/request_builder.h"

using evm::http::build_request;
using evm::http::kNoBody;
using evm::http::kUnknownBodySize;
using evm::http::RequestError;
using evm::http::RequestSpec;

namespace {

struct Fixture {
  std::vector<const char *> headers;
  RequestSpec spec;

  Fixture() {
    spec.method = "GET";
    spec.target = "/";
    spec.host_header = "h";
  }
  Fixture &with(std::initializer_list<const char *> list) {
    headers.assign(list);
    spec.custom_headers = headers;
    return *this;
  }
  Fixture &post(int64_t size) {
    spec.method = "POST";
    spec.is_post = true;
    spec.body_size = size;
    return *this;
  }
  std::string build() {
    std::string out;
    auto r = build_request(spec, out);
    CHECK(r.ok());
    return out;
  }
};

}  // namespace

TEST_CASE("default GET") {
  Fixture f;
  CHECK(f.build() == "GET / HTTP/1.1\r\nHost: h\r\nAccept: */*\r\n\r\n");
}

TEST_CASE("appends to the output") {
  Fixture f;
  std::string out = "x";
  CHECK(build_request(f.spec, out).ok());
  CHECK(out == "xGET / HTTP/1.1\r\nHost: h\r\nAccept: */*\r\n\r\n");
}

TEST_CASE("request line variants") {
  Fixture f;
  f.spec.target = "/a/c?q=1";
  f.spec.host_header = "[::1]:8080";
  CHECK(f.build() == "GET /a/c?q=1 HTTP/1.1\r\nHost: [::1]:8080\r\nAccept: */*\r\n\r\n");

  Fixture h10;
  h10.spec.http10 = true;
  CHECK(h10.build() == "GET / HTTP/1.0\r\nHost: h\r\nAccept: */*\r\n\r\n");

  Fixture head;
  head.spec.method = "HEAD";
  CHECK(head.build() == "HEAD / HTTP/1.1\r\nHost: h\r\nAccept: */*\r\n\r\n");

  Fixture del;
  del.spec.method = "DELETE";
  CHECK(del.build() == "DELETE / HTTP/1.1\r\nHost: h\r\nAccept: */*\r\n\r\n");
}

TEST_CASE("user agent and authorization order") {
  Fixture f;
  f.spec.user_agent = "ua/1";
  CHECK(f.build() == "GET / HTTP/1.1\r\nHost: h\r\nUser-Agent: ua/1\r\nAccept: */*\r\n\r\n");

  f.spec.user_agent = "ua";
  f.spec.authorization = "Basic dXM6cHc=";
  CHECK(f.build() ==
        "GET / HTTP/1.1\r\nHost: h\r\nAuthorization: Basic dXM6cHc=\r\nUser-Agent: ua\r\n"
        "Accept: */*\r\n\r\n");
}

TEST_CASE("POST body headers") {
  Fixture f;
  f.post(3);
  CHECK(f.build() ==
        "POST / HTTP/1.1\r\nHost: h\r\nAccept: */*\r\nContent-Length: 3\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n\r\n");

  Fixture empty;
  empty.post(0);
  CHECK(empty.build() ==
        "POST / HTTP/1.1\r\nHost: h\r\nAccept: */*\r\nContent-Length: 0\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n\r\n");

  Fixture h10;
  h10.post(3).spec.http10 = true;
  CHECK(h10.build() ==
        "POST / HTTP/1.0\r\nHost: h\r\nAccept: */*\r\nContent-Length: 3\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n\r\n");

  // CUSTOMREQUEST with POSTFIELDS keeps the POST headers.
  Fixture put;
  put.post(3).spec.method = "PUT";
  CHECK(put.build() ==
        "PUT / HTTP/1.1\r\nHost: h\r\nAccept: */*\r\nContent-Length: 3\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n\r\n");

  // An upload that is not a POST gets no Content-Type.
  Fixture upload;
  upload.spec.method = "PUT";
  upload.spec.body_size = 5;
  CHECK(upload.build() == "PUT / HTTP/1.1\r\nHost: h\r\nAccept: */*\r\nContent-Length: 5\r\n\r\n");
}

TEST_CASE("custom headers come after the defaults, verbatim and in order") {
  Fixture f;
  f.with({"X-A:1", "X-B:   v  ", "X-C : v", "X;a:b", "X: 1", "X: 2", "X-Tab:\tv"});
  CHECK(f.build() ==
        "GET / HTTP/1.1\r\nHost: h\r\nAccept: */*\r\nX-A:1\r\nX-B:   v  \r\nX-C : v\r\nX;a:b\r\n"
        "X: 1\r\nX: 2\r\nX-Tab:\tv\r\n\r\n");
}

TEST_CASE("custom header replaces the internal one, at the custom position") {
  Fixture accept;
  accept.with({"Accept: text/html"}).spec.user_agent = "ua";
  CHECK(accept.build() ==
        "GET / HTTP/1.1\r\nHost: h\r\nUser-Agent: ua\r\nAccept: text/html\r\n\r\n");

  Fixture lower;
  lower.with({"accept: x"});
  CHECK(lower.build() == "GET / HTTP/1.1\r\nHost: h\r\naccept: x\r\n\r\n");

  Fixture ua;
  ua.with({"User-Agent: x"}).spec.user_agent = "ua";
  CHECK(ua.build() == "GET / HTTP/1.1\r\nHost: h\r\nAccept: */*\r\nUser-Agent: x\r\n\r\n");

  Fixture auth;
  auth.with({"Authorization: Bearer x"}).spec.authorization = "Basic dXM6cHc=";
  CHECK(auth.build() ==
        "GET / HTTP/1.1\r\nHost: h\r\nAccept: */*\r\nAuthorization: Bearer x\r\n\r\n");

  Fixture ct;
  ct.post(3).with({"Content-Type: text/plain"});
  CHECK(ct.build() ==
        "POST / HTTP/1.1\r\nHost: h\r\nAccept: */*\r\nContent-Type: text/plain\r\n"
        "Content-Length: 3\r\n\r\n");
}

TEST_CASE("custom Content-Length is sent as given") {
  Fixture f;
  f.post(3).with({"Content-Length: 99"});
  CHECK(f.build() ==
        "POST / HTTP/1.1\r\nHost: h\r\nAccept: */*\r\nContent-Length: 99\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n\r\n");

  Fixture get;
  get.with({"Accept-Encoding: gzip", "Content-Length: 5"});
  CHECK(get.build() ==
        "GET / HTTP/1.1\r\nHost: h\r\nAccept: */*\r\nAccept-Encoding: gzip\r\n"
        "Content-Length: 5\r\n\r\n");
}

TEST_CASE("Name: with a blank value removes the internal header") {
  Fixture accept;
  accept.with({"Accept:"});
  CHECK(accept.build() == "GET / HTTP/1.1\r\nHost: h\r\n\r\n");

  Fixture spaces;
  spaces.with({"Accept:     "});
  CHECK(spaces.build() == "GET / HTTP/1.1\r\nHost: h\r\n\r\n");

  Fixture ua;
  ua.with({"User-Agent:"}).spec.user_agent = "ua";
  CHECK(ua.build() == "GET / HTTP/1.1\r\nHost: h\r\nAccept: */*\r\n\r\n");

  Fixture ct;
  ct.post(3).with({"Content-Type:"});
  CHECK(ct.build() == "POST / HTTP/1.1\r\nHost: h\r\nAccept: */*\r\nContent-Length: 3\r\n\r\n");

  Fixture cl;
  cl.post(3).with({"Content-Length:"});
  CHECK(cl.build() ==
        "POST / HTTP/1.1\r\nHost: h\r\nAccept: */*\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n\r\n");

  Fixture other;
  other.with({"X-Gone:", "X-Tab:\t"});
  CHECK(other.build() == "GET / HTTP/1.1\r\nHost: h\r\nAccept: */*\r\n\r\n");
}

TEST_CASE("Name; sends an empty header") {
  Fixture f;
  f.with({"X-Empty;", "X-A: 1", "garbage", "X-Gone:", "X-Semi; notempty", "X-D;   ", ":x", ";"});
  CHECK(f.build() == "GET / HTTP/1.1\r\nHost: h\r\nAccept: */*\r\nX-Empty:\r\nX-A: 1\r\n:\r\n\r\n");

  Fixture accept;
  accept.with({"Accept;"});
  CHECK(accept.build() == "GET / HTTP/1.1\r\nHost: h\r\nAccept:\r\n\r\n");

  // Even an entry that is not sent switches the internal header off.
  Fixture ua;
  ua.with({"User-Agent; foo"}).spec.user_agent = "ua";
  CHECK(ua.build() == "GET / HTTP/1.1\r\nHost: h\r\nAccept: */*\r\n\r\n");
}

TEST_CASE("custom Host takes the Host slot") {
  Fixture f;
  f.with({"Host: other"});
  CHECK(f.build() == "GET / HTTP/1.1\r\nHost: other\r\nAccept: */*\r\n\r\n");

  Fixture tight;
  tight.with({"host:other"});
  CHECK(tight.build() == "GET / HTTP/1.1\r\nHost:other\r\nAccept: */*\r\n\r\n");

  Fixture spaced;
  spaced.with({"HOST:   x  "});
  CHECK(spaced.build() == "GET / HTTP/1.1\r\nHost:   x  \r\nAccept: */*\r\n\r\n");

  Fixture blank;
  blank.with({"Host: "});
  CHECK(blank.build() == "GET / HTTP/1.1\r\nHost: \r\nAccept: */*\r\n\r\n");

  Fixture first;
  first.with({"X: 1", "Host: a", "Host: b"});
  CHECK(first.build() == "GET / HTTP/1.1\r\nHost: a\r\nAccept: */*\r\nX: 1\r\n\r\n");

  Fixture semi;
  semi.with({"Host;"});
  CHECK(semi.build() == "GET / HTTP/1.1\r\nHost:\r\nAccept: */*\r\n\r\n");

  Fixture semi_value;
  semi_value.with({"Host; x"});
  CHECK(semi_value.build() == "GET / HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n\r\n");

  // Only an exact "Host:" removes it; "host:" is sent empty.
  Fixture removed;
  removed.with({"Host:"});
  CHECK(removed.build() == "GET / HTTP/1.1\r\nAccept: */*\r\n\r\n");

  Fixture lower;
  lower.with({"host:"});
  CHECK(lower.build() == "GET / HTTP/1.1\r\nHost:\r\nAccept: */*\r\n\r\n");

  // With Host removed, later Host entries are ordinary custom headers.
  Fixture later;
  later.with({"Host:", "Host: b"});
  CHECK(later.build() == "GET / HTTP/1.1\r\nAccept: */*\r\nHost: b\r\n\r\n");

  // "Host :x" does not name Host.
  Fixture not_host;
  not_host.with({"Host :x"});
  CHECK(not_host.build() == "GET / HTTP/1.1\r\nHost: h\r\nAccept: */*\r\nHost :x\r\n\r\n");
}

TEST_CASE("unknown body size is sent chunked") {
  Fixture f;
  f.post(kUnknownBodySize);
  std::string out;
  auto r = build_request(f.spec, out);
  CHECK(r.ok());
  CHECK(r.chunked_body);
  CHECK(out ==
        "POST / HTTP/1.1\r\nHost: h\r\nAccept: */*\r\nTransfer-Encoding: chunked\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n\r\n");

  Fixture g;
  g.post(kUnknownBodySize).with({"X-A: 1"}).spec.user_agent = "ua";
  CHECK(g.build() ==
        "POST / HTTP/1.1\r\nHost: h\r\nUser-Agent: ua\r\nAccept: */*\r\n"
        "Transfer-Encoding: chunked\r\nX-A: 1\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n\r\n");
}

TEST_CASE("unknown body size over HTTP/1.0 fails") {
  Fixture f;
  f.post(kUnknownBodySize).spec.http10 = true;
  std::string out = "keep";
  auto r = build_request(f.spec, out);
  CHECK(r.code == RequestError::kChunkedNeedsHttp11);
  CHECK(std::string(r.message) == "Chunky upload is not supported by HTTP 1.0");
  CHECK(out == "keep");
}

TEST_CASE("custom Transfer-Encoding decides chunking") {
  auto run = [](Fixture &f, bool chunked) {
    std::string out;
    auto r = build_request(f.spec, out);
    CHECK(r.ok());
    CHECK(r.chunked_body == chunked);
    return out;
  };
  Fixture f;
  f.post(3).with({"Transfer-Encoding: chunked"});
  CHECK(run(f, true) ==
        "POST / HTTP/1.1\r\nHost: h\r\nAccept: */*\r\nTransfer-Encoding: chunked\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n\r\n");

  Fixture h10;
  h10.post(3).with({"Transfer-Encoding: chunked"}).spec.http10 = true;
  CHECK(run(h10, true) ==
        "POST / HTTP/1.0\r\nHost: h\r\nAccept: */*\r\nTransfer-Encoding: chunked\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n\r\n");

  Fixture list;
  list.post(3).with({"Transfer-Encoding: gzip, chunked"});
  CHECK(run(list, true) ==
        "POST / HTTP/1.1\r\nHost: h\r\nAccept: */*\r\nTransfer-Encoding: gzip, chunked\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n\r\n");

  Fixture substring;
  substring.post(3).with({"Transfer-Encoding: notchunkedreally"});
  run(substring, true);

  Fixture gzip;
  gzip.post(3).with({"transfer-encoding: gzip"});
  CHECK(run(gzip, false) ==
        "POST / HTTP/1.1\r\nHost: h\r\nAccept: */*\r\ntransfer-encoding: gzip\r\n"
        "Content-Length: 3\r\nContent-Type: application/x-www-form-urlencoded\r\n\r\n");

  Fixture semi;
  semi.post(3).with({"Transfer-Encoding;"});
  CHECK(run(semi, false) ==
        "POST / HTTP/1.1\r\nHost: h\r\nAccept: */*\r\nTransfer-Encoding:\r\n"
        "Content-Length: 3\r\nContent-Type: application/x-www-form-urlencoded\r\n\r\n");

  // Removing Transfer-Encoding on an unknown-size body: no framing header at all.
  Fixture removed;
  removed.post(kUnknownBodySize).with({"Transfer-Encoding:"});
  CHECK(run(removed, false) ==
        "POST / HTTP/1.1\r\nHost: h\r\nAccept: */*\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n\r\n");

  // Without a body there is nothing to chunk.
  Fixture get;
  get.with({"Transfer-Encoding: chunked"});
  CHECK(run(get, false) ==
        "GET / HTTP/1.1\r\nHost: h\r\nAccept: */*\r\nTransfer-Encoding: chunked\r\n\r\n");
}

TEST_CASE("no Connection or Expect header is added") {
  Fixture big;
  big.post(2 * 1024 * 1024);
  CHECK(big.build() ==
        "POST / HTTP/1.1\r\nHost: h\r\nAccept: */*\r\nContent-Length: 2097152\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n\r\n");

  Fixture close;
  close.with({"Connection: close"});
  CHECK(close.build() == "GET / HTTP/1.1\r\nHost: h\r\nAccept: */*\r\nConnection: close\r\n\r\n");
}

TEST_CASE("null entries are ignored") {
  Fixture f;
  f.with({nullptr, "X: 1"});
  CHECK(f.build() == "GET / HTTP/1.1\r\nHost: h\r\nAccept: */*\r\nX: 1\r\n\r\n");
}

// libcurl 7.88 sends such strings verbatim, letting the rest of the line pass as a header of its
// own (probed); evmulti refuses the request before a byte is written.
TEST_CASE("a CR or LF in any application string refuses the request") {
  std::string_view RequestSpec::*fields[] = {
      &RequestSpec::method,          &RequestSpec::target,      &RequestSpec::host_header,
      &RequestSpec::authorization,   &RequestSpec::range,       &RequestSpec::user_agent,
      &RequestSpec::accept_encoding, &RequestSpec::referer,     &RequestSpec::cookie,
      &RequestSpec::time_condition,  &RequestSpec::content_type};
  for (const char *bad : {"a\r\nX-Injected: 1", "a\nb", "a\rb", "a\r\n"}) {
    CAPTURE(bad);
    for (auto field : fields) {
      Fixture f;
      f.spec.*field = bad;
      std::string out = "kept";
      auto r = build_request(f.spec, out);
      CHECK(r.code == RequestError::kLineBreak);
      CHECK(std::string_view(r.message).find("CR or LF") == 0);
      CHECK(out == "kept");
    }
    Fixture f;
    f.with({"X-Fine: 1", bad});
    std::string out;
    auto r = build_request(f.spec, out);
    CHECK(r.code == RequestError::kLineBreak);
    CHECK(std::string_view(r.message) == "CR or LF in a CURLOPT_HTTPHEADER entry");
    CHECK(out.empty());
  }
}
