#include "fake_dns.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

namespace evm::test {

namespace {

constexpr size_t kHeaderSize = 12;
constexpr uint16_t kClassIn = 1;
constexpr uint32_t kTtl = 60;
constexpr int kRcodeNoError = 0;
constexpr int kRcodeFormErr = 1;
constexpr int kRcodeNxDomain = 3;
constexpr int kRcodeRefused = 5;

std::string normalize(std::string name) {
  while (!name.empty() && name.back() == '.') name.pop_back();
  for (char &c : name)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return name;
}

uint16_t get16(const uint8_t *p) {
  return static_cast<uint16_t>((p[0] << 8) | p[1]);
}

void put16(std::vector<uint8_t> &out, uint16_t v) {
  out.push_back(static_cast<uint8_t>(v >> 8));
  out.push_back(static_cast<uint8_t>(v & 0xff));
}

void put32(std::vector<uint8_t> &out, uint32_t v) {
  put16(out, static_cast<uint16_t>(v >> 16));
  put16(out, static_cast<uint16_t>(v & 0xffff));
}

struct Question {
  std::string name;  // dotted, lower case
  size_t end = 0;    // offset just past QCLASS
  uint16_t type = 0;
  uint16_t qclass = 0;
};

// Parses the one question after the header; nullopt if malformed (compression in a query is
// not something a resolver sends, so it counts as malformed too).
std::optional<Question> parse_question(const uint8_t *msg, size_t len) {
  Question q;
  size_t pos = kHeaderSize;
  size_t wire_length = 0;
  for (;;) {
    if (pos >= len) return std::nullopt;
    uint8_t label = msg[pos++];
    ++wire_length;
    if (label == 0) break;
    if (label > 63) return std::nullopt;
    if (pos + label > len) return std::nullopt;
    wire_length += label;
    if (wire_length > 255) return std::nullopt;
    if (!q.name.empty()) q.name += '.';
    q.name.append(reinterpret_cast<const char *>(msg + pos), label);
    pos += label;
  }
  if (pos + 4 > len) return std::nullopt;
  q.type = get16(msg + pos);
  q.qclass = get16(msg + pos + 2);
  q.end = pos + 4;
  q.name = normalize(std::move(q.name));
  return q;
}

}  // namespace

struct FakeDns::Impl {
  struct Entry {
    std::vector<std::array<uint8_t, 4>> v4;
    std::vector<std::array<uint8_t, 16>> v6;
    bool silent = false;
  };

  mutable std::mutex mu;  // guards names, per_name and the lifecycle fields
  std::map<std::string, Entry> names;
  std::map<std::pair<std::string, uint16_t>, uint64_t> per_name;
  std::atomic<uint64_t> total{0};

  int fd = -1;
  int wake[2] = {-1, -1};  // stop() writes to wake[1]
  uint16_t bound_port = 0;
  std::thread thread;
  bool running = false;

  void serve();
  // The reply to one datagram; empty when nothing is to be sent.
  std::vector<uint8_t> answer(const uint8_t *msg, size_t len);
};

std::vector<uint8_t> FakeDns::Impl::answer(const uint8_t *msg, size_t len) {
  std::vector<uint8_t> out;
  if (len < kHeaderSize) return out;
  uint16_t flags = get16(msg + 2);
  if (flags & 0x8000) return out;       // a response, not a query
  uint16_t opcode_rd = flags & 0x7900;  // opcode and RD are echoed

  auto header = [&](int rcode, uint16_t qdcount, uint16_t ancount) {
    out.clear();
    out.push_back(msg[0]);
    out.push_back(msg[1]);
    // QR, AA, RA set; opcode and RD copied.
    put16(out, static_cast<uint16_t>(0x8000 | opcode_rd | 0x0400 | 0x0080 | rcode));
    put16(out, qdcount);
    put16(out, ancount);
    put16(out, 0);
    put16(out, 0);
  };

  std::optional<Question> q;
  if (get16(msg + 4) == 1 && (flags & 0x7800) == 0) q = parse_question(msg, len);
  if (!q) {
    header(kRcodeFormErr, 0, 0);
    return out;
  }

  Entry entry;
  bool known = false;
  {
    std::lock_guard<std::mutex> lock(mu);
    total.fetch_add(1, std::memory_order_relaxed);
    ++per_name[{q->name, q->type}];
    if (auto it = names.find(q->name); it != names.end()) {
      entry = it->second;
      known = true;
    }
  }
  if (known && entry.silent) return out;
  if (q->qclass != kClassIn) {
    header(kRcodeRefused, 1, 0);
    out.insert(out.end(), msg + kHeaderSize, msg + q->end);
    return out;
  }
  if (!known) {
    header(kRcodeNxDomain, 1, 0);
    out.insert(out.end(), msg + kHeaderSize, msg + q->end);
    return out;
  }

  size_t count = q->type == kTypeA ? entry.v4.size() : q->type == kTypeAAAA ? entry.v6.size() : 0;
  header(kRcodeNoError, 1, static_cast<uint16_t>(count));
  out.insert(out.end(), msg + kHeaderSize, msg + q->end);
  auto record = [&](const uint8_t *data, uint16_t size) {
    put16(out, 0xC000 | kHeaderSize);  // owner name: pointer to the question's QNAME
    put16(out, q->type);
    put16(out, kClassIn);
    put32(out, kTtl);
    put16(out, size);
    out.insert(out.end(), data, data + size);
  };
  if (q->type == kTypeA)
    for (auto &a : entry.v4) record(a.data(), 4);
  else if (q->type == kTypeAAAA)
    for (auto &a : entry.v6) record(a.data(), 16);
  return out;
}

void FakeDns::Impl::serve() {
  uint8_t buf[1500];
  for (;;) {
    pollfd p[2] = {{fd, POLLIN, 0}, {wake[0], POLLIN, 0}};
    int n = ::poll(p, 2, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (p[1].revents) return;
    if (!(p[0].revents & POLLIN)) continue;
    for (;;) {
      sockaddr_storage from{};
      socklen_t from_len = sizeof from;
      ssize_t got =
          ::recvfrom(fd, buf, sizeof buf, 0, reinterpret_cast<sockaddr *>(&from), &from_len);
      if (got < 0) break;  // EAGAIN: drained
      std::vector<uint8_t> reply = answer(buf, static_cast<size_t>(got));
      if (!reply.empty())
        ::sendto(fd, reply.data(), reply.size(), MSG_NOSIGNAL, reinterpret_cast<sockaddr *>(&from),
                 from_len);
    }
  }
}

FakeDns::FakeDns() : impl_(std::make_unique<Impl>()) {}

FakeDns::~FakeDns() {
  stop();
}

bool FakeDns::start() {
  Impl &m = *impl_;
  std::lock_guard<std::mutex> lock(m.mu);
  if (m.running) return true;
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t addr_len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr *>(&addr), &addr_len) != 0) {
    ::close(fd);
    return false;
  }
  if (::pipe2(m.wake, O_CLOEXEC | O_NONBLOCK) != 0) {
    ::close(fd);
    return false;
  }
  m.fd = fd;
  m.bound_port = ntohs(addr.sin_port);
  m.running = true;
  m.thread = std::thread([&m] { m.serve(); });
  return true;
}

void FakeDns::stop() {
  Impl &m = *impl_;
  std::thread t;
  {
    std::lock_guard<std::mutex> lock(m.mu);
    if (!m.running) return;
    m.running = false;
    char b = 1;
    (void)!::write(m.wake[1], &b, 1);
    t = std::move(m.thread);
  }
  t.join();
  std::lock_guard<std::mutex> lock(m.mu);
  ::close(m.fd);
  ::close(m.wake[0]);
  ::close(m.wake[1]);
  m.fd = m.wake[0] = m.wake[1] = -1;
}

uint16_t FakeDns::port() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->bound_port;
}

std::string FakeDns::servers() const {
  return "127.0.0.1:" + std::to_string(port());
}

bool FakeDns::add(std::string name, std::string ipv4_or_ipv6) {
  std::array<uint8_t, 4> v4;
  std::array<uint8_t, 16> v6;
  bool is_v4 = ::inet_pton(AF_INET, ipv4_or_ipv6.c_str(), v4.data()) == 1;
  bool is_v6 = !is_v4 && ::inet_pton(AF_INET6, ipv4_or_ipv6.c_str(), v6.data()) == 1;
  if (!is_v4 && !is_v6) return false;
  std::lock_guard<std::mutex> lock(impl_->mu);
  Impl::Entry &e = impl_->names[normalize(std::move(name))];
  if (is_v4)
    e.v4.push_back(v4);
  else
    e.v6.push_back(v6);
  return true;
}

void FakeDns::add_silent(std::string name) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->names[normalize(std::move(name))].silent = true;
}

uint64_t FakeDns::queries() const {
  return impl_->total.load(std::memory_order_relaxed);
}

uint64_t FakeDns::queries_for(std::string name) const {
  std::string key = normalize(std::move(name));
  std::lock_guard<std::mutex> lock(impl_->mu);
  uint64_t n = 0;
  for (auto it = impl_->per_name.lower_bound({key, 0});
       it != impl_->per_name.end() && it->first.first == key; ++it)
    n += it->second;
  return n;
}

uint64_t FakeDns::queries_for(std::string name, uint16_t qtype) const {
  std::string key = normalize(std::move(name));
  std::lock_guard<std::mutex> lock(impl_->mu);
  auto it = impl_->per_name.find({key, qtype});
  return it == impl_->per_name.end() ? 0 : it->second;
}

}  // namespace evm::test
