// Human-readable text for CURLcode and CURLMcode values.
// The wording is evmulti's own; only the codes are libcurl's. Each switch lists every enum
// member with no default label, so -Wswitch flags a code added to the headers but not here.
#include <curl/curl.h>

#include "api/c_edge.h"

using evm::api::guarded;

namespace {

constexpr const char *kUnknown = "Unknown error";

const char *easy_text(int code) {
  switch (code) {
    case CURLE_OK:
      return "Success";
    case CURLE_UNSUPPORTED_PROTOCOL:
      return "The URL's scheme is not supported by this library";
    case CURLE_FAILED_INIT:
      return "Setup of the library or handle failed early";
    case CURLE_URL_MALFORMAT:
      return "The URL is missing or cannot be parsed";
    case CURLE_NOT_BUILT_IN:
      return "The requested feature or protocol is not compiled into this build";
    case CURLE_COULDNT_RESOLVE_PROXY:
      return "The proxy's host name did not resolve to an address";
    case CURLE_COULDNT_RESOLVE_HOST:
      return "The server's host name did not resolve to an address";
    case CURLE_COULDNT_CONNECT:
      return "No connection to the server or proxy could be established";
    case CURLE_WEIRD_SERVER_REPLY:
      return "The server sent a reply that does not follow the protocol";
    case CURLE_REMOTE_ACCESS_DENIED:
      return "The server refused access to the requested resource";
    case CURLE_FTP_ACCEPT_FAILED:
      return "FTP: the server's data connection back to us was not accepted";
    case CURLE_FTP_WEIRD_PASS_REPLY:
      return "FTP: unexpected reply to the password command";
    case CURLE_FTP_ACCEPT_TIMEOUT:
      return "FTP: timed out waiting for the server to connect back";
    case CURLE_FTP_WEIRD_PASV_REPLY:
      return "FTP: unexpected reply to the passive-mode command";
    case CURLE_FTP_WEIRD_227_FORMAT:
      return "FTP: the 227 passive-mode reply could not be parsed";
    case CURLE_FTP_CANT_GET_HOST:
      return "FTP: the host for the data connection could not be looked up";
    case CURLE_HTTP2:
      return "HTTP/2 framing or session error";
    case CURLE_FTP_COULDNT_SET_TYPE:
      return "FTP: switching the transfer type (ASCII/binary) failed";
    case CURLE_PARTIAL_FILE:
      return "The transfer ended before all announced bytes arrived";
    case CURLE_FTP_COULDNT_RETR_FILE:
      return "FTP: the server would not send the requested file";
    case CURLE_OBSOLETE20:
      return "Obsolete error code 20 (no longer used)";
    case CURLE_QUOTE_ERROR:
      return "A custom (quote) command was rejected by the server";
    case CURLE_HTTP_RETURNED_ERROR:
      return "The HTTP server answered with an error status (400 or above)";
    case CURLE_WRITE_ERROR:
      return "Delivering received data failed (write callback or file write)";
    case CURLE_OBSOLETE24:
      return "Obsolete error code 24 (no longer used)";
    case CURLE_UPLOAD_FAILED:
      return "The server refused or aborted the upload";
    case CURLE_READ_ERROR:
      return "Reading the data to upload failed (read callback or file read)";
    case CURLE_OUT_OF_MEMORY:
      return "Memory allocation failed";
    case CURLE_OPERATION_TIMEDOUT:
      return "The operation exceeded its time limit";
    case CURLE_OBSOLETE29:
      return "Obsolete error code 29 (no longer used)";
    case CURLE_FTP_PORT_FAILED:
      return "FTP: the active-mode PORT/EPRT command failed";
    case CURLE_FTP_COULDNT_USE_REST:
      return "FTP: resuming with the REST command failed";
    case CURLE_OBSOLETE32:
      return "Obsolete error code 32 (no longer used)";
    case CURLE_RANGE_ERROR:
      return "The server did not honour the requested byte range";
    case CURLE_HTTP_POST_ERROR:
      return "Building or sending the POST request failed";
    case CURLE_SSL_CONNECT_ERROR:
      return "The TLS handshake failed";
    case CURLE_BAD_DOWNLOAD_RESUME:
      return "The download cannot be resumed at the requested offset";
    case CURLE_FILE_COULDNT_READ_FILE:
      return "The file named by a file:// URL could not be opened or read";
    case CURLE_LDAP_CANNOT_BIND:
      return "LDAP: binding to the directory failed";
    case CURLE_LDAP_SEARCH_FAILED:
      return "LDAP: the directory search failed";
    case CURLE_OBSOLETE40:
      return "Obsolete error code 40 (no longer used)";
    case CURLE_FUNCTION_NOT_FOUND:
      return "A required function could not be located";
    case CURLE_ABORTED_BY_CALLBACK:
      return "An application callback asked to stop the transfer";
    case CURLE_BAD_FUNCTION_ARGUMENT:
      return "An argument passed to a library call was invalid";
    case CURLE_OBSOLETE44:
      return "Obsolete error code 44 (no longer used)";
    case CURLE_INTERFACE_FAILED:
      return "Binding to the requested local interface or address failed";
    case CURLE_OBSOLETE46:
      return "Obsolete error code 46 (no longer used)";
    case CURLE_TOO_MANY_REDIRECTS:
      return "The redirect limit was reached";
    case CURLE_UNKNOWN_OPTION:
      return "The option is unknown or not supported by this library";
    case CURLE_SETOPT_OPTION_SYNTAX:
      return "An option's value is malformed";
    case CURLE_OBSOLETE50:
      return "Obsolete error code 50 (no longer used)";
    case CURLE_OBSOLETE51:
      return "Obsolete error code 51 (no longer used)";
    case CURLE_GOT_NOTHING:
      return "The server closed the connection without sending any reply";
    case CURLE_SSL_ENGINE_NOTFOUND:
      return "The requested crypto engine does not exist";
    case CURLE_SSL_ENGINE_SETFAILED:
      return "The crypto engine could not be made the default";
    case CURLE_SEND_ERROR:
      return "Sending data on the network failed";
    case CURLE_RECV_ERROR:
      return "Receiving data from the network failed";
    case CURLE_OBSOLETE57:
      return "Obsolete error code 57 (no longer used)";
    case CURLE_SSL_CERTPROBLEM:
      return "The local client certificate could not be used";
    case CURLE_SSL_CIPHER:
      return "The requested TLS cipher could not be used";
    case CURLE_PEER_FAILED_VERIFICATION:
      return "The server's TLS certificate or host name failed verification";
    case CURLE_BAD_CONTENT_ENCODING:
      return "The response's content encoding is unrecognised or corrupt";
    case CURLE_OBSOLETE62:
      return "Obsolete error code 62 (no longer used)";
    case CURLE_FILESIZE_EXCEEDED:
      return "The file is larger than the configured maximum";
    case CURLE_USE_SSL_FAILED:
      return "The required upgrade to TLS could not be made";
    case CURLE_SEND_FAIL_REWIND:
      return "The upload data could not be rewound to send it again";
    case CURLE_SSL_ENGINE_INITFAILED:
      return "The crypto engine failed to initialise";
    case CURLE_LOGIN_DENIED:
      return "The server rejected the supplied login credentials";
    case CURLE_TFTP_NOTFOUND:
      return "TFTP: the file does not exist on the server";
    case CURLE_TFTP_PERM:
      return "TFTP: the server denied permission";
    case CURLE_REMOTE_DISK_FULL:
      return "The server has no room left to store the data";
    case CURLE_TFTP_ILLEGAL:
      return "TFTP: the operation is not allowed by the protocol";
    case CURLE_TFTP_UNKNOWNID:
      return "TFTP: the transfer ID is not recognised";
    case CURLE_REMOTE_FILE_EXISTS:
      return "The file already exists on the server and would not be overwritten";
    case CURLE_TFTP_NOSUCHUSER:
      return "TFTP: the user does not exist";
    case CURLE_OBSOLETE75:
      return "Obsolete error code 75 (no longer used)";
    case CURLE_OBSOLETE76:
      return "Obsolete error code 76 (no longer used)";
    case CURLE_SSL_CACERT_BADFILE:
      return "The CA certificate bundle could not be loaded";
    case CURLE_REMOTE_FILE_NOT_FOUND:
      return "The requested file or resource does not exist on the server";
    case CURLE_SSH:
      return "SSH layer error";
    case CURLE_SSL_SHUTDOWN_FAILED:
      return "Closing the TLS session cleanly failed";
    case CURLE_AGAIN:
      return "The socket is not ready; try the call again later";
    case CURLE_SSL_CRL_BADFILE:
      return "The certificate revocation list could not be loaded";
    case CURLE_SSL_ISSUER_ERROR:
      return "The server certificate's issuer check failed";
    case CURLE_FTP_PRET_FAILED:
      return "FTP: the PRET command was rejected";
    case CURLE_RTSP_CSEQ_ERROR:
      return "RTSP: the reply's CSeq number does not match the request";
    case CURLE_RTSP_SESSION_ERROR:
      return "RTSP: the reply's session ID does not match";
    case CURLE_FTP_BAD_FILE_LIST:
      return "FTP: the directory listing could not be parsed";
    case CURLE_CHUNK_FAILED:
      return "The chunk callback reported an error";
    case CURLE_NO_CONNECTION_AVAILABLE:
      return "No connection was free for this transfer";
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
      return "The server's public key does not match the pinned key";
    case CURLE_SSL_INVALIDCERTSTATUS:
      return "The server's certificate status (OCSP) check failed";
    case CURLE_HTTP2_STREAM:
      return "An HTTP/2 stream was reset or failed";
    case CURLE_RECURSIVE_API_CALL:
      return "A library function was called from inside one of its own callbacks";
    case CURLE_AUTH_ERROR:
      return "Authentication failed";
    case CURLE_HTTP3:
      return "HTTP/3 layer error";
    case CURLE_QUIC_CONNECT_ERROR:
      return "The QUIC connection could not be set up";
    case CURLE_PROXY:
      return "The proxy handshake failed";
    case CURLE_SSL_CLIENTCERT:
      return "The server required or rejected the TLS client certificate";
    case CURLE_UNRECOVERABLE_POLL:
      return "Waiting on the sockets failed and cannot recover";
    case CURLE_TOO_LARGE:
      return "A response or its buffered data grew past a limit";
    case CURL_LAST:
      break;
  }
  return kUnknown;
}

const char *multi_text(int code) {
  switch (code) {
    case CURLM_CALL_MULTI_PERFORM:
      return "Call curl_multi_perform() again soon (legacy return code)";
    case CURLM_OK:
      return "Success";
    case CURLM_BAD_HANDLE:
      return "The multi handle is not valid";
    case CURLM_BAD_EASY_HANDLE:
      return "The easy handle is not valid or belongs to another multi handle";
    case CURLM_OUT_OF_MEMORY:
      return "Memory allocation failed";
    case CURLM_INTERNAL_ERROR:
      return "Internal error in the library (a bug)";
    case CURLM_BAD_SOCKET:
      return "The socket is not one this multi handle is watching";
    case CURLM_UNKNOWN_OPTION:
      return "The multi option is unknown or not supported";
    case CURLM_ADDED_ALREADY:
      return "The easy handle is already in a multi handle";
    case CURLM_RECURSIVE_API_CALL:
      return "A multi function was called from inside one of its own callbacks";
    case CURLM_WAKEUP_FAILURE:
      return "Waking up the polling thread failed";
    case CURLM_BAD_FUNCTION_ARGUMENT:
      return "An argument passed to a multi call was invalid";
    case CURLM_ABORTED_BY_CALLBACK:
      return "An application callback asked to stop";
    case CURLM_UNRECOVERABLE_POLL:
      return "Waiting on the sockets failed and cannot recover";
    case CURLM_LAST:
      break;
  }
  return kUnknown;
}

}  // namespace

// Table look-ups that cannot throw; guarded all the same, like every C entry point.
extern "C" const char *curl_easy_strerror(CURLcode code) {
  return guarded(nullptr, [&code] { return easy_text(evm::api::code_value(code)); });
}

extern "C" const char *curl_multi_strerror(CURLMcode code) {
  return guarded(nullptr, [&code] { return multi_text(evm::api::code_value(code)); });
}
