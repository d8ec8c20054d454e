#include "server_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <thread>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

namespace evm::test::server_process {

namespace {

sockaddr_in loopback(uint16_t port) {
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  sa.sin_port = htons(port);
  return sa;
}

}  // namespace

bool executable(const std::string &path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

std::string find_binary(const std::string &name) {
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
    if (executable(d + "/" + name)) return d + "/" + name;
  return {};
}

bool pick_loopback_ports(uint16_t *ports, int n) {
  std::vector<int> fds;
  bool ok = true;
  for (int i = 0; i < n && ok; ++i) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) break;
    fds.push_back(fd);
    sockaddr_in sa = loopback(0);
    socklen_t len = sizeof sa;
    ok = ::bind(fd, reinterpret_cast<sockaddr *>(&sa), sizeof sa) == 0 &&
         ::getsockname(fd, reinterpret_cast<sockaddr *>(&sa), &len) == 0;
    if (ok) ports[i] = ntohs(sa.sin_port);
  }
  for (int fd : fds) ::close(fd);
  return ok && static_cast<int>(fds.size()) == n;
}

bool accepts(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in sa = loopback(port);
  bool ok = ::connect(fd, reinterpret_cast<sockaddr *>(&sa), sizeof sa) == 0;
  ::close(fd);
  return ok;
}

bool write_docroot_file(const std::string &dir, std::string_view relative_path,
                        std::string_view content) {
  if (dir.empty()) return false;
  std::filesystem::path p =
      std::filesystem::path(dir) / "root" / std::filesystem::path(relative_path).relative_path();
  std::error_code ec;
  std::filesystem::create_directories(p.parent_path(), ec);
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  return static_cast<bool>(out.flush());
}

bool make_temp_dir(const std::string &prefix, std::string &dir, std::string &error) {
  std::string tmpl = (std::filesystem::temp_directory_path() / (prefix + "-XXXXXX")).string();
  if (!::mkdtemp(tmpl.data())) {
    error = std::string("mkdtemp: ") + std::strerror(errno);
    return false;
  }
  dir = tmpl;
  return true;
}

int spawn(std::vector<std::string> args, const std::string &out_path, std::string &error) {
  // Everything the child needs is prepared before fork(): the parent has threads.
  std::vector<char *> argv;
  for (std::string &a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid < 0) {
    error = std::string("fork: ") + std::strerror(errno);
    return -1;
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
  return pid;
}

void stop(int &pid) {
  if (pid <= 0) return;
  ::kill(pid, SIGTERM);
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  int status = 0;
  while (::waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() >= until) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  pid = -1;
}

std::string read_file(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace evm::test::server_process
