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

#include "server_process.h"
#include "test_certs.h"

namespace evm::test {

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

}  // namespace

std::string NginxServer::find_binary() {
  return server_process::find_binary("nginx");
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
  return server_process::write_docroot_file(dir_, relative_path, content);
}

std::string NginxServer::error_log() const {
  return dir_.empty() ? std::string() : server_process::read_file(dir_ + "/error.log");
}

bool NginxServer::start(std::string &error) {
  if (pid_ > 0) return true;
  if (binary_.empty()) {
    error = "nginx is not installed";
    return false;
  }
  if (dir_.empty()) {
    if (!server_process::make_temp_dir("evmulti-nginx", dir_, error)) return false;
    std::error_code ec;
    fs::create_directories(dir_ + "/root", ec);
    fs::create_directories(dir_ + "/tmp", ec);
  }
  for (int attempt = 0; attempt < 3; ++attempt)
    if (start_once(error)) return true;
  return false;
}

bool NginxServer::start_once(std::string &error) {
  if (!server_process::pick_loopback_ports(ports_, kSites)) {
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

  const std::string log_path = dir_ + "/error.log";
  const std::string out_path = dir_ + "/stderr.log";
  pid_ = server_process::spawn({binary_, "-p", dir_ + "/", "-c", conf_path, "-e", log_path},
                               out_path, error);
  if (pid_ < 0) return false;

  const auto until = Clock::now() + std::chrono::seconds(10);
  while (Clock::now() < until) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      error = "nginx exited at start (status " + std::to_string(status) +
              "): " + server_process::read_file(out_path) + error_log();
      return false;
    }
    bool ready = true;
    for (int i = 0; i < kSites && ready; ++i) ready = server_process::accepts(ports_[i]);
    if (ready) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  error = "nginx did not listen within 10 s: " + error_log();
  stop();
  return false;
}

void NginxServer::stop() {
  server_process::stop(pid_);  // SIGTERM is nginx's fast shutdown
}

}  // namespace evm::test
