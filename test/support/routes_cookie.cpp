// Raw-listener endpoints for the cookie tests (see routes.h).
#include "routes.h"

namespace evm::test {

bool route_cookie(const RouteRequest &, RouteReply &) {
  return false;
}

}  // namespace evm::test
