#include "transfer/cw_client.h"

#include <cstdio>

namespace evm {

CURLcode ClientOutWriter::write(WriteKind kind, std::string_view data) {
  if (kind != WriteKind::Body) return write_head(data, kind == WriteKind::Head);
  size_t wrote;
  {
    CallbackGuard in_cb(host_);
    char *p = const_cast<char *>(data.data());
    wrote = opt_.write_fn ? opt_.write_fn(p, 1, data.size(), opt_.write_data)
                          : std::fwrite(p, 1, data.size(), static_cast<FILE *>(opt_.write_data));
  }
  if (wrote == data.size()) return CURLE_OK;
  if (wrote == CURL_WRITEFUNC_PAUSE) return CURLE_AGAIN;  // kept by the pause writer
  error_ = "Failure writing output to destination";
  return CURLE_WRITE_ERROR;
}

CURLcode ClientOutWriter::write_head(std::string_view raw, bool response_head) {
  curl_write_callback fn = opt_.header_fn;
  void *data = opt_.header_data;
  if (!fn) {
    // libcurl: without HEADERFUNCTION, HEADERDATA alone sends headers through the write path.
    fn = opt_.write_fn;
  }
  bool to_header = opt_.header_fn || data;
  // HEADER copies response heads into the body stream, not trailer blocks (libcurl 7.88).
  bool to_body = opt_.include_header && response_head;
  if (!to_header && !to_body) {
    if (headers_) headers_->add(raw, !response_head);
    return CURLE_OK;
  }
  while (!raw.empty()) {
    size_t eol = raw.find('\n');
    size_t len = eol == std::string_view::npos ? raw.size() : eol + 1;
    if (headers_ && !line_stored_) headers_->add(raw.substr(0, len), !response_head);
    line_stored_ = true;
    // HEADER: each line goes into the body stream first, then to the header callback too.
    if (to_body && !body_copy_made_) {
      if (CURLcode rc = write(WriteKind::Body, raw.substr(0, len))) return rc;
    }
    if (to_header) {
      char *line = const_cast<char *>(raw.data());
      size_t wrote;
      {
        CallbackGuard in_cb(host_);
        wrote = fn ? fn(line, 1, len, data) : std::fwrite(line, 1, len, static_cast<FILE *>(data));
      }
      if (wrote == CURL_WRITEFUNC_PAUSE) {
        // The line comes again after the unpause; its copy in the body stream is made already.
        body_copy_made_ = to_body;
        return CURLE_AGAIN;  // only whole lines come here paused
      }
      body_copy_made_ = false;
      if (wrote != len) {
        error_ = "Failed writing header";
        return CURLE_WRITE_ERROR;
      }
    }
    line_stored_ = false;
    raw.remove_prefix(len);
  }
  return CURLE_OK;
}

}  // namespace evm
