// The storm's event loop: multi_driver.h's Driver (which checks every SOCKETFUNCTION call for
// the REMOVE/ADD discipline and that the fd is still open) plus ownership: every socket the
// engine reports must be one it opened through CURLOPT_OPENSOCKETFUNCTION and has not closed
// through CURLOPT_CLOSESOCKETFUNCTION, and none is closed while still watched. It also numbers
// the socket_action calls so callbacks can be charged to the call that made them.
#pragma once

#include <curl/curl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <set>
#include <string>

#include "multi_driver.h"

namespace evm::test::storm {

class StormDriver : public Driver {
 public:
  std::set<curl_socket_t> engine_sockets;  // opened through OPENSOCKETFUNCTION, not closed yet
  uint64_t sockets_opened = 0, sockets_closed = 0;
  uint64_t call_id = 0;         // bumped after each socket_action (and each add/remove batch)
  uint64_t call_callbacks = 0;  // every callback made since the last bump
  uint64_t max_call_callbacks = 0;

  // Sets the socket hooks on one easy handle.
  void own_sockets(CURL *easy) {
    curl_easy_setopt(easy, CURLOPT_OPENSOCKETFUNCTION, &StormDriver::open_socket);
    curl_easy_setopt(easy, CURLOPT_OPENSOCKETDATA, this);
    curl_easy_setopt(easy, CURLOPT_CLOSESOCKETFUNCTION, &StormDriver::close_socket);
    curl_easy_setopt(easy, CURLOPT_CLOSESOCKETDATA, this);
  }

  void charge_callback() {
    if (++call_callbacks > max_call_callbacks) max_call_callbacks = call_callbacks;
  }
  void next_call() {
    ++call_id;
    call_callbacks = 0;
  }

 protected:
  void socket_callback(CURL *easy, curl_socket_t fd, int what, void *socketp) override {
    charge_callback();
    if (!engine_sockets.count(fd))
      violations.push_back("SOCKETFUNCTION for a socket the engine did not open (fd " +
                           std::to_string(fd) + ")");
    Driver::socket_callback(easy, fd, what, socketp);
  }
  void timer_callback(long ms) override {
    charge_callback();
    Driver::timer_callback(ms);
  }

 private:
  static curl_socket_t open_socket(void *clientp, curlsocktype, struct curl_sockaddr *a) {
    auto *self = static_cast<StormDriver *>(clientp);
    self->charge_callback();
    int fd = socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
    if (fd < 0) return CURL_SOCKET_BAD;
    if (!self->engine_sockets.insert(fd).second)
      self->violations.push_back("OPENSOCKETFUNCTION fd " + std::to_string(fd) + " reused");
    ++self->sockets_opened;
    return fd;
  }
  static int close_socket(void *clientp, curl_socket_t fd) {
    auto *self = static_cast<StormDriver *>(clientp);
    self->charge_callback();
    if (self->engine_sockets.erase(fd) == 0)
      self->violations.push_back("CLOSESOCKETFUNCTION for fd " + std::to_string(fd) +
                                 " that OPENSOCKETFUNCTION did not give");
    if (self->watched.count(fd))
      self->violations.push_back("fd " + std::to_string(fd) +
                                 " closed while still watched (no CURL_POLL_REMOVE first)");
    ++self->sockets_closed;
    return close(fd);
  }
};

}  // namespace evm::test::storm
