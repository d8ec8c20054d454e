#include "event/timer_queue.h"

namespace evm {

void TimerQueue::place(size_t i, TimerClient *c) {
  heap_[i] = c;
  c->heap_index_ = i;
}

void TimerQueue::sift_up(size_t i) {
  TimerClient *c = heap_[i];
  while (i > 0) {
    size_t parent = (i - 1) / 2;
    if (!(c->deadline_ < heap_[parent]->deadline_)) break;
    place(i, heap_[parent]);
    i = parent;
  }
  place(i, c);
}

void TimerQueue::sift_down(size_t i) {
  TimerClient *c = heap_[i];
  const size_t n = heap_.size();
  for (;;) {
    size_t child = 2 * i + 1;
    if (child >= n) break;
    if (child + 1 < n && less(child + 1, child)) ++child;
    if (!(heap_[child]->deadline_ < c->deadline_)) break;
    place(i, heap_[child]);
    i = child;
  }
  place(i, c);
}

void TimerQueue::arm(TimerClient &c, TimePoint deadline) {
  if (c.queued()) {
    TimePoint old = c.deadline_;
    c.deadline_ = deadline;
    if (deadline < old)
      sift_up(c.heap_index_);
    else if (old < deadline)
      sift_down(c.heap_index_);
    return;
  }
  c.deadline_ = deadline;
  heap_.push_back(&c);
  sift_up(heap_.size() - 1);
}

void TimerQueue::remove_at(size_t i) {
  TimerClient *gone = heap_[i];
  TimerClient *last = heap_.back();
  heap_.pop_back();
  gone->heap_index_ = TimerClient::kNotQueued;
  if (gone == last) return;
  place(i, last);
  sift_down(i);
  sift_up(last->heap_index_);
}

void TimerQueue::cancel(TimerClient &c) {
  if (c.queued()) remove_at(c.heap_index_);
}

TimerClient *TimerQueue::pop_expired(TimePoint t) {
  if (heap_.empty() || t < heap_.front()->deadline_) return nullptr;
  TimerClient *c = heap_.front();
  remove_at(0);
  return c;
}

}  // namespace evm
