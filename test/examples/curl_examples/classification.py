"""How each of curl's examples (libcurl4-doc, *.c) is checked, and why.

RUN      built against evmulti and libcurl, both run against the loopback server (the HTTP/2
         ones against a loopback nghttpd, skipped where nghttpd is missing), compared
         (the multi examples keep their detailed specs in run_curl_examples.py's EXAMPLES; the
         others are listed here with their URL mapping and what is compared).
UNSUP    a protocol evmulti does not speak: built against both, run on evmulti only (its URLs
         point at the loopback raw listener), every transfer must end with
         CURLE_UNSUPPORTED_PROTOCOL, as on a libcurl built without that protocol.
EXPECT   built against both, run on evmulti only, and checked against what curl's man pages say
         it does, where libcurl 7.88 cannot run it (the reason says why): exit status 0,
         every transfer's CURLcode 0, files equal to what the server sent, stderr lines.
COMPILE  built and linked against evmulti and libcurl, not run, for the reason given.
WINDOWS  includes Windows headers: neither library's build may succeed here, both must fail
         on the same missing header.

An example in the directory but not in this table fails the test: every one is classified.
"""

RUN, UNSUP, COMPILE, WINDOWS = "run", "unsupported", "compile-only", "windows-only"
EXPECT = "run-expected"

UPLOAD_BODY = b"".join(b"upload line %d\n" % i for i in range(200))

# name -> (kind, reason, spec). spec for RUN: "urls": a kind ("http"/"raw") and path for every
# URL literal, or "args"; "compare": as in run_curl_examples.normalise; "files": created in the
# directory it runs in. For UNSUP: "files" likewise, "drain": results of transfers the example
# never reads through curl_multi_info_read are taken when it removes the handle.
TABLE = {
    # -- HTTP(S), run and compared (URLs aside: https:// becomes the plain loopback listener)
    "simple": (RUN, "GET, body to stdout", dict(urls=("http", "/bytes/3000"),
                                               compare=["stdout", "results", "exit"])),
    "https": (RUN, "GET, body to stdout", dict(urls=("http", "/chunked/4000"),
                                              compare=["stdout", "results", "exit"])),
    "getinmemory": (RUN, "body into memory, its size printed",
                    dict(urls=("http", "/bytes/70000"), compare=["stdout", "results", "exit"])),
    "getinfo": (RUN, "CURLINFO_CONTENT_TYPE printed", dict(urls=("http", "/bytes/10"),
                                                          compare=["stdout", "results", "exit"])),
    "getredirect": (RUN, "CURLINFO_REDIRECT_URL printed",
                    dict(urls=("http", "/status/302?Location=/bytes/5"),
                         compare=["stdout", "results", "exit"])),
    "getreferrer": (RUN, "CURLINFO_REFERER printed", dict(urls=("http", "/echo"),
                                                         compare=["results", "exit"])),
    "http-post": (RUN, "POSTFIELDS", dict(urls=("raw", "/echo"), compare=["results", "exit"])),
    "simplepost": (RUN, "POSTFIELDS", dict(urls=("raw", "/echo"), compare=["results", "exit"])),
    "postinmemory": (RUN, "POST, answer into memory", dict(urls=("raw", "/ok/321"),
                                                          compare=["stdout", "results", "exit"])),
    "post-callback": (RUN, "POST through READFUNCTION", dict(urls=("raw", "/echo"),
                                                            compare=["results", "exit"])),
    "persistent": (RUN, "two GETs on one handle", dict(urls=("raw", "/ok/20"),
                                                      compare=["stdout", "results", "exit"])),
    "postit2": (RUN, "multipart form (mime)", dict(urls=("raw", "/echo"),
                                                  compare=["stdout-form", "results", "exit"])),
    "postit2-formadd": (RUN, "multipart form (formadd)", dict(
        urls=("raw", "/echo"), compare=["stdout-form", "results", "exit"])),
    "headerapi": (RUN, "curl_easy_header", dict(urls=("http", "/bytes/5"),
                                               compare=["stdout", "results", "exit"])),
    # Its cookie expires at time(NULL) + 31337: the printed second is masked.
    "cookie_interface": (RUN, "COOKIELIST", dict(urls=("http", "/bytes/5"),
                                                compare=["stdout-times", "results", "exit"])),
    "altsvc": (RUN, "ALTSVC cache file", dict(urls=("http", "/bytes/5"),
                                             compare=["stdout", "results", "exit"])),
    "resolve": (RUN, "CURLOPT_RESOLVE", dict(urls=("http", "/bytes/5"),
                                            compare=["stdout", "results", "exit"])),
    "debug": (RUN, "DEBUGFUNCTION dump", dict(urls=("raw", "/ok/100"),
                                             compare=["results", "exit"])),
    "progressfunc": (RUN, "XFERINFOFUNCTION", dict(urls=("http", "/bytes/100000"),
                                                  compare=["results", "exit"])),
    "url2file": (RUN, "URL from argv, body to page.out", dict(
        args=[("http", "/bytes/6000")], compare=["stdout", "results", "exit", "out-files"])),
    "sepheaders": (RUN, "head and body to separate files", dict(
        urls=("raw", "/ok/50"), compare=["results", "exit", "out-files"])),
    "httpput-postfields": (RUN, "PUT with POSTFIELDS, URL from argv", dict(
        args=[("raw", "/echo")], compare=["results", "exit"])),
    "httpput": (RUN, "PUT of a file, file and URL from argv", dict(
        files={"upload.txt": UPLOAD_BODY}, args=["upload.txt", ("raw", "/echo")],
        compare=["results", "exit"])),
    "anyauthput": (RUN, "PUT with CURLAUTH_ANY, file and URL from argv", dict(
        files={"upload.txt": UPLOAD_BODY}, args=["upload.txt", ("raw", "/echo")],
        compare=["results", "exit"])),
    "parseurl": (RUN, "URL API only, no transfer", dict(compare=["stdout", "exit"])),
    "urlapi": (RUN, "CURLOPT_CURLU", dict(urls=("http", "/bytes/5"),
                                         compare=["stdout", "results", "exit"])),
    "threaded-ssl": (RUN, "four threads, one transfer each", dict(
        urls=("http", "/bytes/2000"), compare=["results", "exit"], deps=[("pkg", "openssl")])),
    "certinfo": (RUN, "CERTINFO asked over plain HTTP: no chain on either", dict(
        urls=("http", "/bytes/5"), compare=["stdout", "results", "exit"])),
    "shared-connection-cache": (RUN, "CURL_LOCK_DATA_CONNECT share", dict(
        urls=("raw", "/ok/10"), compare=["results", "exit"])),
    "sendrecv": (RUN, "CONNECT_ONLY with curl_easy_send/recv", dict(
        urls=("raw", "/ok/10"), compare=["results", "exit"])),
    # -- HTTP/2: their https://localhost:8443/ URLs go to a loopback nghttpd (nghttpd.py), path
    # kept; it echoes uploads. Both examples write dl-0..dl-N-1; http2-upload calls
    # curl_multi_cleanup before removing its handles, so its results are not drained.
    # N stays under nghttpd's 100 concurrent streams: above it libcurl 7.88 opens more
    # connections despite PIPEWAIT (15 for 150 transfers, 894 for 1000) where evmulti waits
    # for stream slots on its one connection, as issue 12 asks.
    "http2-download": (RUN, "N GETs multiplexed on one TLS connection, N from argv", dict(
        urls="h2", args=["20"], drain=True,
        compare=["results", "exit", "out-files", "connections"])),
    "http2-upload": (RUN, "N PUTs of a file multiplexed, N and file from argv", dict(
        urls="h2", files={"upload.txt": UPLOAD_BODY}, args=["5", "upload.txt"],
        compare=["exit", "out-files", "connections"])),
    "httpcustomheader": (RUN, "custom headers, URL \"localhost\" (port 80, refused on both)",
                         dict(compare=["results", "exit"])),
    # -- protocols evmulti does not speak
    "fileupload": (UNSUP, "file://", dict(files={"debugit": UPLOAD_BODY})),
    "ftpget": (UNSUP, "ftp://", {}),
    "ftpgetinfo": (UNSUP, "ftp://", {}),
    "ftpgetresp": (UNSUP, "ftp://", {}),
    "ftpsget": (UNSUP, "ftp://", {}),
    "ftpuploadfrommem": (UNSUP, "ftp://", {}),
    "ftpuploadresume": (UNSUP, "ftp://", dict(files={"C:\\file": UPLOAD_BODY})),
    "sftpget": (UNSUP, "sftp://", {}),
    "sftpuploadresume": (UNSUP, "sftp://", dict(files={"file": UPLOAD_BODY})),
}

for _n in ["imap-append", "imap-authzid", "imap-copy", "imap-create", "imap-delete",
           "imap-examine", "imap-fetch", "imap-list", "imap-lsub", "imap-noop", "imap-search",
           "imap-ssl", "imap-store", "imap-tls"]:
    TABLE[_n] = (UNSUP, "imap://", {})
for _n in ["pop3-authzid", "pop3-dele", "pop3-list", "pop3-noop", "pop3-retr", "pop3-ssl",
           "pop3-stat", "pop3-tls", "pop3-top", "pop3-uidl"]:
    TABLE[_n] = (UNSUP, "pop3://", {})
for _n in ["smtp-authzid", "smtp-expn", "smtp-mail", "smtp-mime", "smtp-ssl", "smtp-tls",
           "smtp-vrfy"]:
    TABLE[_n] = (UNSUP, "smtp://", {})
for _n, _p in [("imap-multi", "imap://"), ("pop3-multi", "pop3://"), ("smtp-multi", "smtp://")]:
    TABLE[_n] = (UNSUP, _p + " through the multi interface, results never read by the example",
                 dict(drain=True))

# -- built, not run
TABLE.update({
    "ftp-wildcard": (COMPILE, "ftp:// with CURLOPT_WILDCARDMATCH; takes a wildcard URL and "
                     "writes the files it matches", {}),
    "ftpupload": (COMPILE, "ftp://, but it first opens the fixed path /tmp/uploadthis.txt, a "
                  "file outside its run directory the test will not write", {}),
    "multithread": (COMPILE, "mixes ftp:// and https:// in one run: libcurl with FTP and "
                    "evmulti without it cannot agree; threaded-ssl runs the same shape", {}),
    "chkspeed": (COMPILE, "downloads a multi-megabyte file from a speed-test host and prints "
                 "timings: nothing stable to compare", {}),
    "synctime": (WINDOWS, "<winsock2.h> and <windows.h> outside Cygwin", dict(
        header="winsock2.h")),
    "externalsocket": (COMPILE, "connects its own socket to 99.99.99.99:9999 (not loopback)", {}),
    "cacertinmem": (COMPILE, "an HTTPS server whose chain is the CA certificate in its source "
                    "(www.example.com's, long expired)", dict(deps=[("pkg", "openssl")])),
    "usercertinmem": (COMPILE, "client certificate and key in its source, a server that "
                      "demands them", dict(deps=[("pkg", "openssl")])),
    "simplessl": (COMPILE, "engine, certificate and key files at fixed names", {}),
    "sslbackend": (COMPILE, "lists or picks a TLS backend: output is each library's", {}),
    "opensslthreadlock": (COMPILE, "a library, no main(): compiled as an object", dict(
        object_only=True)),
    "sessioninfo": (COMPILE, "CURLINFO_TLS_SESSION with GnuTLS calls: needs a GnuTLS libcurl",
                    dict(deps=[("pkg", "gnutls")])),
    # Server push: libcurl 7.88 never calls the push callback on a port other than 443 and
    # crashes once it accepts a push there, so evmulti is checked against the man pages.
    # Their URL goes to nghttpd.PUSH_PAGE, which comes with two pushes (in that order).
    "http2-serverpush": (EXPECT, "push callback output, pushed bodies in push0, push1", dict(
        urls="h2-push", expect_results=3,
        expect_files={"dl": "/push-main.html", "push0": "/pushed-1.txt",
                      "push1": "/pushed-2.txt"},
        expect_stderr=["**** push callback approves stream 1, got 4 headers!",
                       "**** push callback approves stream 2, got 4 headers!",
                       "**** header 0: :method:GET", "**** header 2: :scheme:https",
                       "**** The PATH is /pushed-1.txt", "**** The PATH is /pushed-2.txt"])),
    "http2-pushinmemory": (EXPECT, "pushes kept in memory, their paths printed", dict(
        urls="h2-push", expect_results=3,
        expect_stderr=["* Pushed :path '/pushed-1.txt'", "* Pushed :path '/pushed-2.txt'"])),
    "http3": (COMPILE, "HTTP/3", {}),
    "http3-present": (COMPILE, "prints whether HTTP/3 is built in: each library's answer", {}),
    "xmlstream": (COMPILE, "parses a remote XML feed with expat", dict(deps=[("pkg", "expat")])),
    "htmltidy": (COMPILE, "libtidy", dict(deps=[("lib", "tidy/tidy.h", "-ltidy")])),
    "href_extractor": (COMPILE, "libhtmlstreamparser", dict(
        deps=[("lib", "htmlstreamparser.h", "-lhtmlstreamparser")])),
    "multi-uv": (COMPILE, "libuv event loop", dict(deps=[("pkg", "libuv")])),
    "smooth-gtk-thread": (COMPILE, "a GTK window", dict(deps=[("pkg", "gtk+-2.0")])),
})
