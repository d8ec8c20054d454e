#!/usr/bin/env python3
"""Each public header compiles alone, and all of them together, as C89 with -pedantic-errors
and as C++, warning-free (-Wall -Wextra -Werror), against our include/ only."""
import argparse
import os
import shlex
import subprocess
import sys
import tempfile


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--cc', default=os.environ.get('CC', 'cc'))
    ap.add_argument('--cxx', default=os.environ.get('CXX', 'c++'))
    ap.add_argument('--our-include', required=True)
    a = ap.parse_args()
    headers = sorted(h for h in os.listdir(os.path.join(a.our_include, 'curl')) if h.endswith('.h'))
    modes = [('c89', shlex.split(a.cc) + ['-x', 'c', '-std=c89', '-pedantic-errors']),
             ('c11', shlex.split(a.cc) + ['-x', 'c', '-std=c11', '-pedantic-errors']),
             ('c++11', shlex.split(a.cxx) + ['-x', 'c++', '-std=c++11', '-pedantic-errors']),
             ('c++20', shlex.split(a.cxx) + ['-x', 'c++', '-std=c++20'])]
    units = [(h, '#include <curl/%s>\n' % h) for h in headers]
    units.append(('all', ''.join('#include <curl/%s>\n' % h for h in headers)))
    # Included twice in any order: the guards hold.
    units.append(('all twice', ''.join('#include <curl/%s>\n' % h for h in reversed(headers)) * 2))
    failures = 0
    with tempfile.TemporaryDirectory() as work:
        src = os.path.join(work, 'unit.txt')
        for mode, cmd in modes:
            for name, text in units:
                with open(src, 'w') as f:
                    f.write(text + 'int evmulti_unit_not_empty;\n')
                r = subprocess.run(cmd + ['-Wall', '-Wextra', '-Werror', '-fsyntax-only',
                                          '-I', a.our_include, src], capture_output=True, text=True)
                if r.returncode != 0:
                    failures += 1
                    print('FAIL %s %s:\n%s' % (mode, name, r.stderr[:2000]))
    print('%d headers, %d modes: %d failures' % (len(headers), len(modes), failures))
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
