#!/usr/bin/env python3
"""Every public name of the system libcurl's headers exists in ours, with the same value.

The names are read from the system headers at test time (never copied into the repo) and
classified by the compiler itself: a probe file holds one line per candidate name and kind,
is compiled against the system headers, and lines that fail are dropped until it compiles.
What survives is compiled against our headers (a failure names a missing or wrong name), and
the integer names and type sizes are printed by both builds and compared line by line.
Exits 77 (skip) when the system libcurl dev headers are missing."""
import argparse
import os
import re
import shlex
import subprocess
import sys
import tempfile

HEADERS = ['curl.h', 'curlver.h', 'easy.h', 'multi.h', 'mprintf.h', 'options.h', 'header.h',
           'urlapi.h', 'websockets.h', 'system.h', 'stdcheaders.h']
# Internal helpers of libcurl's headers, not API: include guards, typecheck-gcc.h's private
# macros, and platform pulls.
INTERNAL = re.compile(r'^(CURLINC_|curlcheck_|CURL_PULL_|_curl_|CURLWARNING$)')
NAME = re.compile(r'\b_?(?:[Cc][Uu][Rr][Ll]|LIBCURL)[A-Za-z0-9_]*\b')
# Values ahead of the system libcurl 7.88 on purpose: CURLE_TOO_LARGE (100, libcurl 8.6) is
# declared for our limits, so the end marker moves as it did in libcurl 8.6.
AHEAD = {'CURL_LAST': '101'}
ERROR_LINE = re.compile(r'^[^:]*probe\.c:(\d+):\d+: (?:fatal )?error')


def candidates(sys_dir):
    names = set()
    for h in HEADERS:
        text = open(os.path.join(sys_dir, h), encoding='utf-8', errors='replace').read()
        text = re.sub(r'/\*.*?\*/', ' ', text, flags=re.S)
        text = re.sub(r'//[^\n]*', ' ', text)
        text = re.sub(r'"(?:\\.|[^"\\])*"', ' ', text)
        names.update(n for n in NAME.findall(text) if not INTERNAL.match(n))
    return sorted(names)


def prologue():
    return ''.join('#include <curl/%s>\n' % h for h in HEADERS) + '#include <stdio.h>\n'


class Compiler:
    def __init__(self, cc, work):
        self.cc = shlex.split(cc)
        self.work = work

    def no_error_limit(self):
        if not hasattr(self, '_limit'):
            macros = subprocess.run(self.cc + ['-dM', '-E', '-x', 'c', '/dev/null'],
                                    capture_output=True, text=True).stdout
            self._limit = '-ferror-limit=0' if '__clang__' in macros else '-fmax-errors=0'
        return self._limit

    def compile(self, lines, inc, link=False, out='probe'):
        src = os.path.join(self.work, 'probe.c')
        with open(src, 'w') as f:
            f.write('\n'.join(lines) + '\n')
        cmd = self.cc + ['-std=gnu11', '-w', self.no_error_limit(), '-I', inc, src]
        cmd += ['-o', os.path.join(self.work, out)] if link else ['-fsyntax-only']
        r = subprocess.run(cmd, capture_output=True, text=True)
        return r.returncode, r.stderr


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--cc', default=os.environ.get('CC', 'cc'))
    ap.add_argument('--system-include', default='/usr/include/x86_64-linux-gnu')
    ap.add_argument('--our-include', required=True)
    a = ap.parse_args()
    sys_dir = os.path.join(a.system_include, 'curl')
    if not os.path.exists(os.path.join(sys_dir, 'curl.h')):
        print('SKIP: the system libcurl dev headers are missing (%s)' % sys_dir)
        return 77

    names = candidates(sys_dir)
    head = prologue().splitlines()
    with tempfile.TemporaryDirectory() as work:
        cc = Compiler(a.cc, work)
        # Which macros the system headers define on this platform (function-like ones too).
        rc, _ = cc.compile(head, a.system_include)
        defined = subprocess.run(cc.cc + ['-std=gnu11', '-dM', '-E', '-I', a.system_include,
                                          os.path.join(work, 'probe.c')],
                                 capture_output=True, text=True).stdout
        macros = {m.group(1) for m in re.finditer(r'^#define (\w+)', defined, re.M)}

        probes = []
        for n in names:
            probes.append(('static void i_%s(void){switch(0){case (%s):break;}}' % (n, n), ('int', n)))
            probes.append(('typedef %s t_%s;' % (n, n), ('type', n)))
            probes.append(('static int z_%s = sizeof(%s);' % (n, n), ('typesize', n)))
            probes.append(('static int s_%s = sizeof(struct %s);' % (n, n), ('struct', n)))
            probes.append(('static int u_%s = sizeof(union %s);' % (n, n), ('union', n)))
            probes.append(('static void *f_%s = (void *)&%s;' % (n, n), ('symbol', n)))
            if n in macros:
                probes.append(('static const char m_%s[] = "%s";' % (n, n), ('macro', n)))
        # A macro probe: three lines sharing one key, failing only where the macro is missing.
        flat = []
        for b, k in probes:
            if k[0] == 'macro':
                flat += [('#ifndef %s' % k[1], k), ('#error missing', k), ('#endif', k)]
            else:
                flat.append((b, k))
        kept = surviving_kinds(cc, head, flat, a.system_include)
        # sizeof compiles on any expression; only a type name's size is an interface fact.
        kept = {k for k in kept if k[0] != 'typesize' or ('type', k[1]) in kept}
        counts = {}
        for k in kept:
            counts[k[0]] = counts.get(k[0], 0) + 1
        print('system headers: %d candidate names; %s' % (len(names), counts))

        # Against ours: every kept probe must compile.
        body = [(b, k) for b, k in flat if k in kept]
        rc, err = cc.compile(head + [b for b, _ in body], a.our_include)
        missing = []
        if rc != 0:
            bad = {int(m.group(1)) - len(head) - 1 for m in map(ERROR_LINE.match, err.splitlines()) if m}
            missing = sorted({'%s (%s)' % (body[i][1][1], body[i][1][0]) for i in bad if 0 <= i < len(body)})
            print('MISSING or wrong kind in our headers (%d):' % len(missing))
            for m in missing:
                print('  ' + m)
            if not missing:
                print(err[:4000])
                return 1

        # Values: integer names and type sizes, printed by both builds.
        printer = ['int main(void) {']
        for kind, n in sorted(kept, key=lambda k: (k[1], k[0])):
            if kind == 'int':
                printer.append('printf("%s %%lld\\n", (long long)(%s));' % (n, n))
            elif kind in ('typesize', 'struct', 'union'):
                t = n if kind == 'typesize' else '%s %s' % (kind, n)
                printer.append('printf("sizeof(%s) %%d\\n", (int)sizeof(%s));' % (t, t))
        printer.append('return 0; }')
        outputs = []
        for inc, exe in ((a.system_include, 'sys_values'), (a.our_include, 'our_values')):
            # Names missing from ours were already reported; print the rest.
            lines = [p for p in printer if not any(re.search(r'\b%s\b' % re.escape(m.split()[0]), p)
                                                   for m in missing)]
            rc, err = cc.compile(head + lines, inc, link=True, out=exe)
            if rc != 0:
                print('value program failed to build against %s:\n%s' % (inc, err[:4000]))
                return 1
            outputs.append(subprocess.run([os.path.join(work, exe)], capture_output=True,
                                          text=True, check=True).stdout.splitlines())
        diffs = [(s, o) for s, o in zip(*outputs)
                 if s != o and AHEAD.get(o.split()[0]) != o.split()[-1]]
        for s, o in diffs:
            print('VALUE differs: system "%s", ours "%s"' % (s, o))
        print('%d values compared, %d differ' % (len(outputs[0]), len(diffs)))
        return 1 if diffs or missing or len(outputs[0]) != len(outputs[1]) else 0


def surviving_kinds(cc, head, flat, inc):
    """The probe keys whose lines all compile against inc."""
    body = list(flat)
    for _ in range(20):
        rc, err = cc.compile(head + [b for b, _ in body], inc)
        bad = {int(m.group(1)) - len(head) - 1 for m in map(ERROR_LINE.match, err.splitlines()) if m}
        if rc == 0:
            return {k for _, k in body}
        if not bad:
            raise SystemExit('probe failed without a line to drop:\n' + err[:3000])
        drop = {body[i][1] for i in bad if 0 <= i < len(body)}
        body = [(b, k) for b, k in body if k not in drop]
    raise SystemExit('probe did not settle')


if __name__ == '__main__':
    sys.exit(main())
