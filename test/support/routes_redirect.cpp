// Raw-listener endpoints for the redirect tests (see routes.h).
#include "routes.h"

namespace evm::test {

bool route_redirect(const RouteRequest &, RouteReply &) {
  return false;
}

}  // namespace evm::test
