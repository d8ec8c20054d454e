#include "transfer/connect_only.h"

#include <cstring>

#include "transfer/transfer.h"

namespace evm {

// CONNECT_ONLY: the transfer is done once connected (TLS included); the connection stays with
// the handle for curl_easy_send/recv and is never handed to another transfer.
Transfer::Step Transfer::finish_connect_only(TimePoint t) {
  trace_.info("Connection #%llu to host %s left intact",
              static_cast<unsigned long long>(lease_->id()), attempt_->url().host.c_str());
  session_ = std::move(lease_);
  session_->reusable = false;
  finish(CURLE_OK, t);
  if (message.data.result != CURLE_OK) {  // its last progress call aborted it: nothing is kept
    drop_session();
    return Step::Wait;
  }
  // A done transfer watches nothing: the application polls CURLINFO_ACTIVESOCKET itself.
  session_->update_pollset(handle());
  return Step::Wait;
}

void Transfer::drop_session() {
  if (!session_) return;
  trace_.info("Closing connection %llu", static_cast<unsigned long long>(session_->id()));
  session_.release(false, evm::now());
}

namespace {

// libcurl reports these failures like a transfer's: in the trace and in ERRORBUFFER.
CURLcode refuse(Transfer &t, CURLcode rc, const char *text) {
  t.trace().info("%s", text);
  if (t.opt.error_buffer) {
    std::strncpy(t.opt.error_buffer, text, CURL_ERROR_SIZE - 1);
    t.opt.error_buffer[CURL_ERROR_SIZE - 1] = '\0';
  }
  return rc;
}

// The session connection, or the reason there is none.
CURLcode session_of(Transfer &t, Connection *&conn) {
  if (!t.opt.connect_only) return refuse(t, CURLE_UNSUPPORTED_PROTOCOL, "CONNECT_ONLY is required");
  conn = t.session_connection();
  if (!conn || !conn->has_filter())
    return refuse(t, CURLE_UNSUPPORTED_PROTOCOL, "Failed to get recent socket");
  return CURLE_OK;
}

}  // namespace

CURLcode session_send(Transfer &t, const void *buf, size_t len, size_t &sent) {
  Connection *conn;
  if (CURLcode rc = session_of(t, conn)) return rc;
  // libcurl reads "nothing was sent" as "try again", an empty buffer included.
  if (len == 0) return CURLE_AGAIN;
  FilterContext ctx = t.session_context();
  ctx.error.clear();
  CURLcode err = CURLE_OK;
  ssize_t n = conn->filter().send(ctx, static_cast<const char *>(buf), len, err);
  if (n < 0 && err == CURLE_AGAIN) return CURLE_AGAIN;
  if (n < 0)
    return refuse(t, CURLE_SEND_ERROR, ctx.error.empty() ? "Send failure" : ctx.error.c_str());
  if (n == 0) return CURLE_AGAIN;
  sent = static_cast<size_t>(n);
  return CURLE_OK;
}

CURLcode session_recv(Transfer &t, void *buf, size_t len, size_t &received) {
  Connection *conn;
  if (CURLcode rc = session_of(t, conn)) return rc;
  if (len == 0) return CURLE_OK;
  FilterContext ctx = t.session_context();
  ctx.error.clear();
  CURLcode err = CURLE_OK;
  ssize_t n = conn->filter().recv(ctx, static_cast<char *>(buf), len, err);
  if (n < 0 && err == CURLE_AGAIN) return CURLE_AGAIN;
  if (n < 0)
    return refuse(t, err ? err : CURLE_RECV_ERROR,
                  ctx.error.empty() ? "Recv failure" : ctx.error.c_str());
  received = static_cast<size_t>(n);  // 0: the peer closed
  return CURLE_OK;
}

}  // namespace evm
