#include "http/url_resolve.h"

namespace evm::http {
namespace {

bool is_scheme_char(char c, bool first) {
  bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  if (first) return alpha;
  return alpha || (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.';
}

// Length of "scheme:" at the start of `s`, 0 when there is none.
size_t scheme_length(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && is_scheme_char(s[i], i == 0)) ++i;
  return i > 0 && i < s.size() && s[i] == ':' ? i + 1 : 0;
}

struct Parts {
  std::string_view scheme;     // with the ':'
  std::string_view authority;  // with the leading "//", empty when absent
  std::string_view path;
  std::string_view query;  // with the '?', empty when absent
};

Parts split(std::string_view s) {
  Parts p;
  s = s.substr(0, s.find('#'));
  size_t n = scheme_length(s);
  p.scheme = s.substr(0, n);
  s.remove_prefix(n);
  if (s.starts_with("//")) {
    size_t end = s.find_first_of("/?", 2);
    p.authority = s.substr(0, end);
    s.remove_prefix(p.authority.size());
  }
  size_t q = s.find('?');
  p.path = s.substr(0, q);
  if (q != std::string_view::npos) p.query = s.substr(q);
  return p;
}

std::string encode_spaces(std::string_view s) {
  std::string r;
  r.reserve(s.size());
  for (char c : s) {
    if (c == ' ')
      r += "%20";
    else
      r += c;
  }
  return r;
}

}  // namespace

std::string resolve_reference(std::string_view base, std::string_view ref) {
  Parts r = split(ref);
  if (!r.scheme.empty()) return encode_spaces(ref.substr(0, ref.find('#')));
  Parts b = split(base);
  std::string out(b.scheme);
  if (!r.authority.empty()) {
    out.append(r.authority).append(r.path).append(r.query);
    return encode_spaces(out);
  }
  out.append(b.authority);
  if (r.path.empty()) {
    out.append(b.path.empty() ? "/" : b.path).append(r.query.empty() ? b.query : r.query);
  } else if (r.path.front() == '/') {
    out.append(r.path).append(r.query);
  } else {
    // Merge: everything of the base path up to its last '/', then the reference.
    std::string_view dir = b.path.substr(0, b.path.rfind('/') + 1);
    if (dir.empty()) dir = "/";
    out.append(dir).append(r.path).append(r.query);
  }
  return encode_spaces(out);
}

}  // namespace evm::http
