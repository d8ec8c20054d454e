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

#include "server_process.h"
#include "test_certs.h"

namespace evm::test {

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

}  // namespace

std::string NghttpdServer::find_binary() {
  return server_process::find_binary("nghttpd");
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
  return server_process::write_docroot_file(dir_, relative_path, content);
}

std::string NghttpdServer::output() const {
  return dir_.empty() ? std::string() : server_process::read_file(dir_ + "/output.log");
}

bool NghttpdServer::start(std::string &error) {
  if (pid_ > 0) return true;
  if (binary_.empty()) {
    error = "nghttpd is not installed";
    return false;
  }
  if (dir_.empty()) {
    if (!server_process::make_temp_dir("evmulti-nghttpd", dir_, error)) return false;
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
  port_ = 0;
  server_process::pick_loopback_ports(&port_, 1);
  if (port_ == 0) {
    error = "cannot pick a free port";
    return false;
  }
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
  pid_ = server_process::spawn(std::move(args), dir_ + "/output.log", error);
  if (pid_ < 0) return false;

  const auto until = Clock::now() + std::chrono::seconds(10);
  while (Clock::now() < until) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      error = "nghttpd exited at start (status " + std::to_string(status) + "): " + output();
      return false;
    }
    if (server_process::accepts(port_)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  error = "nghttpd did not listen within 10 s: " + output();
  stop();
  return false;
}

void NghttpdServer::stop() {
  server_process::stop(pid_);
}

}  // namespace evm::test
