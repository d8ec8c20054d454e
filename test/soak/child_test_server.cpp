#include "child_test_server.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "server_process.h"

namespace evm::test {

bool ChildTestServer::start(const std::string &binary, std::string &error) {
  stop();
  if (!server_process::executable(binary)) {
    error = "test server binary not found: " + binary;
    return false;
  }
  if (dir_.empty() && !server_process::make_temp_dir("evm-soak", dir_, error)) return false;
  out_path_ = dir_ + "/server.out";
  // --no-stdin: spawn() gives the child /dev/null, whose end of file would stop it at once.
  pid_ = server_process::spawn({binary, "--bind", "127.0.0.1", "--no-stdin"}, out_path_, error);
  if (pid_ < 0) return false;
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < until) {
    unsigned http = 0, raw = 0;
    // The first line is "HTTP_PORT RAW_PORT"; stderr lines follow it.
    if (std::sscanf(output().c_str(), "%u %u", &http, &raw) == 2 && raw > 0 && raw < 65536) {
      raw_port_ = static_cast<uint16_t>(raw);
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  error = "test server printed no ports: " + output();
  stop();
  return false;
}

ChildTestServer::~ChildTestServer() {
  stop();
  std::error_code ec;
  if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
}

void ChildTestServer::stop() {
  server_process::stop(pid_);
}

std::string ChildTestServer::raw_url(const std::string &path) const {
  return "http://127.0.0.1:" + std::to_string(raw_port_) + path;
}

std::string ChildTestServer::output() const {
  return out_path_.empty() ? std::string() : server_process::read_file(out_path_);
}

std::string test_server_binary() {
  if (const char *env = std::getenv("EVM_TEST_SERVER")) return env;
  return EVM_TEST_SERVER_BIN;
}

}  // namespace evm::test
