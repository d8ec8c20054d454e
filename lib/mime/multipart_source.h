// The multipart serializer: streams a Mime's parts between boundaries, each part's header block
// then its (encoded) content, nested parts recursively, the way libcurl 7.88 lays them out:
//   --B CRLF headers CRLF content  CRLF --B CRLF ...  CRLF --B-- CRLF
// Every source is built up front (files are only stat'ed), so the total size is known before
// sending whenever every part's size is.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "mime/mime_tree.h"
#include "mime/part_headers.h"
#include "mime/source.h"

namespace evm::mime {

class MultipartSource final : public Source {
 public:
  // `disposition`: what each part's Content-Disposition says ("form-data" in a form, or null).
  MultipartSource(const Mime &mime, const char *disposition, const HeaderStyle &style);
  Chunk read(char *buf, size_t len) override;
  int64_t size() const override { return size_; }
  bool rewind() override;

 private:
  struct Piece {
    std::string lead;  // boundary line and header block
    std::unique_ptr<Source> content;
  };
  std::vector<Piece> pieces_;
  std::string tail_;  // the closing boundary
  int64_t size_ = 0;
  size_t index_ = 0;     // the piece being sent; pieces_.size(): the tail
  size_t lead_pos_ = 0;  // how much of the current lead (or the tail) went out
};

// A part's content as a source: its kind's reader behind its encoder.
std::unique_ptr<Source> part_content(const Part &part, const std::string &type,
                                     const HeaderStyle &style);

// A POST body: `mime` (null: an empty body) under the request's type `type` (a custom
// Content-Type header's value, or multipart/form-data). `content_type` gets the header value
// to send, with the boundary; empty when there is no body type.
std::unique_ptr<Source> form_body(const Mime *mime, const char *type, const HeaderStyle &style,
                                  std::string &content_type);

}  // namespace evm::mime
