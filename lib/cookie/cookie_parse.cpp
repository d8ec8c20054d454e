#include "cookie/cookie_parse.h"

#include <arpa/inet.h>

#include <limits>
#include <vector>

#include "util/http_date.h"
#include "util/ascii.h"

namespace evm::cookie {

namespace {

constexpr size_t kMaxDateLength = 80;  // a longer Expires value is ignored, as libcurl does

bool blank(char c) {
  return c == ' ' || c == '\t';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && blank(s.back())) s.remove_suffix(1);
  return s;
}

std::string_view cut_line_end(std::string_view s) {
  size_t end = s.find_first_of("\r\n");
  return end == std::string_view::npos ? s : s.substr(0, end);
}

// Bytes 0x01-0x1f other than TAB, and 0x7f, are never part of a name or a value.
bool has_invalid_octets(std::string_view s) {
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\t') || u == 0x7f) return true;
  }
  return false;
}

// Without a public suffix list, libcurl refuses a Domain attribute without an inner dot
// ("com", "test", "example.") unless it is "localhost".
bool bad_domain(std::string_view d) {
  if (ascii::iequals(d, "localhost")) return false;
  size_t dot = d.find('.');
  return dot == std::string_view::npos || dot + 1 == d.size();
}

// Unsigned decimal as curl reads offsets: false for a sign or no digit, `overflow` past the max.
bool parse_unsigned(std::string_view s, int64_t &out, bool &overflow) {
  while (!s.empty() && blank(s.front())) s.remove_prefix(1);
  overflow = false;
  out = 0;
  size_t i = 0;
  for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
    int digit = s[i] - '0';
    if (out > (std::numeric_limits<int64_t>::max() - digit) / 10) overflow = true;
    if (!overflow) out = out * 10 + digit;
  }
  if (overflow) out = std::numeric_limits<int64_t>::max();
  return i > 0;
}

int64_t max_age_expiry(std::string_view v, int64_t now) {
  if (!v.empty() && v.front() == '"') v.remove_prefix(1);
  int64_t n = 0;
  bool overflow = false;
  if (!parse_unsigned(v, n, overflow)) return 1;  // negative or no number: expire it now
  if (overflow || n > std::numeric_limits<int64_t>::max() - now)
    return std::numeric_limits<int64_t>::max();
  return n == 0 ? 1 : now + n;
}

int64_t expires_expiry(std::string_view v) {
  auto t = parse_http_date(v);
  if (!t || *t < 0) return 0;  // unreadable (or before 1970): a session cookie, as libcurl
  return *t == 0 ? 1 : *t;
}

// The cookie-name prefixes' rules: __Secure- needs Secure; __Host- also a "/" path and no
// Domain attribute.
bool prefix_rules_hold(const Cookie &c) {
  if (ascii::istarts_with(c.name, "__Secure-")) return c.secure;
  if (ascii::istarts_with(c.name, "__Host-")) return c.secure && c.path == "/" && !c.tailmatch;
  return true;
}

}  // namespace

std::string sanitize_path(std::string_view path) {
  if (!path.empty() && path.front() == '"') path.remove_prefix(1);
  if (!path.empty() && path.back() == '"') path.remove_suffix(1);
  if (path.empty() || path.front() != '/') return "/";
  if (path.back() == '/') path.remove_suffix(1);
  return std::string(path);
}

bool domain_tailmatch(std::string_view cookie_domain, std::string_view host) {
  if (host.size() < cookie_domain.size()) return false;
  size_t start = host.size() - cookie_domain.size();
  if (!ascii::iequals(host.substr(start), cookie_domain)) return false;
  return start == 0 || host[start - 1] == '.';
}

bool path_match(std::string_view spath, std::string_view request_path) {
  if (spath.size() <= 1) return true;  // "/" (or none) matches every path
  size_t q = request_path.find('?');
  if (q != std::string_view::npos) request_path = request_path.substr(0, q);
  if (request_path.empty() || request_path.front() != '/') request_path = "/";
  if (request_path.size() < spath.size()) return false;
  if (request_path.substr(0, spath.size()) != spath) return false;
  return request_path.size() == spath.size() || request_path[spath.size()] == '/';
}

bool is_ip_address(std::string_view host) {
  std::string h(host);
  unsigned char buf[16];
  return inet_pton(AF_INET, h.c_str(), buf) == 1 || inet_pton(AF_INET6, h.c_str(), buf) == 1;
}

std::optional<Cookie> parse_set_cookie(std::string_view line, const SetCookieContext &ctx) {
  if (line.size() > kMaxLineLength) return std::nullopt;
  line = cut_line_end(line);
  Cookie co;
  bool have_name = false, have_path = false, have_domain = false;
  std::optional<std::string_view> max_age, expires;
  size_t pos = 0;
  while (pos < line.size()) {
    while (pos < line.size() && blank(line[pos])) ++pos;
    size_t name_end = line.find_first_of(";\t=", pos);
    if (name_end == std::string_view::npos) name_end = line.size();
    std::string_view name = trim(line.substr(pos, name_end - pos));
    pos = name_end;
    bool has_sep = pos < line.size() && line[pos] == '=';
    std::string_view value;
    if (has_sep) {
      size_t value_end = line.find(';', ++pos);
      if (value_end == std::string_view::npos) value_end = line.size();
      value = trim(line.substr(pos, value_end - pos));
      pos = value_end;
      if (value.find('\t') != std::string_view::npos) return std::nullopt;
    }
    if (!have_name) {
      // The first pair is the cookie itself.
      if (name.empty() || !has_sep) return std::nullopt;
      if (name.size() >= kMaxNameValue - 1 || value.size() >= kMaxNameValue - 1 ||
          name.size() + value.size() > kMaxNameValue)
        return std::nullopt;
      if (has_invalid_octets(name) || has_invalid_octets(value)) return std::nullopt;
      co.name = name;
      co.value = value;
      have_name = true;
    } else if (!name.empty() && value.empty() && ascii::iequals(name, "secure")) {
      if (!ctx.secure) return std::nullopt;
      co.secure = true;
    } else if (!name.empty() && value.empty() && ascii::iequals(name, "httponly")) {
      co.httponly = true;
    } else if (has_sep && ascii::iequals(name, "path")) {
      co.path = value;
      have_path = true;
    } else if (ascii::iequals(name, "domain") && !value.empty()) {
      std::string_view d = value;
      if (d.front() == '.') d.remove_prefix(1);
      bool host_ip = !ctx.host.empty() && is_ip_address(ctx.host);
      bool ok;
      if (bad_domain(d))
        ok = false;
      else if (ctx.host.empty())
        ok = true;
      else
        ok = host_ip ? d == ctx.host : domain_tailmatch(d, ctx.host);
      if (!ok) return std::nullopt;  // a domain the host is not in
      co.domain = d;
      co.tailmatch = ctx.host.empty() ? !is_ip_address(d) : !host_ip;
      have_domain = true;
    } else if (ascii::iequals(name, "max-age") && has_sep) {
      max_age = value;
    } else if (ascii::iequals(name, "expires") && has_sep && value.size() < kMaxDateLength) {
      expires = value;
    }
    // Anything else (Version, SameSite, unknown words) is ignored.
    while (pos < line.size() && blank(line[pos])) ++pos;
    if (pos < line.size() && line[pos] == ';')
      ++pos;
    else if (pos < line.size() && name.empty() && !has_sep)
      ++pos;  // a stray byte: step over it
  }
  if (!have_name) return std::nullopt;
  if (max_age)
    co.expires = max_age_expiry(*max_age, ctx.now);  // Max-Age wins over Expires
  else if (expires)
    co.expires = expires_expiry(*expires);
  if (!have_domain && !ctx.host.empty()) co.domain = ctx.host;
  if (!have_path && !ctx.path.empty()) {
    std::string_view p = ctx.path.substr(0, ctx.path.find('?'));
    size_t slash = p.rfind('/');
    if (slash != std::string_view::npos) {
      co.path = p.substr(0, slash + 1);
      have_path = true;
    }
  }
  co.spath = have_path ? sanitize_path(co.path) : "";
  if (!have_path) co.path.clear();
  if (!prefix_rules_hold(co)) return std::nullopt;
  return co;
}

std::optional<Cookie> parse_netscape_line(std::string_view line) {
  Cookie co;
  if (line.substr(0, 10) == "#HttpOnly_") {
    line.remove_prefix(10);
    co.httponly = true;
  }
  if (!line.empty() && line.front() == '#') return std::nullopt;
  line = cut_line_end(line);
  // Tab-separated; runs of tabs count as one, as libcurl tokenizes the line.
  std::vector<std::string_view> fields;
  size_t pos = 0;
  while (pos < line.size()) {
    size_t end = line.find('\t', pos);
    if (end == std::string_view::npos) end = line.size();
    if (end > pos) fields.push_back(line.substr(pos, end - pos));
    pos = end + 1;
  }
  // An old format leaves the path out: a boolean in the third field means "/".
  if (fields.size() >= 3 && (fields[2] == "TRUE" || fields[2] == "FALSE"))
    fields.insert(fields.begin() + 2, std::string_view("/"));
  if (fields.size() == 6) fields.push_back(std::string_view());  // an empty value
  if (fields.size() != 7) return std::nullopt;
  std::string_view domain = fields[0];
  if (!domain.empty() && domain.front() == '.') domain.remove_prefix(1);
  co.domain = domain;
  co.tailmatch = ascii::iequals(fields[1], "TRUE");
  co.path = fields[2];
  co.spath = sanitize_path(co.path);
  co.secure = ascii::iequals(fields[3], "TRUE");
  bool overflow = false;
  if (!parse_unsigned(fields[4], co.expires, overflow)) return std::nullopt;
  co.name = fields[5];
  co.value = fields[6];
  if (!prefix_rules_hold(co)) return std::nullopt;
  return co;
}

}  // namespace evm::cookie
