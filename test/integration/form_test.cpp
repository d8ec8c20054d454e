// Forms: the MIME API, MIMEPOST, curl_formadd/HTTPPOST and curl_formget. Each body is posted to
// the raw /echo endpoint and compared byte for byte with what libcurl 7.88 sends for the same
// program (probed once; the boundary is taken from the Content-Type header).
#include <curl/curl.h>
#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "easy_options_fixture.h"

using namespace evm::test;

namespace {

// A file with `content` under /tmp, removed at the end of the test.
struct TempFile {
  std::string path;
  TempFile(const std::string &content, const char *suffix = ".txt") {
    char tmpl[] = "/tmp/evm_form_XXXXXX";
    int fd = mkstemp(tmpl);
    REQUIRE(fd >= 0);
    close(fd);
    std::remove(tmpl);
    path = std::string(tmpl) + suffix;
    FILE *f = std::fopen(path.c_str(), "wb");
    REQUIRE(f);
    std::fwrite(content.data(), 1, content.size(), f);
    std::fclose(f);
  }
  ~TempFile() { std::remove(path.c_str()); }
  std::string base() const { return path.substr(path.rfind('/') + 1); }
};

// Posts `mime` to /echo: the echo, with the boundary and perform's code.
struct Posted {
  CURLcode rc = CURLE_OK;
  std::string error;
  Echo echo{""};
  std::string boundary;
};

std::string boundary_of(const Echo &echo) {
  std::string type = echo.value("Content-Type");
  size_t at = type.find("boundary=");
  return at == std::string::npos ? "" : type.substr(at + 9);
}

Posted perform_post(Fetch &f) {
  Posted p;
  curl_easy_setopt(f.easy, CURLOPT_TIMEOUT_MS, 10000L);
  p.rc = curl_easy_perform(f.easy);
  p.error = f.error;
  p.echo = Echo(f.body);
  p.boundary = boundary_of(p.echo);
  return p;
}

Posted post(curl_mime *mime, const curl_slist *headers = nullptr, long mime_options = 0) {
  Fetch f(server().raw_url("/echo"));
  CHECK(curl_easy_setopt(f.easy, CURLOPT_MIMEPOST, mime) == CURLE_OK);
  if (headers) curl_easy_setopt(f.easy, CURLOPT_HTTPHEADER, headers);
  if (mime_options) curl_easy_setopt(f.easy, CURLOPT_MIME_OPTIONS, mime_options);
  return perform_post(f);
}

// `text` with every "B" standing alone between dashes and CRLF... is simplest as a template:
// "{B}" becomes the boundary.
std::string with_boundary(std::string text, const std::string &b) {
  for (size_t at; (at = text.find("{B}")) != std::string::npos;) text.replace(at, 3, b);
  return text;
}

struct Source {
  std::string data;
  size_t pos = 0;
  int reads = 0;
};

size_t read_source(char *buf, size_t size, size_t n, void *arg) {
  auto *s = static_cast<Source *>(arg);
  ++s->reads;
  size_t k = std::min(size * n, s->data.size() - s->pos);
  std::memcpy(buf, s->data.data() + s->pos, k);
  s->pos += k;
  return k;
}

size_t read_abort(char *, size_t, size_t, void *) {
  return CURL_READFUNC_ABORT;
}

int freed_count = 0;
void count_free(void *) {
  ++freed_count;
}

}  // namespace

TEST_CASE("MIMEPOST sends text parts, file parts and custom headers as libcurl does") {
  TempFile text("hello file\n", ".txt"), bin("BIN", ".bin");
  curl_mime *m = curl_mime_init(nullptr);
  curl_mimepart *p = curl_mime_addpart(m);
  CHECK(curl_mime_name(p, "text") == CURLE_OK);
  CHECK(curl_mime_data(p, "value", CURL_ZERO_TERMINATED) == CURLE_OK);
  p = curl_mime_addpart(m);
  curl_mime_name(p, "file");
  CHECK(curl_mime_filedata(p, text.path.c_str()) == CURLE_OK);
  p = curl_mime_addpart(m);
  curl_mime_name(p, "bin");
  curl_mime_filedata(p, bin.path.c_str());
  p = curl_mime_addpart(m);
  curl_mime_name(p, "d");
  curl_mime_data(p, "x", 1);
  curl_mime_filename(p, "x.bin");
  p = curl_mime_addpart(m);
  curl_mime_name(p, "t");
  curl_mime_data(p, "y", 1);
  curl_mime_type(p, "text/plain");
  p = curl_mime_addpart(m);
  curl_mime_data(p, "noname", CURL_ZERO_TERMINATED);
  p = curl_mime_addpart(m);
  curl_mime_name(p, "h");
  curl_mime_data(p, "z", 1);
  curl_slist *h = curl_slist_append(nullptr, "X-Custom: 1");
  h = curl_slist_append(h, "Content-Type: app/x");
  CHECK(curl_mime_headers(p, h, 1) == CURLE_OK);
  p = curl_mime_addpart(m);
  curl_mime_name(p, "empty");
  p = curl_mime_addpart(m);
  curl_mime_name(p, "nul");
  curl_mime_data(p, "a\0b", 3);

  Posted r = post(m);
  CHECK(r.rc == CURLE_OK);
  CHECK(r.echo.request_line == "POST /echo");
  REQUIRE(r.boundary.size() == 40);
  CHECK(r.boundary.substr(0, 24) == std::string(24, '-'));
  CHECK(r.boundary.find_first_not_of("0123456789abcdef", 24) == std::string::npos);
  CHECK(r.echo.value("Content-Type") == "multipart/form-data; boundary=" + r.boundary);
  std::string expected = with_boundary(
      "--{B}\r\nContent-Disposition: form-data; name=\"text\"\r\n\r\nvalue\r\n"
      "--{B}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" +
          text.base() +
          "\"\r\nContent-Type: text/plain\r\n\r\nhello file\n\r\n"
          "--{B}\r\nContent-Disposition: form-data; name=\"bin\"; filename=\"" +
          bin.base() +
          "\"\r\nContent-Type: application/octet-stream\r\n\r\nBIN\r\n"
          "--{B}\r\nContent-Disposition: form-data; name=\"d\"; filename=\"x.bin\"\r\n\r\nx\r\n"
          "--{B}\r\nContent-Disposition: form-data; name=\"t\"\r\nContent-Type: text/plain\r\n\r\n"
          "y\r\n"
          "--{B}\r\nContent-Disposition: form-data\r\n\r\nnoname\r\n"
          "--{B}\r\nContent-Disposition: form-data; name=\"h\"\r\nContent-Type: app/x\r\n"
          "X-Custom: 1\r\n\r\nz\r\n"
          "--{B}\r\nContent-Disposition: form-data; name=\"empty\"\r\n\r\n\r\n"
          "--{B}\r\nContent-Disposition: form-data; name=\"nul\"\r\n\r\n" +
          std::string("a\0b", 3) + "\r\n--{B}--\r\n",
      r.boundary);
  CHECK(r.echo.body == expected);
  CHECK(r.echo.value("Content-Length") == std::to_string(expected.size()));
  CHECK(r.echo.count("Transfer-Encoding") == 0);
  CHECK(r.echo.count("Expect") == 0);
  curl_mime_free(m);
}

TEST_CASE("an empty MIME tree posts only the closing boundary") {
  curl_mime *m = curl_mime_init(nullptr);
  Posted r = post(m);
  CHECK(r.rc == CURLE_OK);
  CHECK(r.echo.body == "--" + r.boundary + "--\r\n");
  CHECK(r.echo.value("Content-Length") == "46");
  curl_mime_free(m);
}

TEST_CASE("data_cb parts: a known size gives Content-Length, -1 makes the body chunked") {
  Source src{"callback data"};
  freed_count = 0;
  curl_mime *m = curl_mime_init(nullptr);
  curl_mimepart *p = curl_mime_addpart(m);
  curl_mime_name(p, "cb");
  SUBCASE("known size") {
    CHECK(curl_mime_data_cb(p, 13, read_source, nullptr, count_free, &src) == CURLE_OK);
    Posted r = post(m);
    CHECK(r.rc == CURLE_OK);
    std::string expected = with_boundary(
        "--{B}\r\nContent-Disposition: form-data; name=\"cb\"\r\n\r\ncallback data\r\n--{B}--\r\n",
        r.boundary);
    CHECK(r.echo.body == expected);
    CHECK(r.echo.value("Content-Length") == std::to_string(expected.size()));
    CHECK(r.echo.count("Transfer-Encoding") == 0);
  }
  SUBCASE("unknown size") {
    CHECK(curl_mime_data_cb(p, -1, read_source, nullptr, count_free, &src) == CURLE_OK);
    Posted r = post(m);
    CHECK(r.rc == CURLE_OK);
    CHECK(r.echo.body ==
          with_boundary("--{B}\r\nContent-Disposition: form-data; name=\"cb\"\r\n\r\n"
                        "callback data\r\n--{B}--\r\n",
                        r.boundary));
    CHECK(r.echo.value("Transfer-Encoding") == "chunked");
    CHECK(r.echo.count("Content-Length") == 0);
    CHECK(r.echo.value("Expect") == "100-continue");
  }
  CHECK(freed_count == 0);
  curl_mime_free(m);
  CHECK(freed_count == 1);  // the free callback runs once, when the tree goes
}

TEST_CASE("a read callback's abort ends the transfer with CURLE_ABORTED_BY_CALLBACK") {
  curl_mime *m = curl_mime_init(nullptr);
  curl_mimepart *p = curl_mime_addpart(m);
  curl_mime_name(p, "cb");
  curl_mime_data_cb(p, 10, read_abort, nullptr, nullptr, nullptr);
  Posted r = post(m);
  CHECK(r.rc == CURLE_ABORTED_BY_CALLBACK);
  CHECK(r.error == "operation aborted by callback");
  curl_mime_free(m);
}

TEST_CASE("subparts nest as multipart/mixed; a part cannot adopt its own tree") {
  curl_mime *m = curl_mime_init(nullptr);
  curl_mime *sub = curl_mime_init(nullptr);
  curl_mimepart *q = curl_mime_addpart(sub);
  curl_mime_data(q, "sub1", CURL_ZERO_TERMINATED);
  curl_mime_filename(q, "s.txt");
  q = curl_mime_addpart(sub);
  curl_mime_name(q, "n2");
  curl_mime_data(q, "sub2", CURL_ZERO_TERMINATED);
  curl_mimepart *p = curl_mime_addpart(m);
  curl_mime_name(p, "sub");
  CHECK(curl_mime_subparts(p, sub) == CURLE_OK);
  CHECK(curl_mime_subparts(p, sub) == CURLE_OK);  // the same again is fine
  curl_mimepart *other = curl_mime_addpart(m);
  CHECK(curl_mime_subparts(other, sub) == CURLE_BAD_FUNCTION_ARGUMENT);  // attached already
  curl_mimepart *deep = curl_mime_addpart(sub);
  CHECK(curl_mime_subparts(deep, m) == CURLE_BAD_FUNCTION_ARGUMENT);  // its own root
  curl_mime_name(other, "after");
  curl_mime_data(other, "x", 1);

  Posted r = post(m);
  CHECK(r.rc == CURLE_OK);
  std::string type = "multipart/mixed; boundary=";
  size_t at = r.echo.body.find(type);
  REQUIRE(at != std::string::npos);
  std::string inner = r.echo.body.substr(at + type.size(), 40);
  std::string expected = with_boundary(
      "--{B}\r\nContent-Disposition: form-data; name=\"sub\"\r\nContent-Type: " + type + inner +
          "\r\n\r\n--" + inner +
          "\r\nContent-Disposition: attachment; filename=\"s.txt\"\r\nContent-Type: text/plain\r\n"
          "\r\nsub1\r\n--" +
          inner + "\r\nContent-Disposition: attachment; name=\"n2\"\r\n\r\nsub2\r\n--" + inner +
          "\r\n\r\n\r\n--" + inner +
          "--\r\n\r\n--{B}\r\nContent-Disposition: form-data; "
          "name=\"after\"\r\n\r\nx\r\n--{B}--\r\n",
      r.boundary);
  // The failed adoption left `deep` an empty part: no name, so no disposition either.
  CHECK(r.echo.body == expected);
  CHECK(r.echo.value("Content-Length") == std::to_string(expected.size()));
  curl_mime_free(m);  // frees `sub` with it
}

TEST_CASE("each encoder writes libcurl's bytes and its Content-Transfer-Encoding") {
  std::string bytes(100, '\0');
  for (int i = 0; i < 100; ++i) bytes[i] = static_cast<char>(i);
  curl_mime *m = curl_mime_init(nullptr);
  curl_mimepart *p = curl_mime_addpart(m);
  curl_mime_name(p, "b64");
  curl_mime_data(p, bytes.data(), 100);
  CHECK(curl_mime_encoder(p, "base64") == CURLE_OK);
  p = curl_mime_addpart(m);
  curl_mime_name(p, "8");
  curl_mime_data(p, "8bit\xff", 5);
  CHECK(curl_mime_encoder(p, "8BIT") == CURLE_OK);
  p = curl_mime_addpart(m);
  curl_mime_name(p, "bin");
  curl_mime_data(p, "bin", 3);
  CHECK(curl_mime_encoder(p, "binary") == CURLE_OK);
  p = curl_mime_addpart(m);
  curl_mime_name(p, "7");
  curl_mime_data(p, "seven", 5);
  CHECK(curl_mime_encoder(p, "7bit") == CURLE_OK);
  std::string known =
      "--{B}\r\nContent-Disposition: form-data; name=\"b64\"\r\nContent-Transfer-Encoding: base64"
      "\r\n\r\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4\r\n"
      "OTo7PD0+P0BBQkNERUZHSElKS0xNTk9QUVJTVFVWV1hZWltcXV5fYGFiYw==\r\n"
      "--{B}\r\nContent-Disposition: form-data; name=\"8\"\r\nContent-Transfer-Encoding: 8bit\r\n"
      "\r\n8bit\xff\r\n"
      "--{B}\r\nContent-Disposition: form-data; name=\"bin\"\r\nContent-Transfer-Encoding: binary"
      "\r\n\r\nbin\r\n"
      "--{B}\r\nContent-Disposition: form-data; name=\"7\"\r\nContent-Transfer-Encoding: 7bit\r\n"
      "\r\nseven\r\n";
  SUBCASE("sizes known: Content-Length") {
    Posted r = post(m);
    CHECK(r.rc == CURLE_OK);
    std::string expected = with_boundary(known + "--{B}--\r\n", r.boundary);
    CHECK(r.echo.body == expected);
    CHECK(r.echo.value("Content-Length") == std::to_string(expected.size()));
  }
  SUBCASE("quoted-printable: size unknown, chunked") {
    p = curl_mime_addpart(m);
    curl_mime_name(p, "qp");
    curl_mime_data(p,
                   "a b \r\nc\td\t\r\n=\xe9 lone\nlf cr\rx trailing \r\n"
                   "0123456789012345678901234567890123456789012345678901234567890123456789012345678"
                   "\r\n"
                   "0123456789012345678901234567890123456789012345678901234567890123456789012345678"
                   "9ab\r\n"
                   "012345678901234567890123456789012345678901234567890123456789012345678901234=x"
                   "0123456789012345678901234567890123456789012345678901234567890123456789012345 "
                   "\r\n end ",
                   CURL_ZERO_TERMINATED);
    CHECK(curl_mime_encoder(p, "quoted-printable") == CURLE_OK);
    Posted r = post(m);
    CHECK(r.rc == CURLE_OK);
    CHECK(r.echo.value("Transfer-Encoding") == "chunked");
    CHECK(r.echo.body ==
          with_boundary(
              known + "--{B}\r\nContent-Disposition: form-data; name=\"qp\"\r\n"
                      "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
                      "a b=20\r\nc\td=09\r\n=3D=E9 lone=0Alf cr=0Dx trailing=20\r\n"
                      "012345678901234567890123456789012345678901234567890123456789012345678"
                      "901234=\r\n5678\r\n"
                      "012345678901234567890123456789012345678901234567890123456789012345678"
                      "901234=\r\n56789ab\r\n"
                      "012345678901234567890123456789012345678901234567890123456789012345678"
                      "901234=\r\n"
                      "=3Dx0123456789012345678901234567890123456789012345678901234567890123456"
                      "7890=\r\n12345=20\r\n end=20\r\n--{B}--\r\n",
              r.boundary));
  }
  curl_mime_free(m);
}

TEST_CASE("curl_mime_encoder: an unknown name is CURLE_NOT_BUILT_IN and drops the encoder") {
  curl_mime *m = curl_mime_init(nullptr);
  curl_mimepart *p = curl_mime_addpart(m);
  curl_mime_name(p, "x");
  curl_mime_data(p, "x", 1);
  curl_mime_encoder(p, "base64");
  CHECK(curl_mime_encoder(p, "gzip") == CURLE_NOT_BUILT_IN);
  CHECK(curl_mime_encoder(nullptr, "base64") == CURLE_BAD_FUNCTION_ARGUMENT);
  Posted r = post(m);
  CHECK(r.echo.body ==
        with_boundary("--{B}\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\nx\r\n--{B}--\r\n",
                      r.boundary));
  curl_mime_free(m);
}

TEST_CASE("7bit refuses 8-bit data at send time with CURLE_READ_ERROR, as libcurl") {
  curl_mime *m = curl_mime_init(nullptr);
  curl_mimepart *p = curl_mime_addpart(m);
  curl_mime_name(p, "7");
  curl_mime_data(p, "caf\xe9", 4);
  CHECK(curl_mime_encoder(p, "7bit") == CURLE_OK);
  Posted r = post(m);
  CHECK(r.rc == CURLE_READ_ERROR);
  CHECK(r.error == "read function returned funny value");
  curl_mime_free(m);
}

TEST_CASE("a missing file: curl_mime_filedata and the transfer answer CURLE_READ_ERROR") {
  curl_mime *m = curl_mime_init(nullptr);
  curl_mimepart *p = curl_mime_addpart(m);
  curl_mime_name(p, "f");
  CHECK(curl_mime_filedata(p, "/tmp/evm_form_no_such_file.txt") == CURLE_READ_ERROR);
  Posted r = post(m);
  CHECK(r.rc == CURLE_READ_ERROR);
  CHECK(r.error == "read function returned funny value");
  curl_mime_free(m);
}

TEST_CASE("a file part is read when sending: its size then, its bytes streamed") {
  TempFile f("grow", ".dat");
  curl_mime *m = curl_mime_init(nullptr);
  curl_mimepart *p = curl_mime_addpart(m);
  curl_mime_name(p, "f");
  curl_mime_filedata(p, f.path.c_str());
  SUBCASE("grown after filedata") {
    FILE *fp = std::fopen(f.path.c_str(), "ab");
    std::fputs("MORE", fp);
    std::fclose(fp);
    Posted r = post(m);
    CHECK(r.rc == CURLE_OK);
    std::string expected = with_boundary(
        "--{B}\r\nContent-Disposition: form-data; name=\"f\"; filename=\"" + f.base() +
            "\"\r\nContent-Type: application/octet-stream\r\n\r\ngrowMORE\r\n--{B}--\r\n",
        r.boundary);
    CHECK(r.echo.body == expected);
    CHECK(r.echo.value("Content-Length") == std::to_string(expected.size()));
  }
  SUBCASE("3 MiB: Content-Length and Expect, bytes intact") {
    std::string big = pattern(3 << 20);
    FILE *fp = std::fopen(f.path.c_str(), "wb");
    std::fwrite(big.data(), 1, big.size(), fp);
    std::fclose(fp);
    Posted r = post(m);
    CHECK(r.rc == CURLE_OK);
    CHECK(r.echo.value("Expect") == "100-continue");
    std::string expected = with_boundary(
        "--{B}\r\nContent-Disposition: form-data; name=\"f\"; filename=\"" + f.base() +
            "\"\r\nContent-Type: application/octet-stream\r\n\r\n" + big + "\r\n--{B}--\r\n",
        r.boundary);
    CHECK(r.echo.value("Content-Length") == std::to_string(expected.size()));
    CHECK(r.echo.body.size() == expected.size());
    CHECK(r.echo.body == expected);
  }
  curl_mime_free(m);
}

TEST_CASE("a custom Content-Type names the multipart subtype; parts become attachments") {
  curl_mime *m = curl_mime_init(nullptr);
  curl_mimepart *p = curl_mime_addpart(m);
  curl_mime_name(p, "a");
  curl_mime_data(p, "1", 1);
  curl_slist *h = curl_slist_append(nullptr, "Content-Type: multipart/mixed");
  Posted r = post(m, h);
  CHECK(r.rc == CURLE_OK);
  CHECK(r.echo.count("Content-Type") == 1);
  CHECK(r.echo.value("Content-Type") == "multipart/mixed; boundary=" + r.boundary);
  CHECK(
      r.echo.body ==
      with_boundary("--{B}\r\nContent-Disposition: attachment; name=\"a\"\r\n\r\n1\r\n--{B}--\r\n",
                    r.boundary));
  curl_slist_free_all(h);
  curl_mime_free(m);
}

TEST_CASE("names and file names are escaped: %-codes by default, backslashes with FORMESCAPE") {
  curl_mime *m = curl_mime_init(nullptr);
  curl_mimepart *p = curl_mime_addpart(m);
  curl_mime_name(p, "q\"u\r\nx\\y");
  curl_mime_data(p, "", 0);
  curl_mime_filename(p, "f\"n.txt");
  SUBCASE("default") {
    Posted r = post(m);
    CHECK(contains(r.echo.body, "name=\"q%22u%0D%0Ax\\y\"; filename=\"f%22n.txt\"\r\n"));
  }
  SUBCASE("CURLMIMEOPT_FORMESCAPE") {
    Posted r = post(m, nullptr, CURLMIMEOPT_FORMESCAPE);
    CHECK(contains(r.echo.body, "name=\"q\\\"u\r\nx\\\\y\"; filename=\"f\\\"n.txt\"\r\n"));
  }
  curl_mime_free(m);
}

TEST_CASE("a tree is posted by one handle; freeing it empties the handle's post; dup copies it") {
  curl_mime *m = curl_mime_init(nullptr);
  curl_mimepart *p = curl_mime_addpart(m);
  curl_mime_name(p, "a");
  curl_mime_data(p, "1", 1);
  Fetch first(server().raw_url("/echo"));
  Fetch second(server().raw_url("/echo"));
  CHECK(curl_easy_setopt(first.easy, CURLOPT_MIMEPOST, m) == CURLE_OK);
  CHECK(curl_easy_setopt(second.easy, CURLOPT_MIMEPOST, m) == CURLE_BAD_FUNCTION_ARGUMENT);
  CURL *dup = curl_easy_duphandle(first.easy);
  REQUIRE(dup);
  curl_mime_free(m);
  // The duplicate posts its own copy, the original now an empty POST.
  std::string body;
  curl_easy_setopt(dup, CURLOPT_WRITEDATA, &body);
  CHECK(curl_easy_perform(dup) == CURLE_OK);
  Echo echo(body);
  CHECK(contains(echo.body, "Content-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n"));
  curl_easy_cleanup(dup);
  Posted r = perform_post(first);
  CHECK(r.rc == CURLE_OK);
  CHECK(r.echo.request_line == "POST /echo");
  CHECK(r.echo.body.empty());
}

// --- the old form API ---------------------------------------------------------------------

namespace {

size_t collect_formget(void *arg, const char *buf, size_t len) {
  static_cast<std::string *>(arg)->append(buf, len);
  return len;
}

struct FormFixture {
  TempFile text{"hello file\n", ".txt"}, bin{"BIN", ".bin"};
  curl_httppost *post = nullptr, *last = nullptr;
  curl_slist *headers = curl_slist_append(nullptr, "X-Form: h");
  char buffer[12] = "buffer\0data";
  Source stream{"callback data"};

  FormFixture() {
    curl_forms arr[] = {
        {CURLFORM_COPYNAME, "arr"}, {CURLFORM_COPYCONTENTS, "arrv"}, {CURLFORM_END, nullptr}};
    CHECK(curl_formadd(&post, &last, CURLFORM_COPYNAME, "name", CURLFORM_COPYCONTENTS, "content",
                       CURLFORM_END) == CURL_FORMADD_OK);
    CHECK(curl_formadd(&post, &last, CURLFORM_PTRNAME, "namelonger", CURLFORM_NAMELENGTH, 4L,
                       CURLFORM_PTRCONTENTS, "ptrcontents", CURLFORM_CONTENTSLENGTH, 3L,
                       CURLFORM_END) == CURL_FORMADD_OK);
    CHECK(curl_formadd(&post, &last, CURLFORM_COPYNAME, "ct", CURLFORM_COPYCONTENTS, "<p>",
                       CURLFORM_CONTENTTYPE, "text/html", CURLFORM_CONTENTHEADER, headers,
                       CURLFORM_END) == CURL_FORMADD_OK);
    CHECK(curl_formadd(&post, &last, CURLFORM_COPYNAME, "file", CURLFORM_FILE, text.path.c_str(),
                       CURLFORM_END) == CURL_FORMADD_OK);
    CHECK(curl_formadd(&post, &last, CURLFORM_COPYNAME, "files", CURLFORM_FILE, text.path.c_str(),
                       CURLFORM_FILE, bin.path.c_str(), CURLFORM_CONTENTTYPE, "x/y",
                       CURLFORM_END) == CURL_FORMADD_OK);
    CHECK(curl_formadd(&post, &last, CURLFORM_COPYNAME, "fn", CURLFORM_FILE, bin.path.c_str(),
                       CURLFORM_FILENAME, "shown.gif", CURLFORM_END) == CURL_FORMADD_OK);
    CHECK(curl_formadd(&post, &last, CURLFORM_COPYNAME, "fc", CURLFORM_FILECONTENT,
                       text.path.c_str(), CURLFORM_END) == CURL_FORMADD_OK);
    CHECK(curl_formadd(&post, &last, CURLFORM_COPYNAME, "buf", CURLFORM_BUFFER, "b.txt",
                       CURLFORM_BUFFERPTR, buffer, CURLFORM_BUFFERLENGTH, 11L,
                       CURLFORM_END) == CURL_FORMADD_OK);
    CHECK(curl_formadd(&post, &last, CURLFORM_ARRAY, arr, CURLFORM_END) == CURL_FORMADD_OK);
    CHECK(curl_formadd(&post, &last, CURLFORM_COPYNAME, "len", CURLFORM_COPYCONTENTS, "abcdef",
                       CURLFORM_CONTENTLEN, static_cast<curl_off_t>(2),
                       CURLFORM_END) == CURL_FORMADD_OK);
    CHECK(curl_formadd(&post, &last, CURLFORM_COPYNAME, "stream", CURLFORM_STREAM, &stream,
                       CURLFORM_CONTENTSLENGTH, 13L, CURLFORM_END) == CURL_FORMADD_OK);
  }
  ~FormFixture() {
    curl_formfree(post);
    curl_slist_free_all(headers);
  }

  // What libcurl 7.88 sent for this form; `stream` is the CURLFORM_STREAM part's content.
  std::string expected(const std::string &b, const std::string &inner,
                       const std::string &stream_content) const {
    return with_boundary(
        "--{B}\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\ncontent\r\n"
        "--{B}\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nptr\r\n"
        "--{B}\r\nContent-Disposition: form-data; name=\"ct\"\r\nContent-Type: text/html\r\n"
        "X-Form: h\r\n\r\n<p>\r\n"
        "--{B}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" +
            text.base() +
            "\"\r\nContent-Type: text/plain\r\n\r\nhello file\n\r\n"
            "--{B}\r\nContent-Disposition: form-data; name=\"files\"\r\n"
            "Content-Type: multipart/mixed; boundary=" +
            inner + "\r\n\r\n--" + inner + "\r\nContent-Disposition: attachment; filename=\"" +
            text.base() + "\"\r\nContent-Type: text/plain\r\n\r\nhello file\n\r\n--" + inner +
            "\r\nContent-Disposition: attachment; filename=\"" + bin.base() +
            "\"\r\nContent-Type: x/y\r\n\r\nBIN\r\n--" + inner +
            "--\r\n\r\n"
            "--{B}\r\nContent-Disposition: form-data; name=\"fn\"; filename=\"shown.gif\"\r\n"
            "Content-Type: application/octet-stream\r\n\r\nBIN\r\n"
            "--{B}\r\nContent-Disposition: form-data; name=\"fc\"\r\n\r\nhello file\n\r\n"
            "--{B}\r\nContent-Disposition: form-data; name=\"buf\"; filename=\"b.txt\"\r\n"
            "Content-Type: text/plain\r\n\r\n" +
            std::string("buffer\0data", 11) +
            "\r\n"
            "--{B}\r\nContent-Disposition: form-data; name=\"arr\"\r\n\r\narrv\r\n"
            "--{B}\r\nContent-Disposition: form-data; name=\"len\"\r\n\r\nab\r\n"
            "--{B}\r\nContent-Disposition: form-data; name=\"stream\"\r\n\r\n" +
            stream_content + "\r\n--{B}--\r\n",
        b);
  }
};

std::string inner_boundary(const std::string &body) {
  std::string type = "multipart/mixed; boundary=";
  size_t at = body.find(type);
  return at == std::string::npos ? "" : body.substr(at + type.size(), 40);
}

}  // namespace

TEST_CASE("HTTPPOST sends every curl_formadd option as libcurl 7.88 does") {
  FormFixture form;
  Fetch f(server().raw_url("/echo"));
  CHECK(curl_easy_setopt(f.easy, CURLOPT_HTTPPOST, form.post) == CURLE_OK);
  CHECK(curl_easy_setopt(f.easy, CURLOPT_READFUNCTION, read_source) == CURLE_OK);
  Posted r = perform_post(f);
  CHECK(r.rc == CURLE_OK);
  CHECK(r.echo.request_line == "POST /echo");
  std::string expected = form.expected(r.boundary, inner_boundary(r.echo.body), "callback data");
  CHECK(r.echo.body == expected);
  CHECK(r.echo.value("Content-Length") == std::to_string(expected.size()));
  CHECK(r.echo.value("Content-Type") == "multipart/form-data; boundary=" + r.boundary);
}

TEST_CASE("curl_formget writes the top header block and the body; STREAM parts are empty") {
  FormFixture form;
  std::string out;
  CHECK(curl_formget(form.post, &out, collect_formget) == 0);
  std::string prefix = "Content-Type: multipart/form-data; boundary=";
  REQUIRE(out.rfind(prefix, 0) == 0);
  std::string b = out.substr(prefix.size(), 40);
  std::string head = prefix + b + "\r\n\r\n";
  CHECK(out.substr(0, head.size()) == head);
  CHECK(out.substr(head.size()) == form.expected(b, inner_boundary(out), ""));
}

TEST_CASE("curl_formadd answers each CURLFORMcode as libcurl") {
  curl_httppost *post = nullptr, *last = nullptr;
  CHECK(curl_formadd(&post, &last, CURLFORM_COPYNAME, "a", CURLFORM_COPYNAME, "b", CURLFORM_END) ==
        CURL_FORMADD_OPTION_TWICE);
  CHECK(curl_formadd(&post, &last, CURLFORM_COPYNAME, static_cast<char *>(nullptr), CURLFORM_END) ==
        CURL_FORMADD_NULL);
  CHECK(curl_formadd(&post, &last, static_cast<CURLformoption>(99), "a", CURLFORM_END) ==
        CURL_FORMADD_UNKNOWN_OPTION);
  CHECK(curl_formadd(&post, &last, CURLFORM_COPYNAME, "a", CURLFORM_END) ==
        CURL_FORMADD_INCOMPLETE);
  curl_forms nested[] = {{CURLFORM_ARRAY, nullptr}, {CURLFORM_END, nullptr}};
  CHECK(curl_formadd(&post, &last, CURLFORM_ARRAY, nested, CURLFORM_END) ==
        CURL_FORMADD_ILLEGAL_ARRAY);
  CHECK(curl_formadd(&post, &last, CURLFORM_COPYNAME, "a", CURLFORM_FILE, "x",
                     CURLFORM_CONTENTSLENGTH, 3L, CURLFORM_END) == CURL_FORMADD_INCOMPLETE);
  CHECK(curl_formadd(&post, &last, CURLFORM_COPYNAME, "a", CURLFORM_COPYCONTENTS, "x",
                     CURLFORM_COPYCONTENTS, "y", CURLFORM_END) == CURL_FORMADD_OPTION_TWICE);
  CHECK(curl_formadd(&post, &last, CURLFORM_PTRNAME, "a\0b", CURLFORM_NAMELENGTH, 3L,
                     CURLFORM_COPYCONTENTS, "x", CURLFORM_END) == CURL_FORMADD_NULL);
  CHECK(post == nullptr);  // nothing was added by a failed call
  CHECK(last == nullptr);
}

TEST_CASE("HTTPPOST with a missing file fails with CURLE_READ_ERROR") {
  curl_httppost *post = nullptr, *last = nullptr;
  CHECK(curl_formadd(&post, &last, CURLFORM_COPYNAME, "f", CURLFORM_FILE,
                     "/tmp/evm_form_no_such_file.txt", CURLFORM_END) == CURL_FORMADD_OK);
  Fetch f(server().raw_url("/echo"));
  curl_easy_setopt(f.easy, CURLOPT_HTTPPOST, post);
  Posted r = perform_post(f);
  CHECK(r.rc == CURLE_READ_ERROR);
  std::string out;
  CHECK(curl_formget(post, &out, collect_formget) == CURLE_READ_ERROR);
  curl_formfree(post);
}

namespace {

int seek_source(void *arg, curl_off_t offset, int origin) {
  auto *s = static_cast<Source *>(arg);
  if (origin != SEEK_SET) return CURL_SEEKFUNC_CANTSEEK;
  s->pos = static_cast<size_t>(offset);
  ++s->reads;  // counts seeks too: the test only needs to see one happened
  return CURL_SEEKFUNC_OK;
}

}  // namespace

TEST_CASE("a form follows a redirect: 307 re-sends it after a seek, 302 turns it into a GET") {
  Source src{"callback data"};
  curl_mime *m = curl_mime_init(nullptr);
  curl_mimepart *p = curl_mime_addpart(m);
  curl_mime_name(p, "cb");
  SUBCASE("307 with a seek callback") {
    curl_mime_data_cb(p, 13, read_source, seek_source, nullptr, &src);
    Fetch f(server().http_url("/status/307?Location=/echo"));
    curl_easy_setopt(f.easy, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(f.easy, CURLOPT_MIMEPOST, m);
    Posted r = perform_post(f);
    CHECK(r.rc == CURLE_OK);
    CHECK(r.echo.request_line == "POST /echo");
    CHECK(r.echo.body ==
          with_boundary("--{B}\r\nContent-Disposition: form-data; name=\"cb\"\r\n\r\n"
                        "callback data\r\n--{B}--\r\n",
                        r.boundary));
  }
  SUBCASE("307 without a way to seek") {
    curl_mime_data_cb(p, 13, read_source, nullptr, nullptr, &src);
    Fetch f(server().http_url("/status/307?Location=/echo"));
    curl_easy_setopt(f.easy, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(f.easy, CURLOPT_MIMEPOST, m);
    Posted r = perform_post(f);
    CHECK(r.rc == CURLE_SEND_FAIL_REWIND);
  }
  SUBCASE("302") {
    curl_mime_data_cb(p, 13, read_source, nullptr, nullptr, &src);
    Fetch f(server().http_url("/status/302?Location=/echo"));
    curl_easy_setopt(f.easy, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(f.easy, CURLOPT_MIMEPOST, m);
    Posted r = perform_post(f);
    CHECK(r.rc == CURLE_OK);
    CHECK(r.echo.request_line == "GET /echo");
    CHECK(r.echo.count("Content-Type") == 0);
    const char *method = nullptr;
    curl_easy_getinfo(f.easy, CURLINFO_EFFECTIVE_METHOD, &method);
    CHECK(std::string(method ? method : "") == "GET");
  }
  curl_mime_free(m);
}

TEST_CASE("CUSTOMREQUEST keeps its method for a form, and EFFECTIVE_METHOD says POST before") {
  curl_mime *m = curl_mime_init(nullptr);
  curl_mimepart *p = curl_mime_addpart(m);
  curl_mime_name(p, "a");
  curl_mime_data(p, "1", 1);
  Fetch f(server().raw_url("/echo"));
  curl_easy_setopt(f.easy, CURLOPT_MIMEPOST, m);
  const char *method = nullptr;
  curl_easy_getinfo(f.easy, CURLINFO_EFFECTIVE_METHOD, &method);
  CHECK(std::string(method ? method : "") == "POST");
  curl_easy_setopt(f.easy, CURLOPT_CUSTOMREQUEST, "PUT");
  Posted r = perform_post(f);
  CHECK(r.rc == CURLE_OK);
  CHECK(r.echo.request_line == "PUT /echo");
  CHECK(contains(r.echo.body, "name=\"a\"\r\n\r\n1\r\n"));
  curl_mime_free(m);
}

TEST_CASE("freeing attached subparts leaves their part empty; freeing the root frees the rest") {
  freed_count = 0;
  Source src{"never read"};
  curl_mime *m = curl_mime_init(nullptr);
  curl_mime *sub = curl_mime_init(nullptr);
  curl_mimepart *q = curl_mime_addpart(sub);
  curl_mime_data_cb(q, 10, read_source, nullptr, count_free, &src);
  curl_mimepart *p = curl_mime_addpart(m);
  curl_mime_name(p, "sub");
  REQUIRE(curl_mime_subparts(p, sub) == CURLE_OK);
  curl_mime_free(sub);
  CHECK(freed_count == 1);
  Posted r = post(m);
  CHECK(r.rc == CURLE_OK);
  CHECK(
      r.echo.body ==
      with_boundary("--{B}\r\nContent-Disposition: form-data; name=\"sub\"\r\n\r\n\r\n--{B}--\r\n",
                    r.boundary));
  CHECK(src.reads == 0);
  curl_mime_free(m);
  CHECK(freed_count == 1);
}
