#!/usr/bin/env python3
"""Writes the seed corpus in corpus/<target>/: small hand-made inputs, each a case worth
starting from (see README.md for each target's input layout). Run it again after changing a
layout; the files are committed, so the fuzz build and the replay test need no Python."""
import os
import struct
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
written = {}


def put(target, name, data):
    if isinstance(data, str):
        data = data.encode('latin-1')
    d = os.path.join(HERE, 'corpus', target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), 'wb') as f:
        f.write(data)
    written[target] = written.get(target, 0) + 1


# -- 1: HTTP/1.1 responses: flags (1 HEAD, 2 raw chunked, 4 small limits, 8 EOF), split seed
def h1(name, text, flags=0, seed=7):
    put('h1_response', name, bytes([flags, seed]) + text.encode('latin-1'))


h1('content_length', 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello')
h1('chunked', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n'
   '5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\n\r\n')
h1('chunked_trailers', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Sum\r\n\r\n'
   '3\r\nabc\r\n0\r\nX-Sum: 42\r\nX-Other: y\r\n\r\n', seed=3)
h1('chunked_raw', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n'
   'a\r\n0123456789\r\n0\r\n\r\n', flags=2)
h1('interim_1xx', 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\n'
   'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok')
h1('head_request', 'HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n', flags=1)
h1('until_close', 'HTTP/1.0 200 OK\r\nServer: x\r\n\r\nbody until the peer closes', flags=8)
h1('keep_alive_pipeline', 'HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 1\r\n\r\na'
   'HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\n'
   'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n')
h1('folded_header', 'HTTP/1.1 200 OK\r\nX-Long: a\r\n  b\r\n\tc\r\nContent-Length: 0\r\n\r\n')
h1('bare_lf', 'HTTP/1.1 200 OK\nContent-Length: 3\n\nabc', seed=1)
h1('switching_101', 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\nraw bytes')
h1('connect_200', 'HTTP/1.1 200 Connection established\r\n\r\n', flags=1)
h1('bad_content_length', 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!')
h1('big_content_length', 'HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n')
h1('bad_chunk', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n')
h1('huge_chunk', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\n')
h1('long_line_small_limits', 'HTTP/1.1 200 OK\r\nX: ' + 'a' * 100 + '\r\n\r\n', flags=4)
h1('partial_body', 'HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc', flags=8)
h1('not_http', 'SSH-2.0-OpenSSH_9.2\r\n', flags=8)
h1('http09ish', 'HTTP/1.1 2000 OK\r\n\r\n')
h1('nul_in_header', 'HTTP/1.1 200 OK\r\nX: a\0b\r\n\r\n')
h1('transfer_coding_te', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n')

# -- 2: URLs: line 1 a URL, line 2 a Location, then curl_url_set operations
def url_ops(*ops, get_flags=0):
    out = b''
    for part, flags, text in ops:
        t = text.encode('latin-1')
        out += bytes([part]) + struct.pack('<H', flags) + bytes([len(t)]) + t
    return out + struct.pack('<H', get_flags)


CURLUPART = dict(URL=0, SCHEME=1, USER=2, PASSWORD=3, OPTIONS=4, HOST=5, PORT=6, PATH=7,
                 QUERY=8, FRAGMENT=9, ZONEID=10)
P = CURLUPART
urls = [
    ('plain', 'http://127.0.0.1:8080/a/b?c=d#e', '../x?y', [(P['URL'], 0, 'http://127.0.0.1/')]),
    ('ipv6_zone', 'http://[fe80::1%25eth0]:80/', '//[::1]/p', [(P['URL'], 0, 'http://[::1]:8080/x')]),
    ('ipv4_forms', 'http://0x7f.1/', '/abs', [(P['HOST'], 0, '127.1'), (P['SCHEME'], 0, 'https')]),
    ('userinfo', 'https://user:pa%3Ass@127.0.0.1/', 'rel', [(P['URL'], 0, 'http://u:p;o=1@h/')]),
    ('dot_segments', 'http://127.0.0.1/a/./b/../../c/..', '', [(P['PATH'], 1 << 4, '/a/../b')]),
    ('no_scheme', '127.0.0.1:80/x', 'http://other/', [(P['URL'], 1 << 9, 'ftp.example/x')]),
    ('unsupported', 'ftp://127.0.0.1/', '?q', [(P['URL'], 1 << 3, 'gopher://h/x')]),
    ('encode_query', 'http://h/', '#frag', [(P['URL'], 0, 'http://h/'),
                                            (P['QUERY'], (1 << 7) | (1 << 8), 'a b=c&d'),
                                            (P['QUERY'], 1 << 8, 'x=1')]),
    ('spaces', 'http://h/a b', 'c d', [(P['URL'], 1 << 11, 'http://h/a b?c d')]),
    ('relative_set', 'http://h/a/b', '../../../../x', [(P['URL'], 0, 'http://h/a/b/c'),
                                                       (P['URL'], 0, '../d?e#f')]),
    ('port_parts', 'http://h:65535/', 'http://h:65536/', [(P['URL'], 0, 'http://h:8080/'),
                                                          (P['PORT'], 0, '0'),
                                                          (P['PORT'], 0, '99999')]),
    ('null_sets', 'https://h/', '', [(P['URL'], 0, 'https://u@h:1/p?q#f'), (0x80 | P['USER'], 0, ''),
                                     (0x80 | P['QUERY'], 0, ''), (0x80 | P['FRAGMENT'], 0, '')]),
    ('bad_host', 'http://a b/', 'http://[::1', [(P['HOST'], 0, 'a\tb'), (P['HOST'], 0, '[::1')]),
    ('no_authority', 'file:///etc/x', '', [(P['URL'], (1 << 10) | (1 << 3), 'foo:///x')]),
    ('percent', 'http://h/%zz%41', '%2e%2e/x', [(P['URL'], 0, 'http://%41@h/%7e'),
                                                (P['PATH'], 1 << 7, '/ä ö')]),
]
for name, u, ref, ops in urls:
    put('url', name, u + '\n' + ref + '\n' + url_ops(*ops, get_flags=(1 << 0) | (1 << 6)).decode('latin-1'))

# -- 3: header lines ("\x01" a new request, "\x02" a trailer line)
put('headers', 'simple', 'HTTP/1.1 200 OK\nContent-Type: text/html\nContent-Length: 5\n'
    'Set-Cookie: a=1\nSet-Cookie: b=2\n\n')
put('headers', 'redirect_then_final', 'HTTP/1.1 301 Moved\nLocation: /next/../x?y#z\n\n\x01\n'
    'HTTP/1.1 100 Continue\n\nHTTP/1.1 200 OK\nRetry-After: 120\nLast-Modified: Sun, 06 Nov 1994 '
    '08:49:37 GMT\n\n\x02X-Trailer: 1\n\x02X-Trailer: 2\n')
put('headers', 'folded', 'HTTP/1.1 200 OK\nX-Fold: a\n  b\n\tc\nX-Empty:\nX-Blank:   \n\n')
put('headers', 'dates', 'HTTP/1.1 503 Busy\nRetry-After: Wed, 21 Oct 2015 07:28:00 GMT\n'
    'Expires: Sunday, 06-Nov-94 08:49:37 GMT\nDate: Sun Nov  6 08:49:37 1994\n'
    'Last-Modified: 6 Nov 2094 08:49 +0200\n\n')
put('headers', 'locations', 'HTTP/1.1 302 Found\nLocation: http://[::1]:9/a b\n\n\x01\n'
    'HTTP/1.1 307 T\nLocation: //127.0.0.2/x\n\n\x01\nHTTP/1.1 308 P\nLocation: ?only=query\n\n')
put('headers', 'interim_101', 'HTTP/1.1 101 Switching\nUpgrade: h2c\n\nHTTP/1.1 200 OK\nX: y\n\n')

# -- 4: cookies: flags (1 secure), the request URL, then lines
def cookies(name, host, path, lines, flags=0):
    url = 'http://' + host + path if host else ''
    put('cookie', name, bytes([flags]) + (url + '\n' + '\n'.join(lines)).encode('latin-1'))


cookies('basic', '127.0.0.1', '/a/b', ['a=1', 'b=2; Path=/; HttpOnly', 'c=3; Max-Age=60',
                                       'd=; Expires=Wed, 21 Oct 2015 07:28:00 GMT'])
cookies('domains', 'www.example.com', '/', ['a=1; Domain=.example.com', 'b=2; Domain=com',
                                            'c=3; Domain=other.org', 'd=4; domain=WWW.EXAMPLE.COM'])
cookies('secure_prefixes', 'localhost', '/x/', ['__Secure-a=1; Secure', '__Host-b=2; Secure; Path=/',
                                                '__Host-c=3; Secure; Domain=localhost', 's=1; Secure'], flags=1)
cookies('netscape', '', '', ['# Netscape HTTP Cookie File',
                             '.example.com\tTRUE\t/\tFALSE\t0\tname\tvalue',
                             '#HttpOnly_127.0.0.1\tFALSE\t/p\tTRUE\t1700000000\tn\tv',
                             'bad line without tabs', 'h\tFALSE\t/\tFALSE\t99999999999999\tx\t'])
cookies('odd_values', 'h', '', ['  spaced name = spaced value ; path = "/q" ', 'a="quoted"',
                                'x\x01=ctl', '=novalue', 'noequals', 'a=' + 'v' * 4200])

# -- 5: auth challenges: user, password, uri, then values
def auth(name, user, password, uri, *values):
    put('auth_challenge', name, user + '\n' + password + '\n' + uri + '\n' + '\0'.join(values))


auth('folded_crlf', 'u', 'p', '/', 'Digest realm="a\r\n b", nonce="n\r\n\tX-Injected: 1", qop=auth')
put('auth_challenge', 'basic_digest', 'user\npass\n/dir/index.html\n'
    'Basic realm="x", Digest realm="testrealm@host.com", qop="auth,auth-int", '
    'nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"\n')
put('auth_challenge', 'sha256_sess', 'Mufasa\nCircle of Life\n/\nDigest realm="http-auth@example.org", '
    'qop="auth, auth-int", algorithm=SHA-256-sess, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",'
    ' opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS", stale=TRUE\n')
put('auth_challenge', 'md5_noqop', 'u\np\n/x?y\nDigest realm=r, nonce=n, algorithm=MD5\0'
    'Digest nonce="a\\"b", realm="c\\\\d", userhash=true\n')
put('auth_challenge', 'bearer_and_odd', 'u\np\n/\nBearer realm="api", error="invalid_token"\0'
    'NTLM\0Negotiate abc==\0, , Basic\0Digest qop="auth-int", nonce=x\0Digest algorithm=SHA-512, nonce=y\n')
put('auth_challenge', 'unterminated', 'u\np\n/\nDigest realm="never ends, nonce=\0Basic realm=\0'
    'Digest =x, nonce==y\n')

# -- 6: content decoding: Content-Encoding line, split seed, out-size byte, body
text = (b'The quick brown fox jumps over the lazy dog. ' * 40)
gz = zlib.compressobj(9, zlib.DEFLATED, 31)
gzipped = gz.compress(text) + gz.flush()
zl = zlib.compress(text)
rawd = zlib.compressobj(9, zlib.DEFLATED, -15)
raw = rawd.compress(text) + rawd.flush()
put('decode', 'gzip', b'gzip\n\x05\x10' + gzipped)
put('decode', 'deflate_zlib', b'deflate\n\x03\x00' + zl)
put('decode', 'deflate_raw', b'deflate\n\x09\x02' + raw)
put('decode', 'gzip_twice', b'gzip, x-gzip\n\x07\x01' + (lambda c: c.compress(gzipped) + c.flush())(
    zlib.compressobj(9, zlib.DEFLATED, 31)))
put('decode', 'identity_unknown', b'identity, br\n\x01\x01some body')
put('decode', 'gzip_then_trailing', b'gzip\n\x02\x00' + gzipped + b'trailing garbage')
put('decode', 'gzip_truncated', b'gzip\n\x04\x00' + gzipped[:len(gzipped) // 2])
put('decode', 'too_many', b'gzip,gzip,gzip,gzip,gzip,gzip\n\x01\x01' + gzipped)
bomb = zlib.compressobj(9, zlib.DEFLATED, 31)
put('decode', 'small_bomb', b'gzip\n\x00\x00' + bomb.compress(b'\0' * 300000) + bomb.flush())

# -- 7: MIME: flags (1 form-data, 2 backslash escaping), split seed, then ops (op byte, len, text)
def mime(name, flags, seed, *ops):
    out = bytes([flags, seed])
    for op, text in ops:
        t = text if isinstance(text, bytes) else text.encode('latin-1')
        out += bytes([op, len(t)]) + t
    put('mime', name, out)


ADD, NAME, FILENAME, TYPE, ENC, DATA, CB, POP, SUB, HEADERS, SELF = range(11)
mime('form_fields', 1, 9, (ADD, ''), (NAME, 'field'), (DATA, 'value'),
     (ADD, ''), (NAME, 'file"1\r\n'), (FILENAME, 'a.html'), (DATA, '<html>'))
mime('encoders', 1, 3, (ADD, ''), (ENC, b'\x03'), (DATA, b'\x00\x01\xffbinary' * 5),
     (ADD, ''), (ENC, b'\x04'), (DATA, 'q=p \t\r\nline ' + 'x' * 90 + '\r\n.\r\nend '),
     (ADD, ''), (ENC, b'\x02'), (DATA, b'seven bit \x80'),
     (ADD, ''), (ENC, '8BIT'), (DATA, 'eight'), (ADD, ''), (ENC, 'bogus'), (DATA, 'x'))
mime('nested', 0, 5, (ADD, ''), (NAME, 'outer'), (SUB, ''), (ADD, ''), (DATA, 'inner 1'),
     (ADD, ''), (TYPE, 'text/plain'), (DATA, 'inner 2'), (SUB, ''), (ADD, ''), (DATA, 'deep'),
     (POP, ''), (POP, ''), (ADD, ''), (DATA, 'after'), (SELF, ''))
mime('callbacks', 1, 17, (ADD, ''), (CB, 'callback data'), (ADD, ''), (CB | 0x10, 'unknown size'),
     (ADD, ''), (CB | 0x20, 'says one more'), (ADD, ''), (CB | 0x80, 'no seek'))
mime('headers_escape', 3, 2, (ADD, ''), (NAME, 'a\\b"c'), (FILENAME, 'f\\"g.txt'),
     (HEADERS, 'X-One: 1\nContent-Type: custom/type\nContent-Disposition: attachment'),
     (DATA, 'body'), (ADD, ''), (NAME | 0x80, ''), (TYPE | 0x80, ''), (DATA | 0x80, ''))

# -- 8: HTTP/2: flags (1 push on, 2 accept pushes, 4 EOF at the end), split seed, then frames
def frame(ftype, flags, stream, payload=b''):
    return struct.pack('>I', len(payload))[1:] + bytes([ftype, flags]) + struct.pack('>I', stream) + payload


DATA_, HEADERS_, PRIORITY, RST, SETTINGS, PUSH, PING, GOAWAY, WINUP, CONT = range(10)
END_STREAM, END_HEADERS, PADDED, PRIO = 1, 4, 8, 0x20


def lit(name, value):  # HPACK literal without indexing, new name, no Huffman
    n, v = name.encode(), value.encode()
    assert len(n) < 127 and len(v) < 127
    return b'\x00' + bytes([len(n)]) + n + bytes([len(v)]) + v


def status(code):
    return {200: b'\x88', 204: b'\x89', 206: b'\x8a', 304: b'\x8b', 400: b'\x8c', 404: b'\x8d',
            500: b'\x8e'}.get(code) or (b'\x08\x03' + str(code).encode())


ok_get = frame(HEADERS_, END_HEADERS, 1, status(200) + lit('content-length', '5'))
put('h2_frames', 'three_answers', bytes([0, 11]) + ok_get + frame(DATA_, END_STREAM, 1, b'hello')
    + frame(HEADERS_, END_HEADERS | END_STREAM, 3, status(200) + lit('content-length', '100'))
    + frame(HEADERS_, END_HEADERS, 5, status(200)) + frame(DATA_, 0, 5, b'part ')
    + frame(DATA_, END_STREAM, 5, b'two'))
put('h2_frames', 'interim_and_trailers', bytes([0, 3]) + frame(HEADERS_, END_HEADERS, 1, b'\x08\x03103' + lit('link', '</a>'))
    + frame(HEADERS_, END_HEADERS, 1, status(200)) + frame(DATA_, PADDED, 1, b'\x03body\0\0\0')
    + frame(HEADERS_, END_HEADERS | END_STREAM, 1, lit('x-trailer', 'yes')))
put('h2_frames', 'continuation', bytes([4, 1]) + frame(HEADERS_, 0, 1, status(404))
    + frame(CONT, 0, 1, lit('x-a', 'a' * 100)) + frame(CONT, END_HEADERS, 1, lit('x-b', 'b'))
    + frame(DATA_, END_STREAM, 1, b'not found'))
put('h2_frames', 'resets_goaway', bytes([0, 0]) + frame(RST, 0, 1, struct.pack('>I', 8))
    + frame(RST, 0, 3, struct.pack('>I', 7)) + frame(HEADERS_, END_HEADERS, 5, status(200))
    + frame(GOAWAY, 0, 0, struct.pack('>II', 5, 0) + b'bye') + frame(DATA_, END_STREAM, 5, b'x'))
put('h2_frames', 'control_frames', bytes([4, 2]) + frame(PING, 0, 0, b'12345678')
    + frame(SETTINGS, 0, 0, struct.pack('>HI', 3, 1) + struct.pack('>HI', 4, 65535))
    + frame(WINUP, 0, 0, struct.pack('>I', 1000)) + frame(WINUP, 0, 1, struct.pack('>I', 1000))
    + frame(PRIORITY, 0, 3, struct.pack('>IB', 1, 16)) + frame(0x42, 0, 0, b'unknown type')
    + ok_get + frame(DATA_, END_STREAM, 1, b'hel'))
put('h2_frames', 'push', bytes([3, 5]) + frame(PUSH, END_HEADERS, 1, struct.pack('>I', 2)
    + b'\x82\x87' + lit(':authority', '127.0.0.1') + lit(':path', '/pushed'))
    + ok_get + frame(HEADERS_, END_HEADERS, 2, status(200)) + frame(DATA_, END_STREAM, 2, b'pushed')
    + frame(DATA_, END_STREAM, 1, b'hello'))
put('h2_frames', 'bad_content_length', bytes([0, 9]) + ok_get + frame(DATA_, END_STREAM, 1, b'too long body')
    + frame(HEADERS_, END_HEADERS | PRIO, 3, struct.pack('>IB', 0, 15) + status(200))
    + frame(DATA_, END_STREAM, 3, b''))
put('h2_frames', 'eof_midway', bytes([4, 6]) + ok_get + frame(DATA_, 0, 1, b'he'))

for t, n in sorted(written.items()):
    print(f'{t}: {n} files')
