#include "conn/connection.h"

#include "http/h1_exchange.h"
#include "http/h2_session.h"

namespace evm {

Connection::Connection(std::string origin, uint64_t id, SocketRegistry &sockets, CURL *idle_easy)
    : origin_(std::move(origin)), id_(id), sockets_(sockets), idle_easy_(idle_easy) {}

Connection::~Connection() = default;

Exchange &Connection::begin_exchange(ConnectionUser &user) {
  if (h2_) return h2_->stream_for(user);
  if (!exchange_) exchange_ = std::make_unique<H1Exchange>();
  return *exchange_;
}

void Connection::start_h2(const H2Settings &settings) {
  h2_ = std::make_unique<H2Session>(*top_, settings);
  h2_->on_capacity = [this] { listener_->on_capacity(*this); };
  h2_->on_output = [this] { listener_->on_output(*this); };
}

void Connection::flush_output() {
  if (!h2_) return;
  ConnectionUser *first = users_.front();
  FilterContext ctx = quiet_context(first ? first->user_easy() : idle_easy_);
  h2_->flush(ctx);
  if (!first && !h2_->accepts_streams() && listener_) {
    listener_->on_idle_dead(*this);  // closes and deletes this connection
    return;
  }
  update_pollset();
}

bool Connection::accepts_requests() const {
  return reusable && (!h2_ || h2_->accepts_streams());
}

bool Connection::alive(FilterContext &ctx) {
  return h2_ ? h2_->alive(ctx) : top_->is_alive(ctx);
}

FilterContext Connection::quiet_context(CURL *easy) {
  quiet_error_.clear();
  return FilterContext{sockets_, easy, quiet_trace_, quiet_error_, quiet_errno_};
}

size_t Connection::capacity() const {
  if (h2_) return h2_->capacity();
  FilterAnswer a;
  if (top_ && top_->query(FilterQuery::MaxConcurrentStreams, a) && a.number > 0)
    return static_cast<size_t>(a.number);
  return 1;
}

void Connection::detach(ConnectionUser &u) {
  users_.remove(u);
  if (h2_) h2_->drop_stream(u);
  update_pollset(u.user_easy());
}

void Connection::update_pollset(CURL *easy) {
  Pollset want;
  if (users_.front()) easy = users_.front()->user_easy();
  if (h2_) {
    // The session speaks for all its streams: one answer, however many ride on it. Idle and
    // kept, it is still read (PING answered, GOAWAY noticed) in the name of the internal handle.
    if (users_.front() || watched_while_idle()) h2_->add_pollset(want);
    if (!users_.front() && idle_easy_) easy = idle_easy_;
  } else if (users_.front()) {
    for (ConnectionUser *u = users_.front(); u; u = users_.next_of(*u)) u->add_pollset(want);
  } else if (watched_while_idle() && top_) {
    // Idle and kept: only a close (or stray bytes) can arrive, and either ends it.
    want.add(top_->socket(), CURL_POLL_IN);
    easy = idle_easy_;
  }
  for (int i = 0; i < watched_.count; ++i)
    if (!want.events_of(watched_.entries[i].fd))
      sockets_.unwatch(watched_.entries[i].fd, *this, easy);
  for (int i = 0; i < want.count; ++i)
    sockets_.watch(want.entries[i].fd, want.entries[i].events, *this, easy);
  watched_ = want;
}

bool Connection::watched_while_idle() const {
  return idle_easy_ && connected && reusable && listener_ && listener_->watches_idle();
}

void Connection::on_socket_ready(curl_socket_t, int cselect) {
  if (h2_) {
    // The session reads for every stream and wakes only those that got something; it calls no
    // application callback, so nothing can close the connection under us.
    ConnectionUser *first = users_.front();
    FilterContext ctx = quiet_context(first ? first->user_easy() : nullptr);
    h2_->on_socket_event(ctx, cselect);
    if (!first && !h2_->accepts_streams() && listener_) {
      listener_->on_idle_dead(*this);  // closes and deletes this connection
      return;
    }
    update_pollset();
    return;
  }
  if (!users_.front()) {
    FilterContext ctx = quiet_context(nullptr);
    // TLS records without data (a late session ticket) are consumed and leave it alive.
    if (listener_ && !top_->is_alive(ctx)) listener_->on_idle_dead(*this);  // deletes this
    return;
  }
  // Users only note the event and get scheduled, so none can close the connection under us.
  for (ConnectionUser *u = users_.front(); u; u = users_.next_of(*u))
    u->on_connection_event(cselect);
}

void Connection::close(FilterContext &ctx) {
  for (int i = 0; i < watched_.count; ++i)
    sockets_.unwatch(watched_.entries[i].fd, *this, ctx.easy ? ctx.easy : idle_easy_);
  watched_ = Pollset{};
  h2_.reset();  // before the chain it was reading from goes
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
