// Target 7: MIME encoding. A part tree built through the curl_mime_* C API from input-chosen
// operations (names, file names, types, encoders, data, read callbacks, custom headers, nested
// parts), then serialized (lib/mime/multipart_source.h) and read out in input-chosen sizes. A
// body that ends must be exactly as long as announced, and read again after a rewind it must be
// the same bytes.
//
// Input: flags byte (bit 0 form-data, bit 1 backslash escaping), split seed byte, then
// operations: an op byte and its arguments (see apply()).
#include <curl/curl.h>

#include <string>
#include <vector>

#include "fuzz_input.h"
#include "fuzz_target.h"
#include "mime/mime_tree.h"
#include "mime/multipart_source.h"

namespace {

using evm::fuzz::FuzzInput;

// A read callback's data, rewindable as a seek callback allows.
struct CallbackData {
  std::string bytes;
  size_t pos = 0;
};

size_t read_cb(char *buf, size_t size, size_t n, void *arg) {
  auto *d = static_cast<CallbackData *>(arg);
  size_t len = std::min(size * n, d->bytes.size() - d->pos);
  std::copy_n(d->bytes.data() + d->pos, len, buf);
  d->pos += len;
  return len;
}
int seek_cb(void *arg, curl_off_t offset, int origin) {
  auto *d = static_cast<CallbackData *>(arg);
  if (origin != SEEK_SET || offset != 0) return CURL_SEEKFUNC_CANTSEEK;
  d->pos = 0;
  return CURL_SEEKFUNC_OK;
}
void free_cb(void *arg) {
  delete static_cast<CallbackData *>(arg);
}

const char *const kEncoders[] = {"binary", "8bit", "7bit", "base64", "quoted-printable"};

struct Builder {
  curl_mime *root = nullptr;
  std::vector<curl_mime *> stack;  // the tree parts are added to, innermost last
  curl_mimepart *part = nullptr;   // the part the next operations change

  void apply(FuzzInput &in) {
    uint8_t op = in.byte();
    std::string text(in.take_short());
    const char *arg = (op & 0x80) ? nullptr : text.c_str();
    if (!part && (op & 0x0f) != 0 && (op & 0x0f) != 7) return;
    switch (op & 0x0f) {
      case 0:
        part = curl_mime_addpart(stack.back());
        FUZZ_CHECK(part);
        break;
      case 1:
        FUZZ_CHECK(curl_mime_name(part, arg) == CURLE_OK);
        break;
      case 2:
        FUZZ_CHECK(curl_mime_filename(part, arg) == CURLE_OK);
        break;
      case 3:
        FUZZ_CHECK(curl_mime_type(part, arg) == CURLE_OK);
        break;
      case 4: {  // a known encoder by number, or the text as its name
        const char *name =
            text.size() == 1 ? kEncoders[static_cast<unsigned char>(text[0]) % 5] : arg;
        CURLcode rc = curl_mime_encoder(part, name);
        FUZZ_CHECK(rc == CURLE_OK || rc == CURLE_NOT_BUILT_IN);
        break;
      }
      case 5:
        FUZZ_CHECK(curl_mime_data(part, arg, text.size()) == CURLE_OK);
        break;
      case 6: {  // a read callback, with the size it says (maybe a wrong one) or none
        auto *d = new CallbackData{text, 0};
        curl_off_t declared = (op & 0x10) ? -1
                                          : static_cast<curl_off_t>(text.size()) +
                                                ((op & 0x20) ? 1 : 0) - ((op & 0x40) ? 1 : 0);
        FUZZ_CHECK(curl_mime_data_cb(part, declared < 0 ? -1 : declared, read_cb,
                                     (op & 0x80) ? nullptr : seek_cb, free_cb, d) == CURLE_OK);
        break;
      }
      case 7:  // back out of a nested tree
        if (stack.size() > 1) stack.pop_back();
        part = nullptr;
        break;
      case 8: {  // nested parts under this part; the operations that follow fill them
        if (stack.size() >= 4) break;
        curl_mime *sub = curl_mime_init(nullptr);
        FUZZ_CHECK(sub);
        FUZZ_CHECK(curl_mime_subparts(part, sub) == CURLE_OK);
        stack.push_back(sub);
        part = nullptr;
        break;
      }
      case 9: {  // custom headers, one a line
        curl_slist *list = nullptr;
        for (size_t at = 0; at <= text.size();) {
          size_t nl = std::min(text.find('\n', at), text.size());
          list = curl_slist_append(list, text.substr(at, nl - at).c_str());
          at = nl + 1;
        }
        FUZZ_CHECK(curl_mime_headers(part, list, 1) == CURLE_OK);
        break;
      }
      case 10:  // the tree itself as this part's subparts: refused
        FUZZ_CHECK(curl_mime_subparts(part, root) == CURLE_BAD_FUNCTION_ARGUMENT);
        break;
      default:
        break;
    }
  }
};

// Reads `src` to its end in pieces; the status that ended it.
evm::mime::Chunk::Status drain(evm::mime::Source &src, uint32_t seed, std::string &out) {
  evm::fuzz::Splitter split(seed, 300);
  char buf[300];
  for (int guard = 0; guard < 1000000; ++guard) {
    size_t want = split.next(sizeof buf);
    evm::mime::Chunk c = src.read(buf, want);
    if (c.status != evm::mime::Chunk::Data) return c.status;
    FUZZ_CHECK(c.n > 0 && c.n <= want);
    out.append(buf, c.n);
  }
  FUZZ_CHECK(!"a MIME body that never ends");
  return evm::mime::Chunk::Error;
}

}  // namespace

EVM_FUZZ_TARGET(mime) {
  FuzzInput in(data, size);
  uint8_t flags = in.byte();
  uint8_t seed = in.byte();
  Builder b;
  b.root = curl_mime_init(nullptr);
  FUZZ_CHECK(b.root);
  b.stack.push_back(b.root);
  for (int ops = 0; ops < 64 && !in.empty(); ++ops) b.apply(in);

  evm::mime::HeaderStyle style;
  style.backslash_escape = flags & 2;
  const auto &mime = *reinterpret_cast<const evm::mime::Mime *>(b.root);
  evm::mime::MultipartSource src(mime, (flags & 1) ? "form-data" : nullptr, style);
  std::string first;
  evm::mime::Chunk::Status end = drain(src, seed, first);
  if (end == evm::mime::Chunk::End) {
    if (src.size() >= 0) FUZZ_CHECK(first.size() == static_cast<size_t>(src.size()));
    if (src.rewind()) {
      std::string second;
      FUZZ_CHECK(drain(src, seed + 1u, second) == evm::mime::Chunk::End);
      FUZZ_CHECK(second == first);
    }
  }
  std::string type;
  auto body = evm::mime::form_body(&mime, "multipart/form-data", style, type);
  FUZZ_CHECK(type.find(mime.boundary()) != std::string::npos);
  curl_mime_free(b.root);
  return 0;
}
