// Target 3: response header lines as the engine keeps and reads them. The lines go into the
// HeaderStore behind curl_easy_header/curl_easy_nextheader; every header the walk returns must be
// found again by name and index with the same value and count. The values are also read the
// way a response's head is: Retry-After, Location (resolved and parsed as a redirect would be)
// and HTTP dates, whose formatted form must read back as the same time.
//
// Input: lines. "\x01" alone: a follow-up request starts; "\x02..." a trailer line; any other
// line is a head line (a status line first, a blank line ends the head). Lines holding a NUL
// are skipped: the response parser never lets one through.
#include <cstring>
#include <string>
#include <vector>

#include "fuzz_input.h"
#include "fuzz_target.h"
#include "http/retry_after.h"
#include "http/url.h"
#include "http/url_resolve.h"
#include "transfer/header_store.h"
#include "util/ascii.h"
#include "util/http_date.h"

namespace {

constexpr unsigned kOrigins = CURLH_HEADER | CURLH_TRAILER | CURLH_CONNECT | CURLH_1XX;

void read_value(std::string_view name, std::string_view value) {
  using evm::ascii::iequals;
  if (iequals(name, "Retry-After")) (void)evm::http::parse_retry_after(value, 1700000000);
  if (iequals(name, "Location")) {
    std::string target = evm::http::resolve_reference("http://127.0.0.1:8080/a/b?q=1", value);
    evm::http::Url url;
    if (evm::http::parse_url(target, url).code != evm::http::UrlError::kMalformed)
      (void)url.to_string();
  }
  if (std::optional<int64_t> t = evm::parse_http_date(value)) {
    std::string shown = evm::format_http_date(*t);
    std::optional<int64_t> back = evm::parse_http_date(shown);
    FUZZ_CHECK(back && *back == *t);
  }
}

void walk(evm::HeaderStore &store, unsigned origin, int request) {
  const curl_header *h = nullptr;
  for (int n = 0; n < 512; ++n) {
    curl_header *cur = store.next(origin, request, h);
    if (!cur) return;
    FUZZ_CHECK(cur->name && cur->value);
    FUZZ_CHECK(cur->index < cur->amount);
    FUZZ_CHECK(cur->origin & origin);
    std::string name = cur->name, value = cur->value;
    size_t index = cur->index, amount = cur->amount;
    void *anchor = cur->anchor;
    read_value(name, value);
    curl_header *again = nullptr;
    FUZZ_CHECK(store.find(name, index, origin, request, &again) == CURLHE_OK);
    FUZZ_CHECK(again && again->amount == amount && again->index == index);
    FUZZ_CHECK(value == again->value);
    FUZZ_CHECK(store.find(name, amount, origin, request, &again) == CURLHE_BADINDEX);
    // find() reuses the answer's storage; the walk goes on from the header found, as an
    // application's next call would.
    FUZZ_CHECK(again->anchor == anchor);
    h = again;
  }
}

}  // namespace

EVM_FUZZ_TARGET(headers) {
  evm::fuzz::FuzzInput in(data, size);
  evm::HeaderStore store;
  while (!in.empty()) {
    std::string_view line = in.line();
    if (line.find('\0') != std::string_view::npos) continue;
    if (line == "\x01") {
      store.next_request();
      continue;
    }
    bool trailer = !line.empty() && line[0] == '\x02';
    if (trailer) line.remove_prefix(1);
    store.add(std::string(line) + "\r\n", trailer);
  }
  curl_header *h = nullptr;
  FUZZ_CHECK(store.find("x", 0, 0, -1, &h) == CURLHE_BAD_ARGUMENT);
  for (int request = 0; request <= store.requests(); ++request) {
    walk(store, kOrigins, request);
    walk(store, CURLH_HEADER, request);
    walk(store, CURLH_TRAILER | CURLH_1XX, request);
  }
  FUZZ_CHECK(store.next(kOrigins, store.requests() + 1, nullptr) == nullptr);
  return 0;
}
