// Raw-listener endpoints for the encoding tests (see routes.h).
#include "routes.h"

namespace evm::test {

bool route_encoding(const RouteRequest &, RouteReply &) {
  return false;
}

}  // namespace evm::test
