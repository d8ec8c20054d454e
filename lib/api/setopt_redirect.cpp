// Redirects: FOLLOWLOCATION, MAXREDIRS, POSTREDIR, AUTOREFERER, REFERER, (REDIR_)PROTOCOLS,
// UNRESTRICTED_AUTH.
#include <cstring>
#include <string_view>

#include "api/setopt.h"
#include "util/ascii.h"

namespace evm {
namespace {

struct ProtocolName {
  const char *name;
  long bit;
};

// Every scheme libcurl 7.88 knows by name. Only http and https are built here; the others may
// be listed (a redirect to one of them then fails as unsupported, as in a libcurl built
// without them).
constexpr ProtocolName kProtocols[] = {
    {"dict", CURLPROTO_DICT},
    {"file", CURLPROTO_FILE},
    {"ftp", CURLPROTO_FTP},
    {"ftps", CURLPROTO_FTPS},
    {"gopher", CURLPROTO_GOPHER},
    {"gophers", CURLPROTO_GOPHERS},
    {"http", CURLPROTO_HTTP},
    {"https", CURLPROTO_HTTPS},
    {"imap", CURLPROTO_IMAP},
    {"imaps", CURLPROTO_IMAPS},
    {"ldap", CURLPROTO_LDAP},
    {"ldaps", CURLPROTO_LDAPS},
    {"mqtt", CURLPROTO_MQTT},
    {"pop3", CURLPROTO_POP3},
    {"pop3s", CURLPROTO_POP3S},
    {"rtmp", CURLPROTO_RTMP},
    {"rtmpe", CURLPROTO_RTMPE},
    {"rtmps", CURLPROTO_RTMPS},
    {"rtmpt", CURLPROTO_RTMPT},
    {"rtmpte", CURLPROTO_RTMPTE},
    {"rtmpts", CURLPROTO_RTMPTS},
    {"rtsp", CURLPROTO_RTSP},
    {"scp", CURLPROTO_SCP},
    {"sftp", CURLPROTO_SFTP},
    {"smb", CURLPROTO_SMB},
    {"smbs", CURLPROTO_SMBS},
    {"smtp", CURLPROTO_SMTP},
    {"smtps", CURLPROTO_SMTPS},
    {"telnet", CURLPROTO_TELNET},
    {"tftp", CURLPROTO_TFTP},
    {"ws", 1L << 30},
    {"wss", 1L << 31},
};

// "http,https" or "ALL" (any case). An unknown name is CURLE_UNSUPPORTED_PROTOCOL and an empty
// result CURLE_BAD_FUNCTION_ARGUMENT, as libcurl answers.
CURLcode parse_protocols(const char *text, long &out) {
  if (!text) return CURLE_BAD_FUNCTION_ARGUMENT;
  long mask = 0;
  std::string_view rest(text);
  while (!rest.empty()) {
    size_t comma = rest.find(',');
    std::string_view name = rest.substr(0, comma);
    rest.remove_prefix(comma == std::string_view::npos ? rest.size() : comma + 1);
    while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
    while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
    if (name.empty()) continue;
    if (ascii::iequals(name, "all")) {
      mask = CURLPROTO_ALL;
      continue;
    }
    bool known = false;
    for (const ProtocolName &p : kProtocols) {
      if (ascii::iequals(name, p.name)) {
        mask |= p.bit;
        known = true;
      }
    }
    if (!known) return CURLE_UNSUPPORTED_PROTOCOL;
  }
  if (!mask) return CURLE_BAD_FUNCTION_ARGUMENT;
  out = mask;
  return CURLE_OK;
}

}  // namespace

CURLcode set_redirect_option(EasyOptions &o, CURLoption opt, const OptionArg &arg) {
  switch (opt) {
    case CURLOPT_FOLLOWLOCATION:
      o.follow_location = arg.number != 0;
      return CURLE_OK;
    case CURLOPT_MAXREDIRS:
      if (arg.number < -1) return CURLE_BAD_FUNCTION_ARGUMENT;
      o.max_redirs = arg.number;
      return CURLE_OK;
    case CURLOPT_POSTREDIR:
      if (arg.number < 0) return CURLE_BAD_FUNCTION_ARGUMENT;
      o.post_redir = arg.number & CURL_REDIR_POST_ALL;
      return CURLE_OK;
    case CURLOPT_AUTOREFERER:
      o.auto_referer = arg.number != 0;
      return CURLE_OK;
    case CURLOPT_REFERER:
      if (arg.string())
        o.referer = arg.string();
      else
        o.referer.clear();
      return CURLE_OK;
    case CURLOPT_PROTOCOLS:
      o.protocols = arg.number;
      return CURLE_OK;
    case CURLOPT_REDIR_PROTOCOLS:
      o.redir_protocols = arg.number;
      return CURLE_OK;
    case CURLOPT_PROTOCOLS_STR:
      return parse_protocols(arg.string(), o.protocols);
    case CURLOPT_REDIR_PROTOCOLS_STR:
      return parse_protocols(arg.string(), o.redir_protocols);
    case CURLOPT_UNRESTRICTED_AUTH:
      o.unrestricted_auth = arg.number != 0;
      return CURLE_OK;
    default:
      return CURLE_UNKNOWN_OPTION;
  }
}

}  // namespace evm
