// Receive pause (CURL_WRITEFUNC_PAUSE from WRITEFUNCTION or HEADERFUNCTION, or curl_easy_pause):
// what the application did not take, and everything after it, is kept here in order and handed
// over after the unpause, before anything newer. The exchange stops reading meanwhile, but what
// one read brought may decode to much more: past limits::kPauseBufferBytes held, the transfer
// fails with CURLE_TOO_LARGE as libcurl 8 does.
#pragma once

#include <algorithm>
#include <deque>
#include <string>

#include "transfer/client_writer.h"
#include "util/limits.h"

namespace evm {

struct PauseState {
  bool recv = false;  // CURLPAUSE_RECV: no reading, no WRITEFUNCTION/HEADERFUNCTION calls
  bool send = false;  // CURLPAUSE_SEND: no sending, no READFUNCTION calls
};

class PauseWriter final : public ClientWriter {
 public:
  // `next` answers CURLE_AGAIN when the application asked to pause instead of taking the data.
  // `error` receives the ERRORBUFFER text when the held bytes pass the limit.
  PauseWriter(ClientWriter &next, PauseState &state, std::string &error)
      : next_(next), state_(state), error_(error) {}

  CURLcode write(WriteKind kind, std::string_view data) override {
    if (!held_.empty() || state_.recv) return hold(kind, data);
    size_t taken = 0;
    CURLcode rc = pass(kind, data, taken);
    if (rc == CURLE_OK && taken < data.size()) return hold(kind, data.substr(taken));
    return rc;
  }

  bool holding() const { return !held_.empty(); }

  // Hands over what was kept, oldest first, until done or paused again.
  CURLcode flush() {
    while (!held_.empty() && !state_.recv) {
      Held &h = held_.front();
      size_t taken = 0;
      if (CURLcode rc = pass(h.kind, h.data, taken)) return rc;
      held_bytes_ -= taken;
      if (taken < h.data.size()) {
        h.data.erase(0, taken);
        break;
      }
      held_.pop_front();
    }
    return CURLE_OK;
  }

 private:
  struct Held {
    WriteKind kind;
    std::string data;
  };

  CURLcode hold(WriteKind kind, std::string_view data) {
    if (data.size() > limits::kPauseBufferBytes - held_bytes_) {
      error_ = "Paused transfer: more than " + std::to_string(limits::kPauseBufferBytes) +
               " bytes to hold";
      return CURLE_TOO_LARGE;
    }
    held_bytes_ += data.size();
    // Body bytes join the previous body piece; pass() splits them again.
    if (kind == WriteKind::Body && !held_.empty() && held_.back().kind == WriteKind::Body)
      held_.back().data.append(data);
    else
      held_.push_back(Held{kind, std::string(data)});
    return CURLE_OK;
  }

  // Offers `data` piece by piece (heads a line at a time, bodies at most CURL_MAX_WRITE_SIZE)
  // while not paused; `taken` says how far the application got.
  CURLcode pass(WriteKind kind, std::string_view data, size_t &taken) {
    while (taken < data.size() && !state_.recv) {
      std::string_view rest = data.substr(taken);
      size_t len;
      if (kind != WriteKind::Body) {
        size_t eol = rest.find('\n');
        len = eol == std::string_view::npos ? rest.size() : eol + 1;
      } else {
        len = std::min<size_t>(rest.size(), CURL_MAX_WRITE_SIZE);
      }
      CURLcode rc = next_.write(kind, rest.substr(0, len));
      if (rc == CURLE_AGAIN) {
        state_.recv = true;
        return CURLE_OK;
      }
      if (rc) return rc;
      taken += len;
    }
    return CURLE_OK;
  }

  ClientWriter &next_;
  PauseState &state_;
  std::string &error_;
  std::deque<Held> held_;
  size_t held_bytes_ = 0;  // in held_, never above limits::kPauseBufferBytes
};

}  // namespace evm
