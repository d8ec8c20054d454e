"""Side-by-side benchmark of hiper on evmulti, hiper on the system libcurl, h2load and wrk.

Started by bench/compare (which installs and builds what is needed). Writes an nginx config of
its own, starts nginx on loopback, runs every workload with the clients interleaved, prints one
table with the ratios evmulti/libcurl and evmulti/h2load, and records the table in
bench/RESULTS.md (newest first) unless --no-record is given. With --libcurl PREFIX a third hiper,
built by bench/compare against the libcurl in PREFIX, adds the column "libcurl-latest".

A client that cannot do a workload (it exits without a summary, finishes no transfer, or an
HTTP/2 row's transfers did not all use HTTP/2 over one connection) shows "failed" in its cells,
with the reason under the table; the other clients are still measured.

Client CPU and peak RSS are taken from the kernel's accounting of each client process (wait4),
so all four clients are measured the same way.
"""

import argparse
import datetime
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HIPER = {
    "evmulti": os.path.join(ROOT, "build-bench-evmulti", "examples", "hiper"),
    "libcurl": os.path.join(ROOT, "build-bench-libcurl", "examples", "hiper"),
    "libcurl-latest": os.path.join(ROOT, "build-bench-libcurl-latest", "examples", "hiper"),
}


# curl_version() as each hiper variant reported it: proof of which library was measured.
ENGINE_VERSIONS = {}


class ClientFailed(Exception):
    """A client could not do a workload; its cells read "failed"."""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_tls_files(d):
    """A throw-away CA and a server certificate for 127.0.0.1 signed by it (EC P-256), made
    with the openssl command; returns (ca_file, cert_file, key_file)."""
    def openssl(*args):
        subprocess.run(["openssl", *args], cwd=d, check=True, capture_output=True)
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
    openssl("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
            "-subj", "/CN=evmulti bench CA")
    openssl("req", *ec, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1")
    with open(os.path.join(d, "san.ext"), "w") as f:
        f.write("subjectAltName=IP:127.0.0.1\n")
    openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
            "-CAcreateserial", "-out", "server.pem", "-days", "2", "-extfile", "san.ext")
    return tuple(os.path.join(d, f) for f in ("ca.pem", "server.pem", "server.key"))


# nginx's echo module (Debian's libnginx-mod-http-echo), for an upload sink that reads the body.
ECHO_MODULE = "/usr/lib/nginx/modules/ngx_http_echo_module.so"


class Nginx:
    """A loopback nginx with one worker, serving a 1 KiB and a 100 MiB file over plain HTTP,
    over TLS with keep-alive, and over TLS closing every connection after one response."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="evmulti-bench-")
        self.port = free_port()
        self.tls_port = free_port()
        self.tls_close_port = free_port()
        self.h2_port = free_port()
        self.h2c_port = free_port()
        self.ca_file, cert, key = make_tls_files(self.dir)
        root = os.path.join(self.dir, "www")
        os.makedirs(root)
        with open(os.path.join(root, "1k.bin"), "wb") as f:
            f.write(b"x" * 1024)
        # Text that compresses about 5:1, like JSON or HTML, for the gzip row.
        with open(os.path.join(root, "64k.txt"), "wb") as f:
            words = [b"alpha", b"beta", b"gamma", b"delta", b"epsilon", b"zeta", b"eta"]
            line, i = b"", 0
            while len(line) < 64 * 1024:
                line += words[(i * 7 + i // 3) % len(words)] + (b"\n" if i % 9 == 8 else b" ")
                i += 1
            f.write(line[:64 * 1024])
        self.upload_body = os.path.join(self.dir, "upload-1k.bin")
        with open(self.upload_body, "wb") as f:
            f.write(b"u" * 1024)
        with open(os.path.join(root, "100m.bin"), "wb") as f:
            block = b"y" * (1 << 20)
            for _ in range(100):
                f.write(block)
        conf = os.path.join(self.dir, "nginx.conf")
        with open(conf, "w") as f:
            f.write(f"""
load_module {ECHO_MODULE};
daemon off;
master_process off;
worker_processes 1;
worker_rlimit_nofile 65536;
error_log {self.dir}/error.log warn;
pid {self.dir}/nginx.pid;
events {{ worker_connections 20000; multi_accept on; }}
http {{
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 10000000;
  keepalive_timeout 120s;
  client_body_temp_path {self.dir}/body;
  proxy_temp_path {self.dir}/proxy;
  fastcgi_temp_path {self.dir}/fastcgi;
  uwsgi_temp_path {self.dir}/uwsgi;
  scgi_temp_path {self.dir}/scgi;
  ssl_certificate {cert};
  ssl_certificate_key {key};
  ssl_session_cache shared:bench:10m;
  server {{
    listen 127.0.0.1:{self.port} backlog=8192;
    root {root};
    # Uploads are read whole before the answer (echo module): a bare "return" would answer
    # before the body and both clients would skip sending it.
    location = /upload {{
      client_max_body_size 8m; client_body_buffer_size 2m;
      echo_read_request_body; echo "ok";
    }}
    location /gz/ {{ alias {root}/; gzip on; gzip_types *; gzip_min_length 0; gzip_comp_level 1; }}
  }}
  server {{
    listen 127.0.0.1:{self.tls_port} ssl backlog=8192;
    root {root};
  }}
  server {{
    listen 127.0.0.1:{self.tls_close_port} ssl backlog=8192;
    keepalive_timeout 0;
    root {root};
  }}
  # HTTP/2 over TLS (ALPN) and h2c with prior knowledge; 1,000 streams on one connection.
  server {{
    listen 127.0.0.1:{self.h2_port} ssl http2 backlog=8192;
    http2_max_concurrent_streams 1000;
    root {root};
  }}
  server {{
    listen 127.0.0.1:{self.h2c_port} http2 backlog=8192;
    http2_max_concurrent_streams 1000;
    root {root};
  }}
}}
""")
        self.proc = subprocess.Popen(["nginx", "-c", conf, "-p", self.dir],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("nginx did not start")

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def tls_url(self, path, close=False):
        return f"https://127.0.0.1:{self.tls_close_port if close else self.tls_port}{path}"

    def h2_url(self, path):
        return f"https://127.0.0.1:{self.h2_port}{path}"

    def h2c_url(self, path):
        return f"http://127.0.0.1:{self.h2c_port}{path}"

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGQUIT)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


def raise_fd_limit():
    import resource
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def run_client(argv, timeout=900):
    """Runs one client; returns dict(out, cpu_s, rss_kb, wall_s, status)."""
    start = time.monotonic()
    out_f = tempfile.TemporaryFile(mode="w+")
    err_f = tempfile.TemporaryFile(mode="w+")
    pid = os.fork()
    if pid == 0:
        try:
            raise_fd_limit()
            os.dup2(out_f.fileno(), 1)
            os.dup2(err_f.fileno(), 2)
            os.execvp(argv[0], argv)
        finally:
            os._exit(127)
    deadline = start + timeout
    while True:
        wpid, status, ru = os.wait4(pid, os.WNOHANG)
        if wpid:
            break
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
        time.sleep(0.01)
    wall = time.monotonic() - start
    out_f.seek(0)
    err_f.seek(0)
    return {
        "out": out_f.read(),
        "err": err_f.read(),
        "status": os.waitstatus_to_exitcode(status),
        "cpu_s": ru.ru_utime + ru.ru_stime,
        "rss_kb": ru.ru_maxrss,
        "wall_s": wall,
    }


def last_line(text):
    lines = text.strip().splitlines()
    return lines[-1][-300:] if lines else "no output"


def hiper(engine, url, n, c, extra=(), h2=False):
    """One hiper run. h2: the row is about HTTP/2 on one connection, so a run that used another
    HTTP version or more connections does not count (ClientFailed)."""
    r = run_client([HIPER[engine], url, "-n", str(n), "-c", str(c), "--json", *extra])
    try:
        summary = json.loads(r["out"].strip().splitlines()[-1])
    except (ValueError, IndexError):
        raise ClientFailed(f"exit {r['status']}, no summary: {last_line(r['err'] or r['out'])}")
    r["transfers"] = summary["transfers"] - summary["failures"]
    r["failures"] = summary["failures"]
    r["bytes"] = summary["bytes"]
    ENGINE_VERSIONS.setdefault(engine, summary.get("version", "?"))
    if r["failures"] * 10 > summary["transfers"]:
        # A cost per transfer over a few successes says nothing about the workload.
        raise ClientFailed(f"{r['failures']} of {summary['transfers']} transfers failed, by "
                           f"CURLcode: {summary['failures_by_code']}")
    if h2:
        versions = summary.get("http_versions", {})
        if versions.get("2", 0) != r["transfers"]:
            raise ClientFailed(f"not all transfers used HTTP/2: {versions}")
        if summary["connections"] != 1:
            raise ClientFailed(f"{summary['connections']} connections, not one")
    return r


def h2load(url, n, c, extra=(), h1=True):
    """h1: HTTP/1.1 (--h1); otherwise HTTP/2 with c streams on one connection (-m c -c 1)."""
    conns = ["--h1", "-c", str(c)] if h1 else ["-c", "1", "-m", str(c)]
    r = run_client(["h2load", *conns, "-n", str(n), "-t", "1", *extra, url])
    m = re.search(r"requests: \d+ total, \d+ started, \d+ done, (\d+) succeeded, (\d+) failed",
                  r["out"])
    if not m:
        raise ClientFailed("h2load output not understood: " + last_line(r["out"]))
    r["transfers"] = int(m.group(1))
    r["failures"] = int(m.group(2))
    r["bytes"] = 0
    if not r["transfers"]:
        raise ClientFailed("h2load: no request succeeded: " + last_line(r["out"]))
    if not h1 and "Application protocol: h2" not in r["out"]:
        raise ClientFailed("h2load did not speak HTTP/2")
    return r


def wrk(url, c, seconds, close=False, extra=()):
    argv = ["wrk", "-t", "1", "-c", str(c), "-d", f"{seconds}s", *extra, url]
    if close:
        argv[1:1] = ["-H", "Connection: close"]
    r = run_client(argv)
    m = re.search(r"(\d+) requests in", r["out"])
    if not m:
        raise ClientFailed("wrk output not understood: " + last_line(r["out"]))
    r["transfers"] = int(m.group(1))
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)",
                       r["out"])
    r["failures"] = sum(int(x) for x in errors.groups()) if errors else 0
    r["bytes"] = 0
    return r


def per_transfer_us(r):
    return r["cpu_s"] * 1e6 / r["transfers"] if r["transfers"] else float("nan")


def median_run(runs, key):
    ordered = sorted(runs, key=key)
    return ordered[len(ordered) // 2]


def workloads(quick):
    """(name, kind, params) for every workload of the benchmark issues."""
    n = 5000 if quick else 50000
    items = []
    for c in (10, 100, 1000, 5000):
        items.append((f"1 keep-alive 1KiB c={c}", "keepalive", dict(n=n, c=c)))
    items.append(("2 new connection each, c=100", "noreuse", dict(n=n // 5, c=100)))
    for c in (1, 8):
        items.append((f"3 100MiB bodies c={c}", "big", dict(n=c * (1 if quick else 2), c=c)))
    items.append(("4 500 transfers, max-host-conns 6", "hostlimit", dict(n=500, c=500)))
    items.append(("5 HTTPS keep-alive 1KiB c=100", "tls", dict(n=n, c=100)))
    items.append(("6 HTTPS new connection each, c=100", "tlsnoreuse", dict(n=n // 5, c=100)))
    items.append(("7 PUT 1KiB keep-alive c=100", "upload", dict(n=n, c=100, size=1024)))
    items.append(("7 PUT 1MiB keep-alive c=100", "upload", dict(n=n // 50, c=100, size=1 << 20)))
    items.append(("8 gzip 64KiB text keep-alive c=100", "gzip", dict(n=n // 5, c=100)))
    # HTTP/2 (issue 12): every transfer a stream on one connection.
    for c in (100, 1000):
        items.append((f"9 h2 TLS 1KiB, 1 conn, {c} streams", "h2", dict(n=n, c=c)))
    items.append(("9 h2c prior knowledge 1KiB, 1 conn, 100 streams", "h2c", dict(n=n, c=100)))
    return items


class Collector:
    """Each client's runs of one workload; a run that fails marks the client failed for the row
    (with the first reason) without stopping the others."""

    def __init__(self, engines):
        self.engines = engines  # the hiper variants of this run
        self.runs = {}
        self.failed = {}

    def __getitem__(self, client):
        return _Slot(self, client)

    def hipers(self, *args, **kw):
        """Runs every hiper variant once with the same arguments."""
        for engine in self.engines:
            self[engine].append(lambda: hiper(engine, *args, **kw))


class _Slot:
    def __init__(self, collector, client):
        self.c, self.client = collector, client

    def append(self, run):
        c = self.c
        if self.client in c.failed:
            return
        try:
            result = run() if callable(run) else run
        except ClientFailed as e:
            c.failed[self.client] = str(e)
            c.runs.pop(self.client, None)
            return
        c.runs.setdefault(self.client, []).append(result)


def run_workload(nginx, kind, p, reps, engines):
    """Returns ({client: median run}, {client: failure reason})."""
    small, big = nginx.url("/1k.bin"), nginx.url("/100m.bin")
    results = Collector(engines)
    for _ in range(reps):
        # Interleaved so slow drifts of the machine hit every client alike.
        if kind == "keepalive":
            results.hipers(small, p["n"], p["c"])
            results["h2load"].append(lambda: h2load(small, p["n"], p["c"]))
            results["wrk"].append(lambda: wrk(small, p["c"], 5))
        elif kind == "noreuse":
            results.hipers(small, p["n"], p["c"], ["--no-reuse"])
            results["wrk"].append(lambda: wrk(small, p["c"], 5, close=True))
        elif kind == "big":
            results.hipers(big, p["n"], p["c"])
            results["h2load"].append(lambda: h2load(big, p["n"], p["c"]))
        elif kind == "hostlimit":
            extra = ["--max-host-conns", "6"]
            results.hipers(small, p["n"], p["c"], extra)
            results["h2load"].append(lambda: h2load(small, p["n"], 6))
        elif kind == "tls":
            url, ca = nginx.tls_url("/1k.bin"), ["--cacert", nginx.ca_file]
            results.hipers(url, p["n"], p["c"], ca)
            results["h2load"].append(lambda: h2load(url, p["n"], p["c"]))
            results["wrk"].append(lambda: wrk(url, p["c"], 5))
        elif kind == "tlsnoreuse":
            # hiper closes after each transfer itself (and resumes TLS sessions, as both
            # libraries do by default); h2load and wrk are sent to a server that closes.
            url, ca = nginx.tls_url("/1k.bin"), ["--cacert", nginx.ca_file, "--no-reuse"]
            results.hipers(url, p["n"], p["c"], ca)
            closing = nginx.tls_url("/1k.bin", close=True)
            results["h2load"].append(lambda: h2load(closing, p["n"], p["c"]))
            results["wrk"].append(lambda: wrk(closing, p["c"], 5))
        elif kind == "upload":
            # h2load posts its file (1 KiB only); wrk PUTs through a one-line script.
            url, extra = nginx.url("/upload"), ["--upload", str(p["size"])]
            results.hipers(url, p["n"], p["c"], extra)
            if p["size"] == 1024:
                results["h2load"].append(lambda: h2load(url, p["n"], p["c"], ["-d", nginx.upload_body]))
                script = os.path.join(nginx.dir, "put.lua")
                with open(script, "w") as f:
                    f.write('wrk.method = "PUT"\nwrk.body = string.rep("u", 1024)\n')
                results["wrk"].append(lambda: wrk(url, p["c"], 5, extra=["-s", script]))
        elif kind == "gzip":
            # h2load and wrk fetch the compressed body without inflating it.
            url, gz = nginx.url("/gz/64k.txt"), ["-H", "Accept-Encoding: gzip"]
            results.hipers(url, p["n"], p["c"], ["--gzip"])
            results["h2load"].append(lambda: h2load(url, p["n"], p["c"], gz))
            results["wrk"].append(lambda: wrk(url, p["c"], 5, extra=gz))
        elif kind in ("h2", "h2c"):
            # One connection, c streams: PIPEWAIT (hiper sets it for --http 2*) and one
            # connection per host; libcurl caps streams at CURLMOPT_MAX_CONCURRENT_STREAMS.
            # libcurl 7.88.1 fails every reuse of an h2c prior-knowledge connection with
            # CURLE_HTTP2 (curl issue 10634, fixed in 8.0.0): its h2c cell reads "failed".
            if kind == "h2":
                url, extra = nginx.h2_url("/1k.bin"), ["--http", "2", "--cacert", nginx.ca_file]
            else:
                url, extra = nginx.h2c_url("/1k.bin"), ["--http", "2-prior"]
            extra += ["--max-host-conns", "1", "--max-streams", str(p["c"])]
            results.hipers(url, p["n"], p["c"], extra, h2=True)
            results["h2load"].append(lambda: h2load(url, p["n"], p["c"], h1=False))
    medians = {k: median_run(v, per_transfer_us) for k, v in results.runs.items() if v}
    return medians, results.failed


def callgrind_per_transfer(url, engine, extra=()):
    """Instructions per transfer at c=100: the slope between two run lengths, so process
    start-up and teardown (and a TLS handshake) cancel out. ClientFailed when a run fails."""
    counts = []
    for n in (2000, 4000):
        with tempfile.TemporaryDirectory() as d:
            out = os.path.join(d, "cg.out")
            r = run_client(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}",
                            HIPER[engine], url, "-n", str(n), "-c", "100", "--json", *extra],
                           timeout=1800)
            m = re.search(r"Collected : (\d+)", r["err"])
            if not m:
                raise ClientFailed("callgrind gave no total: " + last_line(r["err"]))
            if r["status"] != 0:
                own = "\n".join(l for l in r["err"].splitlines() if not l.startswith("=="))
                raise ClientFailed(f"hiper under callgrind exited {r['status']}: "
                                   f"{last_line(own or r['out'])}")
            counts.append(int(m.group(1)))
    return (counts[1] - counts[0]) / 2000


def callgrind_line(what, cg):
    """The sentence under the table; cg maps each engine to instructions or a failure text."""
    def part(e):
        v = cg[e]
        if isinstance(v, str):
            return f"{e} failed"
        return f"{e} {v:.0f}" + (f", ratio {cg['evmulti'] / v:.2f}"
                                 if e != "evmulti" and not isinstance(cg["evmulti"], str) else "")
    parts = [part(e) for e in cg]
    return (f"Instructions per transfer (callgrind, {what}, slope between 2,000 and 4,000 "
            f"transfers): {parts[0]}, {', '.join(parts[1:2])}" +
            "".join(f"; {p}" for p in parts[2:]) + ".")


def ratio(a, b):
    if not a or not b or b != b or a != a:
        return "-"
    return f"{a / b:.2f}"


def fmt_row(name, res, failed, engines):
    """One table row; engines are the hiper variants of this run (see header())."""
    def cell(client, text):
        if client in failed:
            return "failed"
        r = res.get(client)
        return text(r) if r else "-"

    def us(r):
        return f"{per_transfer_us(r):.1f}"

    def rate(r):
        return f"{r['transfers'] / r['wall_s']:.0f}"

    def ratio_to(other, field):
        a, b = res.get("evmulti"), res.get(other)
        return ratio(field(a), field(b)) if a and b else "-"

    def rss(client):
        return cell(client, lambda r: f"{r['rss_kb'] / 1024:.1f}")

    def moved(client):
        def text(r):
            return (f"{r['bytes'] / r['wall_s'] / 2**20:.0f}" if any_bytes
                    else f"{r['wall_s']:.2f}")
        return cell(client, text)

    libcurls = [e for e in engines if e != "evmulti"]
    any_bytes = any(res[e]["bytes"] for e in engines if e in res)
    cells = [name]
    cells += [cell(c, us) for c in (*engines, "h2load", "wrk")]
    cells += [ratio_to(c, per_transfer_us) for c in libcurls]
    cells.append(ratio_to("h2load", per_transfer_us))
    cells += [cell(e, rate) for e in engines]
    if "libcurl-latest" in engines:  # issue 12's target: at least 1.5
        cells.append(ratio_to("libcurl-latest", lambda r: r["transfers"] / r["wall_s"]))
    cells.append(" / ".join(rss(e) for e in engines))
    cells += [ratio_to(c, lambda r: r["rss_kb"]) for c in libcurls]
    cells.append(" / ".join(moved(e) for e in engines) + ("" if any_bytes else " s"))
    fails = sum(r["failures"] for r in res.values())
    cells.append(str(fails))
    return "| " + " | ".join(cells) + " |"


SHORT = {"evmulti": "ev", "libcurl": "lc", "libcurl-latest": "lcl"}


def header(engines):
    """Without libcurl-latest this is the table of every earlier run in RESULTS.md."""
    libcurls = [e for e in engines if e != "evmulti"]
    short = " / ".join(SHORT[e] for e in engines)
    cols = ["workload", *(f"{c} µs/xfer" for c in (*engines, "h2load", "wrk")),
            *(f"evmulti/{c}" for c in libcurls), "evmulti/h2load",
            *(f"{e} xfer/s" for e in engines),
            *(["xfer/s ev/lcl"] if "libcurl-latest" in engines else []), f"peak RSS MiB {short}",
            *(f"RSS ev/{SHORT[c]}" for c in libcurls), f"MiB/s or wall {short}", "failures"]
    return "| " + " | ".join(cols) + " |\n" + "|---" * len(cols) + "|"


def machine():
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = re.search(r"model name\s*:\s*(.*)", f.read()).group(1)
    except (OSError, AttributeError):
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    def version(cmd):
        try:
            p = subprocess.run(cmd, capture_output=True, text=True)
            return (p.stdout + p.stderr).strip().splitlines()[0]
        except (OSError, IndexError):
            return "?"
    return (f"{os.cpu_count()} cores ({cpu}), {mem:.0f} GiB, Linux {platform.release()}; "
            f"{version(['nginx', '-v'])}; {version(['h2load', '--version'])}; "
            f"{version(['wrk', '-v'])}; {version(['curl-config', '--version'])}")


def tree():
    """The commit measured, marked when the work tree differs from it."""
    def git(*args):
        return subprocess.run(["git", "-C", ROOT, *args], capture_output=True,
                              text=True).stdout.strip()
    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    return commit + (" with local changes" if git("status", "--porcelain", "--untracked-files=no")
                     else "")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="10x fewer transfers, one repetition")
    ap.add_argument("--reps", type=int, default=None, help="repetitions (median is kept)")
    ap.add_argument("--no-callgrind", action="store_true")
    ap.add_argument("--no-record", action="store_true")
    ap.add_argument("--only", help="run only workloads whose name contains this text")
    ap.add_argument("--libcurl", metavar="PREFIX",
                    help="also measure hiper built (by bench/compare) against the libcurl in "
                         "PREFIX, as libcurl-latest")
    args = ap.parse_args()
    reps = args.reps or (1 if args.quick else 3)
    engines = ["evmulti", "libcurl"] + (["libcurl-latest"] if args.libcurl else [])
    if args.libcurl and not os.access(HIPER["libcurl-latest"], os.X_OK):
        sys.exit("bench: no " + HIPER["libcurl-latest"] + " (start bench/compare, not compare.py)")

    nginx = Nginx()
    rows, failures = [], []
    try:
        for name, kind, params in workloads(args.quick):
            if args.only and args.only not in name:
                continue
            print(f"running {name} ...", file=sys.stderr, flush=True)
            res, failed = run_workload(nginx, kind, params, reps, engines)
            rows.append(fmt_row(name, res, failed, engines))
            failures += [f"- {name}: {client} failed: {why}" for client, why in failed.items()]
            print(rows[-1], flush=True)
        # Workload 1 at c=100 always; HTTP/2 over TLS with 100 streams when its rows ran.
        profiles = [] if args.no_callgrind else [("workload 1 at c=100", nginx.url("/1k.bin"), [])]
        if not args.no_callgrind and any(r.startswith("| 9 h2 TLS") for r in rows):
            profiles.append(("workload 9, HTTP/2 over TLS, 1 connection, 100 streams",
                             nginx.h2_url("/1k.bin"),
                             ["--http", "2", "--cacert", nginx.ca_file, "--max-host-conns", "1",
                              "--max-streams", "100"]))
        cg_lines = []
        for what, url, extra in profiles:
            print(f"running callgrind, {what} ...", file=sys.stderr, flush=True)
            cg = {}
            for e in engines:
                try:
                    cg[e] = callgrind_per_transfer(url, e, extra)
                except ClientFailed as ex:
                    cg[e] = str(ex)
                    failures.append(f"- callgrind, {what}: {e} failed: {ex}")
            cg_lines.append(callgrind_line(what, cg))
    finally:
        nginx.stop()

    cmd = "bench/compare " + " ".join(sys.argv[1:])
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    text = [f"## {stamp}", "", f"Command: `{cmd.strip()}`  ", f"Tree: {tree()}  ",
            f"Machine: {machine()}"]
    if args.libcurl:
        text[-1] += "  "
        version = ENGINE_VERSIONS.get("libcurl-latest")
        if not version:  # no row ran it: ask the install itself
            config = os.path.join(args.libcurl, "bin", "curl-config")
            version = subprocess.run([config, "--version"], capture_output=True,
                                     text=True).stdout.strip() if os.access(config, os.X_OK) else "?"
        text.append(f"libcurl-latest: {version} from {os.path.abspath(args.libcurl)}")
    text += ["", header(engines), *rows, ""]
    if failures:
        text += ["Failed cells (the client could not do the workload):", *failures, ""]
    for line in cg_lines:
        text += [line, ""]
    report = "\n".join(text)
    print(report)
    if not args.no_record:
        path = os.path.join(ROOT, "bench", "RESULTS.md")
        old = open(path).read() if os.path.exists(path) else "# Benchmark results\n\nNewest first.\n\n"
        head, sep, rest = old.partition("\n## ")
        new = head.rstrip("\n") + "\n\n" + report + ("\n## " + rest if sep else "")
        with open(path, "w") as f:
            f.write(new)


if __name__ == "__main__":
    main()
