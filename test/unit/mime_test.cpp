// lib/mime: the encoders and the multipart serializer, read in pieces of every size; and the
// client reader that frames it for the wire (lib/transfer/cr_mime.h).
#include <doctest/doctest.h>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "mime/mime_encoder.h"
#include "mime/mime_tree.h"
#include "mime/multipart_source.h"
#include "mime/part_sources.h"
#include "transfer/cr_mime.h"

using namespace evm::mime;

namespace {

// Reads `s` to its end in pieces of `piece` bytes.
std::string drain(Source &s, size_t piece, Chunk::Status *last = nullptr) {
  std::string out, buf(piece, '\0');
  for (;;) {
    Chunk c = s.read(buf.data(), piece);
    if (c.status != Chunk::Data) {
      if (last) *last = c.status;
      return out;
    }
    out.append(buf.data(), c.n);
  }
}

std::string encode(Encoding e, const std::string &in, size_t piece = 4096) {
  auto src = make_encoder(e, std::make_unique<MemorySource>(in));
  return drain(*src, piece);
}

// A source handing out one byte per read, pausing once after the first.
class Trickle final : public Source {
 public:
  explicit Trickle(std::string s) : s_(std::move(s)) {}
  Chunk read(char *buf, size_t) override {
    if (pos_ == s_.size()) return Chunk{Chunk::End, 0};
    if (pos_ == 1 && !paused_) {
      paused_ = true;
      return Chunk{Chunk::Pause, 0};
    }
    buf[0] = s_[pos_++];
    return Chunk{Chunk::Data, 1};
  }
  int64_t size() const override { return -1; }
  bool rewind() override { return false; }

 private:
  std::string s_;
  size_t pos_ = 0;
  bool paused_ = false;
};

}  // namespace

TEST_CASE("encoding names match case-insensitively; sizes follow libcurl") {
  Encoding e;
  CHECK(parse_encoding("Base64", e));
  CHECK(e == Encoding::Base64);
  CHECK(parse_encoding("QUOTED-PRINTABLE", e));
  CHECK_FALSE(parse_encoding("gzip", e));
  CHECK(encoded_size(Encoding::Base64, 0) == 0);
  CHECK(encoded_size(Encoding::Base64, 57) == 76);
  CHECK(encoded_size(Encoding::Base64, 58) == 76 + 2 + 4);
  CHECK(encoded_size(Encoding::Base64, -1) == -1);
  CHECK(encoded_size(Encoding::QuotedPrintable, 5) == -1);
  CHECK(encoded_size(Encoding::QuotedPrintable, 0) == 0);
  CHECK(encoded_size(Encoding::SevenBit, 9) == 9);
}

TEST_CASE("base64 writes 76-column lines without a trailing break, whatever the piece size") {
  std::string in(200, '\0');
  for (size_t i = 0; i < in.size(); ++i) in[i] = static_cast<char>(i * 7);
  std::string whole = encode(Encoding::Base64, in);
  CHECK(static_cast<int64_t>(whole.size()) == encoded_size(Encoding::Base64, 200));
  CHECK(whole.substr(76, 2) == "\r\n");
  CHECK(whole.substr(whole.size() - 2) != "\r\n");
  for (size_t piece : {1, 2, 3, 5, 77, 1000}) CHECK(encode(Encoding::Base64, in, piece) == whole);
  CHECK(encode(Encoding::Base64, "a") == "YQ==");
  CHECK(encode(Encoding::Base64, "ab") == "YWI=");
  CHECK(encode(Encoding::Base64, "abc") == "YWJj");
  CHECK(encode(Encoding::Base64, "") == "");
  // Exactly 57 bytes fill one line; 58 start a second.
  CHECK(encode(Encoding::Base64, std::string(57, 'x')).find("\r\n") == std::string::npos);
  CHECK(encode(Encoding::Base64, std::string(58, 'x')).substr(76) == "\r\neA==");
}

TEST_CASE("quoted-printable: escapes, blanks before line ends, soft breaks at 76") {
  CHECK(encode(Encoding::QuotedPrintable, "plain text") == "plain text");
  CHECK(encode(Encoding::QuotedPrintable, "a=b") == "a=3Db");
  CHECK(encode(Encoding::QuotedPrintable, "x \r\ny\t") == "x=20\r\ny=09");
  CHECK(encode(Encoding::QuotedPrintable, "lf\nonly cr\r.") == "lf=0Aonly cr=0D.");
  CHECK(encode(Encoding::QuotedPrintable, "\xff\x01") == "=FF=01");
  std::string line75(75, 'a');
  // 76 characters fit when the line ends right there, else a soft break comes first.
  CHECK(encode(Encoding::QuotedPrintable, line75 + "b") == line75 + "b");
  CHECK(encode(Encoding::QuotedPrintable, line75 + "b\r\nc") == line75 + "b\r\nc");
  CHECK(encode(Encoding::QuotedPrintable, line75 + "bc") == line75 + "=\r\nbc");
  CHECK(encode(Encoding::QuotedPrintable, std::string(74, 'a') + "=") ==
        std::string(74, 'a') + "=\r\n=3D");
  std::string mixed = "caf\xe9 \r\n" + std::string(300, 'z') + " =\t\r\n";
  std::string whole = encode(Encoding::QuotedPrintable, mixed);
  for (size_t piece : {1, 2, 3, 4, 7, 100})
    CHECK(encode(Encoding::QuotedPrintable, mixed, piece) == whole);
}

TEST_CASE("7bit passes ASCII and fails on a byte above 127") {
  CHECK(encode(Encoding::SevenBit, "seven") == "seven");
  auto src = make_encoder(Encoding::SevenBit, std::make_unique<MemorySource>("ok\x80"));
  Chunk::Status last;
  drain(*src, 16, &last);
  CHECK(last == Chunk::Error);
  CHECK(encode(Encoding::EightBit, "\xff") == "\xff");
  CHECK(encode(Encoding::Binary, std::string("\0", 1)) == std::string("\0", 1));
}

TEST_CASE("an encoder passes a pause on and resumes where it stopped") {
  auto src = make_encoder(Encoding::Base64, std::make_unique<Trickle>("abcdef"));
  std::string out;
  char buf[16];
  int pauses = 0;
  for (;;) {
    Chunk c = src->read(buf, sizeof buf);
    if (c.status == Chunk::Pause) {
      ++pauses;
      continue;
    }
    if (c.status != Chunk::Data) break;
    out.append(buf, c.n);
  }
  CHECK(pauses == 1);
  CHECK(out == "YWJjZGVm");
}

TEST_CASE("the serializer lays parts out between boundaries and knows the size") {
  Mime m;
  Part &a = m.add_part();
  a.name = "a";
  a.set_data("1", 1);
  Part &b = m.add_part();
  b.name = "b";
  b.filename = "b.html";
  b.set_data("<b>", 3);
  b.encoding = Encoding::Base64;
  Part &c = m.add_part();
  c.name = "c";
  auto *sub = new Mime();
  sub->add_part().set_data("s", 1);
  c.set_subparts(sub);

  MultipartSource src(m, "form-data", {});
  const std::string &B = m.boundary(), &S = sub->boundary();
  std::string expected =
      "--" + B + "\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--" + B +
      "\r\nContent-Disposition: form-data; name=\"b\"; filename=\"b.html\"\r\n"
      "Content-Type: text/html\r\nContent-Transfer-Encoding: base64\r\n\r\nPGI+\r\n--" +
      B +
      "\r\nContent-Disposition: form-data; name=\"c\"\r\nContent-Type: multipart/mixed; "
      "boundary=" +
      S + "\r\n\r\n--" + S + "\r\n\r\ns\r\n--" + S + "--\r\n\r\n--" + B + "--\r\n";
  CHECK(src.size() == static_cast<int64_t>(expected.size()));
  for (size_t piece : {1, 3, 64, 4096}) {
    CHECK(src.rewind());
    CHECK(drain(src, piece) == expected);
  }
}

TEST_CASE("one part of unknown size makes the whole size unknown") {
  Mime m;
  m.add_part().set_data("x", 1);
  Part &q = m.add_part();
  q.set_data("y", 1);
  q.encoding = Encoding::QuotedPrintable;
  CHECK(MultipartSource(m, nullptr, {}).size() == -1);
  q.encoding = Encoding::None;
  CHECK(MultipartSource(m, nullptr, {}).size() > 0);
}

TEST_CASE("boundaries are 24 dashes and 16 hex digits, different each time") {
  std::string a = make_boundary(), b = make_boundary();
  CHECK(a.size() == 40);
  CHECK(a.substr(0, 24) == std::string(24, '-'));
  CHECK(a.find_first_not_of("0123456789abcdef", 24) == std::string::npos);
  CHECK(a != b);
}

// --- the client reader over the serializer (lib/transfer/cr_mime.h) ---------------------------

namespace {

// Reads a MimeReader to its end with buffers of `piece` bytes.
std::string drain_reader(evm::MimeReader &r, size_t piece) {
  std::string out, buf(piece, '\0');
  for (int guard = 0; guard < 1000000; ++guard) {
    evm::BodyRead b = r.read(std::span<char>(buf.data(), piece));
    REQUIRE(b.status == evm::BodyRead::Data);
    out.append(buf.data(), b.bytes);
    if (b.eos) return out;
  }
  FAIL("the reader never ended");
  return out;
}

}  // namespace

TEST_CASE("MimeReader hands the body over whole whatever the buffer size, again after a rewind") {
  // Chunked framing of an unknown-size body is the HTTP/1.1 exchange's, not the reader's: the
  // reader gives plain bytes and says its length is unknown.
  std::string body = "quoted = printable \xe9 body " + std::string(5000, 'q');
  for (size_t piece : {1, 2, 11, 12, 13, 100, 65536}) {
    std::string error;
    CURLcode stop = CURLE_OK;
    evm::MimeReader r(std::make_unique<MemorySource>(body), error, stop);
    CHECK(r.length() == static_cast<int64_t>(body.size()));
    CHECK(drain_reader(r, piece) == body);
    CHECK(r.rewind());
    CHECK(drain_reader(r, piece) == body);
  }
  std::string error;
  CURLcode stop = CURLE_OK;
  evm::MimeReader qp(make_encoder(Encoding::QuotedPrintable, std::make_unique<MemorySource>("a")),
                     error, stop);
  CHECK(qp.length() == -1);
  CHECK(drain_reader(qp, 3) == "a");
}

TEST_CASE("MimeReader passes a known-size body through and reports failures with libcurl's text") {
  std::string error;
  CURLcode stop = CURLE_OK;
  evm::MimeReader plain(std::make_unique<MemorySource>("abc"), error, stop);
  CHECK(plain.length() == 3);
  CHECK(drain_reader(plain, 2) == "abc");

  evm::MimeReader bad(make_encoder(Encoding::SevenBit, std::make_unique<MemorySource>("\x80")),
                      error, stop);
  char buf[8];
  CHECK(bad.read(std::span<char>(buf, sizeof buf)).status == evm::BodyRead::Abort);
  CHECK(stop == CURLE_READ_ERROR);
  CHECK(error == "read function returned funny value");
}

TEST_CASE("a 1 GiB file part is sized by stat and streamed piece by piece, never loaded") {
  char path[] = "/tmp/evm_mime_big_XXXXXX";
  int fd = mkstemp(path);
  REQUIRE(fd >= 0);
  constexpr int64_t kGiB = int64_t{1} << 30;
  REQUIRE(ftruncate(fd, kGiB) == 0);  // sparse: no disk, no memory
  close(fd);
  Mime m;
  Part &p = m.add_part();
  p.name = "big";
  p.set_file(path);
  MultipartSource src(m, "form-data", {});
  std::string head =
      "--" + m.boundary() + "\r\nContent-Disposition: form-data; name=\"big\"\r\n\r\n";
  std::string tail = "\r\n--" + m.boundary() + "--\r\n";
  CHECK(src.size() == kGiB + static_cast<int64_t>(head.size() + tail.size()));
  // The first pieces: the header block, then the file's zeros, one buffer at a time.
  std::string buf(65536, 'x');
  Chunk c = src.read(buf.data(), buf.size());
  REQUIRE(c.status == Chunk::Data);
  CHECK(c.n == buf.size());
  CHECK(buf.substr(0, head.size()) == head);
  CHECK(buf.find_first_not_of('\0', head.size()) == std::string::npos);
  std::remove(path);
}
