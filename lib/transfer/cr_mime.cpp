#include "transfer/cr_mime.h"

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "mime/form_to_mime.h"
#include "mime/multipart_source.h"
#include "mime/part_headers.h"

namespace evm {
namespace {

// A body whose source failed before sending (a form file that cannot be read): the failure
// surfaces at the first read, as libcurl's does.
class FailingSource final : public mime::Source {
 public:
  mime::Chunk read(char *, size_t) override { return mime::Chunk{mime::Chunk::Error, 0}; }
  int64_t size() const override { return -1; }
  bool rewind() override { return true; }
};

// READFUNCTION's default: the stream pointer is a FILE *.
size_t read_stdio(char *buf, size_t size, size_t n, void *stream) {
  return std::fread(buf, size, n, static_cast<FILE *>(stream));
}

}  // namespace

BodyRead MimeReader::fail(CURLcode rc, const char *text) {
  stop_ = rc;
  error_ = text;
  return BodyRead{BodyRead::Abort, 0, false};
}

BodyRead MimeReader::read(std::span<char> buf) {
  size_t n = std::min(buf.size(), pending_.size());
  std::memcpy(buf.data(), pending_.data(), n);
  pending_.erase(0, n);
  if (!pending_.empty() || ended_) return BodyRead{BodyRead::Data, n, ended_ && pending_.empty()};

  // Chunked: room for the size line ("ffff\r\n" fits in 10 bytes) before the data and a CRLF
  // after; a buffer too small for that goes through pending_.
  constexpr size_t kHead = 10, kTail = 2;
  char tiny[64];
  bool direct = !chunked_ || buf.size() - n > kHead + kTail;
  char *dst = direct ? buf.data() + n + (chunked_ ? kHead : 0) : tiny;
  size_t room = direct ? buf.size() - n - (chunked_ ? kHead + kTail : 0) : sizeof tiny;
  if (!room) return BodyRead{BodyRead::Data, n, false};
  mime::Chunk c = source_->read(dst, room);
  switch (c.status) {
    case mime::Chunk::Pause:
      return n ? BodyRead{BodyRead::Data, n, false} : BodyRead{BodyRead::Paused, 0, false};
    case mime::Chunk::Abort:
      return fail(CURLE_ABORTED_BY_CALLBACK, "operation aborted by callback");
    case mime::Chunk::Error:
      return fail(CURLE_READ_ERROR, "read function returned funny value");
    case mime::Chunk::End:
      ended_ = true;
      if (!chunked_) return BodyRead{BodyRead::Data, n, true};
      pending_ = "0\r\n\r\n";
      return read_more(buf, n);
    case mime::Chunk::Data:
      break;
  }
  if (!chunked_) return BodyRead{BodyRead::Data, n + c.n, false};
  char line[kHead + 1];
  size_t len = static_cast<size_t>(std::snprintf(line, sizeof line, "%zx\r\n", c.n));
  if (!direct) {
    pending_.append(line, len).append(tiny, c.n).append("\r\n");
    return read_more(buf, n);
  }
  char *out = buf.data() + n;
  std::memmove(out + len, dst, c.n);
  std::memcpy(out, line, len);
  std::memcpy(out + len + c.n, "\r\n", 2);
  return BodyRead{BodyRead::Data, n + len + c.n + 2, false};
}

// Hands out pending_ after the `n` bytes already in `buf`.
BodyRead MimeReader::read_more(std::span<char> buf, size_t n) {
  size_t k = std::min(buf.size() - n, pending_.size());
  std::memcpy(buf.data() + n, pending_.data(), k);
  pending_.erase(0, k);
  return BodyRead{BodyRead::Data, n + k, ended_ && pending_.empty()};
}

bool MimeReader::rewind() {
  if (!source_->rewind()) return false;
  pending_.clear();
  ended_ = false;
  return true;
}

bool is_form_post(const EasyOptions &opt) {
  return opt.method == EasyOptions::Method::MimePost || opt.method == EasyOptions::Method::FormPost;
}

FormBody make_form_body(const EasyOptions &opt, std::string &error, CURLcode &stop) {
  FormBody body;
  const mime::Mime *tree = opt.mime_post.get();
  bool failed = false;
  if (opt.method == EasyOptions::Method::FormPost) {
    curl_read_callback read_fn = opt.form_read_fn;
    if (!read_fn) read_fn = read_stdio;
    failed = mime::mime_from_form(opt.http_post, read_fn, body.converted) != CURLE_OK;
    tree = body.converted.get();
  }
  mime::HeaderStyle style{(opt.mime_options & CURLMIMEOPT_FORMESCAPE) != 0};
  // A custom Content-Type names the multipart subtype; the boundary is added to it.
  const char *type = mime::find_header(opt.http_headers, "Content-Type");
  std::unique_ptr<mime::Source> source =
      mime::form_body(tree, type ? type : "multipart/form-data", style, body.content_type);
  if (failed) source = std::make_unique<FailingSource>();
  body.size = source->size();
  body.reader = std::make_unique<MimeReader>(std::move(source), body.size < 0, error, stop);
  return body;
}

}  // namespace evm
