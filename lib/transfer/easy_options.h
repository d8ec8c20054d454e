// Everything curl_easy_setopt can set, as plain values (strings are owned copies).
#pragma once

#include <curl/curl.h>

#include <cstdint>
#include <cstdio>
#include <string>

#include "mime/post_slot.h"
#include "net/tls_config.h"

namespace evm {

struct EasyOptions {
  std::string url;
  bool url_set = false;
  curl_write_callback write_fn = nullptr;  // null: fwrite to write_data (stdout by default)
  void *write_data = stdout;
  curl_write_callback header_fn = nullptr;
  void *header_data = nullptr;
  void *private_ptr = nullptr;
  char *error_buffer = nullptr;
  curl_xferinfo_callback xferinfo_fn = nullptr;
  void *progress_data = nullptr;
  bool no_progress = true;
  bool verbose = false;
  bool fail_on_error = false;

  const curl_slist *http_headers = nullptr;  // borrowed, as libcurl does
  std::string user_agent;
  std::string custom_request;
  enum class Method { Get, Post, Head, MimePost, FormPost } method = Method::Get;
  const char *post_fields = nullptr;  // borrowed (POSTFIELDS) or points into post_copy
  std::string post_copy;              // COPYPOSTFIELDS
  int64_t post_size = -1;             // -1: strlen(post_fields)
  long http_version = CURL_HTTP_VERSION_NONE;

  long timeout_ms = 0;
  long connect_timeout_ms = 0;  // 0: libcurl's default of 300 s
  bool forbid_reuse = false;
  bool fresh_connect = false;
  const curl_slist *resolve = nullptr;  // borrowed
  std::string dns_servers;  // CURLOPT_DNS_SERVERS: "host[:port],..."; empty = system config
  long ip_resolve = CURL_IPRESOLVE_WHATEVER;
  bool tcp_nodelay = true;
  TlsConfig tls;

  // -- redirects and auth (helper: redirect)
  bool follow_location = false;
  long max_redirs = -1;  // -1: no limit (7.88's default)
  long post_redir = 0;   // CURL_REDIR_POST_* bits
  bool auto_referer = false;
  std::string referer;
  long protocols = CURLPROTO_ALL;
  long redir_protocols = CURLPROTO_HTTP | CURLPROTO_HTTPS | CURLPROTO_FTP | CURLPROTO_FTPS;
  bool unrestricted_auth = false;
  bool has_user = false;  // USERPWD or USERNAME given: credentials to send
  std::string user, password;
  unsigned long http_auth = CURLAUTH_BASIC;
  std::string bearer;                         // XOAUTH2_BEARER
  unsigned long proxy_auth = CURLAUTH_BASIC;  // kept for the proxy filter, not used yet

  // -- uploads and pause (helper: upload)

  // -- forms (helper: form)
  mime::PostSlot mime_post;                  // MIMEPOST: the application's tree (Method::MimePost)
  const curl_httppost *http_post = nullptr;  // HTTPPOST, borrowed (Method::FormPost)
  long mime_options = 0;                     // MIME_OPTIONS (CURLMIMEOPT_FORMESCAPE)
  // CURLOPT_READFUNCTION as CURLFORM_STREAM parts read it (null: fread). To be replaced by the
  // upload helper's READFUNCTION field when both land.
  curl_read_callback form_read_fn = nullptr;

  // -- cookies (helper: cookie)

  // -- response handling (helper: response)

  // -- progress and tracing (helper: control)

  // -- connections (helper: connection)
};

}  // namespace evm
