// The cookie engine: COOKIE, COOKIEFILE, COOKIEJAR, COOKIELIST, COOKIESESSION.
#include <cstring>

#include "api/setopt.h"
#include "cookie/cookie_engine.h"
#include "util/ascii.h"

namespace evm {

namespace {

constexpr size_t kMaxInputLength = 8000000;  // libcurl's cap on any string option

// COOKIELIST: a command word, or a cookie as a "Set-Cookie:" line or a Netscape line.
CURLcode cookie_list(EasyOptions &o, const char *arg) {
  if (!arg) return CURLE_OK;
  std::string_view line(arg);
  cookie::CookieEngine &engine = o.cookies;
  int64_t now = cookie::unix_now();
  if (ascii::iequals(line, "ALL")) {
    if (engine.jar) engine.jar->clear_all();
  } else if (ascii::iequals(line, "SESS")) {
    if (engine.jar) engine.jar->clear_session();
  } else if (ascii::iequals(line, "FLUSH")) {
    // libcurl ignores a failed write here too (it only says so in the verbose output).
    if (!o.cookie_jar.empty()) engine.write_jar(o.cookie_jar, o.cookie_session, now);
  } else if (ascii::iequals(line, "RELOAD")) {
    engine.load_files(o.cookie_session, now);
  } else {
    cookie::CookieJar &jar = engine.enable();
    if (line.size() > kMaxInputLength) return CURLE_BAD_FUNCTION_ARGUMENT;
    cookie::AddContext ctx;
    ctx.now = now;
    if (ascii::istarts_with(line, "Set-Cookie:")) {
      cookie::SetCookieContext parse;
      parse.now = now;
      std::string_view rest = line.substr(11);
      while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t')) rest.remove_prefix(1);
      jar.add_set_cookie(rest, parse, ctx);
    } else {
      jar.add_netscape_line(line, ctx);
    }
  }
  return CURLE_OK;
}

}  // namespace

CURLcode set_cookie_option(EasyOptions &o, CURLoption opt, const OptionArg &arg) {
  const char *s = arg.string();
  switch (opt) {
    case CURLOPT_COOKIE:
      if (s && std::strlen(s) > kMaxInputLength) return CURLE_BAD_FUNCTION_ARGUMENT;
      // A line break would smuggle headers into the request: refused, never sent.
      if (s && std::strpbrk(s, "\r\n")) return CURLE_BAD_FUNCTION_ARGUMENT;
      o.cookie = s ? s : "";
      return CURLE_OK;
    case CURLOPT_COOKIEFILE:
      if (s) {
        if (std::strlen(s) > kMaxInputLength) return CURLE_BAD_FUNCTION_ARGUMENT;
        // Read at the start of each transfer; "" only turns the engine on.
        o.cookies.files.emplace_back(s);
        o.cookies.enable();
      } else {
        // NULL forgets the files, throws the cookies away and turns the engine off.
        o.cookies.files.clear();
        o.cookies.jar.reset();
      }
      return CURLE_OK;
    case CURLOPT_COOKIEJAR:
      if (s && std::strlen(s) > kMaxInputLength) return CURLE_BAD_FUNCTION_ARGUMENT;
      o.cookie_jar = s ? s : "";
      o.cookies.enable();  // setting a jar turns the engine on, as in libcurl
      return CURLE_OK;
    case CURLOPT_COOKIESESSION:
      o.cookie_session = arg.number != 0;
      return CURLE_OK;
    case CURLOPT_COOKIELIST: {
      auto hold = o.share.lock(CURL_LOCK_DATA_COOKIE);
      return cookie_list(o, s);
    }
    default:
      return CURLE_UNKNOWN_OPTION;
  }
}

}  // namespace evm
