#include "conn/connection.h"

#include "http/h1_exchange.h"

namespace evm {

Connection::Connection(std::string origin, uint64_t id, SocketRegistry &sockets)
    : origin_(std::move(origin)), id_(id), sockets_(sockets) {}

Connection::~Connection() = default;

Exchange &Connection::exchange() {
  if (!exchange_) exchange_ = std::make_unique<H1Exchange>();
  return *exchange_;
}

size_t Connection::capacity() const {
  FilterAnswer a;
  if (top_ && top_->query(FilterQuery::MaxConcurrentStreams, a) && a.number > 0)
    return static_cast<size_t>(a.number);
  return 1;
}

void Connection::detach(ConnectionUser &u) {
  users_.remove(u);
  update_pollset(u.user_easy());
}

void Connection::update_pollset(CURL *easy) {
  Pollset want;
  for (ConnectionUser *u = users_.front(); u; u = users_.next_of(*u)) {
    u->add_pollset(want);
    if (u == users_.front()) easy = u->user_easy();
  }
  for (int i = 0; i < watched_.count; ++i)
    if (!want.events_of(watched_.entries[i].fd))
      sockets_.unwatch(watched_.entries[i].fd, *this, easy);
  for (int i = 0; i < want.count; ++i)
    sockets_.watch(want.entries[i].fd, want.entries[i].events, *this, easy);
  watched_ = want;
}

void Connection::on_socket_ready(curl_socket_t, int cselect) {
  // Users only note the event and get scheduled, so none can close the connection under us.
  for (ConnectionUser *u = users_.front(); u; u = users_.next_of(*u))
    u->on_connection_event(cselect);
}

void Connection::close(FilterContext &ctx) {
  for (int i = 0; i < watched_.count; ++i)
    sockets_.unwatch(watched_.entries[i].fd, *this, ctx.easy);
  watched_ = Pollset{};
  if (top_) top_->close(ctx);
}

const Connection::Ends &Connection::ends() {
  if (ends_known_ || !top_) return ends_;
  FilterAnswer a;
  if (top_->query(FilterQuery::PeerAddress, a)) {
    ends_.peer_ip = a.address.ip();
    ends_.peer_port = a.address.port();
  }
  if (top_->query(FilterQuery::LocalAddress, a)) {
    ends_.local_ip = a.address.ip();
    ends_.local_port = a.address.port();
  }
  ends_known_ = connected;  // before that the chain may still switch addresses
  return ends_;
}

}  // namespace evm
