#include "mime/multipart_source.h"

#include <algorithm>
#include <cstring>

#include "mime/part_sources.h"

namespace evm::mime {

std::unique_ptr<Source> part_content(const Part &part, const std::string &type,
                                     const HeaderStyle &style) {
  std::unique_ptr<Source> raw;
  switch (part.kind()) {
    case Kind::None:
      raw = std::make_unique<MemorySource>(std::string_view());
      break;
    case Kind::Data:
      raw = std::make_unique<MemorySource>(part.data());
      break;
    case Kind::File:
      raw = std::make_unique<FileSource>(part.data());
      break;
    case Kind::Callback:
      raw = std::make_unique<CallbackSource>(part.callbacks(), part.callback_size());
      break;
    case Kind::Multipart:
      raw = std::make_unique<MultipartSource>(
          *part.subparts(), type_matches(type, "multipart/form-data") ? "form-data" : nullptr,
          style);
      break;
  }
  return make_encoder(part.encoding, std::move(raw));
}

MultipartSource::MultipartSource(const Mime &mime, const char *disposition,
                                 const HeaderStyle &style) {
  const std::string dashes = "--" + mime.boundary();
  for (const auto &part : mime.parts()) {
    std::string type;
    Piece p;
    p.lead = (pieces_.empty() ? "" : "\r\n") + dashes + "\r\n";
    p.lead += part_headers(*part, nullptr, disposition, style, &type);
    p.lead += "\r\n";
    p.content = part_content(*part, type, style);
    int64_t content = p.content->size();
    size_ = content < 0 || size_ < 0 ? -1 : size_ + static_cast<int64_t>(p.lead.size()) + content;
    pieces_.push_back(std::move(p));
  }
  tail_ = (pieces_.empty() ? "" : "\r\n") + dashes + "--\r\n";
  if (size_ >= 0) size_ += static_cast<int64_t>(tail_.size());
}

Chunk MultipartSource::read(char *buf, size_t len) {
  size_t n = 0;
  while (n < len) {
    const std::string &lead = index_ < pieces_.size() ? pieces_[index_].lead : tail_;
    if (lead_pos_ < lead.size()) {
      size_t k = std::min(len - n, lead.size() - lead_pos_);
      std::memcpy(buf + n, lead.data() + lead_pos_, k);
      lead_pos_ += k;
      n += k;
      continue;
    }
    if (index_ >= pieces_.size()) break;  // the tail is out
    Chunk c = pieces_[index_].content->read(buf + n, len - n);
    if (c.status == Chunk::Data) {
      n += c.n;
    } else if (c.status == Chunk::End) {
      ++index_;
      lead_pos_ = 0;
    } else {
      // Hand out what is there first; the next read meets the same answer again.
      if (n) break;
      return c;
    }
  }
  return n ? Chunk{Chunk::Data, n} : Chunk{Chunk::End, 0};
}

bool MultipartSource::rewind() {
  for (Piece &p : pieces_)
    if (!p.content->rewind()) return false;
  index_ = 0;
  lead_pos_ = 0;
  return true;
}

std::unique_ptr<Source> form_body(const Mime *mime, const char *type, const HeaderStyle &style,
                                  std::string &content_type) {
  content_type.clear();
  if (!mime) return std::make_unique<MemorySource>(std::string_view());
  content_type.append(type).append("; boundary=").append(mime->boundary());
  return std::make_unique<MultipartSource>(
      *mime, type_matches(type, "multipart/form-data") ? "form-data" : nullptr, style);
}

}  // namespace evm::mime
