#!/usr/bin/env python3
"""Every one of curl's examples, built unchanged against evmulti and against the system libcurl.

The sources are read from Debian's libcurl4-doc at test time, never copied into the tree. Only
their URL string literals are rewritten, to URLs of the project's loopback test server; an
example that reads a FIFO or takes arguments is driven as a user would drive it. Each example
is compiled twice (evmulti's headers and library; the system libcurl), both builds run against
the same server, and what matters is compared: exit status, bytes written, and the transfers'
results as the example prints them. Every example is classified (classification.py): the multi
examples below and the HTTP(S) ones there run and are compared (the HTTP/2 ones against a
loopback nghttpd, nghttpd.py); those for protocols evmulti does not speak run on evmulti only
and must end with CURLE_UNSUPPORTED_PROTOCOL; the HTTP/2 push ones, which libcurl 7.88 cannot
run, run on evmulti only and are checked against the man pages (EXPECT); the rest are built
and linked only, each with the reason. The transfers' results are observed without touching
the source: each build links a small wrapper (WRAPPER below, through ld's --wrap)
around curl_easy_perform and curl_multi_info_read that logs every result code.

One line per example: PASS, FAIL, XFAIL (listed in EXPECTED_FAILURES below, still failing),
XPASS (listed but now passing: remove its line) or SKIP (a package is missing). The last line
is "curl examples: N passed, N failed, N expected failures, N skipped". Exit status 1 on any
FAIL or XPASS, 77 (meson's skip) when libcurl4-doc or the libcurl development files are
missing.

usage: run_curl_examples.py --source-root DIR --evmulti-lib PATH --test-server PATH
                            [--work-dir DIR] [--keep] [NAME...]
"""

import argparse
import concurrent.futures
import difflib
import hashlib
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from classification import COMPILE, EXPECT, RUN, TABLE, UNSUP, WINDOWS  # noqa: E402
from nghttpd import PUSH_FILES, PUSH_PAGE, Nghttpd  # noqa: E402

# Examples that do not yet behave as with libcurl, each with what it waits for. When the
# feature lands on main, delete the line; the harness says XPASS until you do.
EXPECTED_FAILURES = {}

EXAMPLE_DIRS = ["/usr/share/doc/libcurl4/examples", "/usr/share/doc/libcurl4-doc/examples"]
HARNESS = "harness"  # check_example's verdict when the libcurl side itself broke
RUN_TIMEOUT = 60  # seconds per run of one build; the slowest example takes about 2 s
JOBS = 2  # examples checked at once (the machine's two cores)
CURLE_UNSUPPORTED_PROTOCOL = 1

# Linked into every build: logs each transfer's result to $EVM_EXAMPLE_RESULTS, one line each.
# With $EVM_EXAMPLE_DRAIN set it also reads the messages an example leaves unread when it
# removes a handle (imap-multi and co never call curl_multi_info_read).
WRAPPER = r"""
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
CURLcode __real_curl_easy_perform(CURL *);
CURLMsg *__real_curl_multi_info_read(CURLM *, int *);
CURLMcode __real_curl_multi_remove_handle(CURLM *, CURL *);
static void evm_note(int code) {
  const char *path = getenv("EVM_EXAMPLE_RESULTS");
  FILE *f = path ? fopen(path, "a") : NULL;
  if(f) {
    fprintf(f, "result %d\n", code);
    fclose(f);
  }
}
CURLcode __wrap_curl_easy_perform(CURL *h) {
  CURLcode rc = __real_curl_easy_perform(h);
  evm_note((int)rc);
  return rc;
}
CURLMsg *__wrap_curl_multi_info_read(CURLM *m, int *left) {
  CURLMsg *msg = __real_curl_multi_info_read(m, left);
  if(msg && msg->msg == CURLMSG_DONE)
    evm_note((int)msg->data.result);
  return msg;
}
CURLMcode __wrap_curl_multi_remove_handle(CURLM *m, CURL *h) {
  if(getenv("EVM_EXAMPLE_DRAIN")) {
    int left;
    CURLMsg *msg;
    while((msg = __real_curl_multi_info_read(m, &left)) != NULL)
      if(msg->msg == CURLMSG_DONE)
        evm_note((int)msg->data.result);
  }
  return __real_curl_multi_remove_handle(m, h);
}
"""
WRAP_FLAGS = ["-Wl,--wrap=curl_easy_perform", "-Wl,--wrap=curl_multi_info_read",
              "-Wl,--wrap=curl_multi_remove_handle"]

# ---------------------------------------------------------------------------------------------
# What each example needs, where its URLs point, how it is driven and what is compared.


class Ports:
    def __init__(self, http, raw):
        self.http_port = http
        self.raw_port = raw
        self.nghttpd = None  # nghttpd.Nghttpd, started when an HTTP/2 example asks for it
        self.h2_port = None

    def h2(self, url):  # the same URL, path kept, on the loopback nghttpd (TLS, ALPN h2)
        return re.sub(r"^https://[^/]*", "https://127.0.0.1:%d" % self.h2_port, url)

    def http(self, path):  # libevent's evhttp listener
        return "http://127.0.0.1:%d%s" % (self.http_port, path)

    def raw(self, path):  # hand-written listener: no Date header, exact bytes
        return "http://127.0.0.1:%d%s" % (self.raw_port, path)


def ten_at_a_time_urls(p, i, _orig):
    # A mix of bodies and of failures whose codes and texts both engines must agree on.
    kinds = [
        lambda n: p.http("/bytes/%d" % (1000 * n + 1)),
        lambda n: p.http("/chunked/%d" % (700 * n)),
        lambda n: p.raw("/ok/%d" % n),
        lambda n: p.http("/status/404"),
        lambda n: p.raw("/close-delimited/%d" % (100 * n)),
        lambda n: p.raw("/chunked-trailers"),
    ]
    special = {7: p.raw("/partial"), 19: p.raw("/empty"), 33: p.raw("/badchunk")}
    return special.get(i) or kinds[i % len(kinds)](i)


UPLOAD_INPUT = b"".join(b"line %d of what the user pipes in\n" % i for i in range(300))
FIFO_PATHS = [
    ("http", "/bytes/100"),
    ("http", "/chunked/150000"),
    ("raw", "/ok/0"),
    ("http", "/status/404"),
    ("http", "/status/302?Location=/bytes/7000"),
    ("raw", "/partial"),
]


def fifo_urls(p):
    return [getattr(p, kind)(path) for kind, path in FIFO_PATHS]


EXAMPLES = {
    "10-at-a-time": dict(urls=ten_at_a_time_urls, compare=["stderr-results", "exit"]),
    "multi-app": dict(
        urls=lambda p, i, o: p.raw("/echo") if i == 0 else p.raw("/echo?upload"),
        stdin=UPLOAD_INPUT,
        compare=["stdout-lines", "exit"],
    ),
    "multi-legacy": dict(
        urls=lambda p, i, o: p.raw("/echo") if i == 0 else p.raw("/echo?upload"),
        stdin=UPLOAD_INPUT,
        compare=["stdout-lines", "exit"],
    ),
    "multi-single": dict(urls=lambda p, i, o: p.http("/bytes/200000"), compare=["stdout", "exit"]),
    "multi-double": dict(
        # The second URL keeps its host name, so "localhost" goes through the resolver.
        urls=lambda p, i, o: p.raw("/echo") if i == 0 else p.raw("/echo").replace(
            "127.0.0.1", "localhost"),
        compare=["stdout-lines", "stderr-lines", "exit"],
    ),
    "multi-debugcallback": dict(urls=lambda p, i, o: p.raw("/echo"),
                                compare=["stdout", "trace", "exit"]),
    "multi-event": dict(
        deps=[("pkg", "libevent")],
        args=lambda p: [p.http("/bytes/5000"), p.http("/chunked/90000"), p.raw("/ok/1"),
                        p.http("/status/404")],
        compare=["stdout-lines", "files", "exit"],
    ),
    "multi-post": dict(urls=lambda p, i, o: p.raw("/echo"), compare=["stdout-form", "exit"]),
    "multi-formadd": dict(urls=lambda p, i, o: p.raw("/echo"), compare=["stdout-form", "exit"]),
    "hiperfifo": dict(deps=[("pkg", "libevent")], fifo=True, stop_word=True,
                      compare=["done-lines", "last-progress", "exit"]),
    "ephiperfifo": dict(fifo=True, compare=["done-lines", "last-progress", "exit"]),
    "evhiperfifo": dict(deps=[("lib", "ev.h", "-lev")], fifo=True,
                        compare=["done-lines", "last-progress", "exit"]),
    "ghiper": dict(deps=[("pkg", "glib-2.0")], fifo=True, compare=["done-lines", "exit"]),
    "crawler": dict(deps=[("pkg", "libxml-2.0")], urls=lambda p, i, o: p.raw("/crawl/"),
                    compare=["crawl", "exit"]),
}

# String literals holding a URL with a host: "http://" alone (crawler's prefix test) stays.
URL_LITERAL = re.compile(r'"((?:https?|ftp)://[^"\s/]+[^"\s]*)"')
# Any scheme, for the examples classified in classification.py.
ANY_URL_LITERAL = re.compile(r'"([a-zA-Z][a-zA-Z0-9+.-]*://[^"\s/]+[^"\s]*)"')


def to_loopback(ports, url):
    """The same URL, scheme, user and path kept, on the raw loopback listener: an example for
    a protocol evmulti lacks never reaches out, whatever it would do."""
    return re.sub(r"^([^:]+://)([^/@]*@)?[^/]*",
                  lambda m: m.group(1) + (m.group(2) or "") + "127.0.0.1:%d" % ports.raw_port,
                  url)


def table_spec(name):
    """(kind, reason, spec) of an example; spec in the shape EXAMPLES uses."""
    if name in EXAMPLES:
        return RUN, "multi interface", dict(EXAMPLES[name], literal=URL_LITERAL)
    kind, reason, extra = TABLE[name]
    spec = dict(extra, literal=ANY_URL_LITERAL)
    if kind == UNSUP:
        spec["urls"] = lambda p, i, o: to_loopback(p, o)
    elif extra.get("urls") == "h2":
        spec["h2"] = True
        spec["urls"] = lambda p, i, o: p.h2(o)
    elif extra.get("urls") == "h2-push":
        spec["h2"] = True
        spec["urls"] = lambda p, i, o: p.h2("https://h" + PUSH_PAGE)
    elif "urls" in extra:
        where, path = extra["urls"]
        spec["urls"] = lambda p, i, o: getattr(p, where)(path)
    if "args" in extra:
        spec["args"] = lambda p: [getattr(p, a[0])(a[1]) if isinstance(a, tuple) else a
                                  for a in extra["args"]]
    return kind, reason, spec


def all_names():
    return sorted(set(EXAMPLES) | set(TABLE))

# ---------------------------------------------------------------------------------------------


def log(msg):
    print(msg, flush=True)


def child_env(cwd, spec):
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    env["NO_PROXY"] = env["no_proxy"] = "*"
    # The libcurl builds must load the system libcurl, never a drop-in libcurl.so.4 from a
    # library path (the evmulti builds find their library through their rpath).
    env.pop("LD_LIBRARY_PATH", None)
    env.pop("LD_PRELOAD", None)
    env["EVM_EXAMPLE_RESULTS"] = os.path.join(cwd, RESULTS_LOG)
    if spec.get("drain"):
        env["EVM_EXAMPLE_DRAIN"] = "1"
    return env


RESULTS_LOG = "results.log"


def pkg_config(*args):
    r = subprocess.run(["pkg-config", *args], capture_output=True, text=True)
    return r.stdout.split() if r.returncode == 0 else None


def dep_flags(deps):
    """Compiler flags for the example's third-party libraries, or (None, why) if missing."""
    flags = []
    for dep in deps:
        if dep[0] == "pkg":
            f = pkg_config("--cflags", "--libs", dep[1])
            if f is None:
                return None, "pkg-config cannot find %s (install its -dev package)" % dep[1]
            flags += f
        else:
            _, header, lib = dep
            if not any(os.path.exists(os.path.join(d, header))
                       for d in ("/usr/include", "/usr/local/include")):
                return None, "%s not found (install its -dev package)" % header
            flags.append(lib)
    return flags, None


def rewrite(source, spec, ports):
    urls = spec.get("urls")
    count = [0]

    def sub(m):
        i = count[0]
        count[0] += 1
        return '"%s"' % urls(ports, i, m.group(1))

    if urls is None:
        return source, 0
    out = spec["literal"].sub(sub, source)
    return out, count[0]


def build_flags(args):
    """Per variant: compiler flags and link flags (the wrapper object, the library)."""
    evm_lib = os.path.abspath(args.evmulti_lib)
    return {
        # Our include directory comes first, so <curl/curl.h> is evmulti's, not the system's.
        "evmulti": (["-I" + os.path.join(args.source_root, "include")],
                    [evm_lib, "-Wl,-rpath," + os.path.dirname(evm_lib)]),
        "libcurl": (pkg_config("--cflags", "libcurl") or [], pkg_config("--libs", "libcurl") or []),
    }


def compiler():
    return shlex.split(os.environ.get("CC", "cc"))  # meson's C compiler command, ccache and all


def build_wrappers(args, work_root):
    """WRAPPER compiled once per variant, against that variant's headers."""
    src = os.path.join(work_root, "evm_results_wrapper.c")
    with open(src, "w") as f:
        f.write(WRAPPER)
    objects = {}
    for variant, (cflags, _) in build_flags(args).items():
        obj = os.path.join(work_root, "evm_results_wrapper-%s.o" % variant)
        r = subprocess.run(compiler() + ["-c", "-o", obj] + cflags + [src], capture_output=True,
                           text=True)
        if r.returncode != 0:
            raise RuntimeError("the results wrapper does not build against %s:\n%s" %
                               (variant, r.stderr))
        objects[variant] = obj
    return objects


def compile_both(name, src_path, work, args, deps_flags, object_only=False):
    builds = build_flags(args)
    if os.environ.get("EVM_CURL_EXAMPLES_SELF_CHECK"):  # libcurl against itself: stable?
        builds["evmulti"] = builds["libcurl"]
    binaries = {}
    for variant, (cflags, libs) in builds.items():
        exe = os.path.join(work, "%s-%s" % (name, variant))
        # -w: the examples are built as shipped; their warnings are not ours to fix.
        if object_only:
            cmd = compiler() + ["-w", "-c", "-o", exe + ".o"] + cflags + [src_path] + deps_flags
        else:
            cmd = (compiler() + ["-w", "-o", exe] + cflags + [src_path, args.wrappers[variant]] +
                   WRAP_FLAGS + libs + deps_flags + ["-lm", "-lpthread"])
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode != 0:
            return None, (variant, "build against %s failed:\n%s" % (variant, r.stderr[-3000:]))
        binaries[variant] = exe
    return binaries, (None, None)


def wait_for(predicate, timeout):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


def run_fifo(exe, cwd, spec, ports):
    """Start the example, feed URLs into hiper.fifo as `echo URL > hiper.fifo` would, wait for
    one DONE line per URL, then stop it as its comment says: "stop" where it reads that word,
    otherwise Ctrl-C (SIGINT)."""
    out_path = os.path.join(cwd, "stdout.txt")
    err_path = os.path.join(cwd, "stderr.txt")
    urls = fifo_urls(ports)
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        # Line-buffered stdout, as on a terminal, so lines show up while it runs.
        proc = subprocess.Popen(["stdbuf", "-oL", exe], cwd=cwd, stdout=out, stderr=err,
                                stdin=subprocess.DEVNULL, env=child_env(cwd, spec))
    fifo = os.path.join(cwd, "hiper.fifo")

    def text():
        with open(out_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    note = ""
    try:
        if not wait_for(lambda: "Now, pipe" in text() or proc.poll() is not None, 10):
            note = "never announced its FIFO"
        elif proc.poll() is None:
            fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
            os.write(fd, ("\n".join(urls) + "\n").encode())
            os.close(fd)
            if not wait_for(lambda: text().count("DONE: ") >= len(urls) or
                            proc.poll() is not None, RUN_TIMEOUT):
                note = "timed out waiting for %d DONE lines" % len(urls)
        if proc.poll() is None:
            if spec.get("stop_word"):
                fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
                os.write(fd, b"stop\n")
                os.close(fd)
                if not wait_for(lambda: proc.poll() is not None, 5):
                    proc.send_signal(signal.SIGINT)
            else:
                proc.send_signal(signal.SIGINT)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            note = note or "did not stop after SIGINT"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    with open(err_path, "rb") as f:
        err = f.read()
    return dict(exit=proc.returncode, stdout=text().encode(), stderr=err, note=note, cwd=cwd)


def run_plain(exe, cwd, spec, ports):
    argv = [exe] + (spec["args"](ports) if "args" in spec else [])
    try:
        r = subprocess.run(argv, cwd=cwd, input=spec.get("stdin", b""), capture_output=True,
                           timeout=RUN_TIMEOUT, env=child_env(cwd, spec))
        for stream in ("stdout", "stderr"):  # for a look with --keep
            with open(os.path.join(cwd, stream + ".txt"), "wb") as f:
                f.write(getattr(r, stream))
        return dict(exit=r.returncode, stdout=r.stdout, stderr=r.stderr, note="", cwd=cwd)
    except subprocess.TimeoutExpired as e:
        return dict(exit="timeout", stdout=e.stdout or b"", stderr=e.stderr or b"",
                    note="timed out after %d s" % RUN_TIMEOUT, cwd=cwd)


# ---------------------------------------------------------------------------------------------
# Normalisers: each turns one run into the text that must be equal between the two builds.


def lines(data):
    return data.decode("utf-8", "replace").splitlines()


def vary(text):
    # Elapsed times inside error texts ("after 0 ms") are not behaviour.
    return re.sub(r"after \d+ ms", "after N ms", text)


def trace_text(stderr):
    """multi-debugcallback's dumps, joined per kind (the split into callback calls and the
    CURLINFO_TEXT lines are each library's own)."""
    kinds = {}
    current = None
    for line in lines(stderr):
        m = re.match(r"^(=> Send header|=> Send data|<= Recv header|<= Recv data), +\d+ bytes",
                     line)
        if m:
            current = m.group(1)
            kinds.setdefault(current, "")
        elif line.startswith("== Info:"):
            current = None
        elif current and re.match(r"^[0-9a-f]{4}: ", line):
            kinds[current] += line[6:]
    return "\n".join("%s: %s" % (k, kinds[k]) for k in sorted(kinds))


def form_text(stdout):
    """The server's echo of a multipart POST, with the random boundary named BOUNDARY. Its
    Content-Length follows the boundary's length, which is each library's choice."""
    text = stdout.decode("utf-8", "replace")
    m = re.search(r"boundary=([^\s;]+)", text)
    if m:
        text = text.replace(m.group(1), "BOUNDARY")
    return "\n".join(l for l in text.splitlines() if not l.lower().startswith("content-length:"))


def crawl_text(stdout):
    out = []
    for line in lines(stdout):
        line = re.sub(r"^\[\d+\] ", "", line)
        line = re.sub(r"/crawl/(\w+)/[\d-]+", r"/crawl/\1/ID", line)
        out.append(line)
    return "\n".join(sorted(out))


def last_progress(stdout):
    last = {}
    for line in lines(stdout):
        m = re.match(r"^Progress: (\S+) \((.*)\)$", line)
        if m:
            last[m.group(1)] = m.group(2)
    return "\n".join("%s %s" % kv for kv in sorted(last.items()))


def files_text(cwd):
    out = []
    for f in sorted(os.listdir(cwd)):
        if f.endswith(".download"):
            with open(os.path.join(cwd, f), "rb") as fh:
                data = fh.read()
            out.append("%s: %d bytes, %r" % (f, len(data), data[:60]))
    return "\n".join(out)


def normalise(what, run):
    if what == "exit":
        return "exit status %s" % run["exit"]
    if what == "stdout":
        data = run["stdout"]
        # A Date header the server sent is the second it answered in, not behaviour.
        text = re.sub(r"\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT", "DATE",
                      data.decode("utf-8", "replace"))
        return "%d bytes\n%s" % (len(data), text)
    if what == "stdout-lines":
        return "\n".join(sorted(vary(l) for l in lines(run["stdout"])))
    if what == "stderr-lines":
        return "\n".join(sorted(vary(l) for l in lines(run["stderr"])))
    if what == "stderr-results":
        # "R: code - curl_easy_strerror(code) <url>": evmulti's strerror texts are its own
        # wording by design (lib/api/strerror.cpp), so the code and the URL are compared.
        return "\n".join(sorted(re.sub(r"^(R: -?\d+) - .* <", r"\1 <", l)
                                 for l in lines(run["stderr"]) if l.startswith("R: ")))
    if what == "done-lines":
        return "\n".join(sorted(vary(l) for l in lines(run["stdout"]) if l.startswith("DONE: ")))
    if what == "last-progress":
        return last_progress(run["stdout"])
    if what == "trace":
        return trace_text(run["stderr"])
    if what == "stdout-form":
        return form_text(run["stdout"])
    if what == "crawl":
        return crawl_text(run["stdout"])
    if what == "files":
        return files_text(run["cwd"])
    if what == "stdout-times":  # seconds since the epoch, taken at run time
        return re.sub(r"\b1\d{9}\b", "EPOCH", normalise("stdout", run))
    if what == "results":
        return "\n".join(sorted(results_of(run)))
    if what == "connections":  # from the VERBOSE trace: how many connections were opened
        return "%d connected" % sum(" Info: Connected to " in l for l in lines(run["stderr"]))
    if what == "out-files":
        return out_files_text(run)
    raise ValueError(what)


def results_of(run):
    """The result codes the wrapper logged, one "result N" line per transfer."""
    path = os.path.join(run["cwd"], RESULTS_LOG)
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return f.read().splitlines()


def out_files_text(run):
    """Files the example wrote in the directory it ran in: names, sizes and digests."""
    out = []
    for f in sorted(os.listdir(run["cwd"])):
        if f in run["given"] or f.endswith(".c") or f in (RESULTS_LOG, "stdout.txt",
                                                          "stderr.txt"):
            continue
        with open(os.path.join(run["cwd"], f), "rb") as fh:
            data = fh.read()
        out.append("%s: %d bytes, sha256 %s" % (f, len(data), hashlib.sha256(data).hexdigest()))
    return "\n".join(out)


# ---------------------------------------------------------------------------------------------


def prepare_run_dir(work, variant, src_copy, spec):
    cwd = os.path.join(work, "run-" + variant)
    os.makedirs(cwd)
    # Examples that upload "their own source file" find it in the directory they run in.
    shutil.copy(src_copy, cwd)
    for fname, data in spec.get("files", {}).items():
        with open(os.path.join(cwd, fname), "wb") as f:
            f.write(data)
    return cwd


def run_variant(exe, work, variant, src_copy, spec, ports):
    cwd = prepare_run_dir(work, variant, src_copy, spec)
    runner = run_fifo if spec.get("fifo") else run_plain
    r = runner(exe, cwd, spec, ports)
    r["given"] = set(spec.get("files", {}))
    return r


def check_unsupported(binaries, work, src_copy, spec, ports):
    """evmulti only: every transfer ends with CURLE_UNSUPPORTED_PROTOCOL, none crashes."""
    r = run_variant(binaries["evmulti"], work, "evmulti", src_copy, spec, ports)
    codes = results_of(r)
    want = "result %d" % CURLE_UNSUPPORTED_PROTOCOL
    if r["note"] or r["exit"] == "timeout" or (isinstance(r["exit"], int) and r["exit"] < 0):
        return False, "exit %s %s; stderr: %s" % (r["exit"], r["note"],
                                                  r["stderr"].decode("utf-8", "replace")[-800:])
    if not codes:
        return False, "no transfer result seen (exit %s); stdout: %s stderr: %s" % (
            r["exit"], r["stdout"][-400:], r["stderr"][-400:])
    if any(c != want for c in codes):
        return False, "results %s, want every one CURLE_UNSUPPORTED_PROTOCOL (%d)" % (
            ", ".join(c.split()[1] for c in codes), CURLE_UNSUPPORTED_PROTOCOL)
    return True, "%d transfer(s), each CURLE_UNSUPPORTED_PROTOCOL; exit %s" % (len(codes),
                                                                              r["exit"])


def check_expected(binaries, work, src_copy, spec, ports):
    """evmulti only: exit 0, every transfer CURLE_OK, files and stderr lines as expected."""
    r = run_variant(binaries["evmulti"], work, "evmulti", src_copy, spec, ports)
    problems = []
    if r["note"] or r["exit"] != 0:
        problems.append("exit %s %s" % (r["exit"], r["note"]))
    codes = results_of(r)
    if codes != ["result 0"] * spec["expect_results"]:
        problems.append("results %s, want %d times 0" % (
            ", ".join(c.split()[1] for c in codes) or "none", spec["expect_results"]))
    for fname, path in spec.get("expect_files", {}).items():
        try:
            with open(os.path.join(r["cwd"], fname), "rb") as f:
                got = f.read()
        except OSError as e:
            problems.append("%s: %s" % (fname, e))
            continue
        if got != PUSH_FILES[path]:
            problems.append("%s: %d bytes, not the %d of %s" % (fname, len(got),
                                                               len(PUSH_FILES[path]), path))
    have = set(lines(r["stderr"]))
    missing = [l for l in spec.get("expect_stderr", []) if l not in have]
    if missing:
        problems.append("stderr lacks: %s" % "; ".join(missing))
    if problems:
        return False, "\n  ".join(problems + ["stderr ends: %s" % r["stderr"].decode(
            "utf-8", "replace")[-600:]])
    return True, "exit 0, %d transfers CURLE_OK, %d files, %d stderr lines as expected" % (
        len(codes), len(spec.get("expect_files", {})), len(spec.get("expect_stderr", [])))


def check_windows_only(name, src_copy, work, args, spec, binaries, evm_why):
    """Both builds fail, on the same Windows header."""
    if binaries is not None or spec["header"] not in (evm_why or ""):
        return False, "expected the evmulti build to miss %s: %s" % (
            spec["header"], "it built" if binaries else evm_why)
    libcurl_only = dict(build_flags(args))
    cflags, libs = libcurl_only["libcurl"]
    r = subprocess.run(compiler() + ["-w", "-c", "-o", os.path.join(work, name + ".o")] + cflags +
                       [src_copy], capture_output=True, text=True)
    if r.returncode == 0 or spec["header"] not in r.stderr:
        return HARNESS, "expected the libcurl build to miss %s too" % spec["header"]
    return True, "neither library's build finds %s (a Windows-only example)" % spec["header"]


def check_example(name, examples_dir, args, ports, work_root):
    """Returns (True, what was compared), (False, why not), (None, skip reason) or (HARNESS, what
    broke on the libcurl side)."""
    kind, reason, spec = table_spec(name)
    src = os.path.join(examples_dir, name + ".c")
    if not os.path.exists(src):
        return None, "%s not in %s" % (name + ".c", examples_dir)
    flags, why = dep_flags(spec.get("deps", []))
    if flags is None:
        return None, why
    if spec.get("h2"):
        ports.h2_port, why = ports.nghttpd.start()
        if why:
            return None, why
    with open(src, encoding="utf-8") as f:
        source = f.read()
    rewritten, count = rewrite(source, spec, ports) if kind != COMPILE else (source, 0)
    if kind == RUN and spec.get("urls") and count == 0:
        return False, "no URL literal found to point at the loopback server"
    work = os.path.join(work_root, name)
    os.makedirs(work)
    src_copy = os.path.join(work, name + ".c")
    with open(src_copy, "w", encoding="utf-8") as f:
        f.write(rewritten)
    binaries, (variant, why) = compile_both(name, src_copy, work, args, flags,
                                            spec.get("object_only", False))
    if kind == WINDOWS:
        return check_windows_only(name, src_copy, work, args, spec, binaries, why)
    if binaries is None:
        # The system libcurl failing to build an example is the harness's fault, never expected.
        return (HARNESS if variant == "libcurl" else False), why
    if kind == COMPILE:
        return True, "built against both (not run: %s)" % reason
    if kind == UNSUP:
        return check_unsupported(binaries, work, src_copy, spec, ports)
    if kind == EXPECT:
        return check_expected(binaries, work, src_copy, spec, ports)
    results = {}
    for variant, exe in binaries.items():
        results[variant] = run_variant(exe, work, variant, src_copy, spec, ports)
    problems = []
    if "results" in spec["compare"] and not results_of(results["libcurl"]):
        problems.append("the wrapper saw no transfer result on libcurl: nothing compared")
    for variant, r in results.items():
        if r["note"]:
            problems.append("%s build: %s" % (variant, r["note"]))
    for what in spec["compare"]:
        want = normalise(what, results["libcurl"])
        got = normalise(what, results["evmulti"])
        if want != got:
            diff = list(difflib.unified_diff(want.splitlines(), got.splitlines(),
                                             "libcurl", "evmulti", lineterm="", n=1))
            if len(diff) > 60:
                diff = diff[:60] + ["... (%d more diff lines)" % (len(diff) - 60)]
            problems.append("%s differs:\n    %s" % (what, "\n    ".join(diff)))
    if not problems:
        return True, "%s (%s)" % (", ".join(spec["compare"]), "%d URLs rewritten" % count
                                  if count else "URLs given as a user would")
    return False, "\n  ".join(problems)


def find_examples_dir():
    override = os.environ.get("EVM_CURL_EXAMPLES_DIR")
    for d in ([override] if override else []) + EXAMPLE_DIRS:
        if d and os.path.isdir(d):
            return d
    return None


def start_server(path):
    proc = subprocess.Popen([path], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL)
    first = proc.stdout.readline().split()
    if len(first) != 2:
        proc.kill()
        raise RuntimeError("test_server did not print its ports")
    return proc, Ports(int(first[0]), int(first[1]))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--source-root", required=True)
    ap.add_argument("--evmulti-lib", required=True)
    ap.add_argument("--test-server", required=True)
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    ap.add_argument("--work-dir", help="a fixed work directory (emptied first): the same paths "
                    "on every run, so ccache finds the examples' objects again")
    ap.add_argument("names", nargs="*")
    args = ap.parse_args()

    examples_dir = find_examples_dir()
    if examples_dir is None:
        log("SKIP all: curl's examples not found in %s (install libcurl4-doc)" %
            " or ".join(EXAMPLE_DIRS))
        return 77
    if pkg_config("--exists", "libcurl") is None:
        log("SKIP all: the system libcurl's development files are missing "
            "(install libcurl4-openssl-dev)")
        return 77
    for tool in ("stdbuf",):
        if shutil.which(tool) is None:
            log("SKIP all: %s not found" % tool)
            return 77

    # Every example shipped must be classified: a new one fails until it is.
    shipped = sorted(f[:-2] for f in os.listdir(examples_dir) if f.endswith(".c"))
    unclassified = [n for n in shipped if n not in all_names()]
    names = args.names or all_names()
    unknown = [n for n in names if n not in all_names()]
    if unknown:
        log("unknown examples: %s" % ", ".join(unknown))
        return 2
    stale = [n for n in EXPECTED_FAILURES if n not in all_names()]
    if stale:
        log("EXPECTED_FAILURES names unknown examples: %s" % ", ".join(stale))
        return 2

    server, ports = start_server(args.test_server)
    if args.work_dir:
        work_root = os.path.abspath(args.work_dir)
        shutil.rmtree(work_root, ignore_errors=True)
        os.makedirs(work_root)
    else:
        work_root = tempfile.mkdtemp(prefix="curl-examples-")
    ports.nghttpd = Nghttpd(work_root)
    counts = dict(passed=0, failed=0, xfail=0, skipped=0)
    log("curl examples from %s, loopback server: http %d, raw %d" %
        (examples_dir, ports.http_port, ports.raw_port))
    def one(name):
        started = time.monotonic()
        try:
            ok, msg = check_example(name, examples_dir, args, ports, work_root)
        except Exception as e:  # a harness bug is this example's failure, not everyone's
            ok, msg = False, "harness error: %r" % e
        return name, ok, msg, "%.1fs" % (time.monotonic() - started)

    try:
        for name in unclassified:
            counts["failed"] += 1
            log("FAIL  %s: not classified in classification.py" % name)
        args.wrappers = build_wrappers(args, work_root)
        with concurrent.futures.ThreadPoolExecutor(JOBS) as pool:
            for name, ok, msg, took in pool.map(one, names):
                kind = table_spec(name)[0]
                reason = EXPECTED_FAILURES.get(name)
                if ok == HARNESS:
                    counts["failed"] += 1
                    log("FAIL  %s [%s]: the harness, not evmulti:\n  %s" % (name, took, msg))
                elif ok is None:
                    counts["skipped"] += 1
                    log("SKIP  %s: %s" % (name, msg))
                elif ok and reason:
                    counts["failed"] += 1
                    log("XPASS %s [%s]: behaves as with libcurl now; remove its line from "
                        "EXPECTED_FAILURES (%s)" % (name, took, reason))
                elif ok:
                    counts["passed"] += 1
                    log("PASS  %s [%s, %s]: %s" % (name, kind, took, msg))
                elif reason:
                    counts["xfail"] += 1
                    log("XFAIL %s [%s, %s] (%s):\n  %s" % (name, kind, took, reason, msg))
                else:
                    counts["failed"] += 1
                    log("FAIL  %s [%s, %s]:\n  %s" % (name, kind, took, msg))
    finally:
        ports.nghttpd.stop()
        server.stdin.close()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
        if args.keep:
            log("work directory kept: %s" % work_root)
        else:
            shutil.rmtree(work_root, ignore_errors=True)
    log("curl examples: %d passed, %d failed, %d expected failures, %d skipped" %
        (counts["passed"], counts["failed"], counts["xfail"], counts["skipped"]))
    return 1 if counts["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
