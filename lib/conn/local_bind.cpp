#include "conn/local_bind.h"

#include <ifaddrs.h>
#include <net/if.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <string_view>

#include "net/address.h"
#include "util/ascii.h"
#include "util/trace.h"

namespace evm {

namespace {

enum class IfLookup { NotFound, NoSuchFamily, Found };

// The first address of `family` on interface `name` (libcurl's if2ip).
IfLookup interface_address(const std::string &name, int family, Address &out) {
  ifaddrs *list = nullptr;
  if (getifaddrs(&list) != 0) return IfLookup::NotFound;
  IfLookup r = IfLookup::NotFound;
  for (ifaddrs *i = list; i; i = i->ifa_next) {
    if (!i->ifa_name || name != i->ifa_name) continue;
    if (r == IfLookup::NotFound) r = IfLookup::NoSuchFamily;
    if (!i->ifa_addr || i->ifa_addr->sa_family != family) continue;
    socklen_t len = family == AF_INET6 ? sizeof(sockaddr_in6) : sizeof(sockaddr_in);
    out = Address::from_sockaddr(i->ifa_addr, len);
    r = IfLookup::Found;
    break;
  }
  freeifaddrs(list);
  return r;
}

// A numeric address or "localhost" of `family`; false for anything that would need a lookup.
bool host_address(const std::string &host, int family, Address &out) {
  if (Address::from_numeric(host, 0, out)) return out.family() == family;
  if (ascii::lowered(host) != "localhost") return false;
  return Address::from_numeric(family == AF_INET6 ? "::1" : "127.0.0.1", 0, out);
}

Address any_address(int family) {
  Address a;
  Address::from_numeric(family == AF_INET6 ? "::" : "0.0.0.0", 0, a);
  return a;
}

// Where the interface option points: an interface's address, a host's, or nothing when the
// socket is tied to the device itself.
CURLcode resolve_interface(curl_socket_t fd, int family, const std::string &spec, Trace &trace,
                           std::string &error, Address &local, bool &device_bound) {
  std::string_view dev = spec;
  bool interface_only = false, host_only = false;
  if (dev.substr(0, 3) == "if!") {
    interface_only = true;
    dev.remove_prefix(3);
  } else if (dev.substr(0, 5) == "host!") {
    host_only = true;
    dev.remove_prefix(5);
  }
  std::string name(dev);
  if (!host_only) {
#ifdef SO_BINDTODEVICE
    // Tying the socket to the device is enough when the system allows it (libcurl then binds
    // no address or port); otherwise fall back to the interface's address.
    if (::setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, name.c_str(),
                     static_cast<socklen_t>(name.size() + 1)) == 0) {
      device_bound = true;
      return CURLE_OK;
    }
    int err = errno;
    trace.info("SO_BINDTODEVICE %s failed with errno %d: %s; will do regular bind", name.c_str(),
               err, std::strerror(err));
#endif
    switch (interface_address(name, family, local)) {
      case IfLookup::Found:
        trace.info("Local Interface %s is ip %s using address family %i", name.c_str(),
                   local.ip().c_str(), family);
        return CURLE_OK;
      case IfLookup::NoSuchFamily:
        return CURLE_UNSUPPORTED_PROTOCOL;
      case IfLookup::NotFound:
        if (interface_only) {
          error = "Couldn't bind to interface '" + name + "'";
          return CURLE_INTERFACE_FAILED;
        }
        break;
    }
  }
  Address numeric;
  if (Address::from_numeric(name, 0, numeric) && numeric.family() != family)
    return CURLE_UNSUPPORTED_PROTOCOL;  // an address of the other family: try the next peer
  if (!host_address(name, family, local)) {
    error = "Couldn't bind to '" + name + "'";
    return CURLE_INTERFACE_FAILED;
  }
  trace.info("Name '%s' family %i resolved to '%s' family %i", name.c_str(), family,
             local.ip().c_str(), local.family());
  return CURLE_OK;
}

}  // namespace

CURLcode bind_local(curl_socket_t fd, int family, const LocalBind &spec, Trace &trace,
                    std::string &error) {
  if (!spec.wanted()) return CURLE_OK;
  Address local = any_address(family);
  if (!spec.interface.empty()) {
    bool device_bound = false;
    CURLcode rc = resolve_interface(fd, family, spec.interface, trace, error, local, device_bound);
    if (rc != CURLE_OK || device_bound) return rc;
  }
  uint16_t port = spec.port;
  int tries = spec.port_range ? spec.port_range : 1;
  for (;;) {
    local.set_port(port);
    if (::bind(fd, local.sa(), local.length) == 0) {
      if (port) trace.info("Local port: %u", port);
      return CURLE_OK;
    }
    int err = errno;
    if (--tries > 0 && port && port < 65535 && err == EADDRINUSE) {
      trace.info("Bind to local port %u failed, trying next", port);
      ++port;
      continue;
    }
    error = "bind failed with errno " + std::to_string(err) + ": " + std::strerror(err);
    return CURLE_INTERFACE_FAILED;
  }
}

}  // namespace evm
