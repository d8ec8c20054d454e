// The hiperfifo family end to end: the example named by $EVM_FIFO_EXAMPLE (hiperfifo,
// ephiperfifo or kqhiperfifo) runs as a child process with a FIFO in a temporary directory;
// the test writes URLs of an in-process loopback server into it and checks the lines the
// example prints, then stops it with "quit" or a signal.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "test_server.h"

extern char **environ;

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

evm::test::TestServer &server() {
  static evm::test::TestServer s;
  static bool started = s.start();
  REQUIRE(started);
  return s;
}

// What the example prints for one finished transfer.
struct Report {
  std::string url;
  int result = -1;
  long status = -1;
  long long bytes = -1;
  double seconds = -1;
  std::string text;
};

// "URL result=N status=N bytes=N time=S (TEXT)"
std::optional<Report> parse(const std::string &line) {
  Report r;
  size_t space = line.find(' ');
  size_t open = line.find(" (");
  if (space == std::string::npos || open == std::string::npos || line.back() != ')')
    return std::nullopt;
  r.url = line.substr(0, space);
  r.text = line.substr(open + 2, line.size() - open - 3);
  std::string fields = line.substr(space + 1, open - space - 1);
  int used = 0;
  if (std::sscanf(fields.c_str(), "result=%d status=%ld bytes=%lld time=%lf%n", &r.result,
                  &r.status, &r.bytes, &r.seconds, &used) != 4 ||
      static_cast<size_t>(used) != fields.size())
    return std::nullopt;
  return r;
}

// The example under test, its FIFO in a fresh directory, and its stdout.
class Example {
 public:
  Example() {
    const char *exe = std::getenv("EVM_FIFO_EXAMPLE");
    REQUIRE(exe != nullptr);
    char dir_template[] = "/tmp/evmulti-fifo-XXXXXX";
    REQUIRE(mkdtemp(dir_template) != nullptr);
    dir_ = dir_template;
    fifo_ = dir_ + "/hiper.fifo";
    int out[2];
    REQUIRE(pipe2(out, O_CLOEXEC) == 0);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    std::string fifo_arg = fifo_;
    char *argv[] = {const_cast<char *>(exe), fifo_arg.data(), nullptr};
    REQUIRE(posix_spawn(&pid_, exe, &actions, nullptr, argv, environ) == 0);
    posix_spawn_file_actions_destroy(&actions);
    close(out[1]);
    out_ = out[0];
    fcntl(out_, F_SETFL, O_NONBLOCK);
    // The example makes the FIFO; opening it for writing waits until the example reads it.
    auto until = Clock::now() + 5s;
    struct stat st {};
    while (stat(fifo_.c_str(), &st) != 0 && Clock::now() < until) std::this_thread::sleep_for(5ms);
    REQUIRE(S_ISFIFO(st.st_mode));
    fifo_fd_ = open(fifo_.c_str(), O_WRONLY | O_CLOEXEC);
    REQUIRE(fifo_fd_ >= 0);
  }
  ~Example() {
    if (fifo_fd_ >= 0) close(fifo_fd_);
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    close(out_);
    unlink(fifo_.c_str());
    rmdir(dir_.c_str());
  }
  Example(const Example &) = delete;
  Example &operator=(const Example &) = delete;

  void write_text(const std::string &text) {
    REQUIRE(write(fifo_fd_, text.data(), text.size()) == static_cast<ssize_t>(text.size()));
  }

  // The next line of stdout, or nothing when none comes within limit.
  std::optional<std::string> read_line(std::chrono::milliseconds limit = 10s) {
    auto until = Clock::now() + limit;
    for (;;) {
      size_t nl = buffer_.find('\n');
      if (nl != std::string::npos) {
        std::string line = buffer_.substr(0, nl);
        buffer_.erase(0, nl + 1);
        return line;
      }
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now());
      if (left.count() <= 0) return std::nullopt;
      pollfd p{out_, POLLIN, 0};
      if (poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
      char buf[4096];
      ssize_t got = read(out_, buf, sizeof buf);
      if (got <= 0) return std::nullopt;  // the example closed its stdout
      buffer_.append(buf, static_cast<size_t>(got));
    }
  }
  std::vector<Report> read_reports(size_t n) {
    std::vector<Report> reports;
    while (reports.size() < n) {
      auto line = read_line();
      if (!line) break;
      auto r = parse(*line);
      CHECK_MESSAGE(r.has_value(), "unexpected line: " << *line);
      if (r) reports.push_back(*r);
    }
    return reports;
  }

  // The exit status (as from waitpid) once it ends within limit, or -1.
  int wait_exit(std::chrono::milliseconds limit = 5s) {
    auto until = Clock::now() + limit;
    while (Clock::now() < until) {
      int status;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = 0;
        return status;
      }
      std::this_thread::sleep_for(5ms);
    }
    return -1;
  }
  void signal(int sig) { kill(pid_, sig); }
  bool fifo_exists() const { return access(fifo_.c_str(), F_OK) == 0; }
  std::string rest_of_output() {
    std::string all = buffer_;
    while (auto line = read_line(200ms)) all += *line + "\n";
    return all;
  }

 private:
  std::string dir_, fifo_, buffer_;
  pid_t pid_ = 0;
  int out_ = -1, fifo_fd_ = -1;
};

bool exited_cleanly(int status) {
  return status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

}  // namespace

TEST_CASE("URLs from the FIFO are fetched side by side, one line each, until quit") {
  Example ex;
  const std::string slow = server().http_url("/delay/700");
  const std::string bytes = server().http_url("/bytes/1000");
  const std::string missing = server().http_url("/status/404");
  const std::string empty = server().raw_url("/empty");
  const std::string refused = "http://127.0.0.1:1/";
  ex.write_text(slow + "\n");
  ex.write_text(bytes + "\n" + missing + "\r\n\n" + empty.substr(0, 10));  // CRLF, blank line,
  std::this_thread::sleep_for(50ms);                                       // and a line in
  ex.write_text(empty.substr(10) + "\n" + refused + "\n");                 // two writes

  auto reports = ex.read_reports(5);
  REQUIRE(reports.size() == 5);
  std::map<std::string, Report> by_url;
  for (auto &r : reports) by_url[r.url] = r;
  REQUIRE(by_url.size() == 5);
  // Written first, finished last: the others did not wait for it.
  CHECK(reports.back().url == slow);
  CHECK(by_url[slow].result == 0);
  CHECK(by_url[slow].status == 200);
  CHECK(by_url[slow].bytes == 3);
  CHECK(by_url[slow].seconds >= 0.6);
  CHECK(by_url[bytes].result == 0);
  CHECK(by_url[bytes].status == 200);
  CHECK(by_url[bytes].bytes == 1000);
  CHECK_FALSE(by_url[bytes].text.empty());  // curl_easy_strerror(), wording the engine's own
  CHECK(by_url[missing].result == 0);
  CHECK(by_url[missing].status == 404);
  CHECK(by_url[empty].result == 52);   // CURLE_GOT_NOTHING
  CHECK(by_url[refused].result == 7);  // CURLE_COULDNT_CONNECT
  CHECK(by_url[refused].status == 0);

  ex.write_text("quit\n");
  CHECK(exited_cleanly(ex.wait_exit()));
  CHECK_FALSE(ex.fifo_exists());  // it made the FIFO, it removes it
}

TEST_CASE("quit lets the transfers in flight finish first") {
  Example ex;
  const std::string slow = server().http_url("/delay/400");
  ex.write_text(slow + "\nquit\n" + server().http_url("/bytes/1") + "\n");
  auto reports = ex.read_reports(1);
  REQUIRE(reports.size() == 1);
  CHECK(reports[0].url == slow);
  CHECK(reports[0].result == 0);
  CHECK(exited_cleanly(ex.wait_exit()));
  CHECK(ex.rest_of_output().empty());  // nothing after quit was read
}

TEST_CASE("a signal ends it at once, abandoning the transfers in flight") {
  int sig = 0;
  SUBCASE("SIGTERM") {
    sig = SIGTERM;
  }
  SUBCASE("SIGINT") {
    sig = SIGINT;
  }
  Example ex;
  uint64_t accepted = server().connections_accepted();
  ex.write_text(server().http_url("/stall") + "\n");
  auto until = Clock::now() + 5s;
  while (server().connections_accepted() == accepted && Clock::now() < until)
    std::this_thread::sleep_for(5ms);
  REQUIRE(server().connections_accepted() > accepted);
  ex.signal(sig);
  CHECK(exited_cleanly(ex.wait_exit(3s)));
  CHECK(ex.rest_of_output().empty());
  CHECK_FALSE(ex.fifo_exists());
}

TEST_CASE("two hundred URLs in one write") {
  Example ex;
  std::string text;
  for (int i = 0; i < 200; ++i) text += server().http_url("/bytes/" + std::to_string(i)) + "\n";
  ex.write_text(text);
  auto reports = ex.read_reports(200);
  REQUIRE(reports.size() == 200);
  int ok = 0;
  for (auto &r : reports) {
    long n = std::stol(r.url.substr(r.url.rfind('/') + 1));
    if (r.result == 0 && r.status == 200 && r.bytes == n) ++ok;
  }
  CHECK(ok == 200);
  ex.write_text("quit\n");
  CHECK(exited_cleanly(ex.wait_exit()));
}
