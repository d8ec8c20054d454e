// A connection to one origin: its filter stack plus what reuse needs to know about it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "conn/filter.h"
#include "util/intrusive_list.h"

namespace evm {

class Connection {
 public:
  // The filter stack is installed once the address is known; until then the connection only
  // holds its slot in the pool's limits.
  Connection(std::string origin, uint64_t id) : origin_(std::move(origin)), id_(id) {}

  void set_filter(std::unique_ptr<Filter> top) { top_ = std::move(top); }
  bool has_filter() const { return top_ != nullptr; }
  Filter &filter() { return *top_; }
  const Filter &filter() const { return *top_; }
  const std::string &origin() const { return origin_; }
  uint64_t id() const { return id_; }

  bool connected = false;
  uint32_t requests = 0;  // requests started on it; more than one means it was reused
  TimePoint idle_since{};
  // Response bytes that arrived but could not be parsed yet (a header block split across reads).
  std::string stash;

  ListLink idle_link;    // in the pool's LRU of idle connections
  ListLink bucket_link;  // in its origin's list of idle connections

 private:
  std::string origin_;
  std::unique_ptr<Filter> top_;
  uint64_t id_;
};

}  // namespace evm
