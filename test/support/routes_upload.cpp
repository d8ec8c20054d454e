// Raw-listener endpoints for the upload tests (see routes.h).
#include "routes.h"

namespace evm::test {

bool route_upload(const RouteRequest &, RouteReply &) {
  return false;
}

}  // namespace evm::test
