/* A C89 program written against libcurl's API: it must compile with -std=c89 -pedantic and run
 * against evmulti unchanged. It checks a transfer that fails at once and the message it leaves. */
#include <curl/curl.h>
#include <curl/mprintf.h>
#include <curl/stdcheaders.h>
#include <curl/system.h>
#include <stdio.h>
#include <string.h>

int main(void) {
  CURLM *multi;
  CURL *easy;
  CURLMsg *msg;
  int running = -1, left = -1, failures = 0;
  char error[CURL_ERROR_SIZE];
  char text[8];
  char *made;

  if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) return 1;
  /* The printf family: truncation answers the length written, as libcurl's does. */
  if (curl_msnprintf(text, sizeof text, "%s", "hello world") != 7 || strcmp(text, "hello w"))
    ++failures;
  made = curl_maprintf("%" CURL_FORMAT_CURL_OFF_T "/%d", CURL_OFF_T_C(1234567890), 7);
  if (!made || strcmp(made, "1234567890/7")) ++failures;
  curl_free(made);
  multi = curl_multi_init();
  easy = curl_easy_init();
  curl_easy_setopt(easy, CURLOPT_URL, "http://");
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, error);
  if (curl_multi_add_handle(multi, easy) != CURLM_OK) ++failures;
  if (curl_multi_perform(multi, &running) != CURLM_OK) ++failures;
  if (running != 0) ++failures;
  msg = curl_multi_info_read(multi, &left);
  if (!msg || msg->msg != CURLMSG_DONE || msg->easy_handle != easy ||
      msg->data.result != CURLE_URL_MALFORMAT || left != 0)
    ++failures;
  if (strlen(error) == 0) ++failures;
  if (curl_multi_remove_handle(multi, easy) != CURLM_OK) ++failures;
  curl_easy_cleanup(easy);
  curl_multi_cleanup(multi);
  curl_global_cleanup();
  printf("%s\n", failures ? "FAILED" : "ok");
  return failures ? 1 : 0;
}
