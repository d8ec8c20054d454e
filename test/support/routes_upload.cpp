// Raw-listener endpoints for the upload tests (see routes.h). /upload/sink answers with what it
// received, so a test compares byte for byte on the server side:
//   method=PUT bytes=1048576 chunked=1 expect=1 fnv=0123456789abcdef
// (fnv: FNV-1a 64 of the body). /upload/early-413 answers on the head alone, before any body
// byte is read; /upload/sink-no-expect answers an Expect with 417 on the head and is the sink
// otherwise. Both are served by test_server.cpp because routes only see whole requests.
#include <cinttypes>
#include <cstdio>

#include "routes.h"
#include "text_util.h"
#include "upload_sink.h"

namespace evm::test {

namespace {

uint64_t fnv1a(std::string_view data) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : data) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  return h;
}

}  // namespace

std::string upload_summary(std::string_view method, std::string_view body, bool chunked,
                           bool expect) {
  char line[160];
  std::snprintf(line, sizeof line, "method=%.*s bytes=%zu chunked=%d expect=%d fnv=%016" PRIx64,
                static_cast<int>(method.size()), method.data(), body.size(), chunked ? 1 : 0,
                expect ? 1 : 0, fnv1a(body));
  return line;
}

bool route_upload(const RouteRequest &req, RouteReply &reply) {
  if (req.path != "/upload/sink" && req.path != "/upload/sink-no-expect") return false;
  bool chunked = iequals(req.header("Transfer-Encoding"), "chunked");
  bool expect = iequals(req.header("Expect"), "100-continue");
  std::string text = upload_summary(req.method, req.body, chunked, expect);
  reply.bytes = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " +
                std::to_string(text.size()) + "\r\n\r\n";
  if (req.method != "HEAD") reply.bytes += text;
  return true;
}

}  // namespace evm::test
