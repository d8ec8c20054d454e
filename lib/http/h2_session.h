// One HTTP/2 connection on nghttp2's sans-I/O client session: bytes from the filter chain go in
// with mem_recv, frames for every stream come out of mem_send and leave in one send per turn.
// Events of a stream are kept in its H2Stream and its transfer is woken to take them in its own
// turn, so no transfer's callbacks run inside another's.
#pragma once

#include <nghttp2/nghttp2.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "conn/filter.h"
#include "util/limits.h"
#include "util/trace.h"

namespace evm {

class ConnectionUser;
class Exchange;
class H2Stream;

struct H2Settings {
  uint32_t max_streams = 100;  // CURLMOPT_MAX_CONCURRENT_STREAMS
  bool multiplex = true;       // CURLMOPT_PIPELINING has CURLPIPE_MULTIPLEX
  bool enable_push = false;    // a CURLMOPT_PUSHFUNCTION is set
};

// A PUSH_PROMISE the server sent: the request it says it will answer on stream `id`.
struct H2Promise {
  ConnectionUser *parent = nullptr;                          // whose stream it came on
  int32_t id = 0;                                            // the promised stream
  std::vector<std::pair<std::string, std::string>> headers;  // pseudo-headers first
  size_t bytes = 0;
};

// CURLMOPT_PUSHFUNCTION's answers: take the pushed response, refuse it, or refuse it and fail
// the transfer it came with.
enum class PushAnswer { Accept, Deny, FailParent };

class H2Session {
 public:
  // Bytes read per turn before the others get theirs, as H1Exchange::kTurnBudget.
  static constexpr size_t kTurnBudget = 1024 * 1024;
  // What the server may send on one stream before its transfer takes it: a paused transfer
  // closes its stream's window, not the connection's. The connection's window bounds what one
  // connection buffers in all.
  static constexpr int32_t kStreamWindow = 1024 * 1024;
  static constexpr int32_t kConnectionWindow = 32 * 1024 * 1024;
  // The limits on what a server may send (named and explained in util/limits.h).
  static constexpr size_t kMaxHeaderBytes = limits::kResponseHeaderBytes;
  static constexpr size_t kMaxHeaderBlock = limits::kH2HeaderBlockBytes;
  static constexpr uint32_t kMaxEmptyData = limits::kH2EmptyDataFrames;

  H2Session(Filter &chain, const H2Settings &settings);
  ~H2Session();
  H2Session(const H2Session &) = delete;
  H2Session &operator=(const H2Session &) = delete;

  // The exchange that carries `user`'s next request: a new stream, replacing its finished one.
  Exchange &stream_for(ConnectionUser &user);
  // `user` left the connection: its stream, if unfinished, is reset.
  void drop_stream(ConnectionUser &user);

  // A socket event outside any transfer's turn: reads and wakes the streams that got something.
  // What the session has to say back (acknowledgements, window updates) waits for the flush.
  void on_socket_event(FilterContext &ctx, int cselect);
  // Reads when `read` or when the last read stopped at its budget, then sends.
  void pump(FilterContext &ctx, bool read);
  // Reads only what a spent budget left (a stream's turn); sending waits for the flush.
  void read_leftover(FilterContext &ctx);
  // Frames are waiting: the owner flushes once after every transfer due has run, so one send
  // carries the frames of all streams (on_output tells it, once per flush).
  void want_flush();
  void flush(FilterContext &ctx);
  std::function<void()> on_output;
  void add_pollset(Pollset &ps) const;
  // An idle connection about to be reused: reads what waits (PING, SETTINGS, GOAWAY); false when
  // it closed, failed or is going away.
  bool alive(FilterContext &ctx);

  // Streams the connection may carry at once: the server's limit, ours, 1 without multiplexing,
  // and 1 until the server's SETTINGS said how many (more would risk being refused).
  size_t capacity() const;
  // Called when the server's SETTINGS may have changed capacity().
  std::function<void()> on_capacity;
  // Asked for every PUSH_PROMISE (only sent when settings enable push). Accept keeps the promised
  // stream until adopt_push() hands it to its own transfer.
  std::function<PushAnswer(const H2Promise &)> on_push;
  // The accepted pushed stream `id` becomes `user`'s exchange; null if it is gone.
  Exchange *adopt_push(ConnectionUser &user, int32_t id);
  bool accepts_streams() const { return !failed_ && !goaway_; }
  bool more_input() const { return more_input_; }
  bool going_away() const { return goaway_; }
  uint32_t goaway_error() const { return goaway_error_; }
  int32_t goaway_last_stream() const { return goaway_last_; }
  CURLcode failure() const { return code_; }
  const std::string &failure_text() const { return error_; }
  nghttp2_session *ng() { return ng_; }

 private:
  friend class H2Stream;
  static int on_begin_frame(nghttp2_session *, const nghttp2_frame_hd *hd, void *self);
  static int on_begin_headers(nghttp2_session *, const nghttp2_frame *f, void *self);
  static int on_header(nghttp2_session *, const nghttp2_frame *f, const uint8_t *name,
                       size_t namelen, const uint8_t *value, size_t valuelen, uint8_t flags,
                       void *self);
  static int on_frame_recv(nghttp2_session *, const nghttp2_frame *f, void *self);
  static int on_data_chunk(nghttp2_session *, uint8_t flags, int32_t id, const uint8_t *data,
                           size_t len, void *self);
  static int on_stream_close(nghttp2_session *, int32_t id, uint32_t error_code, void *self);

  H2Stream *stream(int32_t id);
  void answer_promise();
  void read(FilterContext &ctx);
  void fail(CURLcode rc, std::string text);

  Filter &chain_;
  H2Settings settings_;
  nghttp2_session *ng_ = nullptr;
  std::unordered_map<ConnectionUser *, std::unique_ptr<H2Stream>> streams_;
  std::unordered_map<int32_t, std::unique_ptr<H2Stream>> pushed_;  // accepted, not adopted yet
  H2Promise promise_;  // the PUSH_PROMISE being received
  std::string out_;    // frames that did not fit into the socket yet
  size_t out_off_ = 0;
  bool more_input_ = false;  // the last read stopped at its budget
  bool failed_ = false;      // closed, or a connection error: no stream goes on
  bool goaway_ = false;      // the server said GOAWAY: no new streams
  bool settings_seen_ = false;
  bool flush_due_ = false;
  size_t block_bytes_ = 0;   // of the header block being received
  uint32_t empty_data_ = 0;  // empty DATA frames in a row
  uint32_t goaway_error_ = 0;
  int32_t goaway_last_ = 0;
  CURLcode code_ = CURLE_OK;
  std::string error_;
};

}  // namespace evm
