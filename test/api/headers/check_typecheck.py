#!/usr/bin/env python3
"""The compile-time type check (include/curl/typecheck-gcc.h) under GCC, in C.

Each wrong argument below must fail to build with -Werror, each right one must build, and
curl's own examples plus the repo's C programs must build without a typecheck warning.
Exits 77 (skip) where the C compiler is not GCC >= 4.3 (the check is GCC-only, like
libcurl's)."""
import argparse
import glob
import os
import shlex
import subprocess
import sys
import tempfile

PRELUDE = """#include <curl/curl.h>
#include <stdio.h>
static size_t wcb(char *p, size_t s, size_t n, void *u) { (void)p; (void)u; return s * n; }
static int scb(CURL *e, curl_socket_t s, int w, void *u, void *sp)
{ (void)e; (void)s; (void)w; (void)u; (void)sp; return 0; }
static void lk(CURL *h, curl_lock_data d, curl_lock_access a, void *u) { (void)h; (void)d; (void)a; (void)u; }
int run(CURL *h, CURLM *m, CURLSH *sh);
int run(CURL *h, CURLM *m, CURLSH *sh) {
  struct curl_slist *list = NULL; char *s = NULL; long l = 0; double d = 0; curl_off_t o = 0;
  curl_socket_t sock; struct curl_certinfo *ci = NULL; int i = 0; struct curl_blob blob;
  void *priv = NULL;
  (void)list; (void)s; (void)l; (void)d; (void)o; (void)sock; (void)ci; (void)i; (void)blob;
  (void)priv; (void)m; (void)sh; (void)wcb; (void)scb; (void)lk; (void)h;
"""

GOOD = [
    'curl_easy_setopt(h, CURLOPT_VERBOSE, 1L);',
    'curl_easy_setopt(h, CURLOPT_VERBOSE, 1);',
    'curl_easy_setopt(h, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1);',
    'curl_easy_setopt(h, CURLOPT_URL, "http://127.0.0.1/");',
    'curl_easy_setopt(h, CURLOPT_URL, s);',
    'curl_easy_setopt(h, CURLOPT_URL, NULL);',
    'curl_easy_setopt(h, CURLOPT_HTTPHEADER, list);',
    'curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, wcb);',
    'curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, NULL);',
    'curl_easy_setopt(h, CURLOPT_WRITEDATA, stdout);',
    'curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, o);',
    'curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)5);',
    'curl_easy_setopt(h, CURLOPT_SSLCERT_BLOB, &blob);',
    'curl_easy_setopt(h, CURLOPT_SHARE, sh);',
    'curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &l);',
    'curl_easy_getinfo(h, CURLINFO_EFFECTIVE_URL, &s);',
    'curl_easy_getinfo(h, CURLINFO_TOTAL_TIME, &d);',
    'curl_easy_getinfo(h, CURLINFO_SIZE_DOWNLOAD_T, &o);',
    'curl_easy_getinfo(h, CURLINFO_ACTIVESOCKET, &sock);',
    'curl_easy_getinfo(h, CURLINFO_COOKIELIST, &list);',
    'curl_easy_getinfo(h, CURLINFO_CERTINFO, &ci);',
    'curl_easy_getinfo(h, CURLINFO_PRIVATE, &priv);',
    'curl_multi_setopt(m, CURLMOPT_SOCKETFUNCTION, scb);',
    'curl_multi_setopt(m, CURLMOPT_MAXCONNECTS, 5L);',
    'curl_share_setopt(sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);',
    'curl_share_setopt(sh, CURLSHOPT_LOCKFUNC, lk);',
]

BAD = [
    'curl_easy_setopt(h, CURLOPT_VERBOSE, "yes");',
    'curl_easy_setopt(h, CURLOPT_TIMEOUT, 1.5);',
    'curl_easy_setopt(h, CURLOPT_URL, 5L);',
    'curl_easy_setopt(h, CURLOPT_URL, list);',
    'curl_easy_setopt(h, CURLOPT_HTTPHEADER, "X-A: b");',
    'curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, 1L);',
    'curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, "wcb");',
    'curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, 5);',
    'curl_easy_setopt(h, CURLOPT_SSLCERT_BLOB, list);',
    'curl_easy_setopt(h, CURLOPT_SHARE, list);',
    'curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &i);',
    'curl_easy_getinfo(h, CURLINFO_EFFECTIVE_URL, &l);',
    'curl_easy_getinfo(h, CURLINFO_TOTAL_TIME, &l);',
    'curl_easy_getinfo(h, CURLINFO_SIZE_DOWNLOAD_T, &d);',
    'curl_easy_getinfo(h, CURLINFO_ACTIVESOCKET, &l);',
    'curl_easy_getinfo(h, CURLINFO_COOKIELIST, &s);',
    'curl_multi_setopt(m, CURLMOPT_MAXCONNECTS, "5");',
    'curl_multi_setopt(m, CURLMOPT_SOCKETFUNCTION, 0L);',
    'curl_multi_setopt(m, CURLMOPT_CONTENT_LENGTH_PENALTY_SIZE, 5);',
    'curl_share_setopt(sh, CURLSHOPT_SHARE, "dns");',
    'curl_share_setopt(sh, CURLSHOPT_LOCKFUNC, 1L);',
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--cc', default=os.environ.get('CC', 'cc'))
    ap.add_argument('--our-include', required=True)
    ap.add_argument('--source-root', required=True)
    a = ap.parse_args()
    cc = shlex.split(a.cc)
    probe = subprocess.run(cc + ['-dM', '-E', '-x', 'c', '/dev/null'], capture_output=True, text=True).stdout
    if '__clang__' in probe or '__GNUC__' not in probe:
        print('SKIP: the type check is GCC-only and the C compiler is not GCC')
        return 77
    failures = []
    with tempfile.TemporaryDirectory() as work:
        def build(src, extra):
            path = os.path.join(work, 't.c')
            with open(path, 'w') as f:
                f.write(src)
            r = subprocess.run(cc + ['-std=gnu11', '-Wall', '-Wextra', '-c', '-o', os.path.join(work, 't.o'),
                                     '-I', a.our_include, path] + extra, capture_output=True, text=True)
            return r.returncode, r.stderr
        for opt in ('-O0', '-O2'):
            for line in GOOD:
                rc, err = build(PRELUDE + '  ' + line + '\n  return 0;\n}\n', [opt, '-Werror'])
                if rc != 0:
                    failures.append('warned on a right type (%s): %s\n%s' % (opt, line, err[:1500]))
            for line in BAD:
                rc, err = build(PRELUDE + '  ' + line + '\n  return 0;\n}\n', [opt, '-Werror'])
                if rc == 0 or 'attribute-warning' not in err:
                    failures.append('did not warn on a wrong type (%s): %s\n%s' % (opt, line, err[:800]))
            # CURL_DISABLE_TYPECHECK leaves the check out, as in libcurl.
            rc, _ = build(PRELUDE + '  ' + BAD[0] + '\n  return 0;\n}\n', [opt, '-Werror', '-DCURL_DISABLE_TYPECHECK'])
            if rc != 0:
                failures.append('CURL_DISABLE_TYPECHECK did not disable the check')

        # Correct programs: curl's examples (those whose other headers are installed) and ours.
        programs = sorted(glob.glob('/usr/share/doc/libcurl4/examples/*.c') +
                          glob.glob('/usr/share/doc/libcurl4-doc/examples/*.c'))
        programs += [os.path.join(a.source_root, 'test/api/c89_program.c')]
        programs += sorted(glob.glob(os.path.join(a.source_root, 'examples/*.c')))
        for root, _, files in os.walk(os.path.join(a.source_root, 'adapters')):
            programs += [os.path.join(root, f) for f in sorted(files) if f.endswith('.c')]
        built = 0
        for p in programs:
            rc, err = build(open(p, encoding='utf-8', errors='replace').read(),
                            ['-O2', '-I', os.path.join(a.source_root, 'include'),
                             '-I', os.path.join(a.source_root, 'adapters/common'),
                             '-I', os.path.dirname(p), '-w',
                             '-Wattribute-warning', '-Werror=attribute-warning'])
            if rc != 0 and 'attribute-warning' in err:
                failures.append('type check warned on %s:\n%s' % (p, err[:1500]))
            elif rc == 0:
                built += 1
    for f in failures:
        print('FAIL: ' + f)
    print('%d right and %d wrong calls probed at -O0 and -O2; %d of %d correct programs built, '
          '%d failures' % (len(GOOD), len(BAD), built, len(programs), len(failures)))
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
