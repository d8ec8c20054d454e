"""Side-by-side benchmark of hiper on evmulti, hiper on the system libcurl, h2load and wrk.

Started by bench/compare (which installs and builds what is needed). Writes an nginx config of
its own, starts nginx on loopback, runs every workload with the clients interleaved, prints one
table with the ratios evmulti/libcurl and evmulti/h2load, and records the table in
bench/RESULTS.md (newest first) unless --no-record is given.

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
}


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


def hiper(engine, url, n, c, extra=()):
    r = run_client([HIPER[engine], url, "-n", str(n), "-c", str(c), "--json", *extra])
    try:
        summary = json.loads(r["out"].strip().splitlines()[-1])
    except (ValueError, IndexError):
        raise RuntimeError(f"hiper ({engine}) gave no summary: {r['out'][-500:]} {r['err'][-500:]}")
    r["transfers"] = summary["transfers"] - summary["failures"]
    r["failures"] = summary["failures"]
    r["bytes"] = summary["bytes"]
    return r


def h2load(url, n, c, extra=()):
    r = run_client(["h2load", "--h1", "-n", str(n), "-c", str(c), "-t", "1", *extra, url])
    m = re.search(r"requests: \d+ total, \d+ started, \d+ done, (\d+) succeeded, (\d+) failed",
                  r["out"])
    if not m:
        raise RuntimeError("h2load output not understood: " + r["out"][-500:])
    r["transfers"] = int(m.group(1))
    r["failures"] = int(m.group(2))
    r["bytes"] = 0
    return r


def wrk(url, c, seconds, close=False, extra=()):
    argv = ["wrk", "-t", "1", "-c", str(c), "-d", f"{seconds}s", *extra, url]
    if close:
        argv[1:1] = ["-H", "Connection: close"]
    r = run_client(argv)
    m = re.search(r"(\d+) requests in", r["out"])
    if not m:
        raise RuntimeError("wrk output not understood: " + r["out"][-500:])
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
    """(name, kind, params) for every workload of the benchmark issue."""
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
    return items


def run_workload(nginx, kind, p, reps):
    small, big = nginx.url("/1k.bin"), nginx.url("/100m.bin")
    results = {"evmulti": [], "libcurl": [], "h2load": [], "wrk": []}
    for _ in range(reps):
        # Interleaved so slow drifts of the machine hit every client alike.
        if kind == "keepalive":
            results["evmulti"].append(hiper("evmulti", small, p["n"], p["c"]))
            results["libcurl"].append(hiper("libcurl", small, p["n"], p["c"]))
            results["h2load"].append(h2load(small, p["n"], p["c"]))
            results["wrk"].append(wrk(small, p["c"], 5))
        elif kind == "noreuse":
            results["evmulti"].append(hiper("evmulti", small, p["n"], p["c"], ["--no-reuse"]))
            results["libcurl"].append(hiper("libcurl", small, p["n"], p["c"], ["--no-reuse"]))
            results["wrk"].append(wrk(small, p["c"], 5, close=True))
        elif kind == "big":
            results["evmulti"].append(hiper("evmulti", big, p["n"], p["c"]))
            results["libcurl"].append(hiper("libcurl", big, p["n"], p["c"]))
            results["h2load"].append(h2load(big, p["n"], p["c"]))
        elif kind == "hostlimit":
            extra = ["--max-host-conns", "6"]
            results["evmulti"].append(hiper("evmulti", small, p["n"], p["c"], extra))
            results["libcurl"].append(hiper("libcurl", small, p["n"], p["c"], extra))
            results["h2load"].append(h2load(small, p["n"], 6))
        elif kind == "tls":
            url, ca = nginx.tls_url("/1k.bin"), ["--cacert", nginx.ca_file]
            results["evmulti"].append(hiper("evmulti", url, p["n"], p["c"], ca))
            results["libcurl"].append(hiper("libcurl", url, p["n"], p["c"], ca))
            results["h2load"].append(h2load(url, p["n"], p["c"]))
            results["wrk"].append(wrk(url, p["c"], 5))
        elif kind == "tlsnoreuse":
            # hiper closes after each transfer itself (and resumes TLS sessions, as both
            # libraries do by default); h2load and wrk are sent to a server that closes.
            url, ca = nginx.tls_url("/1k.bin"), ["--cacert", nginx.ca_file, "--no-reuse"]
            results["evmulti"].append(hiper("evmulti", url, p["n"], p["c"], ca))
            results["libcurl"].append(hiper("libcurl", url, p["n"], p["c"], ca))
            closing = nginx.tls_url("/1k.bin", close=True)
            results["h2load"].append(h2load(closing, p["n"], p["c"]))
            results["wrk"].append(wrk(closing, p["c"], 5))
        elif kind == "upload":
            # h2load posts its file (1 KiB only); wrk PUTs through a one-line script.
            url, extra = nginx.url("/upload"), ["--upload", str(p["size"])]
            results["evmulti"].append(hiper("evmulti", url, p["n"], p["c"], extra))
            results["libcurl"].append(hiper("libcurl", url, p["n"], p["c"], extra))
            if p["size"] == 1024:
                results["h2load"].append(h2load(url, p["n"], p["c"], ["-d", nginx.upload_body]))
                script = os.path.join(nginx.dir, "put.lua")
                with open(script, "w") as f:
                    f.write('wrk.method = "PUT"\nwrk.body = string.rep("u", 1024)\n')
                results["wrk"].append(wrk(url, p["c"], 5, extra=["-s", script]))
        elif kind == "gzip":
            # h2load and wrk fetch the compressed body without inflating it.
            url, gz = nginx.url("/gz/64k.txt"), ["-H", "Accept-Encoding: gzip"]
            results["evmulti"].append(hiper("evmulti", url, p["n"], p["c"], ["--gzip"]))
            results["libcurl"].append(hiper("libcurl", url, p["n"], p["c"], ["--gzip"]))
            results["h2load"].append(h2load(url, p["n"], p["c"], gz))
            results["wrk"].append(wrk(url, p["c"], 5, extra=gz))
    return {k: median_run(v, per_transfer_us) for k, v in results.items() if v}


def callgrind_per_transfer(nginx, engine):
    """Instructions per transfer for workload 1 at c=100: the slope between two run lengths,
    so process start-up and teardown cancel out."""
    counts = []
    for n in (2000, 4000):
        with tempfile.TemporaryDirectory() as d:
            out = os.path.join(d, "cg.out")
            r = run_client(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}",
                            HIPER[engine], nginx.url("/1k.bin"), "-n", str(n), "-c", "100",
                            "--json"], timeout=1800)
            m = re.search(r"Collected : (\d+)", r["err"])
            if not m:
                raise RuntimeError("callgrind gave no total: " + r["err"][-500:])
            counts.append(int(m.group(1)))
    return (counts[1] - counts[0]) / 2000


def ratio(a, b):
    if not a or not b or b != b or a != a:
        return "-"
    return f"{a / b:.2f}"


def fmt_row(name, res):
    ev = res.get("evmulti")
    lc = res.get("libcurl")
    h2 = res.get("h2load")
    wk = res.get("wrk")
    cells = [name]
    for r in (ev, lc, h2, wk):
        cells.append(f"{per_transfer_us(r):.1f}" if r else "-")
    cells.append(ratio(per_transfer_us(ev), per_transfer_us(lc)) if lc else "-")
    cells.append(ratio(per_transfer_us(ev), per_transfer_us(h2)) if h2 else "-")
    for r in (ev, lc):
        cells.append(f"{r['transfers'] / r['wall_s']:.0f}")
    cells.append(f"{ev['rss_kb'] / 1024:.1f} / {lc['rss_kb'] / 1024:.1f}")
    cells.append(ratio(ev["rss_kb"], lc["rss_kb"]))
    if ev["bytes"]:
        cells.append(f"{ev['bytes'] / ev['wall_s'] / 2**20:.0f} / {lc['bytes'] / lc['wall_s'] / 2**20:.0f}")
    else:
        cells.append(f"{ev['wall_s']:.2f} / {lc['wall_s']:.2f} s")
    fails = sum(r["failures"] for r in (ev, lc, h2, wk) if r)
    cells.append(str(fails))
    return "| " + " | ".join(cells) + " |"


HEADER = ("| workload | evmulti µs/xfer | libcurl µs/xfer | h2load µs/xfer | wrk µs/xfer "
          "| evmulti/libcurl | evmulti/h2load | evmulti xfer/s | libcurl xfer/s "
          "| peak RSS MiB ev / lc | RSS ev/lc | MiB/s or wall ev / lc | failures |\n"
          "|---|---|---|---|---|---|---|---|---|---|---|---|---|")


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
    args = ap.parse_args()
    reps = args.reps or (1 if args.quick else 3)

    nginx = Nginx()
    rows = []
    try:
        for name, kind, params in workloads(args.quick):
            if args.only and args.only not in name:
                continue
            print(f"running {name} ...", file=sys.stderr, flush=True)
            rows.append(fmt_row(name, run_workload(nginx, kind, params, reps)))
            print(rows[-1], flush=True)
        cg = None
        if not args.no_callgrind:
            print("running callgrind ...", file=sys.stderr, flush=True)
            cg = {e: callgrind_per_transfer(nginx, e) for e in ("evmulti", "libcurl")}
    finally:
        nginx.stop()

    cmd = "bench/compare " + " ".join(sys.argv[1:])
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    text = [f"## {stamp}", "", f"Command: `{cmd.strip()}`  ", f"Tree: {tree()}  ",
            f"Machine: {machine()}", "",
            HEADER, *rows, ""]
    if cg:
        text.append(f"Instructions per transfer (callgrind, workload 1 at c=100, slope between "
                    f"2,000 and 4,000 transfers): evmulti {cg['evmulti']:.0f}, libcurl "
                    f"{cg['libcurl']:.0f}, ratio {cg['evmulti'] / cg['libcurl']:.2f}.")
        text.append("")
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
