// Min-heap of deadlines, one slot per client (a transfer or the resolver).
#pragma once

#include <cstddef>
#include <vector>

#include "util/clock.h"

namespace evm {

class TimerClient {
 public:
  static constexpr size_t kNotQueued = static_cast<size_t>(-1);
  virtual void on_timeout(TimePoint t) = 0;
  TimePoint deadline() const { return deadline_; }
  bool queued() const { return heap_index_ != kNotQueued; }

 protected:
  ~TimerClient() = default;

 private:
  friend class TimerQueue;
  TimePoint deadline_{};
  size_t heap_index_ = kNotQueued;
};

// Indexed binary heap: each client knows its slot, so re-arming and cancelling are O(log n)
// without searching.
class TimerQueue {
 public:
  void arm(TimerClient &c, TimePoint deadline);
  void cancel(TimerClient &c);
  bool empty() const { return heap_.empty(); }
  size_t size() const { return heap_.size(); }
  TimerClient *top() const { return heap_.empty() ? nullptr : heap_.front(); }
  // Removes and returns the earliest client if its deadline is at or before `t`.
  TimerClient *pop_expired(TimePoint t);

 private:
  bool less(size_t a, size_t b) const { return heap_[a]->deadline_ < heap_[b]->deadline_; }
  void place(size_t i, TimerClient *c);
  void sift_up(size_t i);
  void sift_down(size_t i);
  void remove_at(size_t i);

  std::vector<TimerClient *> heap_;
};

}  // namespace evm
