/* Prints every easy option curl_easy_option_next hands out, one line each: name, id, type and
 * flags. Built once against the system libcurl and once against evmulti; the outputs must match. */
#include <curl/curl.h>
#include <stdio.h>

int main(void) {
  const struct curl_easyoption *o = NULL;
  while ((o = curl_easy_option_next(o)) != NULL)
    printf("%s %d %d %u\n", o->name, (int)o->id, (int)o->type, o->flags);
  return 0;
}
