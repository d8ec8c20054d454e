#include "event/socket_registry.h"

namespace evm {

void SocketRegistry::watch(curl_socket_t fd, int interest, IoHandler &owner, CURL *easy) {
  if (fd < 0) return;
  if (interest == 0) {
    forget(fd, easy);
    return;
  }
  if (static_cast<size_t>(fd) >= entries_.size()) entries_.resize(static_cast<size_t>(fd) + 64);
  SocketEntry &e = entries_[static_cast<size_t>(fd)];
  e.owner = &owner;
  if (e.interest == interest) return;
  if (e.interest == 0) ++watched_;
  e.interest = interest;
  reporter_.report_socket(easy, fd, interest, e.socketp);
}

void SocketRegistry::forget(curl_socket_t fd, CURL *easy) {
  if (fd < 0 || static_cast<size_t>(fd) >= entries_.size()) return;
  SocketEntry &e = entries_[static_cast<size_t>(fd)];
  if (e.interest == 0) return;
  void *socketp = e.socketp;
  e = SocketEntry{};
  --watched_;
  reporter_.report_socket(easy, fd, CURL_POLL_REMOVE, socketp);
}

void SocketRegistry::unwatch(curl_socket_t fd, IoHandler &owner, CURL *easy) {
  const SocketEntry *e = find(fd);
  if (e && e->owner == &owner) forget(fd, easy);
}

const SocketEntry *SocketRegistry::find(curl_socket_t fd) const {
  if (fd < 0 || static_cast<size_t>(fd) >= entries_.size()) return nullptr;
  const SocketEntry &e = entries_[static_cast<size_t>(fd)];
  return e.interest ? &e : nullptr;
}

bool SocketRegistry::assign(curl_socket_t fd, void *socketp) {
  if (fd < 0 || static_cast<size_t>(fd) >= entries_.size()) return false;
  SocketEntry &e = entries_[static_cast<size_t>(fd)];
  if (!e.interest) return false;
  e.socketp = socketp;
  return true;
}

}  // namespace evm
