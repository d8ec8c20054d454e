// Everything curl_easy_setopt can set, as plain values (strings are owned copies).
#pragma once

#include <curl/curl.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "cookie/cookie_engine.h"
#include "mime/post_slot.h"
#include "net/tls_config.h"
#include "share/share_link.h"
#include "util/limits.h"

namespace evm {

struct EasyOptions {
  std::string url;
  bool url_set = false;
  // CURLOPT_CURLU: borrowed, read when a transfer starts, and wins over `url` when set.
  const CURLU *curlu = nullptr;
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
  enum class Method { Get, Post, Head, Put, MimePost, FormPost } method = Method::Get;
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
  // Bumped by every curl_easy_setopt call, so what is derived from the options (the TLS identity
  // in the pool key) is computed once per change, not once per transfer.
  uint64_t generation = 0;
  const std::string &tls_identity() const {
    if (identity_generation_ != generation || identity_.empty()) {
      identity_ = tls.identity();
      identity_generation_ = generation;
    }
    return identity_;
  }
  mutable std::string identity_;
  mutable uint64_t identity_generation_ = 0;

  // -- redirects and auth
  bool follow_location = false;
  long max_redirs = limits::kDefaultMaxRedirs;  // 7.88 has -1 (no limit): see util/limits.h
  long post_redir = 0;                          // CURL_REDIR_POST_* bits
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

  // -- uploads and pause
  curl_read_callback read_fn = nullptr;  // null: fread from read_data (stdin by default)
  void *read_data = stdin;
  curl_seek_callback seek_fn = nullptr;
  void *seek_data = nullptr;
  int64_t infile_size = -1;  // INFILESIZE(_LARGE): -1 unknown (chunked)
  long expect_100_timeout_ms = 1000;

  // -- forms
  mime::PostSlot mime_post;                  // MIMEPOST: the application's tree (Method::MimePost)
  const curl_httppost *http_post = nullptr;  // HTTPPOST, borrowed (Method::FormPost)
  long mime_options = 0;                     // MIME_OPTIONS (CURLMIMEOPT_FORMESCAPE)

  // -- cookies
  std::string cookie;            // COOKIE: sent as given, after the engine's cookies
  std::string cookie_jar;        // COOKIEJAR: written at cleanup and on COOKIELIST "FLUSH"
  bool cookie_session = false;   // COOKIESESSION
  cookie::CookieEngine cookies;  // its jar outlives curl_easy_reset; a copy gets an empty one

  // -- response handling
  std::string accept_encoding;  // ACCEPT_ENCODING; "" asks for every coding built in
  bool accept_encoding_set = false;
  bool content_decoding = true;   // HTTP_CONTENT_DECODING
  bool transfer_decoding = true;  // HTTP_TRANSFER_DECODING
  bool include_header = false;    // HEADER: heads go into the body stream too
  std::string range;              // RANGE, without "bytes="
  int64_t resume_from = 0;        // RESUME_FROM(_LARGE)
  long time_condition = CURL_TIMECOND_NONE;
  int64_t time_value = 0;      // TIMEVALUE(_LARGE), seconds since the epoch
  int64_t max_filesize = 0;    // MAXFILESIZE(_LARGE); 0: none
  bool want_filetime = false;  // FILETIME

  // -- progress and tracing
  curl_progress_callback progress_fn = nullptr;  // PROGRESSFUNCTION; XFERINFOFUNCTION wins
  long low_speed_limit = 0;                      // bytes per second; 0: no check
  long low_speed_time = 0;                       // seconds
  curl_debug_callback debug_fn = nullptr;
  void *debug_data = nullptr;
  FILE *err = stderr;  // CURLOPT_STDERR: the progress meter and default VERBOSE text

  // -- connections
  const curl_slist *connect_to = nullptr;  // borrowed, as libcurl does
  long port = 0;                           // CURLOPT_PORT; 0: the URL's
  long buffer_size = 0;                    // CURLOPT_BUFFERSIZE; 0: the multi's shared buffer
  long upload_buffer_size = 64 * 1024;
  bool tcp_keepalive = false;
  long tcp_keepidle = 60, tcp_keepintvl = 60;
  std::string interface_name;  // CURLOPT_INTERFACE; empty: none
  long local_port = 0, local_port_range = 1;
  long dns_cache_timeout = 60;  // seconds; -1 forever, 0 no cache
  long maxage_conn = 118, maxlifetime_conn = 0;
  curl_opensocket_callback open_socket_fn = nullptr;
  void *open_socket_data = nullptr;
  curl_closesocket_callback close_socket_fn = nullptr;
  void *close_socket_data = nullptr;
  curl_sockopt_callback sockopt_fn = nullptr;
  void *sockopt_data = nullptr;
  curl_prereq_callback prereq_fn = nullptr;
  void *prereq_data = nullptr;
  bool pipewait = false;
  // HTTP/2 stream priority (CURLOPT_STREAM_WEIGHT, STREAM_DEPENDS, STREAM_DEPENDS_E): sent with
  // the request's HEADERS when the handle depended on runs on the same connection.
  long stream_weight = 16;
  CURL *stream_depends = nullptr;
  bool stream_exclusive = false;

  // One trace line per option set that evmulti does not build, said again when a transfer starts.
  std::vector<std::string> not_built_notes;
  // -- connect-only sessions (curl_easy_send/recv, curl_easy_upkeep)
  long connect_only = 0;  // CURLOPT_CONNECT_ONLY: nonzero stops once connected (TLS included)
  long upkeep_interval_ms = CURL_UPKEEP_INTERVAL_DEFAULT;
  bool quick_exit = false;  // CURLOPT_QUICK_EXIT: kept for getters; there is no thread to skip
  // -- CURLOPT_SHARE: kept by curl_easy_reset, not copied by curl_easy_duphandle
  ShareLink share;
};

}  // namespace evm
