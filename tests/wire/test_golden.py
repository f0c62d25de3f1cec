"""What the zmq side puts on the wire, byte for byte, and what it accepts from a
well-behaved raw ZMTP 3.1 peer. Pinned on libzmq 4.3.5 (ZMQCORE_TEST_IMPL=zmq).

Pinned (action -> observable result):
- on connect/accept the zmq side sends the 10-byte signature FF ... 7F unprompted
  (libzmq sends exactly those 10 bytes, padding 00 x7 01, and waits for the peer's
  version byte before sending more -- the padding is not asserted, RFC 23 says it
  carries no meaning); its full greeting is version 03 01, mechanism "NULL" padded
  with 16 NULs, as-server 00, 31 zero filler bytes.
- READY follows the greeting without waiting for the peer's READY, and is exactly
  ``04 len 05 READY 0b Socket-Type <u32 len> <TYPE>`` -- plus ``08 Identity <u32 len>
  <routing id>`` (empty if unset) for REQ, DEALER, ROUTER -- in that order and case.
- frame headers: bodies <= 255 bytes get a short header (flags 00/01), longer ones a
  long header (flags 02/03, 8-byte big-endian size): 0 -> 00 00, 255 -> 00 ff,
  256 -> 02 00..01 00; MORE on all but the last frame of a multipart message.
- PING 04 PING <ttl> <ctx> is answered 04 PONG <ctx>; a context longer than 16 bytes
  is echoed truncated to 16.
- with HEARTBEAT_IVL set the zmq side sends ``04 07 04 PING <ttl u16 in 1/10 s>``
  with an empty context: TTL 2000 ms -> 00 14, no TTL -> 00 00.
- raw peers speaking 3.1, 3.0 (minor 0) or a higher version (3.5, 4.0) are served
  with the zmq side's 3.1 framing; single/multipart, empty and long frames arrive.
- leniency (copied from libzmq for interop): a long header with a small size is
  accepted; reserved flag bits are ignored; the "socket-type" property name in any
  case is accepted; unknown properties are ignored; unknown commands after the
  handshake are ignored and the connection stays up.
- legacy peers (ZMTP/1.0 without signature, ZMTP/2.0 revision 01): libzmq speaks
  their protocol and delivers their messages; the zmq side may do that (exactly) or
  close the connection, but never deliver anything else.
"""

import socket
import struct
import sys
import time

import pytest

from wire.zmtp import (SIGNATURE, Closed, RawPeer, RawServer, command, frame, greeting,
                       ping, prop, ready)

requires_linux = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="ipc:// tests run on Linux only")
TRANSPORTS = ["tcp", pytest.param("ipc", marks=requires_linux)]

EXPECTED_GREETING_TAIL = (b"\x03\x01" + b"NULL" + b"\x00" * 16 + b"\x00" + b"\x00" * 31)


def ready_bytes(socket_type, identity=None):
    props = prop("Socket-Type", socket_type)
    if identity is not None:
        props += prop("Identity", identity)
    body = b"\x05READY" + props
    return bytes([0x04, len(body)]) + body


@pytest.fixture
def bound(zmq, ctx, endpoint):
    """``bound(type, transport="tcp", **opts)`` -> (zmq socket, endpoint)."""
    def make(type_name, transport="tcp", **opts):
        s = ctx.socket(getattr(zmq, type_name))
        s.rcvtimeo = 3000
        s.sndtimeo = 3000
        for k, v in opts.items():
            setattr(s, k, v)
        s.bind(endpoint(transport))
        return s, s.last_endpoint.decode()
    return make


@pytest.fixture
def raw_server(endpoint):
    servers = []

    def make(transport="tcp"):
        if transport == "ipc":
            path = endpoint("ipc")[len("ipc://"):]
            srv = RawServer(family=socket.AF_UNIX, path=path)
        else:
            srv = RawServer()
        servers.append(srv)
        return srv

    yield make
    for srv in servers:
        srv.close()


def _raw_to_zmq(zmq, ctx, bound, raw_server, role, transport, type_name="PULL", **opts):
    """A RawPeer connected to a zmq socket of ``type_name`` (zmq binds or connects)."""
    if role == "zmq-binds":
        s, ep = bound(type_name, transport, **opts)
        return s, RawPeer.connect(ep)
    srv = raw_server(transport)
    s = ctx.socket(getattr(zmq, type_name))
    s.rcvtimeo = 3000
    s.sndtimeo = 3000
    for k, v in opts.items():
        setattr(s, k, v)
    s.connect(srv.endpoint)
    return s, srv.accept()


ROLES = ["zmq-binds", "zmq-connects"]


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("role", ROLES)
def test_greeting_bytes(zmq, ctx, bound, raw_server, role, transport):
    s, peer = _raw_to_zmq(zmq, ctx, bound, raw_server, role, transport)
    with peer:
        first = peer.recv_exact(10, timeout=3)  # sent before we say anything
        assert first[0] == 0xFF and first[9] == 0x7F, first
        extra = peer.recv_available(0.1)
        # Whatever else came unprompted must be the start of the rest of the greeting.
        assert EXPECTED_GREETING_TAIL.startswith(extra[:len(EXPECTED_GREETING_TAIL)]), extra
        peer.buf = extra
        peer.send(greeting())
        rest = peer.recv_exact(54, timeout=3)
        assert rest == EXPECTED_GREETING_TAIL


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("type_name,identity", [
    ("PAIR", None), ("PUSH", None), ("PULL", None), ("PUB", None), ("SUB", None),
    ("REQ", b""), ("REP", None), ("DEALER", b""), ("ROUTER", b""), ("XPUB", None),
    ("XSUB", None),
])
def test_ready_bytes(zmq, ctx, bound, raw_server, require_socket_types, role, type_name,
                     identity):
    require_socket_types(type_name)
    s, peer = _raw_to_zmq(zmq, ctx, bound, raw_server, role, "tcp", type_name)
    with peer:
        peer.send(greeting())
        peer.recv_greeting()
        # READY arrives although we have not sent ours.
        expected = ready_bytes(type_name, identity)
        assert peer.recv_exact(len(expected), timeout=3) == expected


def test_ready_carries_routing_id(zmq, ctx, bound, require_socket_types):
    require_socket_types("DEALER")
    s, ep = bound("DEALER", routing_id=b"id1")
    with RawPeer.connect(ep) as peer:
        peer.send(greeting())
        peer.recv_greeting()
        expected = ready_bytes("DEALER", b"id1")
        assert peer.recv_exact(len(expected), timeout=3) == expected


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_frame_headers(zmq, ctx, bound, transport):
    s, ep = bound("PUSH", transport)
    with RawPeer.connect(ep) as peer:
        peer.handshake("PULL")
        s.send(b"")
        s.send(b"a")
        s.send(b"b" * 255)
        s.send(b"c" * 256)
        s.send_multipart([b"d" * 255, b"e" * 256, b""])
        s.send(b"f" * 70000)
        expected = (
            b"\x00\x00"
            + b"\x00\x01a"
            + b"\x00\xff" + b"b" * 255
            + b"\x02" + struct.pack(">Q", 256) + b"c" * 256
            + b"\x01\xff" + b"d" * 255
            + b"\x03" + struct.pack(">Q", 256) + b"e" * 256
            + b"\x00\x00"
            + b"\x02" + struct.pack(">Q", 70000) + b"f" * 70000
        )
        got = peer.recv_exact(len(expected), timeout=5)
        assert got[:600] == expected[:600]
        assert got == expected


@pytest.mark.parametrize("context,echo", [
    (b"", b""),
    (b"ctx", b"ctx"),
    (b"0123456789abcdef", b"0123456789abcdef"),
    (b"0123456789abcdefXYZW", b"0123456789abcdef"),  # libzmq truncates to 16
])
def test_ping_answered_with_pong(zmq, ctx, bound, context, echo):
    s, ep = bound("PULL")
    with RawPeer.connect(ep) as peer:
        peer.handshake("PUSH")
        peer.send(ping(ttl_ds=0, context=context))
        raw = peer.recv_exact(2 + 5 + len(echo), timeout=3)
        assert raw == bytes([0x04, 5 + len(echo)]) + b"\x04PONG" + echo
        # and the connection is still fine
        peer.send_message(b"after-ping")
        assert s.recv() == b"after-ping"


@pytest.mark.parametrize("ttl_ms,ttl_bytes", [(2000, b"\x00\x14"), (0, b"\x00\x00")])
def test_heartbeat_ping_bytes(zmq, ctx, bound, ttl_ms, ttl_bytes):
    opts = dict(heartbeat_ivl=100, heartbeat_timeout=1000)
    if ttl_ms:
        opts["heartbeat_ttl"] = ttl_ms
    s, ep = bound("PULL", **opts)
    with RawPeer.connect(ep) as peer:
        peer.handshake("PUSH")
        raw = peer.recv_exact(9, timeout=3)
        assert raw == b"\x04\x07\x04PING" + ttl_bytes


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("role", ROLES)
def test_well_behaved_raw_push(zmq, ctx, bound, raw_server, role, transport):
    s, peer = _raw_to_zmq(zmq, ctx, bound, raw_server, role, transport)
    with peer:
        greeting_, props = peer.handshake("PUSH")
        assert props == [(b"Socket-Type", b"PULL")]
        msgs = [[b"one"], [b"two", b"parts"], [b""], [b"x" * 300], [b"", b"y" * 70000, b""],
                [b"m%d" % i for i in range(30)]]
        for m in msgs:
            peer.send_message(*m)
        assert [s.recv_multipart() for _ in msgs] == msgs
        assert not s.poll(50)


@pytest.mark.parametrize("role", ROLES)
def test_well_behaved_raw_pull_and_pair(zmq, ctx, bound, raw_server, role):
    s, peer = _raw_to_zmq(zmq, ctx, bound, raw_server, role, "tcp", "PUSH")
    with peer:
        peer.handshake("PULL")
        s.send_multipart([b"a", b"b"])
        s.send(b"c" * 1000)
        assert peer.recv_message() == [b"a", b"b"]
        assert peer.recv_message() == [b"c" * 1000]
    s2, peer2 = _raw_to_zmq(zmq, ctx, bound, raw_server, role, "tcp", "PAIR")
    with peer2:
        peer2.handshake("PAIR")
        peer2.send_message(b"to-zmq", b"2")
        assert s2.recv_multipart() == [b"to-zmq", b"2"]
        s2.send_multipart([b"to-raw", b""])
        assert peer2.recv_message() == [b"to-raw", b""]


@pytest.mark.parametrize("major,minor", [(3, 0), (3, 5), (4, 0)])
def test_other_3x_and_higher_versions_served(zmq, ctx, bound, major, minor):
    s, ep = bound("PULL")
    with RawPeer.connect(ep) as peer:
        peer.send(greeting(major=major, minor=minor))
        theirs = peer.recv_greeting()
        assert theirs[10:12] == b"\x03\x01"
        peer.send(ready("PUSH"))
        name, _ = peer.recv_command()
        assert name == b"READY"
        peer.send_message(b"v%d.%d" % (major, minor), b"ok")
        assert s.recv_multipart() == [b"v%d.%d" % (major, minor), b"ok"]


def test_long_header_with_small_size_accepted(zmq, ctx, bound):
    s, ep = bound("PULL")
    with RawPeer.connect(ep) as peer:
        peer.handshake("PUSH")
        peer.send(b"\x02" + struct.pack(">Q", 3) + b"abc")
        peer.send(b"\x03" + struct.pack(">Q", 1) + b"x" + b"\x00\x01y")
        assert s.recv_multipart() == [b"abc"]
        assert s.recv_multipart() == [b"x", b"y"]


def test_reserved_flag_bits_ignored(zmq, ctx, bound):
    s, ep = bound("PULL")
    with RawPeer.connect(ep) as peer:
        peer.handshake("PUSH")
        peer.send(b"\x80\x03xyz")
        assert s.recv() == b"xyz"


def test_ready_property_names_lenient(zmq, ctx, bound):
    s, ep = bound("PULL")
    with RawPeer.connect(ep) as peer:
        peer.send(greeting())
        peer.recv_greeting()
        body = b"\x05READY" + prop("socket-type", "PUSH") + prop("X-Custom", "v") + prop(
            "Resource", "/r")
        peer.send(frame(body, command=True))
        name, _ = peer.recv_command()
        assert name == b"READY"
        peer.send_message(b"lenient")
        assert s.recv() == b"lenient"


def test_unknown_command_after_handshake_ignored(zmq, ctx, bound):
    s, ep = bound("PULL")
    with RawPeer.connect(ep) as peer:
        peer.handshake("PUSH")
        peer.send(command("FOOBAR", b"whatever") + command("X", b""))
        peer.send_message(b"still", b"served")
        assert s.recv_multipart() == [b"still", b"served"]
        peer.send(ping(context=b"k"))
        assert peer.recv_command(timeout=3) == (b"PONG", b"k")


@pytest.mark.parametrize("legacy", ["zmtp-1.0", "zmtp-2.0"])
def test_legacy_peer_served_exactly_or_closed(zmq, ctx, bound, legacy):
    s, ep = bound("PULL")
    with RawPeer.connect(ep) as peer:
        served = False
        if legacy == "zmtp-1.0":
            # identity frame (len 1 incl. flags, flags 0), then message "hello"
            peer.send(b"\x01\x00" + b"\x06\x00hello")
        else:
            # ZMTP/2.0 PUSH: signature, revision 01, socket type 08, empty identity
            peer.send(SIGNATURE + b"\x01\x08" + b"\x00\x00")
            try:
                reply = peer.recv_exact(14, timeout=1)
            except (Closed, OSError):
                reply = b""
            # libzmq downgrades: FF 00*7 01 7F, 03, socket type 07 (PULL), identity 00 00
            if reply[:1] == b"\xff" and reply[9:14] == b"\x7f\x03\x07\x00\x00":
                served = True
                peer.send(b"\x00\x05hello")
        deadline = time.monotonic() + 1.0
        got = []
        while time.monotonic() < deadline:
            if s.poll(50):
                got.append(s.recv_multipart())
        assert got in ([], [[b"hello"]]), got
        if legacy == "zmtp-2.0" and not served:
            assert got == []
        if not got:
            assert peer.wait_closed(3), "legacy peer neither served nor dropped"
