// The response header lines of one transfer, for curl_easy_header and curl_easy_nextheader:
// every head of every request (redirects and auth rounds are requests 0..n), 1xx heads and
// chunked trailers. Lines are kept as received, once, in one buffer; names and values are found
// at lookup time, so receiving costs one append per line and nothing per header.
#pragma once

#include <curl/curl.h>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace evm {

class HeaderStore {
 public:
  // Lines of a response head (its status line included: it tells a 1xx head from a final one,
  // and is not stored) or of a trailer block, as delivered to the application; blank lines end
  // a head. Several lines at once are fine.
  void add(std::string_view lines, bool trailer);
  // A follow-up (redirect, auth or expect retry, a retry on a fresh connection) starts: later
  // lines belong to the next request, as libcurl counts them.
  void next_request() {
    ++requests_;
    in_head_ = false;
  }
  int requests() const { return requests_; }
  bool empty() const { return runs_.empty(); }

  // curl_easy_header's answer once the caller checked its pointers: the index-th header named
  // `name` (any case) among those of `origin` (CURLH_* bits) in `request` (-1: the last).
  CURLHcode find(std::string_view name, size_t index, unsigned origin, int request,
                 curl_header **out);
  // curl_easy_nextheader: the header after `prev` (nullptr: the first) of `origin` in
  // `request`, or nullptr. The answer stays valid until the next call.
  curl_header *next(unsigned origin, int request, const curl_header *prev);

 private:
  // Consecutive lines of one origin and request.
  struct Run {
    int request;
    unsigned origin;
    size_t begin, end;  // in bytes_
  };
  // One header: its first line and any folded continuation lines.
  struct Entry {
    size_t run;
    size_t begin, end;  // in bytes_, continuation lines included
  };

  void add_line(std::string_view line, bool trailer);
  bool entry_at(size_t run, size_t pos, Entry &e) const;  // the entry starting at pos
  bool first_from(size_t run, size_t pos, unsigned origin, int request, Entry &e) const;
  std::string_view name_of(const Entry &e) const;
  void fill(const Entry &e, size_t index, size_t amount);  // out_ for e

  std::string bytes_;
  std::vector<Run> runs_;
  int requests_ = 0;
  bool in_head_ = false;                 // the status line of the current head was seen
  unsigned head_origin_ = CURLH_HEADER;  // CURLH_1XX during an interim head
  curl_header out_{};
  std::string out_text_;  // out_'s name and value, each NUL-terminated
};

}  // namespace evm
