// A doubly linked list threaded through its elements: O(1) insert and unlink with no allocation,
// for the queues on the engine's hot path (pending transfers, idle connections).
#pragma once

#include <cstddef>

namespace evm {

struct ListLink {
  ListLink *prev = nullptr;
  ListLink *next = nullptr;
  bool linked() const { return prev != nullptr; }
};

// T holds a ListLink member named by `Member`.
template <class T, ListLink T::*Member>
class IntrusiveList {
 public:
  IntrusiveList() { head_.prev = head_.next = &head_; }
  IntrusiveList(const IntrusiveList &) = delete;
  IntrusiveList &operator=(const IntrusiveList &) = delete;

  bool empty() const { return head_.next == &head_; }
  size_t size() const { return size_; }
  T *front() const { return empty() ? nullptr : owner(head_.next); }
  T *back() const { return empty() ? nullptr : owner(head_.prev); }

  void push_back(T &item) { insert_before(&head_, &(item.*Member)); }
  void push_front(T &item) { insert_before(head_.next, &(item.*Member)); }
  void remove(T &item) {
    ListLink *l = &(item.*Member);
    if (!l->linked()) return;
    l->prev->next = l->next;
    l->next->prev = l->prev;
    l->prev = l->next = nullptr;
    --size_;
  }
  T *pop_front() {
    T *t = front();
    if (t) remove(*t);
    return t;
  }
  T *next_of(T &item) const {
    ListLink *n = (item.*Member).next;
    return n == &head_ ? nullptr : owner(n);
  }

 private:
  static T *owner(ListLink *l) {
    // The member's offset inside T, measured once on raw storage (T need not be standard-layout,
    // so offsetof is not available).
    alignas(T) static char probe[sizeof(T)];
    static const size_t offset = static_cast<size_t>(
        reinterpret_cast<char *>(&(reinterpret_cast<T *>(probe)->*Member)) - probe);
    return reinterpret_cast<T *>(reinterpret_cast<char *>(l) - offset);
  }
  void insert_before(ListLink *pos, ListLink *l) {
    l->next = pos;
    l->prev = pos->prev;
    pos->prev->next = l;
    pos->prev = l;
    ++size_;
  }

  ListLink head_;
  size_t size_ = 0;
};

}  // namespace evm
