#include "transfer/cw_client.h"

#include <cstdio>

namespace evm {

CURLcode ClientOutWriter::write(WriteKind kind, std::string_view data) {
  if (kind == WriteKind::Head) return write_head(data);
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

CURLcode ClientOutWriter::write_head(std::string_view raw) {
  curl_write_callback fn = opt_.header_fn;
  void *data = opt_.header_data;
  if (!fn) {
    // libcurl: without HEADERFUNCTION, HEADERDATA alone sends headers through the write path.
    if (!data) return CURLE_OK;
    fn = opt_.write_fn;
  }
  while (!raw.empty()) {
    size_t eol = raw.find('\n');
    size_t len = eol == std::string_view::npos ? raw.size() : eol + 1;
    char *line = const_cast<char *>(raw.data());
    size_t wrote;
    {
      CallbackGuard in_cb(host_);
      wrote = fn ? fn(line, 1, len, data) : std::fwrite(line, 1, len, static_cast<FILE *>(data));
    }
    if (wrote == CURL_WRITEFUNC_PAUSE) return CURLE_AGAIN;  // only whole lines come here paused
    if (wrote != len) {
      error_ = "Failed writing header";
      return CURLE_WRITE_ERROR;
    }
    raw.remove_prefix(len);
  }
  return CURLE_OK;
}

}  // namespace evm
