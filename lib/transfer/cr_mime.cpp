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
  if (ended_) return BodyRead{BodyRead::Data, 0, true};
  mime::Chunk c = source_->read(buf.data(), buf.size());
  switch (c.status) {
    case mime::Chunk::Pause:
      return BodyRead{BodyRead::Paused, 0, false};
    case mime::Chunk::Abort:
      return fail(CURLE_ABORTED_BY_CALLBACK, "operation aborted by callback");
    case mime::Chunk::Error:
      return fail(CURLE_READ_ERROR, "read function returned funny value");
    case mime::Chunk::End:
      ended_ = true;
      return BodyRead{BodyRead::Data, 0, true};
    case mime::Chunk::Data:
      break;
  }
  return BodyRead{BodyRead::Data, c.n, false};
}

bool MimeReader::rewind() {
  if (!source_->rewind()) return false;
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
    // CURLFORM_STREAM parts read through READFUNCTION (fread by default).
    curl_read_callback read_fn = opt.read_fn ? opt.read_fn : read_stdio;
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
  body.reader = std::make_unique<MimeReader>(std::move(source), error, stop);
  return body;
}

}  // namespace evm
