// What paces a transfer from outside its exchange: the application's pause, the progress and
// low-speed checks once per run, and the overall and connect deadlines.
#include "transfer/transfer.h"

#include <algorithm>
#include <string>

namespace evm {

namespace {
constexpr long kDefaultConnectTimeoutMs = 300000;  // libcurl's default
}  // namespace

// Hands over response bytes kept during a receive pause, once it is lifted, and what the
// decoders kept at the last turn's budget; true (with `step`) when the exchange must not run
// this turn.
bool Transfer::deliver_held(Step &step) {
  step = Step::Wait;
  if (CURLcode rc = attempt_->flush_held()) {
    fail(rc, run_.error);
    return true;
  }
  if (!run_.complete_held) return false;
  if (attempt_->holds_response_data()) return true;
  run_.complete_held = false;
  if (attempt_->follow_up_due())
    step = follow_up(now_);
  else
    finish(CURLE_OK, now_);
  return true;
}

CURLcode Transfer::pause(int bitmask, bool may_call_back) {
  // libcurl 7.88 refuses a handle that has no connection (not started, or done).
  if (!attempt_ || !lease_ || state_ == State::Idle || state_ == State::Done)
    return CURLE_BAD_FUNCTION_ARGUMENT;
  const PauseState &was = attempt_->pause_state();
  bool resumed =
      (was.recv && !(bitmask & CURLPAUSE_RECV)) || (was.send && !(bitmask & CURLPAUSE_SEND));
  attempt_->set_pause(bitmask & CURLPAUSE_RECV, bitmask & CURLPAUSE_SEND);
  if (state_ != State::Exchange) return CURLE_OK;
  // Run again soon: before the current API call returns when inside one, else at the timeout
  // the application is told about, so a resumed transfer never waits for its socket.
  host().schedule(*this);
  if (resumed) host().timers().arm(*this, evm::now());
  if (may_call_back) lease_->update_pollset();
  return CURLE_OK;
}

ProgressCounts Transfer::progress_counts() const {
  ProgressCounts c;
  c.dl_total = info.content_length_download > 0 ? info.content_length_download : 0;
  c.dl_now = info.size_download;
  c.ul_total = attempt_ ? attempt_->body_size() : 0;
  c.ul_now = info.size_upload;
  return c;
}

// Once per run of the transfer: the low-speed check, then the progress report.
bool Transfer::progress(TimePoint t) {
  // A transfer the application paused is not slow: its window starts again on resume.
  bool paused = state_ == State::Exchange && attempt_->pause_state().recv;
  if (paused) low_speed_.reset();
  if (state_ == State::Exchange && !paused &&
      low_speed_.too_slow(opt, info.size_download + info.size_upload, t, run_.error)) {
    fail(CURLE_OPERATION_TIMEDOUT, run_.error);
    return false;
  }
  if (progress_.report(opt, host(), progress_counts(), t, false)) return true;
  fail(CURLE_ABORTED_BY_CALLBACK, "Callback aborted");
  return false;
}

// The report with the final counts, made as the transfer ends; an abort there still fails a
// transfer that had succeeded, as libcurl does.
CURLcode Transfer::last_progress(CURLcode rc, TimePoint t) {
  bool go_on = progress_.report(opt, host(), progress_counts(), t, true);
  if (go_on || rc != CURLE_OK) return rc;
  run_.error = "Callback aborted";
  return CURLE_ABORTED_BY_CALLBACK;
}

TimePoint Transfer::timeout_deadline() const {
  TimePoint d = TimePoint::max();
  if (opt.timeout_ms > 0) d = after_ms(info.started, opt.timeout_ms);
  if (state_ == State::Resolve || state_ == State::Connect || state_ == State::Pending) {
    long ms = opt.connect_timeout_ms > 0 ? opt.connect_timeout_ms : kDefaultConnectTimeoutMs;
    d = std::min(d, after_ms(run_.connect_started, ms));
  }
  return d;
}

bool Transfer::timed_out(TimePoint t) {
  if (t < timeout_deadline()) return false;
  std::string ms = std::to_string(micros_between(info.started, t) / 1000);
  if (state_ == State::Resolve && resolving())
    fail(CURLE_OPERATION_TIMEDOUT, "Resolving timed out after " + ms + " milliseconds");
  else if (state_ == State::Resolve || state_ == State::Connect || state_ == State::Pending)
    fail(CURLE_OPERATION_TIMEDOUT, "Connection timed out after " + ms + " milliseconds");
  else
    fail(CURLE_OPERATION_TIMEDOUT, "Operation timed out after " + ms + " milliseconds with " +
                                       std::to_string(info.size_download) + " bytes received");
  return true;
}

}  // namespace evm
