#include "transfer/app_socket_callbacks.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstddef>
#include <cstring>

namespace evm {

namespace {

// curl_sockaddr with room for an IPv6 address after its header (its `addr` member is a plain
// 16-byte sockaddr), the layout libcurl hands out.
struct WideSockaddr {
  int family;
  int socktype;
  int protocol;
  unsigned int addrlen;
  sockaddr_storage addr;
};
static_assert(offsetof(WideSockaddr, addr) == offsetof(curl_sockaddr, addr));

}  // namespace

AppSocketCallbacks::AppSocketCallbacks(const EasyOptions &opt, TransferHost &host)
    : host_(host),
      open_fn_(opt.open_socket_fn),
      open_data_(opt.open_socket_data),
      sockopt_fn_(opt.sockopt_fn),
      sockopt_data_(opt.sockopt_data),
      close_fn_(opt.close_socket_fn),
      close_data_(opt.close_socket_data) {}

std::shared_ptr<SocketCallbacks> AppSocketCallbacks::from(const EasyOptions &opt,
                                                          TransferHost &host) {
  if (!opt.open_socket_fn && !opt.sockopt_fn && !opt.close_socket_fn) return nullptr;
  return std::shared_ptr<SocketCallbacks>(new AppSocketCallbacks(opt, host));
}

curl_socket_t AppSocketCallbacks::open(Address &addr) {
  if (!open_fn_)
    return ::socket(addr.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
  WideSockaddr sa{};
  sa.family = addr.family();
  sa.socktype = SOCK_STREAM;
  sa.protocol = IPPROTO_TCP;
  sa.addrlen = static_cast<unsigned int>(addr.length);
  std::memcpy(&sa.addr, addr.sa(), addr.length);
  curl_socket_t fd;
  {
    CallbackGuard in_cb(host_);
    fd = open_fn_(open_data_, CURLSOCKTYPE_IPCXN, reinterpret_cast<curl_sockaddr *>(&sa));
  }
  // The man page lets the callback change where the socket goes.
  if (fd != CURL_SOCKET_BAD && sa.addrlen >= sizeof(sa_family_t) && sa.addrlen <= sizeof sa.addr)
    addr = Address::from_sockaddr(reinterpret_cast<const sockaddr *>(&sa.addr),
                                  static_cast<socklen_t>(sa.addrlen));
  return fd;
}

int AppSocketCallbacks::tune(curl_socket_t fd) {
  if (!sockopt_fn_) return CURL_SOCKOPT_OK;
  CallbackGuard in_cb(host_);
  return sockopt_fn_(sockopt_data_, fd, CURLSOCKTYPE_IPCXN);
}

void AppSocketCallbacks::close(curl_socket_t fd) {
  if (!close_fn_) {
    ::close(fd);
    return;
  }
  CallbackGuard in_cb(host_);
  close_fn_(close_data_, fd);
}

}  // namespace evm
