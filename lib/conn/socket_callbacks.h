// How the TCP filter opens, tunes and closes its sockets when the application asked to do that
// itself (OPENSOCKETFUNCTION, SOCKOPTFUNCTION, CLOSESOCKETFUNCTION). An interface, so the
// connection layer needs nothing of the transfer that set the callbacks; it lives as long as the
// connection, since an idle connection is closed long after its last transfer.
#pragma once

#include <curl/curl.h>

#include "net/address.h"

namespace evm {

class SocketCallbacks {
 public:
  virtual ~SocketCallbacks() = default;
  // A new socket for `addr` (SOCK_STREAM, TCP), or CURL_SOCKET_BAD. The application may change
  // `addr`: the socket is then connected there.
  virtual curl_socket_t open(Address &addr) = 0;
  // CURL_SOCKOPT_OK, CURL_SOCKOPT_ERROR or CURL_SOCKOPT_ALREADY_CONNECTED.
  virtual int tune(curl_socket_t fd) = 0;
  virtual void close(curl_socket_t fd) = 0;
};

}  // namespace evm
