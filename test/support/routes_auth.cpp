// Raw-listener endpoints for the auth tests (see routes.h).
#include "routes.h"

namespace evm::test {

bool route_auth(const RouteRequest &, RouteReply &) {
  return false;
}

}  // namespace evm::test
