// The easy option table: every name libcurl 7.88's curl_easy_option_next returns, with its id,
// type and flags as 7.88 has them (the differential test compares), plus evmulti's status.
#include "api/option_table.h"

#include <strings.h>

#include <algorithm>
#include <array>
#include <cstdint>

namespace evm {
namespace {

// What setopt answers for an option not built, as a libcurl 7.88 built without the feature:
// unknown when 7.88 compiles the option out with it, NOT_BUILT_IN when 7.88 says so, and OK
// when 7.88 takes the option and does nothing with it.
constexpr CURLcode kUnknown = CURLE_UNKNOWN_OPTION;
constexpr CURLcode kNotBuiltIn = CURLE_NOT_BUILT_IN;
constexpr CURLcode kIgnored = CURLE_OK;

constexpr const char kFtp[] = "FTP is not built";
constexpr const char kFtpSftp[] = "FTP and SFTP are not built";
constexpr const char kSsh[] = "SFTP and SCP are not built";
constexpr const char kSmtp[] = "SMTP is not built";
constexpr const char kRtsp[] = "RTSP is not built";
constexpr const char kTelnet[] = "TELNET is not built";
constexpr const char kTftp[] = "TFTP is not built";
constexpr const char kWebSockets[] = "WebSockets are not built";
constexpr const char kProxy[] = "proxies come with the proxy issue";
constexpr const char kGssapi[] = "GSS-API is not built";
constexpr const char kAltSvc[] = "Alt-Svc is not built";
constexpr const char kHsts[] = "HSTS is not built";
constexpr const char kDoh[] = "DNS-over-HTTPS is not built";
constexpr const char kNetrc[] = ".netrc is not built";
constexpr const char kTlsSrp[] = "TLS-SRP is not built";
constexpr const char kUnixSockets[] = "Unix domain sockets are not built";
constexpr const char kShuffle[] = "DNS address shuffling is not built";
constexpr const char kConvRemoved[] = "removed in libcurl 7.82, unknown to 7.88 as well";
constexpr const char kDnsBind[] = "binding DNS queries to an interface or address is not built";
constexpr const char kFastOpen[] = "TCP Fast Open is not built";
constexpr const char kFalseStart[] = "TLS False Start is not built";
constexpr const char kSslCtx[] = "the SSL_CTX callback is not built";
constexpr const char kOcsp[] = "OCSP stapling checks are not built";
constexpr const char kEngines[] = "OpenSSL engines are not built";
constexpr const char kSigV4[] = "AWS SigV4 signing is not built";
constexpr const char kNegotiate[] = "Negotiate (GSS-API) is not built";
constexpr const char kProxyHeaders[] = "proxies come with the proxy issue";
constexpr const char kCrl[] = "revocation lists and issuer checks are not built";
constexpr const char kCertBlobs[] = "client certificates from memory are not built";
constexpr const char kCurves[] = "TLS group (curve) selection is not built";
constexpr const char kAlpn[] = "ALPN is always offered; turning it off is not built";
constexpr const char kScopeId[] = "IPv6 scope ids are not built";
constexpr const char kSpeedCaps[] = "speed caps are not built";
constexpr const char kTrailers[] = "chunked upload trailers are not built";
constexpr const char kNotYet[] = "not built yet";
constexpr const char kDeprecated[] = "deprecated; libcurl 7.88 ignores it too";
constexpr const char kFtpIgnored[] =
    "FTP and SFTP are not built; libcurl 7.88 without them accepts it too";
constexpr const char kMailIgnored[] =
    "IMAP, POP3 and SMTP are not built; libcurl 7.88 without them accepts it too";
constexpr const char kMailFtpIgnored[] =
    "FTP, SFTP, IMAP, POP3 and SMTP are not built; libcurl 7.88 without them accepts it too";
constexpr const char kStartTlsIgnored[] =
    "FTP, IMAP, POP3 and SMTP are not built; libcurl 7.88 without them accepts it too";

constexpr OptionInfo kTable[] = {
    {{"ABSTRACT_UNIX_SOCKET", CURLOPT_ABSTRACT_UNIX_SOCKET, CURLOT_STRING, 0},
     kUnknown,
     kUnixSockets},
    {{"ACCEPTTIMEOUT_MS", CURLOPT_ACCEPTTIMEOUT_MS, CURLOT_LONG, 0}, kUnknown, kFtp},
    {{"ACCEPT_ENCODING", CURLOPT_ACCEPT_ENCODING, CURLOT_STRING, 0}},
    {{"ADDRESS_SCOPE", CURLOPT_ADDRESS_SCOPE, CURLOT_LONG, 0}, kNotBuiltIn, kScopeId},
    {{"ALTSVC", CURLOPT_ALTSVC, CURLOT_STRING, 0}, kUnknown, kAltSvc},
    {{"ALTSVC_CTRL", CURLOPT_ALTSVC_CTRL, CURLOT_LONG, 0}, kUnknown, kAltSvc},
    {{"APPEND", CURLOPT_APPEND, CURLOT_LONG, 0}, kIgnored, kFtpIgnored},
    {{"AUTOREFERER", CURLOPT_AUTOREFERER, CURLOT_LONG, 0}},
    {{"AWS_SIGV4", CURLOPT_AWS_SIGV4, CURLOT_STRING, 0}, kNotBuiltIn, kSigV4},
    {{"BUFFERSIZE", CURLOPT_BUFFERSIZE, CURLOT_LONG, 0}},
    {{"CAINFO", CURLOPT_CAINFO, CURLOT_STRING, 0}},
    {{"CAINFO_BLOB", CURLOPT_CAINFO_BLOB, CURLOT_BLOB, 0}},
    {{"CAPATH", CURLOPT_CAPATH, CURLOT_STRING, 0}},
    {{"CA_CACHE_TIMEOUT", CURLOPT_CA_CACHE_TIMEOUT, CURLOT_LONG, 0}, kNotBuiltIn, kNotYet},
    {{"CERTINFO", CURLOPT_CERTINFO, CURLOT_LONG, 0}},
    {{"CHUNK_BGN_FUNCTION", CURLOPT_CHUNK_BGN_FUNCTION, CURLOT_FUNCTION, 0}, kUnknown, kFtp},
    {{"CHUNK_DATA", CURLOPT_CHUNK_DATA, CURLOT_CBPTR, 0}, kUnknown, kFtp},
    {{"CHUNK_END_FUNCTION", CURLOPT_CHUNK_END_FUNCTION, CURLOT_FUNCTION, 0}, kUnknown, kFtp},
    {{"CLOSESOCKETDATA", CURLOPT_CLOSESOCKETDATA, CURLOT_CBPTR, 0}},
    {{"CLOSESOCKETFUNCTION", CURLOPT_CLOSESOCKETFUNCTION, CURLOT_FUNCTION, 0}},
    {{"CONNECTTIMEOUT", CURLOPT_CONNECTTIMEOUT, CURLOT_LONG, 0}},
    {{"CONNECTTIMEOUT_MS", CURLOPT_CONNECTTIMEOUT_MS, CURLOT_LONG, 0}},
    {{"CONNECT_ONLY", CURLOPT_CONNECT_ONLY, CURLOT_LONG, 0}},
    {{"CONNECT_TO", CURLOPT_CONNECT_TO, CURLOT_SLIST, 0}},
    {{"CONV_FROM_NETWORK_FUNCTION", CURLOPT_CONV_FROM_NETWORK_FUNCTION, CURLOT_FUNCTION, 0},
     kUnknown,
     kConvRemoved},
    {{"CONV_FROM_UTF8_FUNCTION", CURLOPT_CONV_FROM_UTF8_FUNCTION, CURLOT_FUNCTION, 0},
     kUnknown,
     kConvRemoved},
    {{"CONV_TO_NETWORK_FUNCTION", CURLOPT_CONV_TO_NETWORK_FUNCTION, CURLOT_FUNCTION, 0},
     kUnknown,
     kConvRemoved},
    {{"COOKIE", CURLOPT_COOKIE, CURLOT_STRING, 0}},
    {{"COOKIEFILE", CURLOPT_COOKIEFILE, CURLOT_STRING, 0}},
    {{"COOKIEJAR", CURLOPT_COOKIEJAR, CURLOT_STRING, 0}},
    {{"COOKIELIST", CURLOPT_COOKIELIST, CURLOT_STRING, 0}},
    {{"COOKIESESSION", CURLOPT_COOKIESESSION, CURLOT_LONG, 0}},
    {{"COPYPOSTFIELDS", CURLOPT_COPYPOSTFIELDS, CURLOT_OBJECT, 0}},
    {{"CRLF", CURLOPT_CRLF, CURLOT_LONG, 0}, kNotBuiltIn, kNotYet},
    {{"CRLFILE", CURLOPT_CRLFILE, CURLOT_STRING, 0}, kNotBuiltIn, kCrl},
    {{"CURLU", CURLOPT_CURLU, CURLOT_OBJECT, 0}},
    {{"CUSTOMREQUEST", CURLOPT_CUSTOMREQUEST, CURLOT_STRING, 0}},
    {{"DEBUGDATA", CURLOPT_DEBUGDATA, CURLOT_CBPTR, 0}},
    {{"DEBUGFUNCTION", CURLOPT_DEBUGFUNCTION, CURLOT_FUNCTION, 0}},
    {{"DEFAULT_PROTOCOL", CURLOPT_DEFAULT_PROTOCOL, CURLOT_STRING, 0}, kNotBuiltIn, kNotYet},
    {{"DIRLISTONLY", CURLOPT_DIRLISTONLY, CURLOT_LONG, 0}, kIgnored, kFtpIgnored},
    {{"DISALLOW_USERNAME_IN_URL", CURLOPT_DISALLOW_USERNAME_IN_URL, CURLOT_LONG, 0},
     kNotBuiltIn,
     kNotYet},
    {{"DNS_CACHE_TIMEOUT", CURLOPT_DNS_CACHE_TIMEOUT, CURLOT_LONG, 0}},
    {{"DNS_INTERFACE", CURLOPT_DNS_INTERFACE, CURLOT_STRING, 0}, kNotBuiltIn, kDnsBind},
    {{"DNS_LOCAL_IP4", CURLOPT_DNS_LOCAL_IP4, CURLOT_STRING, 0}, kNotBuiltIn, kDnsBind},
    {{"DNS_LOCAL_IP6", CURLOPT_DNS_LOCAL_IP6, CURLOT_STRING, 0}, kNotBuiltIn, kDnsBind},
    {{"DNS_SERVERS", CURLOPT_DNS_SERVERS, CURLOT_STRING, 0}},
    {{"DNS_SHUFFLE_ADDRESSES", CURLOPT_DNS_SHUFFLE_ADDRESSES, CURLOT_LONG, 0}, kUnknown, kShuffle},
    {{"DNS_USE_GLOBAL_CACHE", CURLOPT_DNS_USE_GLOBAL_CACHE, CURLOT_LONG, 0}, kIgnored, kDeprecated},
    {{"DOH_SSL_VERIFYHOST", CURLOPT_DOH_SSL_VERIFYHOST, CURLOT_LONG, 0}, kUnknown, kDoh},
    {{"DOH_SSL_VERIFYPEER", CURLOPT_DOH_SSL_VERIFYPEER, CURLOT_LONG, 0}, kUnknown, kDoh},
    {{"DOH_SSL_VERIFYSTATUS", CURLOPT_DOH_SSL_VERIFYSTATUS, CURLOT_LONG, 0}, kUnknown, kDoh},
    {{"DOH_URL", CURLOPT_DOH_URL, CURLOT_STRING, 0}, kUnknown, kDoh},
    {{"EGDSOCKET", CURLOPT_EGDSOCKET, CURLOT_STRING, 0}, kIgnored, kDeprecated},
    {{"ENCODING", CURLOPT_ENCODING, CURLOT_STRING, CURLOT_FLAG_ALIAS}},
    {{"ERRORBUFFER", CURLOPT_ERRORBUFFER, CURLOT_OBJECT, 0}},
    {{"EXPECT_100_TIMEOUT_MS", CURLOPT_EXPECT_100_TIMEOUT_MS, CURLOT_LONG, 0}},
    {{"FAILONERROR", CURLOPT_FAILONERROR, CURLOT_LONG, 0}},
    {{"FILE", CURLOPT_FILE, CURLOT_CBPTR, CURLOT_FLAG_ALIAS}},
    {{"FILETIME", CURLOPT_FILETIME, CURLOT_LONG, 0}},
    {{"FNMATCH_DATA", CURLOPT_FNMATCH_DATA, CURLOT_CBPTR, 0}, kUnknown, kFtp},
    {{"FNMATCH_FUNCTION", CURLOPT_FNMATCH_FUNCTION, CURLOT_FUNCTION, 0}, kUnknown, kFtp},
    {{"FOLLOWLOCATION", CURLOPT_FOLLOWLOCATION, CURLOT_LONG, 0}},
    {{"FORBID_REUSE", CURLOPT_FORBID_REUSE, CURLOT_LONG, 0}},
    {{"FRESH_CONNECT", CURLOPT_FRESH_CONNECT, CURLOT_LONG, 0}},
    {{"FTPAPPEND", CURLOPT_FTPAPPEND, CURLOT_LONG, CURLOT_FLAG_ALIAS}, kIgnored, kFtpIgnored},
    {{"FTPLISTONLY", CURLOPT_FTPLISTONLY, CURLOT_LONG, CURLOT_FLAG_ALIAS}, kIgnored, kFtpIgnored},
    {{"FTPPORT", CURLOPT_FTPPORT, CURLOT_STRING, 0}, kUnknown, kFtp},
    {{"FTPSSLAUTH", CURLOPT_FTPSSLAUTH, CURLOT_VALUES, 0}, kUnknown, kFtp},
    {{"FTP_ACCOUNT", CURLOPT_FTP_ACCOUNT, CURLOT_STRING, 0}, kUnknown, kFtp},
    {{"FTP_ALTERNATIVE_TO_USER", CURLOPT_FTP_ALTERNATIVE_TO_USER, CURLOT_STRING, 0},
     kUnknown,
     kFtp},
    {{"FTP_CREATE_MISSING_DIRS", CURLOPT_FTP_CREATE_MISSING_DIRS, CURLOT_LONG, 0},
     kUnknown,
     kFtpSftp},
    {{"FTP_FILEMETHOD", CURLOPT_FTP_FILEMETHOD, CURLOT_VALUES, 0}, kUnknown, kFtp},
    {{"FTP_RESPONSE_TIMEOUT", CURLOPT_FTP_RESPONSE_TIMEOUT, CURLOT_LONG, CURLOT_FLAG_ALIAS},
     kIgnored,
     kMailFtpIgnored},
    {{"FTP_SKIP_PASV_IP", CURLOPT_FTP_SKIP_PASV_IP, CURLOT_LONG, 0}, kUnknown, kFtp},
    {{"FTP_SSL", CURLOPT_FTP_SSL, CURLOT_VALUES, CURLOT_FLAG_ALIAS}, kIgnored, kStartTlsIgnored},
    {{"FTP_SSL_CCC", CURLOPT_FTP_SSL_CCC, CURLOT_LONG, 0}, kUnknown, kFtp},
    {{"FTP_USE_EPRT", CURLOPT_FTP_USE_EPRT, CURLOT_LONG, 0}, kUnknown, kFtp},
    {{"FTP_USE_EPSV", CURLOPT_FTP_USE_EPSV, CURLOT_LONG, 0}, kUnknown, kFtp},
    {{"FTP_USE_PRET", CURLOPT_FTP_USE_PRET, CURLOT_LONG, 0}, kUnknown, kFtp},
    {{"GSSAPI_DELEGATION", CURLOPT_GSSAPI_DELEGATION, CURLOT_VALUES, 0}, kNotBuiltIn, kNegotiate},
    {{"HAPPY_EYEBALLS_TIMEOUT_MS", CURLOPT_HAPPY_EYEBALLS_TIMEOUT_MS, CURLOT_LONG, 0},
     kNotBuiltIn,
     kNotYet},
    {{"HAPROXYPROTOCOL", CURLOPT_HAPROXYPROTOCOL, CURLOT_LONG, 0}, kUnknown, kProxy},
    {{"HEADER", CURLOPT_HEADER, CURLOT_LONG, 0}},
    {{"HEADERDATA", CURLOPT_HEADERDATA, CURLOT_CBPTR, 0}},
    {{"HEADERFUNCTION", CURLOPT_HEADERFUNCTION, CURLOT_FUNCTION, 0}},
    {{"HEADEROPT", CURLOPT_HEADEROPT, CURLOT_VALUES, 0}, kNotBuiltIn, kProxyHeaders},
    {{"HSTS", CURLOPT_HSTS, CURLOT_STRING, 0}, kUnknown, kHsts},
    {{"HSTSREADDATA", CURLOPT_HSTSREADDATA, CURLOT_CBPTR, 0}, kUnknown, kHsts},
    {{"HSTSREADFUNCTION", CURLOPT_HSTSREADFUNCTION, CURLOT_FUNCTION, 0}, kUnknown, kHsts},
    {{"HSTSWRITEDATA", CURLOPT_HSTSWRITEDATA, CURLOT_CBPTR, 0}, kUnknown, kHsts},
    {{"HSTSWRITEFUNCTION", CURLOPT_HSTSWRITEFUNCTION, CURLOT_FUNCTION, 0}, kUnknown, kHsts},
    {{"HSTS_CTRL", CURLOPT_HSTS_CTRL, CURLOT_LONG, 0}, kUnknown, kHsts},
    {{"HTTP09_ALLOWED", CURLOPT_HTTP09_ALLOWED, CURLOT_LONG, 0}},
    {{"HTTP200ALIASES", CURLOPT_HTTP200ALIASES, CURLOT_SLIST, 0}, kNotBuiltIn, kNotYet},
    {{"HTTPAUTH", CURLOPT_HTTPAUTH, CURLOT_VALUES, 0}},
    {{"HTTPGET", CURLOPT_HTTPGET, CURLOT_LONG, 0}},
    {{"HTTPHEADER", CURLOPT_HTTPHEADER, CURLOT_SLIST, 0}},
    {{"HTTPPOST", CURLOPT_HTTPPOST, CURLOT_OBJECT, 0}},
    {{"HTTPPROXYTUNNEL", CURLOPT_HTTPPROXYTUNNEL, CURLOT_LONG, 0}, kUnknown, kProxy},
    {{"HTTP_CONTENT_DECODING", CURLOPT_HTTP_CONTENT_DECODING, CURLOT_LONG, 0}},
    {{"HTTP_TRANSFER_DECODING", CURLOPT_HTTP_TRANSFER_DECODING, CURLOT_LONG, 0}},
    {{"HTTP_VERSION", CURLOPT_HTTP_VERSION, CURLOT_VALUES, 0}},
    {{"IGNORE_CONTENT_LENGTH", CURLOPT_IGNORE_CONTENT_LENGTH, CURLOT_LONG, 0},
     kNotBuiltIn,
     kNotYet},
    {{"INFILE", CURLOPT_INFILE, CURLOT_CBPTR, CURLOT_FLAG_ALIAS}},
    {{"INFILESIZE", CURLOPT_INFILESIZE, CURLOT_LONG, 0}},
    {{"INFILESIZE_LARGE", CURLOPT_INFILESIZE_LARGE, CURLOT_OFF_T, 0}},
    {{"INTERFACE", CURLOPT_INTERFACE, CURLOT_STRING, 0}},
    {{"INTERLEAVEDATA", CURLOPT_INTERLEAVEDATA, CURLOT_CBPTR, 0}, kUnknown, kRtsp},
    {{"INTERLEAVEFUNCTION", CURLOPT_INTERLEAVEFUNCTION, CURLOT_FUNCTION, 0}, kUnknown, kRtsp},
    {{"IOCTLDATA", CURLOPT_IOCTLDATA, CURLOT_CBPTR, 0}, kNotBuiltIn, kNotYet},
    {{"IOCTLFUNCTION", CURLOPT_IOCTLFUNCTION, CURLOT_FUNCTION, 0}, kNotBuiltIn, kNotYet},
    {{"IPRESOLVE", CURLOPT_IPRESOLVE, CURLOT_VALUES, 0}},
    {{"ISSUERCERT", CURLOPT_ISSUERCERT, CURLOT_STRING, 0}, kNotBuiltIn, kCrl},
    {{"ISSUERCERT_BLOB", CURLOPT_ISSUERCERT_BLOB, CURLOT_BLOB, 0}, kNotBuiltIn, kCrl},
    {{"KEEP_SENDING_ON_ERROR", CURLOPT_KEEP_SENDING_ON_ERROR, CURLOT_LONG, 0},
     kNotBuiltIn,
     kNotYet},
    {{"KEYPASSWD", CURLOPT_KEYPASSWD, CURLOT_STRING, 0}},
    {{"KRB4LEVEL", CURLOPT_KRB4LEVEL, CURLOT_STRING, CURLOT_FLAG_ALIAS}, kUnknown, kFtp},
    {{"KRBLEVEL", CURLOPT_KRBLEVEL, CURLOT_STRING, 0}, kUnknown, kFtp},
    {{"LOCALPORT", CURLOPT_LOCALPORT, CURLOT_LONG, 0}},
    {{"LOCALPORTRANGE", CURLOPT_LOCALPORTRANGE, CURLOT_LONG, 0}},
    {{"LOGIN_OPTIONS", CURLOPT_LOGIN_OPTIONS, CURLOT_STRING, 0}, kIgnored, kMailIgnored},
    {{"LOW_SPEED_LIMIT", CURLOPT_LOW_SPEED_LIMIT, CURLOT_LONG, 0}},
    {{"LOW_SPEED_TIME", CURLOPT_LOW_SPEED_TIME, CURLOT_LONG, 0}},
    {{"MAIL_AUTH", CURLOPT_MAIL_AUTH, CURLOT_STRING, 0}, kUnknown, kSmtp},
    {{"MAIL_FROM", CURLOPT_MAIL_FROM, CURLOT_STRING, 0}, kUnknown, kSmtp},
    {{"MAIL_RCPT", CURLOPT_MAIL_RCPT, CURLOT_SLIST, 0}, kUnknown, kSmtp},
    {{"MAIL_RCPT_ALLLOWFAILS", CURLOPT_MAIL_RCPT_ALLLOWFAILS, CURLOT_LONG, 0}, kUnknown, kSmtp},
    {{"MAXAGE_CONN", CURLOPT_MAXAGE_CONN, CURLOT_LONG, 0}},
    {{"MAXCONNECTS", CURLOPT_MAXCONNECTS, CURLOT_LONG, 0}, kNotBuiltIn, kNotYet},
    {{"MAXFILESIZE", CURLOPT_MAXFILESIZE, CURLOT_LONG, 0}},
    {{"MAXFILESIZE_LARGE", CURLOPT_MAXFILESIZE_LARGE, CURLOT_OFF_T, 0}},
    {{"MAXLIFETIME_CONN", CURLOPT_MAXLIFETIME_CONN, CURLOT_LONG, 0}},
    {{"MAXREDIRS", CURLOPT_MAXREDIRS, CURLOT_LONG, 0}},
    {{"MAX_RECV_SPEED_LARGE", CURLOPT_MAX_RECV_SPEED_LARGE, CURLOT_OFF_T, 0},
     kNotBuiltIn,
     kSpeedCaps},
    {{"MAX_SEND_SPEED_LARGE", CURLOPT_MAX_SEND_SPEED_LARGE, CURLOT_OFF_T, 0},
     kNotBuiltIn,
     kSpeedCaps},
    {{"MIMEPOST", CURLOPT_MIMEPOST, CURLOT_OBJECT, 0}},
    {{"MIME_OPTIONS", CURLOPT_MIME_OPTIONS, CURLOT_LONG, 0}},
    {{"NETRC", CURLOPT_NETRC, CURLOT_VALUES, 0}, kUnknown, kNetrc},
    {{"NETRC_FILE", CURLOPT_NETRC_FILE, CURLOT_STRING, 0}, kUnknown, kNetrc},
    {{"NEW_DIRECTORY_PERMS", CURLOPT_NEW_DIRECTORY_PERMS, CURLOT_LONG, 0}, kUnknown, kSsh},
    {{"NEW_FILE_PERMS", CURLOPT_NEW_FILE_PERMS, CURLOT_LONG, 0}, kUnknown, kFtpSftp},
    {{"NOBODY", CURLOPT_NOBODY, CURLOT_LONG, 0}},
    {{"NOPROGRESS", CURLOPT_NOPROGRESS, CURLOT_LONG, 0}},
    {{"NOPROXY", CURLOPT_NOPROXY, CURLOT_STRING, 0}, kUnknown, kProxy},
    {{"NOSIGNAL", CURLOPT_NOSIGNAL, CURLOT_LONG, 0}},
    {{"OPENSOCKETDATA", CURLOPT_OPENSOCKETDATA, CURLOT_CBPTR, 0}},
    {{"OPENSOCKETFUNCTION", CURLOPT_OPENSOCKETFUNCTION, CURLOT_FUNCTION, 0}},
    {{"PASSWORD", CURLOPT_PASSWORD, CURLOT_STRING, 0}},
    {{"PATH_AS_IS", CURLOPT_PATH_AS_IS, CURLOT_LONG, 0}, kNotBuiltIn, kNotYet},
    {{"PINNEDPUBLICKEY", CURLOPT_PINNEDPUBLICKEY, CURLOT_STRING, 0}},
    {{"PIPEWAIT", CURLOPT_PIPEWAIT, CURLOT_LONG, 0}},
    {{"PORT", CURLOPT_PORT, CURLOT_LONG, 0}},
    {{"POST", CURLOPT_POST, CURLOT_LONG, 0}},
    {{"POST301", CURLOPT_POST301, CURLOT_VALUES, CURLOT_FLAG_ALIAS}},
    {{"POSTFIELDS", CURLOPT_POSTFIELDS, CURLOT_OBJECT, 0}},
    {{"POSTFIELDSIZE", CURLOPT_POSTFIELDSIZE, CURLOT_LONG, 0}},
    {{"POSTFIELDSIZE_LARGE", CURLOPT_POSTFIELDSIZE_LARGE, CURLOT_OFF_T, 0}},
    {{"POSTQUOTE", CURLOPT_POSTQUOTE, CURLOT_SLIST, 0}, kUnknown, kFtpSftp},
    {{"POSTREDIR", CURLOPT_POSTREDIR, CURLOT_VALUES, 0}},
    {{"PREQUOTE", CURLOPT_PREQUOTE, CURLOT_SLIST, 0}, kUnknown, kFtpSftp},
    {{"PREREQDATA", CURLOPT_PREREQDATA, CURLOT_CBPTR, 0}},
    {{"PREREQFUNCTION", CURLOPT_PREREQFUNCTION, CURLOT_FUNCTION, 0}},
    {{"PRE_PROXY", CURLOPT_PRE_PROXY, CURLOT_STRING, 0}, kUnknown, kProxy},
    {{"PRIVATE", CURLOPT_PRIVATE, CURLOT_OBJECT, 0}},
    {{"PROGRESSDATA", CURLOPT_PROGRESSDATA, CURLOT_CBPTR, CURLOT_FLAG_ALIAS}},
    {{"PROGRESSFUNCTION", CURLOPT_PROGRESSFUNCTION, CURLOT_FUNCTION, 0}},
    {{"PROTOCOLS", CURLOPT_PROTOCOLS, CURLOT_LONG, 0}},
    {{"PROTOCOLS_STR", CURLOPT_PROTOCOLS_STR, CURLOT_STRING, 0}},
    {{"PROXY", CURLOPT_PROXY, CURLOT_STRING, 0}, kUnknown, kProxy},
    {{"PROXYAUTH", CURLOPT_PROXYAUTH, CURLOT_VALUES, 0}},
    {{"PROXYHEADER", CURLOPT_PROXYHEADER, CURLOT_SLIST, 0}, kUnknown, kProxy},
    {{"PROXYPASSWORD", CURLOPT_PROXYPASSWORD, CURLOT_STRING, 0}, kUnknown, kProxy},
    {{"PROXYPORT", CURLOPT_PROXYPORT, CURLOT_LONG, 0}, kUnknown, kProxy},
    {{"PROXYTYPE", CURLOPT_PROXYTYPE, CURLOT_VALUES, 0}, kUnknown, kProxy},
    {{"PROXYUSERNAME", CURLOPT_PROXYUSERNAME, CURLOT_STRING, 0}, kUnknown, kProxy},
    {{"PROXYUSERPWD", CURLOPT_PROXYUSERPWD, CURLOT_STRING, 0}, kUnknown, kProxy},
    {{"PROXY_CAINFO", CURLOPT_PROXY_CAINFO, CURLOT_STRING, 0}, kUnknown, kProxy},
    {{"PROXY_CAINFO_BLOB", CURLOPT_PROXY_CAINFO_BLOB, CURLOT_BLOB, 0}, kUnknown, kProxy},
    {{"PROXY_CAPATH", CURLOPT_PROXY_CAPATH, CURLOT_STRING, 0}, kUnknown, kProxy},
    {{"PROXY_CRLFILE", CURLOPT_PROXY_CRLFILE, CURLOT_STRING, 0}, kUnknown, kProxy},
    {{"PROXY_ISSUERCERT", CURLOPT_PROXY_ISSUERCERT, CURLOT_STRING, 0}, kUnknown, kProxy},
    {{"PROXY_ISSUERCERT_BLOB", CURLOPT_PROXY_ISSUERCERT_BLOB, CURLOT_BLOB, 0}, kUnknown, kProxy},
    {{"PROXY_KEYPASSWD", CURLOPT_PROXY_KEYPASSWD, CURLOT_STRING, 0}, kUnknown, kProxy},
    {{"PROXY_PINNEDPUBLICKEY", CURLOPT_PROXY_PINNEDPUBLICKEY, CURLOT_STRING, 0}, kUnknown, kProxy},
    {{"PROXY_SERVICE_NAME", CURLOPT_PROXY_SERVICE_NAME, CURLOT_STRING, 0}, kUnknown, kProxy},
    {{"PROXY_SSLCERT", CURLOPT_PROXY_SSLCERT, CURLOT_STRING, 0}, kUnknown, kProxy},
    {{"PROXY_SSLCERTTYPE", CURLOPT_PROXY_SSLCERTTYPE, CURLOT_STRING, 0}, kUnknown, kProxy},
    {{"PROXY_SSLCERT_BLOB", CURLOPT_PROXY_SSLCERT_BLOB, CURLOT_BLOB, 0}, kUnknown, kProxy},
    {{"PROXY_SSLKEY", CURLOPT_PROXY_SSLKEY, CURLOT_STRING, 0}, kUnknown, kProxy},
    {{"PROXY_SSLKEYTYPE", CURLOPT_PROXY_SSLKEYTYPE, CURLOT_STRING, 0}, kUnknown, kProxy},
    {{"PROXY_SSLKEY_BLOB", CURLOPT_PROXY_SSLKEY_BLOB, CURLOT_BLOB, 0}, kUnknown, kProxy},
    {{"PROXY_SSLVERSION", CURLOPT_PROXY_SSLVERSION, CURLOT_VALUES, 0}, kUnknown, kProxy},
    {{"PROXY_SSL_CIPHER_LIST", CURLOPT_PROXY_SSL_CIPHER_LIST, CURLOT_STRING, 0}, kUnknown, kProxy},
    {{"PROXY_SSL_OPTIONS", CURLOPT_PROXY_SSL_OPTIONS, CURLOT_LONG, 0}, kUnknown, kProxy},
    {{"PROXY_SSL_VERIFYHOST", CURLOPT_PROXY_SSL_VERIFYHOST, CURLOT_LONG, 0}, kUnknown, kProxy},
    {{"PROXY_SSL_VERIFYPEER", CURLOPT_PROXY_SSL_VERIFYPEER, CURLOT_LONG, 0}, kUnknown, kProxy},
    {{"PROXY_TLS13_CIPHERS", CURLOPT_PROXY_TLS13_CIPHERS, CURLOT_STRING, 0}, kUnknown, kProxy},
    {{"PROXY_TLSAUTH_PASSWORD", CURLOPT_PROXY_TLSAUTH_PASSWORD, CURLOT_STRING, 0},
     kUnknown,
     kProxy},
    {{"PROXY_TLSAUTH_TYPE", CURLOPT_PROXY_TLSAUTH_TYPE, CURLOT_STRING, 0}, kUnknown, kProxy},
    {{"PROXY_TLSAUTH_USERNAME", CURLOPT_PROXY_TLSAUTH_USERNAME, CURLOT_STRING, 0},
     kUnknown,
     kProxy},
    {{"PROXY_TRANSFER_MODE", CURLOPT_PROXY_TRANSFER_MODE, CURLOT_LONG, 0}, kUnknown, kProxy},
    {{"PUT", CURLOPT_PUT, CURLOT_LONG, 0}, kNotBuiltIn, kNotYet},
    {{"QUICK_EXIT", CURLOPT_QUICK_EXIT, CURLOT_LONG, 0}},
    {{"QUOTE", CURLOPT_QUOTE, CURLOT_SLIST, 0}, kUnknown, kFtpSftp},
    {{"RANDOM_FILE", CURLOPT_RANDOM_FILE, CURLOT_STRING, 0}, kIgnored, kDeprecated},
    {{"RANGE", CURLOPT_RANGE, CURLOT_STRING, 0}},
    {{"READDATA", CURLOPT_READDATA, CURLOT_CBPTR, 0}},
    {{"READFUNCTION", CURLOPT_READFUNCTION, CURLOT_FUNCTION, 0}},
    {{"REDIR_PROTOCOLS", CURLOPT_REDIR_PROTOCOLS, CURLOT_LONG, 0}},
    {{"REDIR_PROTOCOLS_STR", CURLOPT_REDIR_PROTOCOLS_STR, CURLOT_STRING, 0}},
    {{"REFERER", CURLOPT_REFERER, CURLOT_STRING, 0}},
    {{"REQUEST_TARGET", CURLOPT_REQUEST_TARGET, CURLOT_STRING, 0}, kNotBuiltIn, kNotYet},
    {{"RESOLVE", CURLOPT_RESOLVE, CURLOT_SLIST, 0}},
    {{"RESOLVER_START_DATA", CURLOPT_RESOLVER_START_DATA, CURLOT_CBPTR, 0}, kNotBuiltIn, kNotYet},
    {{"RESOLVER_START_FUNCTION", CURLOPT_RESOLVER_START_FUNCTION, CURLOT_FUNCTION, 0},
     kNotBuiltIn,
     kNotYet},
    {{"RESUME_FROM", CURLOPT_RESUME_FROM, CURLOT_LONG, 0}},
    {{"RESUME_FROM_LARGE", CURLOPT_RESUME_FROM_LARGE, CURLOT_OFF_T, 0}},
    {{"RTSPHEADER", CURLOPT_RTSPHEADER, CURLOT_SLIST, CURLOT_FLAG_ALIAS}},
    {{"RTSP_CLIENT_CSEQ", CURLOPT_RTSP_CLIENT_CSEQ, CURLOT_LONG, 0}, kUnknown, kRtsp},
    {{"RTSP_REQUEST", CURLOPT_RTSP_REQUEST, CURLOT_VALUES, 0}, kUnknown, kRtsp},
    {{"RTSP_SERVER_CSEQ", CURLOPT_RTSP_SERVER_CSEQ, CURLOT_LONG, 0}, kUnknown, kRtsp},
    {{"RTSP_SESSION_ID", CURLOPT_RTSP_SESSION_ID, CURLOT_STRING, 0}, kUnknown, kRtsp},
    {{"RTSP_STREAM_URI", CURLOPT_RTSP_STREAM_URI, CURLOT_STRING, 0}, kUnknown, kRtsp},
    {{"RTSP_TRANSPORT", CURLOPT_RTSP_TRANSPORT, CURLOT_STRING, 0}, kUnknown, kRtsp},
    {{"SASL_AUTHZID", CURLOPT_SASL_AUTHZID, CURLOT_STRING, 0}, kIgnored, kMailIgnored},
    {{"SASL_IR", CURLOPT_SASL_IR, CURLOT_LONG, 0}, kIgnored, kMailIgnored},
    {{"SEEKDATA", CURLOPT_SEEKDATA, CURLOT_CBPTR, 0}},
    {{"SEEKFUNCTION", CURLOPT_SEEKFUNCTION, CURLOT_FUNCTION, 0}},
    {{"SERVER_RESPONSE_TIMEOUT", CURLOPT_SERVER_RESPONSE_TIMEOUT, CURLOT_LONG, 0},
     kIgnored,
     kMailFtpIgnored},
    {{"SERVICE_NAME", CURLOPT_SERVICE_NAME, CURLOT_STRING, 0}, kNotBuiltIn, kNegotiate},
    {{"SHARE", CURLOPT_SHARE, CURLOT_OBJECT, 0}},
    {{"SOCKOPTDATA", CURLOPT_SOCKOPTDATA, CURLOT_CBPTR, 0}},
    {{"SOCKOPTFUNCTION", CURLOPT_SOCKOPTFUNCTION, CURLOT_FUNCTION, 0}},
    {{"SOCKS5_AUTH", CURLOPT_SOCKS5_AUTH, CURLOT_LONG, 0}, kUnknown, kProxy},
    {{"SOCKS5_GSSAPI_NEC", CURLOPT_SOCKS5_GSSAPI_NEC, CURLOT_LONG, 0}, kUnknown, kGssapi},
    {{"SOCKS5_GSSAPI_SERVICE", CURLOPT_SOCKS5_GSSAPI_SERVICE, CURLOT_STRING, 0}, kUnknown, kProxy},
    {{"SSH_AUTH_TYPES", CURLOPT_SSH_AUTH_TYPES, CURLOT_VALUES, 0}, kUnknown, kSsh},
    {{"SSH_COMPRESSION", CURLOPT_SSH_COMPRESSION, CURLOT_LONG, 0}, kUnknown, kSsh},
    {{"SSH_HOSTKEYDATA", CURLOPT_SSH_HOSTKEYDATA, CURLOT_CBPTR, 0}, kUnknown, kSsh},
    {{"SSH_HOSTKEYFUNCTION", CURLOPT_SSH_HOSTKEYFUNCTION, CURLOT_FUNCTION, 0}, kUnknown, kSsh},
    {{"SSH_HOST_PUBLIC_KEY_MD5", CURLOPT_SSH_HOST_PUBLIC_KEY_MD5, CURLOT_STRING, 0},
     kUnknown,
     kSsh},
    {{"SSH_HOST_PUBLIC_KEY_SHA256", CURLOPT_SSH_HOST_PUBLIC_KEY_SHA256, CURLOT_STRING, 0},
     kUnknown,
     kSsh},
    {{"SSH_KEYDATA", CURLOPT_SSH_KEYDATA, CURLOT_CBPTR, 0}, kUnknown, kSsh},
    {{"SSH_KEYFUNCTION", CURLOPT_SSH_KEYFUNCTION, CURLOT_FUNCTION, 0}, kUnknown, kSsh},
    {{"SSH_KNOWNHOSTS", CURLOPT_SSH_KNOWNHOSTS, CURLOT_STRING, 0}, kUnknown, kSsh},
    {{"SSH_PRIVATE_KEYFILE", CURLOPT_SSH_PRIVATE_KEYFILE, CURLOT_STRING, 0}, kUnknown, kSsh},
    {{"SSH_PUBLIC_KEYFILE", CURLOPT_SSH_PUBLIC_KEYFILE, CURLOT_STRING, 0}, kUnknown, kSsh},
    {{"SSLCERT", CURLOPT_SSLCERT, CURLOT_STRING, 0}},
    {{"SSLCERTPASSWD", CURLOPT_SSLCERTPASSWD, CURLOT_STRING, CURLOT_FLAG_ALIAS}},
    {{"SSLCERTTYPE", CURLOPT_SSLCERTTYPE, CURLOT_STRING, 0}},
    {{"SSLCERT_BLOB", CURLOPT_SSLCERT_BLOB, CURLOT_BLOB, 0}, kNotBuiltIn, kCertBlobs},
    {{"SSLENGINE", CURLOPT_SSLENGINE, CURLOT_STRING, 0}, kNotBuiltIn, kEngines},
    {{"SSLENGINE_DEFAULT", CURLOPT_SSLENGINE_DEFAULT, CURLOT_LONG, 0}, kNotBuiltIn, kEngines},
    {{"SSLKEY", CURLOPT_SSLKEY, CURLOT_STRING, 0}},
    {{"SSLKEYPASSWD", CURLOPT_SSLKEYPASSWD, CURLOT_STRING, CURLOT_FLAG_ALIAS}},
    {{"SSLKEYTYPE", CURLOPT_SSLKEYTYPE, CURLOT_STRING, 0}},
    {{"SSLKEY_BLOB", CURLOPT_SSLKEY_BLOB, CURLOT_BLOB, 0}, kNotBuiltIn, kCertBlobs},
    {{"SSLVERSION", CURLOPT_SSLVERSION, CURLOT_VALUES, 0}},
    {{"SSL_CIPHER_LIST", CURLOPT_SSL_CIPHER_LIST, CURLOT_STRING, 0}},
    {{"SSL_CTX_DATA", CURLOPT_SSL_CTX_DATA, CURLOT_CBPTR, 0}, kNotBuiltIn, kSslCtx},
    {{"SSL_CTX_FUNCTION", CURLOPT_SSL_CTX_FUNCTION, CURLOT_FUNCTION, 0}, kNotBuiltIn, kSslCtx},
    {{"SSL_EC_CURVES", CURLOPT_SSL_EC_CURVES, CURLOT_STRING, 0}, kNotBuiltIn, kCurves},
    {{"SSL_ENABLE_ALPN", CURLOPT_SSL_ENABLE_ALPN, CURLOT_LONG, 0}, kNotBuiltIn, kAlpn},
    {{"SSL_ENABLE_NPN", CURLOPT_SSL_ENABLE_NPN, CURLOT_LONG, 0}, kIgnored, kDeprecated},
    {{"SSL_FALSESTART", CURLOPT_SSL_FALSESTART, CURLOT_LONG, 0}, kNotBuiltIn, kFalseStart},
    {{"SSL_OPTIONS", CURLOPT_SSL_OPTIONS, CURLOT_VALUES, 0}},
    {{"SSL_SESSIONID_CACHE", CURLOPT_SSL_SESSIONID_CACHE, CURLOT_LONG, 0}},
    {{"SSL_VERIFYHOST", CURLOPT_SSL_VERIFYHOST, CURLOT_LONG, 0}},
    {{"SSL_VERIFYPEER", CURLOPT_SSL_VERIFYPEER, CURLOT_LONG, 0}},
    {{"SSL_VERIFYSTATUS", CURLOPT_SSL_VERIFYSTATUS, CURLOT_LONG, 0}, kNotBuiltIn, kOcsp},
    {{"STDERR", CURLOPT_STDERR, CURLOT_OBJECT, 0}},
    {{"STREAM_DEPENDS", CURLOPT_STREAM_DEPENDS, CURLOT_OBJECT, 0}},
    {{"STREAM_DEPENDS_E", CURLOPT_STREAM_DEPENDS_E, CURLOT_OBJECT, 0}},
    {{"STREAM_WEIGHT", CURLOPT_STREAM_WEIGHT, CURLOT_LONG, 0}},
    {{"SUPPRESS_CONNECT_HEADERS", CURLOPT_SUPPRESS_CONNECT_HEADERS, CURLOT_LONG, 0},
     kNotBuiltIn,
     kProxyHeaders},
    {{"TCP_FASTOPEN", CURLOPT_TCP_FASTOPEN, CURLOT_LONG, 0}, kNotBuiltIn, kFastOpen},
    {{"TCP_KEEPALIVE", CURLOPT_TCP_KEEPALIVE, CURLOT_LONG, 0}},
    {{"TCP_KEEPIDLE", CURLOPT_TCP_KEEPIDLE, CURLOT_LONG, 0}},
    {{"TCP_KEEPINTVL", CURLOPT_TCP_KEEPINTVL, CURLOT_LONG, 0}},
    {{"TCP_NODELAY", CURLOPT_TCP_NODELAY, CURLOT_LONG, 0}},
    {{"TELNETOPTIONS", CURLOPT_TELNETOPTIONS, CURLOT_SLIST, 0}, kUnknown, kTelnet},
    {{"TFTP_BLKSIZE", CURLOPT_TFTP_BLKSIZE, CURLOT_LONG, 0}, kUnknown, kTftp},
    {{"TFTP_NO_OPTIONS", CURLOPT_TFTP_NO_OPTIONS, CURLOT_LONG, 0}, kUnknown, kTftp},
    {{"TIMECONDITION", CURLOPT_TIMECONDITION, CURLOT_VALUES, 0}},
    {{"TIMEOUT", CURLOPT_TIMEOUT, CURLOT_LONG, 0}},
    {{"TIMEOUT_MS", CURLOPT_TIMEOUT_MS, CURLOT_LONG, 0}},
    {{"TIMEVALUE", CURLOPT_TIMEVALUE, CURLOT_LONG, 0}},
    {{"TIMEVALUE_LARGE", CURLOPT_TIMEVALUE_LARGE, CURLOT_OFF_T, 0}},
    {{"TLS13_CIPHERS", CURLOPT_TLS13_CIPHERS, CURLOT_STRING, 0}},
    {{"TLSAUTH_PASSWORD", CURLOPT_TLSAUTH_PASSWORD, CURLOT_STRING, 0}, kUnknown, kTlsSrp},
    {{"TLSAUTH_TYPE", CURLOPT_TLSAUTH_TYPE, CURLOT_STRING, 0}, kUnknown, kTlsSrp},
    {{"TLSAUTH_USERNAME", CURLOPT_TLSAUTH_USERNAME, CURLOT_STRING, 0}, kUnknown, kTlsSrp},
    {{"TRAILERDATA", CURLOPT_TRAILERDATA, CURLOT_CBPTR, 0}, kNotBuiltIn, kTrailers},
    {{"TRAILERFUNCTION", CURLOPT_TRAILERFUNCTION, CURLOT_FUNCTION, 0}, kNotBuiltIn, kTrailers},
    {{"TRANSFERTEXT", CURLOPT_TRANSFERTEXT, CURLOT_LONG, 0}, kIgnored, kFtpIgnored},
    {{"TRANSFER_ENCODING", CURLOPT_TRANSFER_ENCODING, CURLOT_LONG, 0}, kNotBuiltIn, kNotYet},
    {{"UNIX_SOCKET_PATH", CURLOPT_UNIX_SOCKET_PATH, CURLOT_STRING, 0}, kUnknown, kUnixSockets},
    {{"UNRESTRICTED_AUTH", CURLOPT_UNRESTRICTED_AUTH, CURLOT_LONG, 0}},
    {{"UPKEEP_INTERVAL_MS", CURLOPT_UPKEEP_INTERVAL_MS, CURLOT_LONG, 0}},
    {{"UPLOAD", CURLOPT_UPLOAD, CURLOT_LONG, 0}},
    {{"UPLOAD_BUFFERSIZE", CURLOPT_UPLOAD_BUFFERSIZE, CURLOT_LONG, 0}},
    {{"URL", CURLOPT_URL, CURLOT_STRING, 0}},
    {{"USERAGENT", CURLOPT_USERAGENT, CURLOT_STRING, 0}},
    {{"USERNAME", CURLOPT_USERNAME, CURLOT_STRING, 0}},
    {{"USERPWD", CURLOPT_USERPWD, CURLOT_STRING, 0}},
    {{"USE_SSL", CURLOPT_USE_SSL, CURLOT_VALUES, 0}, kIgnored, kStartTlsIgnored},
    {{"VERBOSE", CURLOPT_VERBOSE, CURLOT_LONG, 0}},
    {{"WILDCARDMATCH", CURLOPT_WILDCARDMATCH, CURLOT_LONG, 0}, kUnknown, kFtp},
    {{"WRITEDATA", CURLOPT_WRITEDATA, CURLOT_CBPTR, 0}},
    {{"WRITEFUNCTION", CURLOPT_WRITEFUNCTION, CURLOT_FUNCTION, 0}},
    {{"WRITEHEADER", CURLOPT_WRITEHEADER, CURLOT_CBPTR, CURLOT_FLAG_ALIAS}},
    {{"WS_OPTIONS", CURLOPT_WS_OPTIONS, CURLOT_LONG, 0}, kUnknown, kWebSockets},
    {{"XFERINFODATA", CURLOPT_XFERINFODATA, CURLOT_CBPTR, 0}},
    {{"XFERINFOFUNCTION", CURLOPT_XFERINFOFUNCTION, CURLOT_FUNCTION, 0}},
    {{"XOAUTH2_BEARER", CURLOPT_XOAUTH2_BEARER, CURLOT_STRING, 0}},
};

constexpr size_t kCount = sizeof(kTable) / sizeof(kTable[0]);

// Non-alias entries sorted by id: setopt looks one up on every call.
struct IdIndex {
  std::array<const OptionInfo *, kCount> by_id{};
  size_t size = 0;
  IdIndex() {
    for (const OptionInfo &o : kTable)
      if (!(o.pub.flags & CURLOT_FLAG_ALIAS)) by_id[size++] = &o;
    std::sort(by_id.begin(), by_id.begin() + size,
              [](const OptionInfo *a, const OptionInfo *b) { return a->pub.id < b->pub.id; });
  }
};

}  // namespace

std::span<const OptionInfo> option_table() {
  return kTable;
}

const OptionInfo *option_by_id(int id) {
  static const IdIndex index;
  auto end = index.by_id.begin() + index.size;
  auto it = std::lower_bound(index.by_id.begin(), end, id, [](const OptionInfo *o, int v) {
    return static_cast<int>(o->pub.id) < v;
  });
  return it != end && static_cast<int>((*it)->pub.id) == id ? *it : nullptr;
}

const OptionInfo *option_by_name(const char *name) {
  if (!name) return nullptr;
  for (const OptionInfo &o : kTable)
    if (strcasecmp(o.pub.name, name) == 0) return &o;
  return nullptr;
}

const OptionInfo *option_of(const curl_easyoption *pub) {
  // Compared as integers: a pointer from elsewhere must never be taken for an entry.
  auto p = reinterpret_cast<std::uintptr_t>(pub);
  auto first = reinterpret_cast<std::uintptr_t>(&kTable[0].pub);
  auto last = reinterpret_cast<std::uintptr_t>(&kTable[kCount - 1].pub);
  if (p < first || p > last || (p - first) % sizeof(OptionInfo) != 0) return nullptr;
  return &kTable[(p - first) / sizeof(OptionInfo)];
}

}  // namespace evm
