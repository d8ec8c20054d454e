#include "cookie/cookie_jar.h"

#include <algorithm>

#include "cookie/netscape_format.h"
#include "util/ascii.h"

namespace evm::cookie {

namespace {

bool same_domain(const Cookie &a, const Cookie &b) {
  return ascii::iequals(a.domain, b.domain);
}

// libcurl refuses a non-secure cookie set insecurely over a secure one of the same name and
// domain whose path's first segment prefixes the new path ("/login" guards "/login/en").
bool overlays_secure(const Cookie &old, const Cookie &c) {
  std::string_view guard = old.spath;
  if (guard.size() > 1) {
    size_t slash = guard.find('/', 1);
    if (slash != std::string_view::npos) guard = guard.substr(0, slash);
  }
  return ascii::istarts_with(c.spath, guard);
}

bool domain_matches(const Cookie &c, std::string_view host, bool host_ip) {
  // A cookie without a domain lands where libcurl files numeric hosts, so only those get it.
  if (c.domain.empty()) return host_ip;
  if (c.tailmatch && !host_ip) return domain_tailmatch(c.domain, host);
  return ascii::iequals(host, c.domain);
}

}  // namespace

bool CookieJar::add(Cookie c, const AddContext &ctx, bool *replaced_one) {
  if (replaced_one) *replaced_one = false;
  if (!ctx.live && ctx.drop_session && c.expires == 0) return false;
  c.live = ctx.live;
  c.created = ++counter_;
  if (!ctx.keep_expired) remove_expired(ctx.now);
  Cookie *replaced = nullptr;
  for (Cookie &old : cookies_) {
    if (!ascii::iequals(old.name, c.name)) continue;
    if (same_domain(old, c) && old.secure && !c.secure && !ctx.secure && overlays_secure(old, c))
      return false;
    if (replaced) continue;
    bool same = same_domain(old, c) && (old.domain.empty() || old.tailmatch == c.tailmatch) &&
                ascii::iequals(old.spath, c.spath);
    if (!same) continue;
    // A cookie set by a server wins over the same cookie read from a file.
    if (!c.live && old.live) return false;
    replaced = &old;
  }
  if (replaced) {
    c.created = replaced->created;  // a replaced cookie keeps its place in the order
    if (replaced_one) *replaced_one = true;
    *replaced = std::move(c);
  } else {
    cookies_.push_back(std::move(c));
  }
  return true;
}

bool CookieJar::add_set_cookie(std::string_view line, const SetCookieContext &parse,
                               const AddContext &ctx) {
  auto c = parse_set_cookie(line, parse);
  return c && add(std::move(*c), ctx);
}

bool CookieJar::add_netscape_line(std::string_view line, const AddContext &ctx) {
  auto c = parse_netscape_line(line);
  return c && add(std::move(*c), ctx);
}

void CookieJar::add_file_text(std::string_view text, const AddContext &ctx) {
  AddContext file_ctx = ctx;
  file_ctx.keep_expired = true;
  SetCookieContext parse;  // no host: a Domain attribute is taken as given
  parse.now = ctx.now;
  while (!text.empty()) {
    size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    if (line.size() >= kMaxLineLength) continue;  // libcurl skips what its line buffer cannot hold
    if (ascii::istarts_with(line, "Set-Cookie:")) {
      std::string_view rest = line.substr(11);
      while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t')) rest.remove_prefix(1);
      add_set_cookie(rest, parse, file_ctx);
    } else {
      while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
      add_netscape_line(line, file_ctx);
    }
  }
  remove_expired(ctx.now);
}

void CookieJar::remove_expired(int64_t now) {
  std::erase_if(cookies_, [now](const Cookie &c) { return c.expires != 0 && c.expires < now; });
}

void CookieJar::clear_session() {
  std::erase_if(cookies_, [](const Cookie &c) { return c.expires == 0; });
}

std::string CookieJar::header_for(std::string_view host, std::string_view path, bool secure,
                                  int64_t now, bool *capped) {
  if (capped) *capped = false;
  remove_expired(now);
  bool host_ip = is_ip_address(host);
  std::vector<const Cookie *> matched;
  for (const Cookie &c : cookies_) {
    if (c.secure && !secure) continue;
    if (!domain_matches(c, host, host_ip) || !path_match(c.spath, path)) continue;
    if (matched.size() >= kMaxSendCount) break;
    matched.push_back(&c);
  }
  std::sort(matched.begin(), matched.end(), [](const Cookie *a, const Cookie *b) {
    if (a->path.size() != b->path.size()) return a->path.size() > b->path.size();
    if (a->domain.size() != b->domain.size()) return a->domain.size() > b->domain.size();
    if (a->name.size() != b->name.size()) return a->name.size() > b->name.size();
    return a->created > b->created;
  });
  std::string out;
  size_t counted = 0;  // libcurl's measure: name, value and 3 separator bytes per cookie
  for (const Cookie *c : matched) {
    if (counted + c->name.size() + c->value.size() > kMaxHeaderLength) {
      if (capped) *capped = true;
      break;
    }
    if (!out.empty()) out += "; ";
    out += c->name;
    out += '=';
    out += c->value;
    counted += c->name.size() + c->value.size() + 3;
  }
  return out;
}

std::vector<std::string> CookieJar::netscape_lines() const {
  std::vector<std::string> lines;
  for (const Cookie &c : cookies_)
    if (!c.domain.empty()) lines.push_back(format_netscape_line(c));
  return lines;
}

std::string CookieJar::file_text(int64_t now) {
  remove_expired(now);
  std::vector<const Cookie *> order;
  for (const Cookie &c : cookies_)
    if (!c.domain.empty()) order.push_back(&c);
  std::sort(order.begin(), order.end(),
            [](const Cookie *a, const Cookie *b) { return a->created > b->created; });
  std::string text = kJarFileHeader;
  for (const Cookie *c : order) {
    text += format_netscape_line(*c);
    text += '\n';
  }
  return text;
}

}  // namespace evm::cookie
