"""ZMTP 3.1 spoken by hand over a plain Python socket, for the wire and interop suites.

Everything here is written from the RFCs (23/37) and /work/shared/ZMTP-NOTES.md. A
``RawPeer`` can be a well-behaved peer (greeting, READY with Socket-Type, frames) or
a hostile one (anything else, byte by byte). Every read has a timeout, so a peer
that never answers turns into a test failure, not a hang.
"""

import errno
import os
import socket
import struct
import time

SIGNATURE = b"\xff" + b"\x00" * 8 + b"\x7f"

# Flag bits of a ZMTP 3.x frame (RFC 23).
MORE = 0x01
LONG = 0x02
COMMAND = 0x04

# READY Socket-Type names, and the ZMTP/2.0 socket-type byte (== libzmq's type number).
SOCKET_TYPE_NAMES = (
    "PAIR", "PUB", "SUB", "REQ", "REP", "DEALER", "ROUTER", "PULL", "PUSH",
    "XPUB", "XSUB", "STREAM",
)

DEFAULT_TIMEOUT = 3.0


def greeting(mechanism=b"NULL", major=3, minor=1, as_server=0, signature=SIGNATURE):
    """The 64-byte ZMTP 3.x greeting."""
    mech = mechanism.ljust(20, b"\x00")
    assert len(mech) == 20
    out = signature + bytes([major, minor]) + mech + bytes([as_server]) + b"\x00" * 31
    assert len(out) == 64
    return out


def frame(body, more=False, command=False, long=None, flags=None):
    """One frame; ``long=None`` picks the short header for bodies <= 255 bytes."""
    if long is None:
        long = len(body) > 255
    if flags is None:
        flags = (MORE if more else 0) | (COMMAND if command else 0)
        flags |= LONG if long else 0
    if long:
        return bytes([flags]) + struct.pack(">Q", len(body)) + body
    assert len(body) <= 255
    return bytes([flags, len(body)]) + body


def command_body(name, data=b""):
    name = name if isinstance(name, bytes) else name.encode()
    return bytes([len(name)]) + name + data


def command(name, data=b""):
    return frame(command_body(name, data), command=True)


def prop(name, value):
    name = name if isinstance(name, bytes) else name.encode()
    value = value if isinstance(value, bytes) else value.encode()
    return bytes([len(name)]) + name + struct.pack(">I", len(value)) + value


def ready_body(socket_type=None, **extra):
    """READY command body; ``socket_type`` like "PUSH"; extra props by keyword."""
    props = b""
    if socket_type is not None:
        props += prop("Socket-Type", socket_type)
    for name, value in extra.items():
        props += prop(name.replace("_", "-"), value)
    return command_body("READY", props)


def ready(socket_type=None, **extra):
    return frame(ready_body(socket_type, **extra), command=True)


def message(*parts):
    """A multipart message as frames (MORE on all but the last)."""
    out = b""
    for i, part in enumerate(parts):
        out += frame(part, more=i < len(parts) - 1)
    return out


def ping(ttl_ds=0, context=b""):
    return command("PING", struct.pack(">H", ttl_ds) + context)


def parse_endpoint(endpoint):
    """(family, address) for a tcp:// or ipc:// endpoint string or bytes."""
    if isinstance(endpoint, bytes):
        endpoint = endpoint.decode()
    if endpoint.startswith("ipc://"):
        path = endpoint[len("ipc://"):]
        if path.startswith("@"):
            path = "\0" + path[1:]
        return socket.AF_UNIX, path
    assert endpoint.startswith("tcp://"), endpoint
    hostport = endpoint[len("tcp://"):]
    host, _, port = hostport.rpartition(":")
    if host.startswith("["):
        return socket.AF_INET6, (host[1:-1], int(port))
    if host in ("0.0.0.0", "*"):
        host = "127.0.0.1"
    return socket.AF_INET, (host, int(port))


class Closed(Exception):
    """The peer closed the connection (EOF or reset) while we were reading."""


class RawPeer:
    """A connected plain socket with bounded reads and ZMTP helpers."""

    def __init__(self, sock, timeout=DEFAULT_TIMEOUT):
        self.sock = sock
        self.timeout = timeout
        self.buf = b""
        sock.settimeout(timeout)

    # -- construction -------------------------------------------------------
    @classmethod
    def connect(cls, endpoint, timeout=DEFAULT_TIMEOUT):
        family, addr = parse_endpoint(endpoint)
        s = socket.socket(family, socket.SOCK_STREAM)
        s.settimeout(timeout)
        s.connect(addr)
        if family != socket.AF_UNIX:
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return cls(s, timeout)

    def close(self, reset=False):
        if self.sock is None:
            return
        if reset:
            try:
                self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                     struct.pack("ii", 1, 0))
            except OSError:
                pass
        self.sock.close()
        self.sock = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close(reset=True)

    # -- raw io -------------------------------------------------------------
    def send(self, data):
        self.sock.sendall(data)

    def _fill(self, deadline):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise socket.timeout("timed out waiting for bytes from the zmq side")
        self.sock.settimeout(remaining)
        try:
            chunk = self.sock.recv(65536)
        except ConnectionResetError:
            raise Closed("connection reset")
        finally:
            self.sock.settimeout(self.timeout)
        if not chunk:
            raise Closed("EOF")
        self.buf += chunk

    def recv_exact(self, n, timeout=None):
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while len(self.buf) < n:
            self._fill(deadline)
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def recv_available(self, wait=0.2):
        """Whatever arrives within ``wait`` seconds (b"" if nothing); raises Closed."""
        deadline = time.monotonic() + wait
        try:
            while True:
                self._fill(deadline)
        except socket.timeout:
            pass
        out, self.buf = self.buf, b""
        return out

    def wait_closed(self, timeout=DEFAULT_TIMEOUT):
        """True if the zmq side closes the connection within ``timeout`` seconds.

        Bytes that arrive meanwhile are discarded (kept in ``self.discarded``).
        """
        deadline = time.monotonic() + timeout
        self.discarded = self.buf
        self.buf = b""
        while True:
            try:
                self._fill(deadline)
            except Closed:
                return True
            except socket.timeout:
                return False
            except OSError as exc:  # e.g. EPIPE surfaced on read on some kernels
                if exc.errno in (errno.ECONNRESET, errno.EPIPE, errno.ECONNABORTED):
                    return True
                raise
            self.discarded += self.buf
            self.buf = b""

    # -- ZMTP ---------------------------------------------------------------
    def recv_greeting(self, timeout=None):
        return self.recv_exact(64, timeout)

    def recv_frame(self, timeout=None):
        """(flags, body) of the next frame."""
        flags = self.recv_exact(1, timeout)[0]
        if flags & LONG:
            size = struct.unpack(">Q", self.recv_exact(8, timeout))[0]
        else:
            size = self.recv_exact(1, timeout)[0]
        return flags, self.recv_exact(size, timeout)

    def recv_command(self, timeout=None, skip=()):
        """(name, data) of the next frame, which must be a command."""
        while True:
            flags, body = self.recv_frame(timeout)
            assert flags & COMMAND, "expected a command, got flags %#x body %r" % (
                flags, body[:40])
            name = body[1:1 + body[0]]
            if name in skip:
                continue
            return name, body[1 + body[0]:]

    def recv_message(self, timeout=None, skip_commands=True):
        """The next message as a list of bodies (commands such as PING skipped)."""
        parts = []
        while True:
            flags, body = self.recv_frame(timeout)
            if flags & COMMAND:
                if skip_commands and not parts:
                    continue
                raise AssertionError("command inside a multipart message: %r" % body)
            parts.append(body)
            if not flags & MORE:
                return parts

    def handshake(self, socket_type, read_ready=True, **props):
        """Greeting + READY both ways; returns the zmq side's (greeting, READY props)."""
        self.send(greeting())
        peer_greeting = self.recv_greeting()
        self.send(ready(socket_type, **props))
        if not read_ready:
            return peer_greeting, None
        name, data = self.recv_command()
        assert name == b"READY", name
        return peer_greeting, parse_metadata(data)

    def send_message(self, *parts):
        self.send(message(*parts))


def parse_metadata(data):
    """READY metadata -> ordered list of (name, value); strict about lengths."""
    out = []
    i = 0
    while i < len(data):
        n = data[i]
        name = data[i + 1:i + 1 + n]
        (vlen,) = struct.unpack(">I", data[i + 1 + n:i + 5 + n])
        value = data[i + 5 + n:i + 5 + n + vlen]
        assert len(value) == vlen, "truncated property"
        out.append((name, value))
        i += 5 + n + vlen
    return out


class RawServer:
    """A listening plain socket on 127.0.0.1 (or a Unix path) for zmq to connect to."""

    def __init__(self, family=socket.AF_INET, path=None, timeout=DEFAULT_TIMEOUT):
        self.timeout = timeout
        self.sock = socket.socket(family, socket.SOCK_STREAM)
        if family == socket.AF_UNIX:
            self.sock.bind(path)
            self.endpoint = "ipc://" + path
        else:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            self.sock.bind(("127.0.0.1", 0))
            self.endpoint = "tcp://127.0.0.1:%d" % self.sock.getsockname()[1]
        self.sock.listen(64)

    def accept(self, timeout=None):
        self.sock.settimeout(self.timeout if timeout is None else timeout)
        conn, addr = self.sock.accept()
        self.last_peer_address = addr
        if self.sock.family != socket.AF_UNIX:
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return RawPeer(conn, self.timeout)

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def rss_bytes():
    """Resident set size of this process, from /proc/self/status."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def open_fd_count():
    return len(os.listdir("/proc/self/fd"))
