// hiper, the benchmark's client, end to end: the binary named by $EVM_HIPER runs as a child
// process against its own in-process loopback server (no URL given); the test checks its exit
// status and the --json summary that bench/compare reads.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <vector>

extern char **environ;

namespace {

struct Outcome {
  int status = -1;  // exit code, or -1 when it did not exit normally
  std::string out;
};

Outcome run_hiper(std::vector<std::string> args) {
  const char *exe = std::getenv("EVM_HIPER");
  REQUIRE(exe != nullptr);
  args.insert(args.begin(), exe);
  std::vector<char *> argv;
  for (auto &a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  int pipe_fds[2];
  REQUIRE(pipe2(pipe_fds, O_CLOEXEC) == 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);  // usage
  pid_t pid = 0;
  int rc = posix_spawn(&pid, exe, &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(pipe_fds[1]);
  REQUIRE(rc == 0);
  Outcome o;
  char buf[4096];
  for (ssize_t n; (n = read(pipe_fds[0], buf, sizeof buf)) > 0;) o.out.append(buf, size_t(n));
  close(pipe_fds[0]);
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  o.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return o;
}

bool has(const std::string &text, const std::string &part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("hiper --json counts transfers per HTTP version and names the engine") {
  Outcome o = run_hiper({"-n", "6", "-c", "3", "--json"});
  INFO(o.out);
  CHECK(o.status == 0);
  CHECK(has(o.out, "\"transfers\":6,\"failures\":0,"));
  CHECK(has(o.out, "\"http_versions\":{\"1.1\":6}"));
  CHECK(has(o.out, "\"bytes\":6144,"));
  // curl_version() of the engine it runs on, "libcurl/..." for both engines.
  CHECK(has(o.out, "\"version\":\"libcurl/"));
}

TEST_CASE("hiper --max-streams sets the multi's stream limit, and refuses a zero") {
  Outcome o = run_hiper({"-n", "2", "-c", "2", "--max-streams", "7", "--json"});
  INFO(o.out);
  CHECK(o.status == 0);
  CHECK(has(o.out, "\"transfers\":2,\"failures\":0,"));
  CHECK(run_hiper({"-n", "2", "--max-streams", "0"}).status == 2);
  CHECK(run_hiper({"-n", "2", "--max-streams"}).status == 2);
}

TEST_CASE("hiper --http 2 on an http:// URL: HTTP/1.1 on an HTTP/2 engine, refused on others") {
  Outcome probe = run_hiper({"-n", "1", "--json"});
  INFO(probe.out);
  bool engine_h2 = has(probe.out, "\"http2\":true");
  REQUIRE((engine_h2 || has(probe.out, "\"http2\":false")));
  Outcome o = run_hiper({"-n", "4", "-c", "4", "--http", "2", "--json"});
  INFO(o.out);
  if (engine_h2) {
    // CURL_HTTP_VERSION_2TLS asks for HTTP/2 over TLS only; the transfers that waited to
    // share the first connection (PIPEWAIT) go on without it once it turns out HTTP/1.1.
    CHECK(o.status == 0);
    CHECK(has(o.out, "\"http_versions\":{\"1.1\":4}"));
  } else {
    // An engine without HTTP/2 refuses the option: hiper says so and runs nothing.
    CHECK(o.status == 2);
    CHECK(o.out.empty());
  }
}
