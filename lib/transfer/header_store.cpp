#include "transfer/header_store.h"

#include <algorithm>
#include <cstdint>

#include "util/ascii.h"

namespace evm {
namespace {

constexpr unsigned kAllOrigins =
    CURLH_HEADER | CURLH_TRAILER | CURLH_CONNECT | CURLH_1XX | CURLH_PSEUDO;
// libcurl sets this reserved bit in every answer's origin so that nobody compares with ==.
constexpr unsigned kReservedOriginBit = 1u << 27;

bool is_blank(char c) {
  return c == ' ' || c == '\t';
}
bool is_space(char c) {
  return is_blank(c) || (c >= '\n' && c <= '\r');
}

// A line without its line end.
std::string_view content(std::string_view line) {
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  return line;
}

std::string_view trim_end(std::string_view s) {
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace

void HeaderStore::add(std::string_view lines, bool trailer) {
  while (!lines.empty()) {
    size_t eol = lines.find('\n');
    size_t len = eol == std::string_view::npos ? lines.size() : eol + 1;
    add_line(lines.substr(0, len), trailer);
    lines.remove_prefix(len);
  }
}

void HeaderStore::add_line(std::string_view line, bool trailer) {
  if (content(line).empty()) {
    if (!trailer) in_head_ = false;  // a head's blank line: the next line is a status line
    return;
  }
  if (!trailer && !in_head_) {
    // "HTTP/1.1 103 ..." — any 1xx head's lines are CURLH_1XX, 101 included (libcurl).
    in_head_ = true;
    size_t sp = line.find(' ');
    bool interim = sp != std::string_view::npos && sp + 1 < line.size() && line[sp + 1] == '1';
    head_origin_ = interim ? CURLH_1XX : CURLH_HEADER;
    return;
  }
  unsigned origin = trailer ? CURLH_TRAILER : head_origin_;
  if (runs_.empty() || runs_.back().request != requests_ || runs_.back().origin != origin ||
      runs_.back().end != bytes_.size())
    runs_.push_back(Run{requests_, origin, bytes_.size(), bytes_.size()});
  bytes_.append(line);
  if (line.back() != '\n') bytes_.push_back('\n');  // keeps line boundaries findable
  runs_.back().end = bytes_.size();
}

bool HeaderStore::entry_at(size_t run, size_t pos, Entry &e) const {
  const Run &r = runs_[run];
  if (pos >= r.end) return false;
  size_t end = bytes_.find('\n', pos) + 1;
  // Folded lines (starting with a blank) belong to the header before them.
  while (end < r.end && is_blank(bytes_[end])) end = bytes_.find('\n', end) + 1;
  e = Entry{run, pos, end};
  return true;
}

bool HeaderStore::first_from(size_t run, size_t pos, unsigned origin, int request, Entry &e) const {
  for (size_t r = run; r < runs_.size(); ++r) {
    if (runs_[r].request != request || !(runs_[r].origin & origin)) continue;
    if (entry_at(r, r == run ? pos : runs_[r].begin, e)) return true;
  }
  return false;
}

std::string_view HeaderStore::name_of(const Entry &e) const {
  std::string_view line = std::string_view(bytes_).substr(e.begin, e.end - e.begin);
  line = content(line.substr(0, line.find('\n')));
  size_t colon = line.find(':');
  return colon == std::string_view::npos ? line : line.substr(0, colon);
}

void HeaderStore::fill(const Entry &e, size_t index, size_t amount) {
  std::string_view all(bytes_);
  std::string_view name = name_of(e);
  size_t eol = all.find('\n', e.begin);
  // libcurl keeps a line up to its first CR (or its LF), and trims the value's end only while
  // something is left before it: an empty value reads as its line end ("\r").
  std::string_view first = all.substr(e.begin, eol + 1 - e.begin);
  first = first.substr(0, std::min(first.find('\r'), first.size() - 1) + 1);
  std::string_view value = first.substr(std::min(name.size() + 1, first.size()));
  while (!value.empty() && is_blank(value.front())) value.remove_prefix(1);
  if (value.size() > 1) {
    std::string_view trimmed = trim_end(value.substr(1));
    value = value.substr(0, 1 + trimmed.size());
  }
  out_text_.assign(name);
  out_text_.push_back('\0');
  size_t value_at = out_text_.size();
  out_text_.append(value);
  // Each folded line adds itself without its end, with at most one of its leading blanks.
  for (size_t p = eol + 1; p < e.end; p = all.find('\n', p) + 1) {
    std::string_view more = trim_end(all.substr(p, all.find('\n', p) - p));
    while (more.size() > 1 && is_blank(more[0]) && is_blank(more[1])) more.remove_prefix(1);
    out_text_.append(more);
  }
  out_text_.push_back('\0');
  out_.name = out_text_.data();
  out_.value = out_text_.data() + value_at;
  out_.amount = amount;
  out_.index = index;
  out_.origin = runs_[e.run].origin | kReservedOriginBit;
  out_.anchor = reinterpret_cast<void *>(static_cast<uintptr_t>(e.begin) + 1);
}

CURLHcode HeaderStore::find(std::string_view name, size_t index, unsigned origin, int request,
                            curl_header **out) {
  if (!origin || (origin & ~kAllOrigins) || request < -1) return CURLHE_BAD_ARGUMENT;
  if (runs_.empty()) return CURLHE_NOHEADERS;
  if (request > requests_) return CURLHE_NOREQUEST;
  if (request == -1) request = requests_;
  size_t amount = 0;
  Entry pick{}, e{};
  for (bool more = first_from(0, 0, origin, request, e); more;
       more = first_from(e.run, e.end, origin, request, e)) {
    if (!ascii::iequals(name_of(e), name)) continue;
    if (amount++ == index) pick = e;
  }
  if (!amount) return CURLHE_MISSING;
  if (index >= amount) return CURLHE_BADINDEX;
  fill(pick, index, amount);
  *out = &out_;
  return CURLHE_OK;
}

curl_header *HeaderStore::next(unsigned origin, int request, const curl_header *prev) {
  if (request > requests_) return nullptr;
  if (request == -1) request = requests_;
  if (runs_.empty()) return nullptr;
  Entry pick{};
  if (prev) {
    // The anchor is where prev's header starts; one that names no header start ends the walk.
    uintptr_t anchor = reinterpret_cast<uintptr_t>(prev->anchor);
    if (!anchor || anchor - 1 >= bytes_.size()) return nullptr;
    size_t pos = anchor - 1, run = 0;
    while (run < runs_.size() && runs_[run].end <= pos) ++run;
    if (run == runs_.size() || runs_[run].begin > pos) return nullptr;
    Entry e{};
    size_t p = runs_[run].begin;
    while (p < pos && entry_at(run, p, e)) p = e.end;
    if (p != pos || !entry_at(run, p, e)) return nullptr;
    if (!first_from(run, e.end, origin, request, pick)) return nullptr;
  } else if (!first_from(0, 0, origin, request, pick)) {
    return nullptr;
  }
  std::string_view name = name_of(pick);
  size_t amount = 0, index = 0;
  Entry e{};
  for (bool more = first_from(0, 0, origin, request, e); more;
       more = first_from(e.run, e.end, origin, request, e)) {
    if (!ascii::iequals(name_of(e), name)) continue;
    if (e.begin == pick.begin) index = amount;
    ++amount;
  }
  fill(pick, index, amount);
  return &out_;
}

}  // namespace evm
