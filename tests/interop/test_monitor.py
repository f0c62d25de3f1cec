"""Socket monitors: Socket.monitor(), get_monitor_socket(), disable_monitor() and
utils.monitor.recv_monitor_message, on the `zmq` side, pinned on libzmq 4.3.5.

Each test says what it pins. Summary (E(value, endpoint); fd = an open fd number):
- format: two frames; frame 1 is 6 bytes, little-endian uint16 event + uint32 value,
  with RCVMORE set; frame 2 is the endpoint. recv_monitor_message returns a dict
  with exactly 'event', 'value', 'endpoint' (event is a zmq.Event, endpoint bytes).
- bind: LISTENING(fd, ep); a peer connects: ACCEPTED(fd2, ep), HANDSHAKE_SUCCEEDED(0,
  ep); it goes away: DISCONNECTED(fd2, ep); close(): CLOSED(fd, ep) then
  MONITOR_STOPPED(0, b""). ep is the bound LAST_ENDPOINT.
- connect (tcp): CONNECT_DELAYED(EINPROGRESS) [may be absent if connect() completes
  at once], CONNECTED(fd), HANDSHAKE_SUCCEEDED(0); over ipc no CONNECT_DELAYED.
  Listener goes away: DISCONNECTED(fd) then CONNECT_RETRIED(ivl) where
  RECONNECT_IVL <= ivl < 2*RECONNECT_IVL; closing a *connected* connecter emits only
  MONITOR_STOPPED (no DISCONNECTED/CLOSED for its connection).
- nobody listening: tcp cycles CONNECT_DELAYED(EINPROGRESS), CLOSED(fd),
  CONNECT_RETRIED(ivl); ipc cycles CLOSED(fd), CONNECT_RETRIED(ivl). With
  RECONNECT_IVL_MAX the base interval doubles up to the max; the reported value is
  base + jitter, jitter in [0, RECONNECT_IVL).
- bad input from a raw peer on a bound socket, after ACCEPTED:
  greeting mechanism not NULL ("CURVE", "FOO", "null")
                  -> HANDSHAKE_FAILED_PROTOCOL(0x11000002 ZMTP_MECHANISM_MISMATCH), DISCONNECTED
  PING / a message / an unknown command / an empty command before READY
                  -> HANDSHAKE_FAILED_PROTOCOL(0x10000001 ZMTP_UNEXPECTED_COMMAND), DISCONNECTED
  malformed READY (truncated property, leftover byte), unknown or incompatible
  Socket-Type, ERROR with a non-numeric reason, signature garbage
                  -> DISCONNECTED only (no HANDSHAKE_* event)
  oversized frame (MAXMSGSIZE) after a good handshake
                  -> HANDSHAKE_SUCCEEDED(0), DISCONNECTED
- a connecting socket whose handshake fails with a protocol error never reconnects to
  that endpoint (no CONNECT_RETRIED, no new connection); a plain close after a good
  handshake does reconnect.
- bind on a port in use raises EADDRINUSE and emits BIND_FAILED(EADDRINUSE); exactly,
  libzmq emits CLOSED(fd, b"") then BIND_FAILED(98, b"127.0.0.1:<port>") -- the
  endpoint without "tcp://".
- unbind(): CLOSED(fd of the LISTENING event, ep).
- disable_monitor(): MONITOR_STOPPED(0, b"") is the last message; later activity
  emits nothing. A second monitor() replaces the first (which gets MONITOR_STOPPED).
- events filter: only the requested events are sent.
- monitor() to a non-inproc endpoint raises EPROTONOSUPPORT.
"""

import errno
import importlib
import socket
import struct
import time

import pytest

from interop.helpers import free_tcp_port, requires_linux
from wire.zmtp import (RawPeer, RawServer, command, command_body, frame, greeting,
                       message, ping, ready, ready_body)

# libzmq's numbers (zmq.h); the `zmq` module must expose the same constants.
CONNECTED = 0x0001
CONNECT_DELAYED = 0x0002
CONNECT_RETRIED = 0x0004
LISTENING = 0x0008
BIND_FAILED = 0x0010
ACCEPTED = 0x0020
ACCEPT_FAILED = 0x0040
CLOSED = 0x0080
CLOSE_FAILED = 0x0100
DISCONNECTED = 0x0200
MONITOR_STOPPED = 0x0400
HANDSHAKE_FAILED_NO_DETAIL = 0x0800
HANDSHAKE_SUCCEEDED = 0x1000
HANDSHAKE_FAILED_PROTOCOL = 0x2000
HANDSHAKE_FAILED_AUTH = 0x4000
ALL = 0xFFFF
ZMTP_UNEXPECTED_COMMAND = 0x10000001
ZMTP_MECHANISM_MISMATCH = 0x11000002

NAMES = {v: k for k, v in dict(
    CONNECTED=CONNECTED, CONNECT_DELAYED=CONNECT_DELAYED, CONNECT_RETRIED=CONNECT_RETRIED,
    LISTENING=LISTENING, BIND_FAILED=BIND_FAILED, ACCEPTED=ACCEPTED,
    ACCEPT_FAILED=ACCEPT_FAILED, CLOSED=CLOSED, CLOSE_FAILED=CLOSE_FAILED,
    DISCONNECTED=DISCONNECTED, MONITOR_STOPPED=MONITOR_STOPPED,
    HANDSHAKE_FAILED_NO_DETAIL=HANDSHAKE_FAILED_NO_DETAIL,
    HANDSHAKE_SUCCEEDED=HANDSHAKE_SUCCEEDED,
    HANDSHAKE_FAILED_PROTOCOL=HANDSHAKE_FAILED_PROTOCOL,
    HANDSHAKE_FAILED_AUTH=HANDSHAKE_FAILED_AUTH).items()}


def names(events):
    return [NAMES.get(e[0], hex(e[0])) for e in events]


class Events:
    """Reads monitor messages as (event, value, endpoint), checking the wire format."""

    def __init__(self, mon):
        self.mon = mon

    def next(self, timeout=3.0):
        assert self.mon.poll(int(timeout * 1000)), "no monitor event within %.1f s" % timeout
        frames = self.mon.recv_multipart()
        assert len(frames) == 2, frames
        assert len(frames[0]) == 6, frames
        event, value = struct.unpack("<HI", frames[0])
        return event, value, frames[1]

    def take(self, n, timeout=3.0):
        return [self.next(timeout) for _ in range(n)]

    def until(self, event, timeout=3.0):
        """All events up to and including the first ``event``."""
        out = []
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not self.mon.poll(int(remaining * 1000)):
                raise AssertionError("never saw %s within %.1f s; got %s" % (
                    NAMES[event], timeout, names(out)))
            out.append(self.next())
            if out[-1][0] == event:
                return out

    def rest(self, quiet=0.2, total=2.0):
        """Whatever arrives until ``quiet`` seconds pass without an event."""
        out = []
        deadline = time.monotonic() + total
        while time.monotonic() < deadline and self.mon.poll(int(quiet * 1000)):
            out.append(self.next())
        return out


@pytest.fixture
def monitor_mod(zmq):
    return importlib.import_module(zmq.__name__ + ".utils.monitor")


def _timeouts(*socks, ms=3000):
    for s in socks:
        s.rcvtimeo = ms
        s.sndtimeo = ms


def _is_fd(value):
    return isinstance(value, int) and 0 <= value < 1 << 20


# --------------------------------------------------------------------------- API

def test_event_constants_match_libzmq(zmq):
    # Pins: the module exposes libzmq's event and protocol-error numbers and zmq.Event.
    assert zmq.EVENT_CONNECTED == CONNECTED
    assert zmq.EVENT_CONNECT_DELAYED == CONNECT_DELAYED
    assert zmq.EVENT_CONNECT_RETRIED == CONNECT_RETRIED
    assert zmq.EVENT_LISTENING == LISTENING
    assert zmq.EVENT_BIND_FAILED == BIND_FAILED
    assert zmq.EVENT_ACCEPTED == ACCEPTED
    assert zmq.EVENT_ACCEPT_FAILED == ACCEPT_FAILED
    assert zmq.EVENT_CLOSED == CLOSED
    assert zmq.EVENT_CLOSE_FAILED == CLOSE_FAILED
    assert zmq.EVENT_DISCONNECTED == DISCONNECTED
    assert zmq.EVENT_MONITOR_STOPPED == MONITOR_STOPPED
    assert zmq.EVENT_HANDSHAKE_FAILED_NO_DETAIL == HANDSHAKE_FAILED_NO_DETAIL
    assert zmq.EVENT_HANDSHAKE_SUCCEEDED == HANDSHAKE_SUCCEEDED
    assert zmq.EVENT_HANDSHAKE_FAILED_PROTOCOL == HANDSHAKE_FAILED_PROTOCOL
    assert zmq.EVENT_HANDSHAKE_FAILED_AUTH == HANDSHAKE_FAILED_AUTH
    assert zmq.EVENT_ALL == ALL
    assert zmq.PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND == ZMTP_UNEXPECTED_COMMAND
    assert zmq.PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH == ZMTP_MECHANISM_MISMATCH
    assert zmq.Event.ACCEPTED == ACCEPTED


def test_monitor_message_format_and_dict(zmq, ctx, monitor_socket, monitor_mod):
    # Pins: two frames, RCVMORE on the first; 6-byte LE header; endpoint frame; and the
    # dict from recv_monitor_message: keys event/value/endpoint, event a zmq.Event.
    s = ctx.socket(zmq.PAIR)
    mon = monitor_socket(s)
    s.bind("tcp://127.0.0.1:*")
    ep = s.last_endpoint
    mon.rcvtimeo = 3000
    first = mon.recv()
    assert mon.rcvmore
    second = mon.recv()
    assert not mon.rcvmore
    assert len(first) == 6
    event, value = struct.unpack("<HI", first)
    assert event == LISTENING and _is_fd(value)
    assert second == ep

    s.unbind(ep.decode())
    d = monitor_mod.recv_monitor_message(mon)
    assert set(d) == {"event", "value", "endpoint"}
    assert d["event"] == CLOSED
    assert isinstance(d["event"], zmq.Event)
    assert int(d["value"]) == value  # the listener's fd again
    assert d["endpoint"] == ep and isinstance(d["endpoint"], bytes)


def test_monitor_requires_inproc_endpoint(zmq, ctx):
    # Pins: monitor() to a tcp:// endpoint raises ZMQError(EPROTONOSUPPORT).
    s = ctx.socket(zmq.PAIR)
    with pytest.raises(zmq.ZMQError) as info:
        s.monitor("tcp://127.0.0.1:%d" % free_tcp_port(), zmq.EVENT_ALL)
    assert info.value.errno == errno.EPROTONOSUPPORT


# --------------------------------------------------------------- bind / connect

@pytest.mark.parametrize("transport", ["tcp", pytest.param("ipc", marks=requires_linux)])
def test_bind_side_sequence(zmq, ctx, lctx, libzmq, endpoint, monitor_socket, monitor_mod,
                            transport):
    # Pins: LISTENING(fd) / ACCEPTED(fd2), HANDSHAKE_SUCCEEDED(0) / DISCONNECTED(fd2) /
    # CLOSED(fd), MONITOR_STOPPED(0, b"") -- endpoint = LAST_ENDPOINT throughout.
    s = ctx.socket(zmq.PAIR)
    _timeouts(s)
    mon = monitor_socket(s)
    mon.rcvtimeo = 3000
    recv = monitor_mod.recv_monitor_message
    s.bind(endpoint(transport))
    ep = s.last_endpoint

    d = recv(mon)
    assert (d["event"], d["endpoint"]) == (LISTENING, ep)
    listen_fd = int(d["value"])
    assert _is_fd(listen_fd)

    peer = lctx.socket(libzmq.PAIR)
    _timeouts(peer)
    peer.connect(ep.decode())
    peer.send(b"hi")
    assert s.recv() == b"hi"
    d = recv(mon)
    assert (d["event"], d["endpoint"]) == (ACCEPTED, ep)
    conn_fd = int(d["value"])
    assert _is_fd(conn_fd)
    d = recv(mon)
    assert (d["event"], int(d["value"]), d["endpoint"]) == (HANDSHAKE_SUCCEEDED, 0, ep)

    peer.close(linger=0)
    d = recv(mon)
    assert (d["event"], int(d["value"]), d["endpoint"]) == (DISCONNECTED, conn_fd, ep)

    s.close(linger=0)
    d = recv(mon)
    assert (d["event"], int(d["value"]), d["endpoint"]) == (CLOSED, listen_fd, ep)
    d = recv(mon)
    assert (d["event"], int(d["value"]), d["endpoint"]) == (MONITOR_STOPPED, 0, b"")
    assert not mon.poll(200)


@pytest.mark.parametrize("transport", ["tcp", pytest.param("ipc", marks=requires_linux)])
def test_connect_side_sequence(zmq, ctx, lctx, libzmq, endpoint, monitor_socket, transport):
    # Pins: [CONNECT_DELAYED(EINPROGRESS)] CONNECTED(fd) HANDSHAKE_SUCCEEDED(0); the
    # listener closes: DISCONNECTED(fd), CONNECT_RETRIED(100 <= ivl < 200); it comes
    # back: ... CONNECTED, HANDSHAKE_SUCCEEDED; close() while connected:
    # MONITOR_STOPPED only.
    server = lctx.socket(libzmq.PAIR)
    _timeouts(server)
    server.bind(endpoint(transport))
    ep = server.last_endpoint.decode()
    s = ctx.socket(zmq.PAIR)
    _timeouts(s)
    mon = monitor_socket(s)
    events = Events(mon)
    s.connect(ep)
    s.send(b"hi")
    assert server.recv() == b"hi"

    got = events.until(HANDSHAKE_SUCCEEDED)
    kinds = [e[0] for e in got]
    if transport == "ipc":
        assert kinds == [CONNECTED, HANDSHAKE_SUCCEEDED], names(got)
    else:
        assert kinds in ([CONNECT_DELAYED, CONNECTED, HANDSHAKE_SUCCEEDED],
                         [CONNECTED, HANDSHAKE_SUCCEEDED]), names(got)
        if kinds[0] == CONNECT_DELAYED:
            assert got[0][1] == errno.EINPROGRESS
    connected = got[-2]
    assert _is_fd(connected[1])
    assert got[-1][1] == 0
    assert all(e[2] == ep.encode() for e in got)

    server.close(linger=0)
    got = events.take(2)
    assert [e[0] for e in got] == [DISCONNECTED, CONNECT_RETRIED], names(got)
    assert got[0][1] == connected[1]
    assert 100 <= got[1][1] < 200  # RECONNECT_IVL (100) + jitter in [0, 100)

    server = lctx.socket(libzmq.PAIR)
    _timeouts(server)
    deadline = time.monotonic() + 3
    while True:
        try:
            server.bind(ep)
            break
        except libzmq.ZMQError as exc:
            if exc.errno != errno.EADDRINUSE or time.monotonic() > deadline:
                raise
            time.sleep(0.02)
    got = events.until(HANDSHAKE_SUCCEEDED, timeout=5)
    assert CONNECTED in [e[0] for e in got], names(got)
    s.send(b"again")
    assert server.recv() == b"again"

    s.close(linger=0)
    got = events.rest()
    assert [e[0] for e in got] == [MONITOR_STOPPED], names(got)


@pytest.mark.parametrize("transport", ["tcp", pytest.param("ipc", marks=requires_linux)])
def test_connect_to_nobody_cycles(zmq, ctx, endpoint, monitor_socket, transport):
    # Pins: tcp: (CONNECT_DELAYED(EINPROGRESS), CLOSED(fd), CONNECT_RETRIED(ivl))*;
    # ipc: (CLOSED(fd), CONNECT_RETRIED(ivl))*; 100 <= ivl < 200 by default.
    if transport == "tcp":
        ep = "tcp://127.0.0.1:%d" % free_tcp_port()
        cycle = [CONNECT_DELAYED, CLOSED, CONNECT_RETRIED]
    else:
        ep = endpoint("ipc")
        cycle = [CLOSED, CONNECT_RETRIED]
    s = ctx.socket(zmq.PAIR)
    mon = monitor_socket(s)
    events = Events(mon)
    s.connect(ep)
    got = events.take(2 * len(cycle))
    assert [e[0] for e in got] == cycle * 2, names(got)
    for event, value, endpoint_ in got:
        assert endpoint_ == ep.encode()
        if event == CONNECT_DELAYED:
            assert value == errno.EINPROGRESS
        elif event == CLOSED:
            assert _is_fd(value)
        elif event == CONNECT_RETRIED:
            assert 100 <= value < 200


def test_reconnect_interval_backs_off(zmq, ctx, monitor_socket):
    # Pins: RECONNECT_IVL=50, RECONNECT_IVL_MAX=400: the k-th CONNECT_RETRIED value is
    # base_k + jitter with base 50, 100, 200, 400, 400 and jitter in [0, 50).
    s = ctx.socket(zmq.PAIR)
    s.reconnect_ivl = 50
    s.reconnect_ivl_max = 400
    mon = monitor_socket(s)
    events = Events(mon)
    s.connect("tcp://127.0.0.1:%d" % free_tcp_port())
    values = []
    while len(values) < 5:
        event, value, _ = events.next(timeout=5)
        if event == CONNECT_RETRIED:
            values.append(value)
    for base, value in zip([50, 100, 200, 400, 400], values):
        assert base <= value < base + 50, values


# ------------------------------------------------------------- handshake failures

def _then(*chunks):
    """Greeting exchange, then the given bytes."""
    def run(peer):
        peer.send(greeting())
        peer.recv_greeting()
        for c in chunks:
            peer.send(c)
    return run


def _raw(data):
    def run(peer):
        peer.send(data)
    return run


def _good_then(data):
    def run(peer):
        peer.handshake("PUSH")
        peer.send(data)
    return run


HANDSHAKE_CASES = {
    # name: (attack, expected events after ACCEPTED, expected values)
    "mechanism-CURVE": (_raw(greeting(b"CURVE")),
                        [(HANDSHAKE_FAILED_PROTOCOL, ZMTP_MECHANISM_MISMATCH), DISCONNECTED]),
    "mechanism-FOO": (_raw(greeting(b"FOO")),
                      [(HANDSHAKE_FAILED_PROTOCOL, ZMTP_MECHANISM_MISMATCH), DISCONNECTED]),
    "mechanism-lowercase-null": (_raw(greeting(b"null")),
                                 [(HANDSHAKE_FAILED_PROTOCOL, ZMTP_MECHANISM_MISMATCH),
                                  DISCONNECTED]),
    "ping-before-ready": (_then(ping()),
                          [(HANDSHAKE_FAILED_PROTOCOL, ZMTP_UNEXPECTED_COMMAND), DISCONNECTED]),
    "message-before-ready": (_then(message(b"early")),
                             [(HANDSHAKE_FAILED_PROTOCOL, ZMTP_UNEXPECTED_COMMAND),
                              DISCONNECTED]),
    "unknown-command-before-ready": (_then(command("HELLO")),
                                     [(HANDSHAKE_FAILED_PROTOCOL, ZMTP_UNEXPECTED_COMMAND),
                                      DISCONNECTED]),
    "empty-command-before-ready": (_then(frame(b"", command=True)),
                                   [(HANDSHAKE_FAILED_PROTOCOL, ZMTP_UNEXPECTED_COMMAND),
                                    DISCONNECTED]),
    "ready-truncated-name": (_then(frame(command_body("READY", b"\x0bSocket-Ty"),
                                         command=True)),
                             [DISCONNECTED]),
    "ready-truncated-value": (_then(frame(command_body(
        "READY", b"\x0bSocket-Type\x00\x00\x00\x08PUSH"), command=True)),
        [DISCONNECTED]),
    "ready-leftover-byte": (_then(frame(ready_body("PUSH") + b"\x00", command=True)),
                            [DISCONNECTED]),
    "ready-unknown-socket-type": (_then(ready("FOO")), [DISCONNECTED]),
    "ready-incompatible-socket-type": (_then(ready("PUB")), [DISCONNECTED]),
    "error-command": (_then(command("ERROR", b"\x03bad")), [DISCONNECTED]),
    "signature-garbage": (_raw(b"\x00" * 64), [DISCONNECTED]),
    "oversized-frame": (_good_then(frame(b"x" * 1001)),
                        [(HANDSHAKE_SUCCEEDED, 0), DISCONNECTED]),
}


@pytest.mark.parametrize("case", sorted(HANDSHAKE_CASES))
def test_bad_peer_events(zmq, ctx, monitor_socket, case):
    attack, expected = HANDSHAKE_CASES[case]
    s = ctx.socket(zmq.PULL)
    s.maxmsgsize = 1000
    mon = monitor_socket(s)
    events = Events(mon)
    s.bind("tcp://127.0.0.1:*")
    ep = s.last_endpoint
    assert events.next()[0] == LISTENING
    with RawPeer.connect(ep) as peer:
        try:
            attack(peer)
        except Exception:
            pass  # the zmq side may close while we are still talking
        assert peer.wait_closed(3), "zmq side kept the connection open"
    got = events.until(DISCONNECTED)
    assert got[0][0] == ACCEPTED, names(got)
    accepted_fd = got[0][1]
    want = [(e, None) if isinstance(e, int) else e for e in expected]
    assert [e[0] for e in got[1:]] == [w[0] for w in want], names(got)
    for (event, value, endpoint_), (_, want_value) in zip(got[1:], want):
        assert endpoint_ == ep
        if want_value is not None:
            assert value == want_value, "%s value %#x" % (NAMES[event], value)
    assert got[-1][1] == accepted_fd
    assert events.rest(quiet=0.1, total=0.5) == []


def _mechanism_mismatch(peer):
    peer.send(greeting(b"CURVE"))


def _incompatible_ready(peer):
    peer.send(greeting())
    peer.recv_greeting()
    peer.send(ready("PUB"))


@pytest.mark.parametrize("attack,failed", [
    (_mechanism_mismatch, [(HANDSHAKE_FAILED_PROTOCOL, ZMTP_MECHANISM_MISMATCH)]),
    (_incompatible_ready, []),
], ids=["mechanism-mismatch", "incompatible-ready"])
def test_connecter_gives_up_after_protocol_error(zmq, ctx, monitor_socket, attack, failed):
    # Pins: CONNECT_DELAYED, CONNECTED, [HANDSHAKE_FAILED_PROTOCOL(code)], DISCONNECTED,
    # then nothing: libzmq never reconnects after a protocol error.
    with RawServer() as server:
        s = ctx.socket(zmq.PULL)
        s.reconnect_ivl = 50
        mon = monitor_socket(s)
        events = Events(mon)
        s.connect(server.endpoint)
        with server.accept() as peer:
            try:
                attack(peer)
            except Exception:
                pass
            assert peer.wait_closed(3)
        got = events.until(DISCONNECTED)
        kinds = [e[0] for e in got]
        assert kinds[-2 - len(failed):] == [CONNECTED] + [f[0] for f in failed] + [
            DISCONNECTED], names(got)
        for (event, value, _), (_, code) in zip(got[-1 - len(failed):-1], failed):
            assert value == code
        assert events.rest(quiet=0.5, total=1.0) == []
        with pytest.raises(socket.timeout):
            server.accept(timeout=0.5).close()


def test_connecter_reconnects_after_plain_close(zmq, ctx, monitor_socket):
    # Pins: peer closes after a good handshake -> DISCONNECTED, CONNECT_RETRIED, and a
    # new connection arrives.
    with RawServer() as server:
        s = ctx.socket(zmq.PULL)
        s.reconnect_ivl = 50
        mon = monitor_socket(s)
        events = Events(mon)
        s.connect(server.endpoint)
        with server.accept() as peer:
            peer.handshake("PUSH")
        events.until(DISCONNECTED)
        assert events.next()[0] == CONNECT_RETRIED
        with server.accept(timeout=3) as again:
            again.handshake("PUSH")
        events.until(HANDSHAKE_SUCCEEDED)


# --------------------------------------------------------------------- bind failed

def test_bind_on_used_port_emits_bind_failed(zmq, ctx, lctx, libzmq, monitor_socket):
    # Pins: bind() raises EADDRINUSE and the monitor gets BIND_FAILED(EADDRINUSE).
    holder = lctx.socket(libzmq.PAIR)
    holder.bind("tcp://127.0.0.1:*")
    ep = holder.last_endpoint.decode()
    s = ctx.socket(zmq.PAIR)
    mon = monitor_socket(s)
    events = Events(mon)
    with pytest.raises(zmq.ZMQError) as info:
        s.bind(ep)
    assert info.value.errno == errno.EADDRINUSE
    got = events.until(BIND_FAILED)
    assert got[-1][1] == errno.EADDRINUSE


def test_bind_failed_exact_libzmq_sequence(zmq, ctx, lctx, libzmq, monitor_socket):
    # Pins libzmq 4.3.5 exactly: CLOSED(fd, b"") for the listener it opened, then
    # BIND_FAILED(EADDRINUSE, b"127.0.0.1:<port>") -- no "tcp://" in that endpoint.
    holder = lctx.socket(libzmq.PAIR)
    holder.bind("tcp://127.0.0.1:*")
    ep = holder.last_endpoint.decode()
    port = int(ep.rsplit(":", 1)[1])
    s = ctx.socket(zmq.PAIR)
    mon = monitor_socket(s)
    events = Events(mon)
    with pytest.raises(zmq.ZMQError):
        s.bind(ep)
    got = events.rest()
    assert [e[0] for e in got] == [CLOSED, BIND_FAILED], names(got)
    assert _is_fd(got[0][1]) and got[0][2] == b""
    assert got[1][1:] == (errno.EADDRINUSE, b"127.0.0.1:%d" % port)


@pytest.mark.parametrize("transport", ["tcp", pytest.param("ipc", marks=requires_linux)])
def test_unbind_emits_closed(zmq, ctx, endpoint, monitor_socket, transport):
    # Pins: LISTENING(fd, ep) then, on unbind(ep), CLOSED(fd, ep).
    s = ctx.socket(zmq.PAIR)
    mon = monitor_socket(s)
    events = Events(mon)
    s.bind(endpoint(transport))
    ep = s.last_endpoint
    listening = events.next()
    assert listening[0] == LISTENING and listening[2] == ep
    s.unbind(ep.decode())
    assert events.next() == (CLOSED, listening[1], ep)


# --------------------------------------------------------- monitor lifecycle/filter

def test_disable_monitor_stops_events(zmq, ctx, lctx, libzmq):
    # Pins: disable_monitor() -> MONITOR_STOPPED(0, b"") last; later activity emits
    # nothing on the (still open) PAIR.
    s = ctx.socket(zmq.PAIR)
    _timeouts(s)
    mon = s.get_monitor_socket()
    try:
        events = Events(mon)
        s.bind("tcp://127.0.0.1:*")
        assert events.next()[0] == LISTENING
        s.disable_monitor()
        assert events.next() == (MONITOR_STOPPED, 0, b"")
        peer = lctx.socket(libzmq.PAIR)
        _timeouts(peer)
        peer.connect(s.last_endpoint.decode())
        peer.send(b"x")
        assert s.recv() == b"x"
        assert events.rest(quiet=0.3) == []
    finally:
        mon.close(linger=0)


def test_events_filter(zmq, ctx, lctx, libzmq, monitor_socket):
    # Pins: get_monitor_socket(ACCEPTED | DISCONNECTED) delivers only those two.
    s = ctx.socket(zmq.PAIR)
    _timeouts(s)
    mon = monitor_socket(s, ACCEPTED | DISCONNECTED)
    events = Events(mon)
    s.bind("tcp://127.0.0.1:*")
    peer = lctx.socket(libzmq.PAIR)
    _timeouts(peer)
    peer.connect(s.last_endpoint.decode())
    peer.send(b"x")
    assert s.recv() == b"x"
    peer.close(linger=0)
    got = events.until(DISCONNECTED)
    assert [e[0] for e in got] == [ACCEPTED, DISCONNECTED], names(got)
    assert events.rest(quiet=0.2) == []


def test_monitor_custom_address_and_replacement(zmq, ctx, inproc):
    # Pins: Socket.monitor(addr, EVENT_ALL) publishes on addr; a second monitor() call
    # replaces the first, whose PAIR gets MONITOR_STOPPED; monitor(None, 0) stops.
    s = ctx.socket(zmq.PAIR)
    addr1, addr2 = inproc("mon1"), inproc("mon2")
    m1 = ctx.socket(zmq.PAIR)
    m2 = ctx.socket(zmq.PAIR)
    try:
        s.monitor(addr1, ALL)
        m1.connect(addr1)
        s.bind("tcp://127.0.0.1:*")
        e1 = Events(m1)
        assert e1.next()[0] == LISTENING
        s.monitor(addr2, ALL)
        m2.connect(addr2)
        assert e1.next() == (MONITOR_STOPPED, 0, b"")
        s.unbind(s.last_endpoint.decode())
        e2 = Events(m2)
        assert e2.next()[0] == CLOSED
        s.monitor(None, 0)
        assert e2.next() == (MONITOR_STOPPED, 0, b"")
        assert e1.rest(quiet=0.1) == []
    finally:
        m1.close(linger=0)
        m2.close(linger=0)
