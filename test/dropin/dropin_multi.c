/* A client of the SYSTEM libcurl (built with its headers, linked with -lcurl) that runs a few
   transfers at once through the multi interface and prints, per transfer, what both libraries
   must agree on. run_dropin.py runs it on libcurl and again on evmulti's libcurl.so.4.

   usage: dropin_multi HTTP_BASE RAW_BASE   (e.g. http://127.0.0.1:PORT) */
#include <curl/curl.h>
#include <stdio.h>
#include <string.h>

struct result {
  const char *name;
  char url[256];
  unsigned long bytes;
  unsigned long hash; /* FNV-1a over the body: the same bytes, not just as many */
};

static size_t on_body(char *data, size_t size, size_t n, void *userp) {
  struct result *r = (struct result *)userp;
  size_t i;
  for (i = 0; i < size * n; i++) {
    r->hash = (r->hash ^ (unsigned char)data[i]) * 16777619UL;
    r->hash &= 0xffffffffUL;
  }
  r->bytes += (unsigned long)(size * n);
  return size * n;
}

int main(int argc, char **argv) {
  /* base index 0: the evhttp listener, 1: the raw listener (test_server.h) */
  static const struct {
    int base;
    const char *path;
  } plan[] = {
      {0, "/bytes/200000"},
      {0, "/chunked/50000"},
      {0, "/status/404"},
      {1, "/partial"},
      {0, "/status/302?Location=/bytes/7000"},
      {1, "/echo"},
      {1, "/chunked-trailers"},
  };
  enum { N = sizeof plan / sizeof plan[0] };
  struct result results[N];
  CURL *easy[N];
  CURLM *multi;
  int running = 1, i, left;
  CURLMsg *msg;

  if (argc != 3) {
    fprintf(stderr, "usage: %s HTTP_BASE RAW_BASE\n", argv[0]);
    return 2;
  }
  curl_global_init(CURL_GLOBAL_DEFAULT);
  fprintf(stderr, "version: %s\n", curl_version());
  multi = curl_multi_init();
  curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, 2L);
  for (i = 0; i < N; i++) {
    memset(&results[i], 0, sizeof results[i]);
    results[i].name = plan[i].path;
    results[i].hash = 2166136261UL;
    snprintf(results[i].url, sizeof results[i].url, "%s%s", argv[1 + plan[i].base], plan[i].path);
    easy[i] = curl_easy_init();
    curl_easy_setopt(easy[i], CURLOPT_URL, results[i].url);
    curl_easy_setopt(easy[i], CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(easy[i], CURLOPT_WRITEDATA, &results[i]);
    curl_easy_setopt(easy[i], CURLOPT_PRIVATE, &results[i]);
    curl_easy_setopt(easy[i], CURLOPT_FOLLOWLOCATION, 1L);
    if (strcmp(plan[i].path, "/echo") == 0) {
      /* The echo carries the request head, whose header set is each library's own: the
         body's length is what is compared, and the request line through the hash of a
         body that starts with it. */
      curl_easy_setopt(easy[i], CURLOPT_POSTFIELDS, "name=evmulti&drop=in");
      curl_easy_setopt(easy[i], CURLOPT_USERAGENT, "dropin-test");
    }
    curl_multi_add_handle(multi, easy[i]);
  }
  while (running) {
    CURLMcode mc = curl_multi_perform(multi, &running);
    if (mc == CURLM_OK && running) mc = curl_multi_poll(multi, NULL, 0, 1000, NULL);
    if (mc != CURLM_OK) {
      fprintf(stderr, "multi error %d\n", (int)mc);
      return 1;
    }
  }
  while ((msg = curl_multi_info_read(multi, &left)) != NULL) {
    struct result *r;
    long code = 0;
    char *effective = NULL;
    if (msg->msg != CURLMSG_DONE) continue;
    curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&r);
    curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE, &code);
    curl_easy_getinfo(msg->easy_handle, CURLINFO_EFFECTIVE_URL, &effective);
    printf("%s: result %d, status %ld, ends at %s, ", r->name, (int)msg->data.result, code,
           effective ? strrchr(effective, '/') : "?");
    if (strcmp(r->name, "/echo") == 0)
      printf("%lu bytes echoed\n", r->bytes);
    else
      printf("%lu bytes, fnv %08lx\n", r->bytes, r->hash);
  }
  for (i = 0; i < N; i++) {
    curl_multi_remove_handle(multi, easy[i]);
    curl_easy_cleanup(easy[i]);
  }
  curl_multi_cleanup(multi);
  curl_global_cleanup();
  return 0;
}
