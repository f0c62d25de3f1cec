"""ZMTP 3.1 heartbeats (PING/PONG), zmq side <-> libzmq and <-> raw peers.

Pinned on libzmq 4.3.5 (action -> observable result):
- HEARTBEAT_IVL/TIMEOUT/TTL on both ends, on the zmq end only, or on the libzmq end
  only: an idle PAIR link (idle for many timeouts) stays up -- the libzmq end sees
  exactly one HANDSHAKE_SUCCEEDED and no DISCONNECTED -- and traffic flows after.
  (So the zmq side answers PINGs, and its own PINGs are answered and accepted.)
- zmq side with HEARTBEAT_IVL=100 ms, HEARTBEAT_TIMEOUT=300 ms, a raw peer that
  completes the handshake and then says nothing: the zmq side sends PINGs, then
  closes the connection (libzmq: after ~400 ms). A libzmq PUSH connected alongside
  keeps delivering. A connecting zmq socket reconnects after such a drop.
- a raw peer that answers every PING with a PONG stays connected, and its messages
  are delivered afterwards.
- no heartbeat options on the zmq side, peer sends PING with TTL 300 ms (3 ds) and
  then goes silent: the zmq side answers PONG and closes the connection after the
  TTL; if the peer keeps sending PINGs it stays connected.
"""

import struct
import time

import pytest

from interop.helpers import requires_linux
from wire.zmtp import RawPeer, RawServer, command, ping

EVENT_DISCONNECTED = 0x0200
EVENT_HANDSHAKE_SUCCEEDED = 0x1000

TRANSPORTS = ["tcp", pytest.param("ipc", marks=requires_linux)]
BINDERS = [pytest.param(True, id="zmq-binds"), pytest.param(False, id="libzmq-binds")]


def _set_heartbeat(sock, ivl=50, timeout=200, ttl=500):
    sock.heartbeat_ivl = ivl
    sock.heartbeat_timeout = timeout
    sock.heartbeat_ttl = ttl


def _events(mon, quiet_ms=100, total=2.0):
    out = []
    deadline = time.monotonic() + total
    while time.monotonic() < deadline and mon.poll(quiet_ms):
        frames = mon.recv_multipart()
        out.append(struct.unpack("<HI", frames[0])[0])
    return out


def _timeouts(*socks, ms=3000):
    for s in socks:
        s.rcvtimeo = ms
        s.sndtimeo = ms


@pytest.mark.parametrize("hb_side", ["both", "zmq", "libzmq"])
@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("zmq_binds", BINDERS)
def test_heartbeats_keep_idle_link_alive(zmq, ctx, lctx, libzmq, endpoint, monitor_socket,
                                         hb_side, transport, zmq_binds):
    z = ctx.socket(zmq.PAIR)
    lib = lctx.socket(libzmq.PAIR)
    _timeouts(z, lib)
    if hb_side in ("both", "zmq"):
        _set_heartbeat(z)
    if hb_side in ("both", "libzmq"):
        _set_heartbeat(lib)
    mon = monitor_socket(lib)
    binder, connecter = (z, lib) if zmq_binds else (lib, z)
    binder.bind(endpoint(transport))
    connecter.connect(binder.last_endpoint.decode())

    z.send(b"one")
    assert lib.recv() == b"one"
    lib.send(b"two")
    assert z.recv() == b"two"
    time.sleep(0.8)  # idle for 4 heartbeat timeouts, 16 intervals
    lib.send(b"three")
    assert z.recv() == b"three"
    z.send(b"four")
    assert lib.recv() == b"four"

    events = _events(mon)
    assert events.count(EVENT_HANDSHAKE_SUCCEEDED) == 1, events
    assert EVENT_DISCONNECTED not in events, events


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_silent_raw_peer_is_dropped(zmq, ctx, lctx, libzmq, endpoint, transport):
    z = ctx.socket(zmq.PULL)
    _timeouts(z)
    _set_heartbeat(z, ivl=100, timeout=300, ttl=2000)
    z.bind(endpoint(transport))
    ep = z.last_endpoint.decode()
    good = lctx.socket(libzmq.PUSH)
    _timeouts(good)
    good.connect(ep)
    good.send(b"before")
    assert z.recv() == b"before"

    with RawPeer.connect(ep) as peer:
        peer.handshake("PUSH")
        name, data = peer.recv_command(timeout=3)
        assert name == b"PING"
        assert peer.wait_closed(timeout=5), "silent peer was never dropped"

    good.send(b"after")
    assert z.recv() == b"after"


def test_silent_raw_server_is_dropped_and_zmq_reconnects(zmq, ctx):
    with RawServer() as server:
        z = ctx.socket(zmq.PULL)
        _set_heartbeat(z, ivl=100, timeout=300, ttl=2000)
        z.connect(server.endpoint)
        with server.accept() as peer:
            peer.handshake("PUSH")
            name, _ = peer.recv_command(timeout=3)
            assert name == b"PING"
            assert peer.wait_closed(timeout=5), "silent server was never dropped"
        # a heartbeat timeout is a plain disconnection: the connecter comes back
        with server.accept(timeout=5) as again:
            again.handshake("PUSH")
            again.send_message(b"hello again")
            z.rcvtimeo = 3000
            assert z.recv() == b"hello again"


def test_raw_peer_answering_pings_stays_connected(zmq, ctx, endpoint):
    z = ctx.socket(zmq.PULL)
    _timeouts(z)
    _set_heartbeat(z, ivl=100, timeout=300, ttl=2000)
    z.bind(endpoint("tcp"))
    with RawPeer.connect(z.last_endpoint) as peer:
        peer.handshake("PUSH")
        pings = 0
        deadline = time.monotonic() + 1.2  # 4 timeouts
        while time.monotonic() < deadline:
            name, data = peer.recv_command(timeout=2)
            assert name == b"PING"
            pings += 1
            peer.send(command("PONG", data[2:]))
        assert pings >= 3
        peer.send_message(b"still", b"here")
        assert z.recv_multipart() == [b"still", b"here"]


def test_peer_ping_ttl_closes_silent_connection(zmq, ctx, endpoint):
    z = ctx.socket(zmq.PULL)  # no heartbeat options of its own
    _timeouts(z)
    z.bind(endpoint("tcp"))
    with RawPeer.connect(z.last_endpoint) as peer:
        peer.handshake("PUSH")
        peer.send(ping(ttl_ds=3, context=b"ttl"))
        name, data = peer.recv_command(timeout=3)
        assert (name, data) == (b"PONG", b"ttl")
        assert peer.wait_closed(timeout=5), "TTL from the peer's PING was ignored"


def test_peer_ping_ttl_renewed_by_traffic(zmq, ctx, endpoint):
    z = ctx.socket(zmq.PULL)
    _timeouts(z)
    z.bind(endpoint("tcp"))
    with RawPeer.connect(z.last_endpoint) as peer:
        peer.handshake("PUSH")
        deadline = time.monotonic() + 1.0  # > 3 TTLs
        while time.monotonic() < deadline:
            peer.send(ping(ttl_ds=3))
            name, _ = peer.recv_command(timeout=3)
            assert name == b"PONG"
            time.sleep(0.1)
        peer.send_message(b"alive")
        assert z.recv() == b"alive"
