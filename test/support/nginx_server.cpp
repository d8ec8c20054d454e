#include "nginx_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>
#include <thread>
#include <vector>

#include "test_certs.h"

namespace evm::test {

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

bool executable(const std::string &path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

// Ports the kernel hands out for 127.0.0.1 right now. nginx binds them a moment later; a
// lost race shows as a failed start, which start() retries with fresh ports.
bool pick_ports(uint16_t *ports, int n) {
  std::vector<int> fds;
  bool ok = true;
  for (int i = 0; i < n && ok; ++i) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      ok = false;
      break;
    }
    fds.push_back(fd);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof sa;
    if (::bind(fd, reinterpret_cast<sockaddr *>(&sa), sizeof sa) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr *>(&sa), &len) != 0) {
      ok = false;
      break;
    }
    ports[i] = ntohs(sa.sin_port);
  }
  for (int fd : fds) ::close(fd);
  return ok;
}

bool accepts(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  sa.sin_port = htons(port);
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

std::string NginxServer::find_binary() {
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
    if (executable(d + "/nginx")) return d + "/nginx";
  return {};
}

NginxServer::NginxServer() : binary_(find_binary()) {}

NginxServer::~NginxServer() {
  stop();
  if (!dir_.empty()) {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
}

bool NginxServer::write_file(std::string_view relative_path, std::string_view content) {
  if (dir_.empty()) return false;
  fs::path p = fs::path(dir_) / "root" / fs::path(relative_path).relative_path();
  std::error_code ec;
  fs::create_directories(p.parent_path(), ec);
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  return static_cast<bool>(out.flush());
}

std::string NginxServer::error_log() const {
  return dir_.empty() ? std::string() : read_all(dir_ + "/error.log");
}

bool NginxServer::start(std::string &error) {
  if (pid_ > 0) return true;
  if (binary_.empty()) {
    error = "nginx is not installed";
    return false;
  }
  if (dir_.empty()) {
    std::string tmpl = (fs::temp_directory_path() / "evmulti-nginx-XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) {
      error = std::string("mkdtemp: ") + std::strerror(errno);
      return false;
    }
    dir_ = tmpl;
    std::error_code ec;
    fs::create_directories(dir_ + "/root", ec);
    fs::create_directories(dir_ + "/tmp", ec);
  }
  for (int attempt = 0; attempt < 3; ++attempt)
    if (start_once(error)) return true;
  return false;
}

bool NginxServer::start_once(std::string &error) {
  if (!pick_ports(ports_, kSites)) {
    error = "cannot pick free ports";
    return false;
  }
  const TestPki &pki = TestPki::get();
  struct SiteFiles {
    const std::string *cert, *key;
    bool client_cert;
    const char *listen = " ssl";  // after the address in `listen`
  };
  const SiteFiles sites[kSites] = {
      {&pki.server_cert, &pki.server_key, false},
      {&pki.expired_cert, &pki.expired_key, false},
      {&pki.wrong_name_cert, &pki.wrong_name_key, false},
      {&pki.self_signed_cert, &pki.self_signed_key, false},
      {&pki.server_cert, &pki.server_key, true},
      {&pki.server_cert, &pki.server_key, false, " ssl http2"},  // nginx 1.22 syntax
      {nullptr, nullptr, false, " http2"},
  };

  std::ostringstream conf;
  conf << "daemon off;\n"
       << "master_process off;\n"
       << "worker_processes 1;\n"
       << "pid " << dir_ << "/nginx.pid;\n"
       << "error_log " << dir_ << "/error.log warn;\n"
       << "worker_rlimit_nofile 8192;\n"
       << "events { worker_connections 4096; }\n"
       << "http {\n"
       << "  access_log off;\n"
       << "  default_type application/octet-stream;\n"
       << "  root " << dir_ << "/root;\n"
       << "  client_body_temp_path " << dir_ << "/tmp/body;\n"
       << "  proxy_temp_path " << dir_ << "/tmp/proxy;\n"
       << "  fastcgi_temp_path " << dir_ << "/tmp/fastcgi;\n"
       << "  uwsgi_temp_path " << dir_ << "/tmp/uwsgi;\n"
       << "  scgi_temp_path " << dir_ << "/tmp/scgi;\n"
       << "  keepalive_requests 100000;\n"
       << "  ssl_protocols TLSv1.2 TLSv1.3;\n"
       << "  ssl_session_cache builtin:4000;\n"
       << "  ssl_session_tickets on;\n"
       << "  add_header X-SSL-Protocol $ssl_protocol;\n"
       << "  add_header X-SSL-Cipher $ssl_cipher;\n"
       << "  add_header X-SSL-Reused $ssl_session_reused;\n"
       << "  add_header X-SSL-SNI $ssl_server_name;\n"
       << "  add_header X-SSL-Client $ssl_client_verify;\n";
  for (int i = 0; i < kSites; ++i) {
    conf << "  server {\n"
         << "    listen 127.0.0.1:" << ports_[i] << sites[i].listen << ";\n";
    if (sites[i].cert)
      conf << "    ssl_certificate " << *sites[i].cert << ";\n"
           << "    ssl_certificate_key " << *sites[i].key << ";\n";
    if (i == static_cast<int>(Site::H2) || i == static_cast<int>(Site::H2c))
      conf << "    location /put/ { dav_methods PUT; create_full_put_path on;"
           << " client_max_body_size 64m; }\n";
    if (sites[i].client_cert)
      conf << "    ssl_verify_client optional;\n"
           << "    ssl_client_certificate " << pki.ca_file << ";\n"
           << "    if ($ssl_client_verify != SUCCESS) { return 400; }\n";
    conf << "  }\n";
  }
  conf << "}\n";
  const std::string conf_path = dir_ + "/nginx.conf";
  {
    std::ofstream out(conf_path, std::ios::trunc);
    out << conf.str();
    if (!out.flush()) {
      error = "cannot write " + conf_path;
      return false;
    }
  }

  // Everything the child needs is prepared before fork(): the parent has threads.
  const std::string log_path = dir_ + "/error.log";
  const std::string out_path = dir_ + "/stderr.log";
  std::vector<std::string> args = {binary_, "-p", dir_ + "/", "-c", conf_path, "-e", log_path};
  std::vector<char *> argv;
  for (std::string &a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  pid_t pid = ::fork();
  if (pid < 0) {
    error = std::string("fork: ") + std::strerror(errno);
    return false;
  }
  if (pid == 0) {
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
      error = "nginx exited at start (status " + std::to_string(status) +
              "): " + read_all(out_path) + error_log();
      return false;
    }
    bool ready = true;
    for (int i = 0; i < kSites && ready; ++i) ready = accepts(ports_[i]);
    if (ready) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  error = "nginx did not listen within 10 s: " + error_log();
  stop();
  return false;
}

void NginxServer::stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);  // fast shutdown
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
