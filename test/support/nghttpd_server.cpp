#include "nghttpd_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>
#include <utility>
#include <thread>

#include "test_certs.h"

namespace evm::test {

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

bool executable(const std::string &path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

sockaddr_in loopback(uint16_t port) {
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  sa.sin_port = htons(port);
  return sa;
}

// A port the kernel hands out for 127.0.0.1 right now. nghttpd binds it a moment later; a
// lost race shows as a failed start, which start() retries with a fresh port.
uint16_t pick_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return 0;
  sockaddr_in sa = loopback(0);
  socklen_t len = sizeof sa;
  uint16_t port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr *>(&sa), sizeof sa) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr *>(&sa), &len) == 0)
    port = ntohs(sa.sin_port);
  ::close(fd);
  return port;
}

bool accepts(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in sa = loopback(port);
  bool ok = ::connect(fd, reinterpret_cast<sockaddr *>(&sa), sizeof sa) == 0;
  ::close(fd);
  return ok;
}

std::string read_all(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

std::string NghttpdServer::find_binary() {
  std::vector<std::string> dirs;
  if (const char *path = std::getenv("PATH")) {
    std::string p = path;
    size_t pos = 0;
    while (pos <= p.size()) {
      size_t end = p.find(':', pos);
      if (end == std::string::npos) end = p.size();
      if (end > pos) dirs.push_back(p.substr(pos, end - pos));
      pos = end + 1;
    }
  }
  dirs.push_back("/usr/sbin");
  dirs.push_back("/usr/local/sbin");
  for (const std::string &d : dirs)
    if (executable(d + "/nghttpd")) return d + "/nghttpd";
  return {};
}

std::string NghttpdServer::pattern(size_t n) {
  std::string out(n, '\0');
  for (size_t i = 0; i < n; ++i)
    out[i] = static_cast<char>((i * 131 + (i >> 8) * 7 + (i >> 16)) & 0xff);
  return out;
}

NghttpdServer::NghttpdServer(NghttpdOptions options)
    : options_(std::move(options)), binary_(find_binary()) {}

NghttpdServer::~NghttpdServer() {
  stop();
  if (!dir_.empty()) {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
}

std::string NghttpdServer::url(std::string_view path) const {
  return std::string(options_.tls ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_) +
         std::string(path);
}

bool NghttpdServer::write_file(std::string_view relative_path, std::string_view content) {
  if (dir_.empty()) return false;
  fs::path p = fs::path(dir_) / "root" / fs::path(relative_path).relative_path();
  std::error_code ec;
  fs::create_directories(p.parent_path(), ec);
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  return static_cast<bool>(out.flush());
}

std::string NghttpdServer::output() const {
  return dir_.empty() ? std::string() : read_all(dir_ + "/output.log");
}

bool NghttpdServer::start(std::string &error) {
  if (pid_ > 0) return true;
  if (binary_.empty()) {
    error = "nghttpd is not installed";
    return false;
  }
  if (dir_.empty()) {
    std::string tmpl = (fs::temp_directory_path() / "evmulti-nghttpd-XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) {
      error = std::string("mkdtemp: ") + std::strerror(errno);
      return false;
    }
    dir_ = tmpl;
    if (!write_file("index.html", "<html><body>evmulti h2 interop</body></html>\n") ||
        !write_file("1k.bin", pattern(1024)) || !write_file("1m.bin", pattern(1 << 20))) {
      error = "cannot write the docroot in " + dir_;
      return false;
    }
  }
  for (int attempt = 0; attempt < 3; ++attempt)
    if (start_once(error)) return true;
  return false;
}

bool NghttpdServer::start_once(std::string &error) {
  port_ = pick_port();
  if (port_ == 0) {
    error = "cannot pick a free port";
    return false;
  }
  // Everything the child needs is prepared before fork(): the parent has threads.
  std::vector<std::string> args = {binary_, "-a", "127.0.0.1", "-d", dir_ + "/root"};
  if (options_.echo_upload) args.push_back("--echo-upload");
  for (const std::string &p : options_.push) {
    args.push_back("-p");
    args.push_back(p);
  }
  if (!options_.tls) args.push_back("--no-tls");
  args.push_back(std::to_string(port_));
  if (options_.tls) {
    const TestPki &pki = TestPki::get();
    args.push_back(pki.server_key);
    args.push_back(pki.server_cert);
  }
  std::vector<char *> argv;
  for (std::string &a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const std::string out_path = dir_ + "/output.log";

  pid_t pid = ::fork();
  if (pid < 0) {
    error = std::string("fork: ") + std::strerror(errno);
    return false;
  }
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);  // a test run that dies takes its server along
    int devnull = ::open("/dev/null", O_RDONLY);
    int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (devnull >= 0) ::dup2(devnull, 0);
    if (out >= 0) {
      ::dup2(out, 1);
      ::dup2(out, 2);
    }
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  pid_ = pid;

  const auto until = Clock::now() + std::chrono::seconds(10);
  while (Clock::now() < until) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      error = "nghttpd exited at start (status " + std::to_string(status) + "): " + output();
      return false;
    }
    if (accepts(port_)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  error = "nghttpd did not listen within 10 s: " + output();
  stop();
  return false;
}

void NghttpdServer::stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  const auto until = Clock::now() + std::chrono::seconds(5);
  int status = 0;
  while (::waitpid(pid_, &status, WNOHANG) == 0) {
    if (Clock::now() >= until) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  pid_ = -1;
}

}  // namespace evm::test
