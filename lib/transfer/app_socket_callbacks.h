// The application's OPENSOCKETFUNCTION, SOCKOPTFUNCTION and CLOSESOCKETFUNCTION with their
// data pointers, copied when a connection is made (as libcurl does), so a connection closed long
// after its transfer still closes its sockets the way the application asked.
#pragma once

#include <curl/curl.h>

#include <memory>

#include "conn/socket_callbacks.h"
#include "transfer/easy_options.h"
#include "transfer/transfer_host.h"

namespace evm {

class AppSocketCallbacks final : public SocketCallbacks {
 public:
  // Null when the options set none of the three callbacks (plain socket() and close()).
  static std::shared_ptr<SocketCallbacks> from(const EasyOptions &opt, TransferHost &host);

  curl_socket_t open(Address &addr) override;
  int tune(curl_socket_t fd) override;
  void close(curl_socket_t fd) override;

 private:
  AppSocketCallbacks(const EasyOptions &opt, TransferHost &host);

  TransferHost &host_;  // the multi, which outlives its connections
  curl_opensocket_callback open_fn_;
  void *open_data_;
  curl_sockopt_callback sockopt_fn_;
  void *sockopt_data_;
  curl_closesocket_callback close_fn_;
  void *close_data_;
};

}  // namespace evm
