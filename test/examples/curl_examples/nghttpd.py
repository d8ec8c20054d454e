"""A loopback nghttpd (nghttp2's HTTP/2 server, package nghttp2-server) for curl's HTTP/2
examples, which hard-code https://localhost:8443/: started on first use on a free 127.0.0.1
port, over TLS (a throw-away self-signed certificate made with the openssl tool; the examples
do not verify it), with --echo-upload (a PUT is answered with its body) and a docroot holding
index.html and PUSH_FILES: a GET of PUSH_PAGE comes with PUSH_PROMISEs for the others, in
order (to a client that allows pushes). start() says why not when nghttpd or openssl is
missing: those examples skip."""

import os
import shutil
import socket
import subprocess
import threading
import time

INDEX_HTML = b"<html><body>\n" + b"".join(
    b"<p>line %d of the page curl's HTTP/2 examples fetch</p>\n" % i for i in range(100)) + \
    b"</body></html>\n"


PUSH_PAGE = "/push-main.html"
PUSH_FILES = {
    PUSH_PAGE: b"the page that comes with pushes\n" * 20,
    "/pushed-1.txt": b"the first pushed resource\n" * 30,
    "/pushed-2.txt": b"the second pushed resource\n" * 40,
}


def find(name):
    return shutil.which(name) or next(
        (p for p in ("/usr/sbin/" + name, "/usr/local/sbin/" + name) if os.access(p, os.X_OK)),
        None)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def accepts(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


class Nghttpd:
    def __init__(self, work_root):
        self.dir = os.path.join(work_root, "nghttpd")
        self.lock = threading.Lock()
        self.proc = None
        self.port = None
        self.why_not = None

    def start(self):
        """The port nghttpd listens on and None, or None and why it cannot run."""
        with self.lock:
            if self.port is None and self.why_not is None:
                self.why_not = self._start()
            return self.port, self.why_not

    def _start(self):
        binary, openssl = find("nghttpd"), find("openssl")
        if binary is None:
            return "nghttpd not found (install nghttp2-server)"
        if openssl is None:
            return "the openssl tool not found (it makes nghttpd's certificate)"
        os.makedirs(os.path.join(self.dir, "www"))
        for path, data in [("/index.html", INDEX_HTML)] + list(PUSH_FILES.items()):
            with open(os.path.join(self.dir, "www", path[1:]), "wb") as f:
                f.write(data)
        key, cert = os.path.join(self.dir, "key.pem"), os.path.join(self.dir, "cert.pem")
        r = subprocess.run([openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt",
                            "ec_paramgen_curve:P-256", "-nodes", "-keyout", key, "-out", cert,
                            "-days", "2", "-subj", "/CN=localhost", "-addext",
                            "subjectAltName=DNS:localhost,IP:127.0.0.1"],
                           capture_output=True, text=True)
        if r.returncode != 0:
            return "openssl could not make a certificate: " + r.stderr[-500:]
        log = open(os.path.join(self.dir, "nghttpd.log"), "wb")
        for _ in range(3):  # a port taken between free_port() and nghttpd's bind: try another
            port = free_port()
            self.proc = subprocess.Popen(
                [binary, "-a", "127.0.0.1", "-d", os.path.join(self.dir, "www"), "--echo-upload",
                 "-p", PUSH_PAGE + "=" + ",".join(p for p in PUSH_FILES if p != PUSH_PAGE),
                 str(port), key, cert], stdin=subprocess.DEVNULL, stdout=log, stderr=log)
            end = time.monotonic() + 10
            while time.monotonic() < end and self.proc.poll() is None and not accepts(port):
                time.sleep(0.02)
            if self.proc.poll() is None and accepts(port):
                self.port = port
                return None
            self.stop()
        return "nghttpd did not start; see " + os.path.join(self.dir, "nghttpd.log")

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None
