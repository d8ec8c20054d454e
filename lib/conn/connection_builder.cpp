#include "conn/connection_builder.h"

#include "conn/tls_filter.h"

namespace evm {

std::unique_ptr<Filter> build_filter_chain(ChainSpec spec) {
  std::unique_ptr<Filter> top = std::make_unique<TcpFilter>(
      std::move(spec.addresses), spec.connect_host.empty() ? spec.host : spec.connect_host,
      spec.connect_port ? spec.connect_port : spec.port, std::move(spec.tcp));
  if (spec.tls)
    top = std::make_unique<TlsFilter>(std::move(top), *spec.tls_contexts, *spec.tls, spec.host,
                                      spec.port);
  return top;
}

}  // namespace evm
