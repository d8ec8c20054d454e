// Connection set-up: CONNECT_TO, PORT, buffers, keep-alive probes, INTERFACE, LOCALPORT, socket
// callbacks, PREREQFUNCTION, PIPEWAIT.
#include "api/setopt.h"

namespace evm {

CURLcode set_connection_option(EasyOptions &, CURLoption, const OptionArg &) {
  return CURLE_UNKNOWN_OPTION;
}

}  // namespace evm
