// A Filter over in-memory byte queues, for sans-I/O tests of the code above the filter chain:
// recv hands out scripted chunks (then CURLE_AGAIN, EOF or a scripted error), send records what
// it is given and can be limited per call or in total to produce partial sends and CURLE_AGAIN.
#pragma once

#include <curl/curl.h>

#include <algorithm>
#include <cstring>
#include <deque>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "conn/filter.h"

namespace evm::test {

class MemoryFilter final : public Filter {
 public:
  static constexpr size_t kUnlimited = std::numeric_limits<size_t>::max();

  // What happened to a filter that may be gone by the time the test looks (the pool deletes a
  // connection, and its chain with it, when it closes it).
  struct Observer {
    int closes = 0;
    int destroyed = 0;
    int alive_checks = 0;
    int transfer_done = 0;
  };

  explicit MemoryFilter(curl_socket_t fd = 1000) : fd_(fd) {}
  ~MemoryFilter() override {
    if (observer) ++observer->destroyed;
  }

  // --- the receive script ---------------------------------------------------------------------
  // One recv returns at most one chunk (and at most recv_limit bytes of it).
  void push_input(std::string_view chunk) {
    if (!chunk.empty()) script_.push_back({Item::Data, std::string(chunk), CURLE_OK});
  }
  // recv returns 0 from here on.
  void push_eof() { script_.push_back({Item::Eof, {}, CURLE_OK}); }
  // recv fails with `code` from here on.
  void push_error(CURLcode code) { script_.push_back({Item::Error, {}, code}); }
  // Drops what is left of the script (a sticky EOF or error included).
  void clear_input() {
    script_.clear();
    offset_ = 0;
  }
  // Bytes scripted but not yet received.
  size_t input_left() const {
    size_t n = 0;
    for (const Item &i : script_) n += i.data.size();
    return n - offset_;
  }

  size_t recv_limit = kUnlimited;  // bytes per recv call
  int recv_calls = 0;

  // --- the send side --------------------------------------------------------------------------
  size_t send_limit = kUnlimited;     // bytes accepted per call
  size_t send_capacity = kUnlimited;  // bytes accepted in total before `full_error`
  CURLcode full_error = CURLE_AGAIN;  // what send answers once the capacity is used up
  std::string sent;                   // every byte accepted, in order
  std::vector<size_t> send_calls;     // the length offered by each call, failed ones included
  std::vector<size_t> send_results;   // bytes accepted by each call (0 for a failed one)

  // --- the rest of the interface --------------------------------------------------------------
  bool pending = false;  // data_pending()
  bool alive = true;     // is_alive()
  long max_streams = 0;  // answer to MaxConcurrentStreams; 0: not known here
  bool closed = false;
  Observer *observer = nullptr;

  CURLcode connect(FilterContext &, TimePoint, bool &done) override {
    done = true;
    return CURLE_OK;
  }

  ssize_t send(FilterContext &, const char *buf, size_t len, CURLcode &err) override {
    send_calls.push_back(len);
    if (send_capacity == 0) {
      err = full_error;
      send_results.push_back(0);
      return -1;
    }
    size_t n = std::min({len, send_limit, send_capacity});
    if (send_capacity != kUnlimited) send_capacity -= n;
    sent.append(buf, n);
    send_results.push_back(n);
    err = CURLE_OK;
    return static_cast<ssize_t>(n);
  }

  ssize_t recv(FilterContext &, char *buf, size_t len, CURLcode &err) override {
    ++recv_calls;
    err = CURLE_OK;
    if (script_.empty()) {
      err = CURLE_AGAIN;
      return -1;
    }
    Item &front = script_.front();
    switch (front.kind) {
      case Item::Eof:
        return 0;
      case Item::Error:
        err = front.code;
        return -1;
      case Item::Data:
        break;
    }
    size_t n = std::min({len, recv_limit, front.data.size() - offset_});
    std::memcpy(buf, front.data.data() + offset_, n);
    offset_ += n;
    if (offset_ == front.data.size()) {
      script_.pop_front();
      offset_ = 0;
    }
    return static_cast<ssize_t>(n);
  }

  void adjust_pollset(Pollset &ps, bool want_send, bool want_recv) const override {
    int events = (want_send ? CURL_POLL_OUT : 0) | (want_recv ? CURL_POLL_IN : 0);
    if (events) ps.add(fd_, events);
  }

  bool is_alive(FilterContext &) override {
    if (observer) ++observer->alive_checks;
    return alive;
  }
  bool data_pending() const override { return pending; }
  void control(FilterContext &, FilterControl what) override {
    if (observer && what == FilterControl::TransferDone) ++observer->transfer_done;
  }
  bool query(FilterQuery q, FilterAnswer &out) const override {
    if (q == FilterQuery::MaxConcurrentStreams && max_streams > 0) {
      out.number = max_streams;
      return true;
    }
    return false;
  }
  void close(FilterContext &) override {
    closed = true;
    if (observer) ++observer->closes;
  }
  curl_socket_t socket() const override { return fd_; }

 private:
  struct Item {
    enum Kind { Data, Eof, Error } kind;
    std::string data;
    CURLcode code;
  };
  curl_socket_t fd_;
  std::deque<Item> script_;
  size_t offset_ = 0;  // into the front Data item
};

}  // namespace evm::test
