/* evmulti: compile-time argument checks for the variadic setters and getinfo (GCC >= 4.3, C).
 *
 * curl_easy_setopt, curl_multi_setopt, curl_share_setopt and curl_easy_getinfo read their
 * third argument with va_arg, so a wrong type is undefined behaviour the compiler cannot see.
 * When the option is a compile-time constant, these macros derive the expected kind of
 * argument from the option's number (libcurl encodes it: CURLOPTTYPE_* ranges of 10000,
 * CURLINFO_* type bits) and warn, through a function carrying GCC's warning attribute that
 * is called only on the mismatching branch, when the argument's type is of another kind.
 * Correct programs compile silently; the call itself is unchanged. Define
 * CURL_DISABLE_TYPECHECK to leave the checks out. Included by curl.h. */
#ifndef EVMULTI_CURL_TYPECHECK_GCC_H
#define EVMULTI_CURL_TYPECHECK_GCC_H

/* Normally reached through curl.h, which decides (EVMULTI_CURL_TYPECHECK) whether the checks
 * apply; included on its own, it brings curl.h in first and follows the same decision. */
#include "curl.h"
#ifdef EVMULTI_CURL_TYPECHECK

/* A call to one of these survives dead-code removal only on a mismatching branch. */
#define EVMULTI_TC_WARNING(name, message)                                                  \
  static void __attribute__((__warning__(message), __unused__, __noinline__)) name(void) { \
    __asm__("");                                                                           \
  }

EVMULTI_TC_WARNING(evmulti_tc_setopt_long, "curl_easy_setopt expects a long argument")
EVMULTI_TC_WARNING(evmulti_tc_setopt_off_t, "curl_easy_setopt expects a curl_off_t argument")
EVMULTI_TC_WARNING(evmulti_tc_setopt_pointer, "curl_easy_setopt expects a pointer argument")
EVMULTI_TC_WARNING(evmulti_tc_setopt_func, "curl_easy_setopt expects a function pointer")
EVMULTI_TC_WARNING(evmulti_tc_setopt_blob, "curl_easy_setopt expects a struct curl_blob *")
EVMULTI_TC_WARNING(evmulti_tc_setopt_slist, "curl_easy_setopt expects a struct curl_slist *")
EVMULTI_TC_WARNING(evmulti_tc_setopt_string, "curl_easy_setopt expects a string (char *)")
EVMULTI_TC_WARNING(evmulti_tc_setopt_share, "curl_easy_setopt expects a CURLSH *")
EVMULTI_TC_WARNING(evmulti_tc_multi_long, "curl_multi_setopt expects a long argument")
EVMULTI_TC_WARNING(evmulti_tc_multi_off_t, "curl_multi_setopt expects a curl_off_t argument")
EVMULTI_TC_WARNING(evmulti_tc_multi_pointer, "curl_multi_setopt expects a pointer argument")
EVMULTI_TC_WARNING(evmulti_tc_share_int, "curl_share_setopt expects a CURL_LOCK_DATA_* value")
EVMULTI_TC_WARNING(evmulti_tc_share_pointer, "curl_share_setopt expects a pointer argument")
EVMULTI_TC_WARNING(evmulti_tc_getinfo_string, "curl_easy_getinfo expects a char ** argument")
EVMULTI_TC_WARNING(evmulti_tc_getinfo_long, "curl_easy_getinfo expects a long * argument")
EVMULTI_TC_WARNING(evmulti_tc_getinfo_double, "curl_easy_getinfo expects a double * argument")
EVMULTI_TC_WARNING(evmulti_tc_getinfo_ptr,
                   "curl_easy_getinfo expects a pointer to a struct curl_slist *, "
                   "struct curl_certinfo * or struct curl_tlssessioninfo *")
EVMULTI_TC_WARNING(evmulti_tc_getinfo_socket, "curl_easy_getinfo expects a curl_socket_t *")
EVMULTI_TC_WARNING(evmulti_tc_getinfo_off_t, "curl_easy_getinfo expects a curl_off_t *")

/* Argument kinds, from GCC's type classes (integers, enums, chars and bools are 1..4; data
 * pointers, arrays, string literals and functions all arrive as pointers, class 5). */
#define evmulti_tc_is_integer(x) \
  (__builtin_classify_type(x) >= 1 && __builtin_classify_type(x) <= 4)
#define evmulti_tc_is_pointer(x) (__builtin_classify_type(x) == 5)
#define evmulti_tc_is(x, type) __builtin_types_compatible_p(__typeof__(x), type)
/* A null pointer constant, however it is spelt. */
#define evmulti_tc_is_null(x) (evmulti_tc_is(x, void *) || evmulti_tc_is(x, const void *))
#define evmulti_tc_is_string(x)                                                              \
  (evmulti_tc_is(x, char *) || evmulti_tc_is(x, const char *) || evmulti_tc_is(x, char[]) || \
   evmulti_tc_is(x, const char[]) || evmulti_tc_is(x, unsigned char *) ||                    \
   evmulti_tc_is(x, const unsigned char *) || evmulti_tc_is(x, signed char *) ||             \
   evmulti_tc_is(x, const signed char *) || evmulti_tc_is_null(x))
#define evmulti_tc_is_slist(x)                                                             \
  (evmulti_tc_is(x, struct curl_slist *) || evmulti_tc_is(x, const struct curl_slist *) || \
   evmulti_tc_is_null(x))

/* The option's kind from its number: CURLOPTTYPE_LONG 0, OBJECTPOINT 10000, FUNCTIONPOINT
 * 20000, OFF_T 30000, BLOB 40000. */
#define evmulti_tc_opt_kind(opt, base) ((opt) >= (base) && (opt) < (base) + 10000)

/* Object-pointer options that take a struct curl_slist *. */
#define evmulti_tc_slist_option(opt)                                                            \
  ((opt) == CURLOPT_HTTPHEADER || (opt) == CURLOPT_PROXYHEADER || (opt) == CURLOPT_QUOTE ||     \
   (opt) == CURLOPT_POSTQUOTE || (opt) == CURLOPT_PREQUOTE || (opt) == CURLOPT_TELNETOPTIONS || \
   (opt) == CURLOPT_HTTP200ALIASES || (opt) == CURLOPT_MAIL_RCPT || (opt) == CURLOPT_RESOLVE || \
   (opt) == CURLOPT_CONNECT_TO)

/* Object-pointer options that take a string; the common ones, not every one. */
#define evmulti_tc_string_option(opt)                                                              \
  ((opt) == CURLOPT_URL || (opt) == CURLOPT_PROXY || (opt) == CURLOPT_USERPWD ||                   \
   (opt) == CURLOPT_PROXYUSERPWD || (opt) == CURLOPT_RANGE || (opt) == CURLOPT_REFERER ||          \
   (opt) == CURLOPT_USERAGENT || (opt) == CURLOPT_COOKIE || (opt) == CURLOPT_COOKIEFILE ||         \
   (opt) == CURLOPT_COOKIEJAR || (opt) == CURLOPT_CUSTOMREQUEST ||                                 \
   (opt) == CURLOPT_ACCEPT_ENCODING || (opt) == CURLOPT_USERNAME || (opt) == CURLOPT_PASSWORD ||   \
   (opt) == CURLOPT_CAINFO || (opt) == CURLOPT_CAPATH || (opt) == CURLOPT_SSLCERT ||               \
   (opt) == CURLOPT_SSLKEY || (opt) == CURLOPT_KEYPASSWD || (opt) == CURLOPT_INTERFACE ||          \
   (opt) == CURLOPT_NOPROXY || (opt) == CURLOPT_DEFAULT_PROTOCOL || (opt) == CURLOPT_COOKIELIST || \
   (opt) == CURLOPT_SSL_CIPHER_LIST || (opt) == CURLOPT_PINNEDPUBLICKEY ||                         \
   (opt) == CURLOPT_UNIX_SOCKET_PATH || (opt) == CURLOPT_XOAUTH2_BEARER)

#define curl_easy_setopt(handle, option, value)                                                  \
  __extension__({                                                                                \
    if (__builtin_constant_p(option)) {                                                          \
      if (evmulti_tc_opt_kind(option, CURLOPTTYPE_LONG) && !evmulti_tc_is_integer(value))        \
        evmulti_tc_setopt_long();                                                                \
      if (evmulti_tc_opt_kind(option, CURLOPTTYPE_OFF_T) && !evmulti_tc_is(value, curl_off_t))   \
        evmulti_tc_setopt_off_t();                                                               \
      if (evmulti_tc_opt_kind(option, CURLOPTTYPE_OBJECTPOINT) && !evmulti_tc_is_pointer(value)) \
        evmulti_tc_setopt_pointer();                                                             \
      if (evmulti_tc_slist_option(option) && !evmulti_tc_is_slist(value))                        \
        evmulti_tc_setopt_slist();                                                               \
      if (evmulti_tc_string_option(option) && !evmulti_tc_is_string(value))                      \
        evmulti_tc_setopt_string();                                                              \
      if ((option) == CURLOPT_SHARE && !evmulti_tc_is(value, CURLSH *) &&                        \
          !evmulti_tc_is_null(value))                                                            \
        evmulti_tc_setopt_share();                                                               \
      /* C cannot test for "any function pointer"; a string is the likely mistake. */            \
      if (evmulti_tc_opt_kind(option, CURLOPTTYPE_FUNCTIONPOINT) &&                              \
          (!evmulti_tc_is_pointer(value) ||                                                      \
           (evmulti_tc_is_string(value) && !evmulti_tc_is_null(value))))                         \
        evmulti_tc_setopt_func();                                                                \
      if (evmulti_tc_opt_kind(option, CURLOPTTYPE_BLOB) &&                                       \
          !evmulti_tc_is(value, struct curl_blob *) &&                                           \
          !evmulti_tc_is(value, const struct curl_blob *) && !evmulti_tc_is_null(value))         \
        evmulti_tc_setopt_blob();                                                                \
    }                                                                                            \
    curl_easy_setopt(handle, option, value);                                                     \
  })

#define curl_multi_setopt(handle, option, value)                                               \
  __extension__({                                                                              \
    if (__builtin_constant_p(option)) {                                                        \
      if (evmulti_tc_opt_kind(option, CURLOPTTYPE_LONG) && !evmulti_tc_is_integer(value))      \
        evmulti_tc_multi_long();                                                               \
      if (evmulti_tc_opt_kind(option, CURLOPTTYPE_OFF_T) && !evmulti_tc_is(value, curl_off_t)) \
        evmulti_tc_multi_off_t();                                                              \
      if ((evmulti_tc_opt_kind(option, CURLOPTTYPE_OBJECTPOINT) ||                             \
           evmulti_tc_opt_kind(option, CURLOPTTYPE_FUNCTIONPOINT)) &&                          \
          !evmulti_tc_is_pointer(value))                                                       \
        evmulti_tc_multi_pointer();                                                            \
    }                                                                                          \
    curl_multi_setopt(handle, option, value);                                                  \
  })

/* CURLSHOPT_SHARE and UNSHARE take a CURL_LOCK_DATA_* value; the others a pointer. */
#define curl_share_setopt(share, option, value)                                  \
  __extension__({                                                                \
    if (__builtin_constant_p(option)) {                                          \
      if (((option) == CURLSHOPT_SHARE || (option) == CURLSHOPT_UNSHARE) &&      \
          !evmulti_tc_is_integer(value))                                         \
        evmulti_tc_share_int();                                                  \
      if (((option) == CURLSHOPT_LOCKFUNC || (option) == CURLSHOPT_UNLOCKFUNC || \
           (option) == CURLSHOPT_USERDATA) &&                                    \
          !evmulti_tc_is_pointer(value))                                         \
        evmulti_tc_share_pointer();                                              \
    }                                                                            \
    curl_share_setopt(share, option, value);                                     \
  })

/* CURLINFO_* carry their result type in CURLINFO_TYPEMASK. CURLINFO_PRIVATE is "string"
 * typed but hands back whatever pointer the program stored, so any pointer's address fits. */
#define evmulti_tc_info_kind(info, kind) (((info)&CURLINFO_TYPEMASK) == (kind))

#define curl_easy_getinfo(handle, info, arg)                                                   \
  __extension__({                                                                              \
    if (__builtin_constant_p(info)) {                                                          \
      if (evmulti_tc_info_kind(info, CURLINFO_STRING) && (info) != CURLINFO_PRIVATE &&         \
          !evmulti_tc_is(arg, char **) && !evmulti_tc_is(arg, const char **))                  \
        evmulti_tc_getinfo_string();                                                           \
      if (evmulti_tc_info_kind(info, CURLINFO_LONG) && !evmulti_tc_is(arg, long *))            \
        evmulti_tc_getinfo_long();                                                             \
      if (evmulti_tc_info_kind(info, CURLINFO_DOUBLE) && !evmulti_tc_is(arg, double *))        \
        evmulti_tc_getinfo_double();                                                           \
      if (evmulti_tc_info_kind(info, CURLINFO_SLIST) &&                                        \
          !evmulti_tc_is(arg, struct curl_slist **) &&                                         \
          !evmulti_tc_is(arg, struct curl_certinfo **) &&                                      \
          !evmulti_tc_is(arg, struct curl_tlssessioninfo **) &&                                \
          !evmulti_tc_is(arg, const struct curl_certinfo **) &&                                \
          !evmulti_tc_is(arg, const struct curl_tlssessioninfo **))                            \
        evmulti_tc_getinfo_ptr();                                                              \
      if (evmulti_tc_info_kind(info, CURLINFO_SOCKET) && !evmulti_tc_is(arg, curl_socket_t *)) \
        evmulti_tc_getinfo_socket();                                                           \
      if (evmulti_tc_info_kind(info, CURLINFO_OFF_T) && !evmulti_tc_is(arg, curl_off_t *))     \
        evmulti_tc_getinfo_off_t();                                                            \
    }                                                                                          \
    curl_easy_getinfo(handle, info, arg);                                                      \
  })

#endif /* EVMULTI_CURL_TYPECHECK */
#endif /* EVMULTI_CURL_TYPECHECK_GCC_H */
