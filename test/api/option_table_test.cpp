// options.h and setopt's answers for options evmulti does not build. Lookups answer as libcurl
// 7.88.1 does (checked against the system libcurl; option_list_diff.sh compares every entry),
// and README's option table must name every option with the status setopt shows.
#include <curl/curl.h>
#include <doctest/doctest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

std::vector<std::string> &texts(void *p) {
  return *static_cast<std::vector<std::string> *>(p);
}

int collect_text(CURL *, curl_infotype type, char *data, size_t size, void *user) {
  if (type == CURLINFO_TEXT) texts(user).emplace_back(data, size);
  return 0;
}

struct Easy {
  CURL *h = curl_easy_init();
  std::vector<std::string> lines;
  ~Easy() { curl_easy_cleanup(h); }
  void trace() {
    curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, collect_text);
    curl_easy_setopt(h, CURLOPT_DEBUGDATA, &lines);
    curl_easy_setopt(h, CURLOPT_VERBOSE, 1L);
  }
  // The option's zero value, passed as its type says.
  CURLcode set_zero(const curl_easyoption &o) {
    switch (o.type) {
      case CURLOT_LONG:
      case CURLOT_VALUES:
        return curl_easy_setopt(h, o.id, 0L);
      case CURLOT_OFF_T:
        return curl_easy_setopt(h, o.id, static_cast<curl_off_t>(0));
      case CURLOT_FUNCTION:
        return curl_easy_setopt(h, o.id, static_cast<void (*)()>(nullptr));
      default:
        return curl_easy_setopt(h, o.id, static_cast<void *>(nullptr));
    }
  }
  int count(const std::string &line) const {
    int n = 0;
    for (const std::string &l : lines) n += l == line;
    return n;
  }
};

const char *code_name(CURLcode rc) {
  switch (rc) {
    case CURLE_OK:
      return "CURLE_OK";
    case CURLE_UNKNOWN_OPTION:
      return "CURLE_UNKNOWN_OPTION";
    case CURLE_NOT_BUILT_IN:
      return "CURLE_NOT_BUILT_IN";
    default:
      return "another code";
  }
}

const std::string kFtpPort = "CURLOPT_FTPPORT: not built in evmulti (FTP is not built)\n";

}  // namespace

TEST_CASE("curl_easy_option_by_name: case-insensitive, aliases included, prefix not") {
  const curl_easyoption *url = curl_easy_option_by_name("URL");
  REQUIRE(url);
  CHECK(url->id == CURLOPT_URL);
  CHECK(url->type == CURLOT_STRING);
  CHECK(url->flags == 0u);
  CHECK(curl_easy_option_by_name("url") == url);
  CHECK(curl_easy_option_by_name("uRl") == url);
  CHECK(curl_easy_option_by_name("CURLOPT_URL") == nullptr);
  CHECK(curl_easy_option_by_name("NO_SUCH_OPTION") == nullptr);
  CHECK(curl_easy_option_by_name("") == nullptr);
  CHECK(curl_easy_option_by_name(nullptr) == nullptr);

  const curl_easyoption *file = curl_easy_option_by_name("file");
  REQUIRE(file);
  CHECK(std::string(file->name) == "FILE");
  CHECK(file->id == CURLOPT_WRITEDATA);
  CHECK(file->type == CURLOT_CBPTR);
  CHECK(file->flags == static_cast<unsigned>(CURLOT_FLAG_ALIAS));
  // A not-built option is still known by name, as in libcurl.
  const curl_easyoption *ftpport = curl_easy_option_by_name("FtpPort");
  REQUIRE(ftpport);
  CHECK(ftpport->id == CURLOPT_FTPPORT);
}

TEST_CASE("curl_easy_option_by_id: the preferred entry, never the alias") {
  const curl_easyoption *w = curl_easy_option_by_id(CURLOPT_WRITEDATA);
  REQUIRE(w);
  CHECK(std::string(w->name) == "WRITEDATA");
  CHECK(w->flags == 0u);
  const curl_easyoption *r = curl_easy_option_by_id(CURLOPT_POSTREDIR);
  REQUIRE(r);
  CHECK(std::string(r->name) == "POSTREDIR");  // not its alias POST301
  const curl_easyoption *k = curl_easy_option_by_id(CURLOPT_KEYPASSWD);
  REQUIRE(k);
  CHECK(std::string(k->name) == "KEYPASSWD");  // not SSLCERTPASSWD or SSLKEYPASSWD
  CHECK(curl_easy_option_by_id(static_cast<CURLoption>(CURLOPTTYPE_LONG + 999)) == nullptr);
  CHECK(curl_easy_option_by_id(static_cast<CURLoption>(0)) == nullptr);
}

TEST_CASE("curl_easy_option_next walks every entry once, in libcurl's order") {
  std::vector<const curl_easyoption *> all;
  for (const curl_easyoption *o = nullptr; (o = curl_easy_option_next(o));) all.push_back(o);
  // libcurl 7.88.1 lists 316 names, 14 of them aliases.
  REQUIRE(all.size() == 316);
  CHECK(std::string(all.front()->name) == "ABSTRACT_UNIX_SOCKET");
  CHECK(std::string(all.back()->name) == "XOAUTH2_BEARER");
  int aliases = 0;
  std::set<std::string> names;
  for (const curl_easyoption *o : all) {
    std::string name = o->name;
    CAPTURE(name);
    CHECK(names.insert(o->name).second);
    CHECK(curl_easy_option_by_name(o->name) == o);
    const curl_easyoption *preferred = curl_easy_option_by_id(o->id);
    REQUIRE(preferred);
    CHECK(preferred->flags == 0u);
    if (o->flags & CURLOT_FLAG_ALIAS)
      ++aliases;
    else
      CHECK(preferred == o);
  }
  CHECK(aliases == 14);
  CHECK(curl_easy_option_next(all.back()) == nullptr);
  // Not one of the table's entries: the walk ends instead of stepping past it.
  curl_easyoption foreign = *all.front();
  CHECK(curl_easy_option_next(&foreign) == nullptr);
}

TEST_CASE("setopt: unknown ids, and options not built answer as libcurl without them") {
  Easy e;
  CHECK(curl_easy_setopt(e.h, static_cast<CURLoption>(CURLOPTTYPE_LONG + 999), 1L) ==
        CURLE_UNKNOWN_OPTION);
  CHECK(curl_easy_setopt(e.h, static_cast<CURLoption>(CURLOPTTYPE_STRINGPOINT + 999), "x") ==
        CURLE_UNKNOWN_OPTION);
  // FTP compiled out: 7.88 does not know the option. OpenSSL without False Start: 7.88 answers
  // NOT_BUILT_IN. A deprecated option 7.88 ignores: OK, but never silently (below).
  CHECK(curl_easy_setopt(e.h, CURLOPT_FTPPORT, "-") == CURLE_UNKNOWN_OPTION);
  CHECK(curl_easy_setopt(e.h, CURLOPT_SSL_FALSESTART, 1L) == CURLE_NOT_BUILT_IN);
  CHECK(curl_easy_setopt(e.h, CURLOPT_PROXY, "http://127.0.0.1:3128") == CURLE_UNKNOWN_OPTION);
  CHECK(curl_easy_setopt(e.h, CURLOPT_RANDOM_FILE, "/dev/urandom") == CURLE_OK);
  // An alias answers as its option does.
  CHECK(curl_easy_setopt(e.h, CURLOPT_FTPAPPEND, 1L) == CURLE_OK);
  CHECK(curl_easy_setopt(e.h, CURLOPT_KRB4LEVEL, "clear") == CURLE_UNKNOWN_OPTION);
  // Nothing was traced: VERBOSE is off.
  CHECK(e.lines.empty());
}

TEST_CASE("setopt: a not-built option is traced at once with VERBOSE, and again at start") {
  SUBCASE("VERBOSE before the option") {
    Easy e;
    e.trace();
    CHECK(curl_easy_setopt(e.h, CURLOPT_FTPPORT, "-") == CURLE_UNKNOWN_OPTION);
    CHECK(e.count(kFtpPort) == 1);
    CHECK(curl_easy_setopt(e.h, CURLOPT_RANDOM_FILE, "/dev/urandom") == CURLE_OK);
    CHECK(e.count("CURLOPT_RANDOM_FILE: not built in evmulti (deprecated; libcurl 7.88 ignores "
                  "it too)\n") == 1);
  }
  SUBCASE("VERBOSE set later: the transfer's start says it") {
    Easy e;
    CHECK(curl_easy_setopt(e.h, CURLOPT_FTPPORT, "-") == CURLE_UNKNOWN_OPTION);
    CHECK(curl_easy_setopt(e.h, CURLOPT_FTPPORT, "-") == CURLE_UNKNOWN_OPTION);  // said once
    e.trace();
    CHECK(e.lines.empty());
    // No URL: the transfer starts, says what it was given and not built, then fails.
    CHECK(curl_easy_perform(e.h) == CURLE_URL_MALFORMAT);
    CHECK(e.count(kFtpPort) == 1);
    // curl_easy_reset forgets it with the other options.
    curl_easy_reset(e.h);
    e.lines.clear();
    e.trace();
    CHECK(curl_easy_perform(e.h) == CURLE_URL_MALFORMAT);
    CHECK(e.count(kFtpPort) == 0);
  }
}

TEST_CASE("setopt: without DEBUGFUNCTION the not-built line goes to STDERR as an info line") {
  Easy e;
  FILE *err = std::tmpfile();
  REQUIRE(err);
  curl_easy_setopt(e.h, CURLOPT_STDERR, err);
  curl_easy_setopt(e.h, CURLOPT_VERBOSE, 1L);
  CHECK(curl_easy_setopt(e.h, CURLOPT_SSL_FALSESTART, 1L) == CURLE_NOT_BUILT_IN);
  std::rewind(err);
  char buf[256] = {};
  size_t n = std::fread(buf, 1, sizeof buf - 1, err);
  std::fclose(err);
  CHECK(std::string(buf, n) ==
        "* CURLOPT_SSL_FALSESTART: not built in evmulti (TLS False Start is not built)\n");
}

namespace {

std::string read_readme() {
  std::vector<std::string> candidates;
  if (const char *root = std::getenv("EVM_SOURCE_ROOT")) candidates.push_back(root);
  candidates.push_back(".");
  candidates.push_back("..");
  for (const std::string &dir : candidates) {
    std::ifstream in(dir + "/README.md");
    if (!in) continue;
    std::stringstream s;
    s << in.rdbuf();
    if (s.str().find("\n## Options\n") != std::string::npos) return s.str();
  }
  return {};
}

// Rows of README's "## Options" table: every backticked name of the first cell, with the
// status cell of its row.
std::multimap<std::string, std::string> readme_rows(const std::string &readme) {
  std::multimap<std::string, std::string> rows;
  size_t at = readme.find("\n## Options\n");
  size_t end = readme.find("\n## ", at + 1);
  std::istringstream in(readme.substr(at, end == std::string::npos ? end : end - at));
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("| ", 0) != 0) continue;
    size_t bar = line.find(" | ", 2);
    if (bar == std::string::npos) continue;
    std::string names = line.substr(2, bar - 2);
    std::string status = line.substr(bar + 3);
    if (status.size() >= 2 && status.compare(status.size() - 2, 2, " |") == 0)
      status.resize(status.size() - 2);
    for (size_t a = names.find('`'); a != std::string::npos;) {
      size_t b = names.find('`', a + 1);
      if (b == std::string::npos) break;
      rows.emplace(names.substr(a + 1, b - a - 1), status);
      a = names.find('`', b + 1);
    }
  }
  return rows;
}

}  // namespace

TEST_CASE("README's option table names every option with the status setopt shows") {
  std::string readme = read_readme();
  REQUIRE_MESSAGE(!readme.empty(), "README.md not found: set EVM_SOURCE_ROOT");
  std::multimap<std::string, std::string> rows = readme_rows(readme);
  int implemented = 0, not_built = 0;
  for (const curl_easyoption *o = nullptr; (o = curl_easy_option_next(o));) {
    std::string name = o->name;
    CAPTURE(name);
    // What setopt shows: its answer and, for an option not built, the trace line's reason.
    Easy e;
    e.trace();
    e.lines.clear();
    CURLcode rc = e.set_zero(*o);
    std::string prefix =
        std::string("CURLOPT_") + curl_easy_option_by_id(o->id)->name + ": not built in evmulti (";
    std::string expected = "implemented";
    for (const std::string &l : e.lines)
      if (l.rfind(prefix, 0) == 0)
        expected = std::string("not built: `") + code_name(rc) + "`, " +
                   l.substr(prefix.size(), l.size() - prefix.size() - 2);
    if (expected == "implemented") {
      ++implemented;
      CHECK(rc != CURLE_UNKNOWN_OPTION);
    } else {
      ++not_built;
    }
    auto [first, last] = rows.equal_range(o->name);
    CHECK_MESSAGE(first != last, "README's option table has no row for `", o->name, "`");
    for (auto it = first; it != last; ++it) {
      CAPTURE(it->second);
      CHECK(it->second.rfind(expected, 0) == 0);
    }
  }
  CHECK(implemented > 100);
  CHECK(not_built > 150);
}
