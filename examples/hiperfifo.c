/* hiperfifo: fetches the URLs written to a named pipe, one per line, all at
 * once and while earlier ones are still downloading, in a libevent loop that
 * evmulti's libevent adapter connects to the curl multi handle.
 *
 *   hiperfifo [FIFO]            (FIFO defaults to hiper.fifo; made if missing)
 *   echo http://example.com/ > hiper.fifo
 *
 * Prints one line per finished transfer:
 *   URL result=CODE status=HTTP_STATUS bytes=N time=SECONDS (TEXT)
 * A line "quit" stops the reading; the program exits (0) once the transfers in
 * flight are done. SIGINT or SIGTERM end it at once, abandoning them. */
#include <curl/curl.h>
#include <errno.h>
#include <event2/event.h>
#include <evmulti/libevent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* One transfer in flight; kept in a list so that a signal can abandon them. */
struct transfer {
  CURL *easy;
  struct transfer *prev, *next;
  char url[1];
};

struct app {
  CURLM *multi;
  struct event_base *base;
  evmulti_libevent *adapter;
  struct event *fifo_event;
  int fifo_fd;
  char line[8192];
  size_t line_len;
  int quitting;
  struct transfer *transfers;
};

static size_t discard(char *data, size_t size, size_t n, void *userp) {
  (void)data;
  (void)userp;
  return size * n;
}

static void forget(struct app *app, struct transfer *t) {
  curl_multi_remove_handle(app->multi, t->easy);
  curl_easy_cleanup(t->easy);
  if (t->prev)
    t->prev->next = t->next;
  else
    app->transfers = t->next;
  if (t->next) t->next->prev = t->prev;
  free(t);
}

static void start(struct app *app, const char *url) {
  struct transfer *t = malloc(sizeof *t + strlen(url));
  if (!t || !(t->easy = curl_easy_init())) {
    fprintf(stderr, "hiperfifo: out of memory for %s\n", url);
    free(t);
    return;
  }
  strcpy(t->url, url);
  curl_easy_setopt(t->easy, CURLOPT_URL, url);
  curl_easy_setopt(t->easy, CURLOPT_WRITEFUNCTION, discard);
  curl_easy_setopt(t->easy, CURLOPT_PRIVATE, t);
  t->prev = NULL;
  t->next = app->transfers;
  if (t->next) t->next->prev = t;
  app->transfers = t;
  curl_multi_add_handle(app->multi, t->easy);
}

/* The adapter calls this for every finished transfer. */
static void on_done(CURL *easy, CURLcode result, void *userp) {
  struct app *app = userp;
  struct transfer *t;
  char *priv = NULL;
  long status = 0;
  curl_off_t bytes = 0;
  double seconds = 0;
  curl_easy_getinfo(easy, CURLINFO_PRIVATE, &priv);
  t = (struct transfer *)priv;
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_getinfo(easy, CURLINFO_SIZE_DOWNLOAD_T, &bytes);
  curl_easy_getinfo(easy, CURLINFO_TOTAL_TIME, &seconds);
  printf("%s result=%d status=%ld bytes=%" CURL_FORMAT_CURL_OFF_T " time=%.3f (%s)\n", t->url,
         (int)result, status, bytes, seconds, curl_easy_strerror(result));
  forget(app, t);
  if (app->quitting && !app->transfers) event_base_loopexit(app->base, NULL);
}

static void on_line(struct app *app, char *line) {
  size_t n = strlen(line);
  if (n && line[n - 1] == '\r') line[--n] = '\0';
  if (!n) return;
  if (strcmp(line, "quit") == 0) {
    app->quitting = 1;
    event_del(app->fifo_event);
    if (!app->transfers) event_base_loopexit(app->base, NULL);
    return;
  }
  start(app, line);
}

static void on_fifo(evutil_socket_t fd, short what, void *userp) {
  struct app *app = userp;
  ssize_t got;
  (void)what;
  while (!app->quitting &&
         (got = read(fd, app->line + app->line_len, sizeof app->line - 1 - app->line_len)) > 0) {
    char *begin = app->line, *end;
    app->line_len += (size_t)got;
    app->line[app->line_len] = '\0';
    while (!app->quitting && (end = strchr(begin, '\n')) != NULL) {
      *end = '\0';
      on_line(app, begin);
      begin = end + 1;
    }
    app->line_len -= (size_t)(begin - app->line);
    memmove(app->line, begin, app->line_len);
    if (app->line_len == sizeof app->line - 1) app->line_len = 0; /* overlong: drop it */
  }
}

static void on_signal(evutil_socket_t sig, short what, void *userp) {
  (void)sig;
  (void)what;
  event_base_loopbreak(userp);
}

int main(int argc, char **argv) {
  const char *path = argc > 1 ? argv[1] : "hiper.fifo";
  struct app app;
  struct event *sigint, *sigterm;
  int made = mkfifo(path, 0600) == 0;
  memset(&app, 0, sizeof app);
  if (!made && errno != EEXIST) {
    perror(path);
    return 1;
  }
  /* Read-write, so that the pipe has a writer and no end of file when the
   * writers come and go. */
  app.fifo_fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (app.fifo_fd < 0) {
    perror(path);
    return 1;
  }
  setvbuf(stdout, NULL, _IOLBF, 0);
  curl_global_init(CURL_GLOBAL_DEFAULT);
  app.multi = curl_multi_init();
  app.base = event_base_new();
  app.adapter = evmulti_libevent_attach(app.multi, app.base, on_done, &app);
  if (!app.adapter) {
    perror("evmulti_libevent_attach");
    return 1;
  }
  app.fifo_event = event_new(app.base, app.fifo_fd, EV_READ | EV_PERSIST, on_fifo, &app);
  sigint = evsignal_new(app.base, SIGINT, on_signal, app.base);
  sigterm = evsignal_new(app.base, SIGTERM, on_signal, app.base);
  event_add(app.fifo_event, NULL);
  event_add(sigint, NULL);
  event_add(sigterm, NULL);
  fprintf(stderr, "hiperfifo: reading URLs from %s\n", path);

  event_base_dispatch(app.base);

  evmulti_libevent_detach(app.adapter);
  while (app.transfers) forget(&app, app.transfers);
  event_free(app.fifo_event);
  event_free(sigint);
  event_free(sigterm);
  event_base_free(app.base);
  curl_multi_cleanup(app.multi);
  curl_global_cleanup();
  close(app.fifo_fd);
  if (made) unlink(path);
  return 0;
}
