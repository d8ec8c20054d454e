// Target 2: URL parsing. The engine's parser (lib/http/url.h) on the first line, with Location
// resolution against it for the second; then curl_url_set/get/dup through the C API, parts and
// flags taken from the input. A URL the parser accepts must keep its shown form once that form
// is parsed again, and a duplicate handle must answer like its original.
//
// Input: line 1 a URL, line 2 a Location reference, then operations:
//   op byte (part = op % 11, bit 7: set NULL), flags (2 bytes), length byte, text.
#include <curl/curl.h>

#include <cstring>
#include <string>

#include "fuzz_input.h"
#include "fuzz_target.h"
#include "http/url.h"
#include "http/url_resolve.h"

namespace {

constexpr unsigned kAllFlags = (1u << 13) - 1;

void engine_parser(std::string_view text, std::string_view ref) {
  evm::http::Url url;
  evm::http::UrlResult r = evm::http::parse_url(text, url);
  if (r.code == evm::http::UrlError::kMalformed) return;
  FUZZ_CHECK(!url.path.empty());
  std::string shown = url.to_string();
  (void)url.host_header();
  (void)url.origin_key();
  // Not always the same URL at once: like libcurl 7.88, a host is checked for IPv4 forms before
  // it is percent-decoded, so "0x%41" shows as "0xA", which reads as 0.0.0.10. From then on the
  // shown form is stable.
  evm::http::Url again, third;
  FUZZ_CHECK(evm::http::parse_url(shown, again).code == r.code);
  std::string shown_again = again.to_string();
  FUZZ_CHECK(evm::http::parse_url(shown_again, third).code == r.code);
  FUZZ_CHECK(third.to_string() == shown_again);
  if (!r.ok()) {
    FUZZ_CHECK(!r.message.empty());  // the ERRORBUFFER text of an unsupported scheme
    return;
  }
  std::string target = evm::http::resolve_reference(shown, ref);
  evm::http::Url next;
  if (evm::http::parse_url(target, next).code != evm::http::UrlError::kMalformed)
    (void)next.to_string();
}

// Every part of `h` under `flags`; the answers as one string to compare handles by.
std::string all_parts(CURLU *h, unsigned flags) {
  std::string out;
  for (int part = CURLUPART_URL; part <= CURLUPART_ZONEID; ++part) {
    char *s = nullptr;
    CURLUcode rc = curl_url_get(h, static_cast<CURLUPart>(part), &s, flags);
    out += std::to_string(rc) + ":";
    if (rc == CURLUE_OK) {
      FUZZ_CHECK(s != nullptr);
      out += s;
      curl_free(s);
    } else {
      FUZZ_CHECK(s == nullptr);
    }
    out += "\n";
  }
  return out;
}

void url_api(evm::fuzz::FuzzInput &in) {
  CURLU *h = curl_url();
  FUZZ_CHECK(h);
  for (int ops = 0; ops < 16 && !in.empty(); ++ops) {
    uint8_t op = in.byte();
    unsigned flags = in.u16() & kAllFlags;
    std::string text(in.take_short());
    auto part = static_cast<CURLUPart>((op & 0x7f) % 11);
    CURLUcode rc = curl_url_set(h, part, (op & 0x80) ? nullptr : text.c_str(), flags);
    FUZZ_CHECK(rc >= CURLUE_OK && rc < CURLUE_LAST);
    FUZZ_CHECK(*curl_url_strerror(rc) != '\0');
  }
  unsigned get_flags = in.u16() & kAllFlags;
  std::string parts = all_parts(h, get_flags);
  CURLU *copy = curl_url_dup(h);
  FUZZ_CHECK(copy);
  FUZZ_CHECK(all_parts(copy, get_flags) == parts);
  curl_url_cleanup(copy);
  curl_url_cleanup(h);
}

}  // namespace

EVM_FUZZ_TARGET(url) {
  evm::fuzz::FuzzInput in(data, size);
  std::string_view text = in.line();
  std::string_view ref = in.line();
  engine_parser(text, ref);
  url_api(in);
  return 0;
}
