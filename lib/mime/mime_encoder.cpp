#include "mime/mime_encoder.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "util/ascii.h"

namespace evm::mime {
namespace {

constexpr size_t kLineMax = 76;  // encoded line length, CRLF excluded
constexpr char kUpperHex[] = "0123456789ABCDEF";

struct Name {
  const char *text;
  Encoding e;
};
constexpr Name kNames[] = {{"binary", Encoding::Binary},
                           {"8bit", Encoding::EightBit},
                           {"7bit", Encoding::SevenBit},
                           {"base64", Encoding::Base64},
                           {"quoted-printable", Encoding::QuotedPrintable}};

// Shared frame: raw input is pulled into `in_` (with enough look-ahead for the encoder), encoded
// output collects in `out_` and is handed out in whatever pieces the caller asks for.
class Encoder : public Source {
 public:
  explicit Encoder(std::unique_ptr<Source> inner) : inner_(std::move(inner)) {}

  Chunk read(char *buf, size_t len) override {
    while (out_pos_ == out_.size()) {
      out_.clear();
      out_pos_ = 0;
      if (done_) return Chunk{Chunk::End, 0};
      // Keep `lookahead()` raw bytes ahead of the cursor unless the input ended.
      while (!eof_ && in_.size() - in_pos_ < kRefill) {
        in_.erase(0, in_pos_);
        in_pos_ = 0;
        size_t have = in_.size();
        in_.resize(have + kRefill);
        Chunk c = inner_->read(in_.data() + have, kRefill);
        in_.resize(have + (c.status == Chunk::Data ? c.n : 0));
        if (c.status == Chunk::End) eof_ = true;
        if (c.status != Chunk::Data && c.status != Chunk::End) {
          if (in_.size() - in_pos_ >= lookahead()) break;  // encode what is there first
          return Chunk{c.status, 0};
        }
      }
      if (!encode()) return Chunk{Chunk::Error, 0};
      if (eof_ && in_pos_ == in_.size()) done_ = true;
    }
    size_t n = std::min(len, out_.size() - out_pos_);
    std::memcpy(buf, out_.data() + out_pos_, n);
    out_pos_ += n;
    return Chunk{Chunk::Data, n};
  }

  bool rewind() override {
    if (!inner_->rewind()) return false;
    in_.clear();
    out_.clear();
    in_pos_ = out_pos_ = 0;
    eof_ = done_ = false;
    column_ = 0;
    return true;
  }

 protected:
  static constexpr size_t kRefill = 4096;
  virtual size_t lookahead() const { return 1; }
  // Encodes from in_[in_pos_] while at least lookahead() bytes remain (all of them at eof_).
  virtual bool encode() = 0;
  size_t avail() const { return in_.size() - in_pos_; }

  std::unique_ptr<Source> inner_;
  std::string in_, out_;
  size_t in_pos_ = 0, out_pos_ = 0;
  bool eof_ = false, done_ = false;
  size_t column_ = 0;
};

class SevenBit final : public Encoder {
 public:
  using Encoder::Encoder;
  int64_t size() const override { return inner_->size(); }

 private:
  bool encode() override {
    for (; in_pos_ < in_.size(); ++in_pos_) {
      if (static_cast<unsigned char>(in_[in_pos_]) & 0x80) return false;
      out_ += in_[in_pos_];
    }
    return true;
  }
};

class Base64 final : public Encoder {
 public:
  using Encoder::Encoder;
  int64_t size() const override { return encoded_size(Encoding::Base64, inner_->size()); }

 private:
  size_t lookahead() const override { return 3; }
  bool encode() override {
    static constexpr char kAlphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    while (avail() >= 3 || (eof_ && avail() > 0)) {
      if (column_ == kLineMax) {  // a line break only ever precedes another group
        out_ += "\r\n";
        column_ = 0;
      }
      size_t take = std::min<size_t>(3, avail());
      unsigned v = 0;
      for (size_t i = 0; i < 3; ++i)
        v = v << 8 | (i < take ? static_cast<unsigned char>(in_[in_pos_ + i]) : 0u);
      out_ += kAlphabet[v >> 18];
      out_ += kAlphabet[(v >> 12) & 63];
      out_ += take > 1 ? kAlphabet[(v >> 6) & 63] : '=';
      out_ += take > 2 ? kAlphabet[v & 63] : '=';
      in_pos_ += take;
      column_ += 4;
    }
    return true;
  }
};

class QuotedPrintable final : public Encoder {
 public:
  using Encoder::Encoder;
  int64_t size() const override { return encoded_size(Encoding::QuotedPrintable, inner_->size()); }

 private:
  enum Class { Escape, Plain, Blank, Cr };
  static Class class_of(unsigned char c) {
    if (c == ' ' || c == '\t') return Blank;
    if (c == '\r') return Cr;
    if (c >= 33 && c <= 126 && c != '=') return Plain;
    return Escape;
  }
  // Whether a line ends `n` bytes after the cursor: CRLF there, or the end of the data.
  bool eol_at(size_t n) const {
    size_t i = in_pos_ + n;
    if (i >= in_.size()) return eof_;
    return i + 1 < in_.size() && in_[i] == '\r' && in_[i + 1] == '\n';
  }
  size_t lookahead() const override { return 4; }
  bool encode() override {
    while (avail() >= 4 || (eof_ && avail() > 0)) {
      unsigned char c = static_cast<unsigned char>(in_[in_pos_]);
      char piece[3] = {static_cast<char>(c), kUpperHex[c >> 4], kUpperHex[c & 15]};
      size_t len = 1, consumed = 1;
      switch (class_of(c)) {
        case Plain:
          break;
        case Blank:  // a blank ending a line would be lost in transport
          if (eol_at(1)) piece[0] = '=', len = 3;
          break;
        case Cr:
          if (eol_at(0)) {
            piece[1] = '\n';
            len = 2;
            consumed = 2;
          } else {
            piece[0] = '=', len = 3;
          }
          break;
        case Escape:
          piece[0] = '=', len = 3;
          break;
      }
      bool line_break = len == 2;
      if (!line_break) {
        bool soft = column_ + len > kLineMax;
        // The last column may be used only when the line ends right after it.
        if (!soft && column_ + len == kLineMax && !eol_at(consumed)) soft = true;
        if (soft) {
          out_ += "=\r\n";
          column_ = 0;
          continue;
        }
      }
      out_.append(piece, len);
      column_ = line_break ? 0 : column_ + len;
      in_pos_ += consumed;
    }
    return true;
  }
};

}  // namespace

bool parse_encoding(std::string_view name, Encoding &out) {
  for (const Name &n : kNames)
    if (ascii::iequals(name, n.text)) {
      out = n.e;
      return true;
    }
  return false;
}

const char *encoding_name(Encoding e) {
  for (const Name &n : kNames)
    if (n.e == e) return n.text;
  return nullptr;
}

int64_t encoded_size(Encoding e, int64_t raw) {
  switch (e) {
    case Encoding::Base64: {
      if (raw <= 0) return raw;
      int64_t chars = 4 * (1 + (raw - 1) / 3);
      return chars + 2 * ((chars - 1) / static_cast<int64_t>(kLineMax));
    }
    case Encoding::QuotedPrintable:
      return raw == 0 ? 0 : -1;  // only encoding tells
    default:
      return raw;
  }
}

std::unique_ptr<Source> make_encoder(Encoding e, std::unique_ptr<Source> inner) {
  switch (e) {
    case Encoding::SevenBit:
      return std::make_unique<SevenBit>(std::move(inner));
    case Encoding::Base64:
      return std::make_unique<Base64>(std::move(inner));
    case Encoding::QuotedPrintable:
      return std::make_unique<QuotedPrintable>(std::move(inner));
    default:
      return inner;
  }
}

}  // namespace evm::mime
