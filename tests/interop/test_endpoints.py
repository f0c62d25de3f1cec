"""Endpoint forms and connection life-cycle, zmq side <-> libzmq, pinned on libzmq 4.3.5.

Pinned here (action -> observable result):
- bind "tcp://*:*" or "tcp://*:<port>" -> LAST_ENDPOINT "tcp://0.0.0.0:<port>"; a peer
  connecting to 127.0.0.1:<port> is served.
- bind "tcp://127.0.0.1:0" picks a port like "*" does.
- bind_to_random_port("tcp://127.0.0.1") -> the OS-chosen int port and LAST_ENDPOINT
  "tcp://127.0.0.1:<port>"; with min_port/max_port, a port in [min, max).
- IPv6: with IPV6=1, bind "tcp://[::1]:*" -> LAST_ENDPOINT "tcp://[::1]:<port>", and
  traffic flows both ways to a libzmq peer; without IPV6, binding "[::1]" raises
  ZMQError(ENODEV). (Skipped if the host has no ::1.)
- connect "tcp://127.0.0.1:0;127.0.0.1:<port>" (source-address form) works and
  LAST_ENDPOINT is that whole string; "tcp://127.0.0.1:<src>;127.0.0.1:<port>" makes
  the connection come from port <src>.
- ipc: LAST_ENDPOINT is "ipc://<path>" as bound; abstract "ipc://@name" works both
  ways; a path left behind by a closed socket can be bound again (libzmq leaves the
  file in place on close and replaces it on bind).
- the libzmq peer closed and re-created five times at one endpoint: every time,
  traffic resumes both ways.
- incompatible socket types (PUSH-PAIR, PULL-PULL, ...) never deliver anything; the
  libzmq side sees the connection dropped (DISCONNECTED) without HANDSHAKE_SUCCEEDED;
  a binding zmq socket then still serves a compatible peer.
"""

import errno
import os
import socket
import struct
import time

import pytest

from interop.helpers import (IO_TIMEOUT_MS, Link, Scenario, free_tcp_port,
                             requires_linux)
from wire.zmtp import RawServer

EVENT_CONNECTED = 0x0001
EVENT_DISCONNECTED = 0x0200
EVENT_HANDSHAKE_SUCCEEDED = 0x1000


def _timeouts(*socks):
    for s in socks:
        s.rcvtimeo = IO_TIMEOUT_MS
        s.sndtimeo = IO_TIMEOUT_MS


def _ping_pong(a, b, tag=b""):
    """a -> b and b -> a over PAIR sockets."""
    a.send(b"a->b" + tag)
    assert b.recv() == b"a->b" + tag
    b.send_multipart([b"b->a", tag])
    assert a.recv_multipart() == [b"b->a", tag]


def _has_ipv6_loopback():
    if not socket.has_ipv6:
        return False
    try:
        s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    except OSError:
        return False
    try:
        s.bind(("::1", 0))
        return True
    except OSError:
        return False
    finally:
        s.close()


requires_ipv6 = pytest.mark.skipif(not _has_ipv6_loopback(),
                                   reason="host has no IPv6 loopback")


@requires_ipv6
@pytest.mark.parametrize("zmq_binds", [True, False], ids=["zmq-binds", "libzmq-binds"])
def test_ipv6_loopback(zmq, ctx, lctx, libzmq, zmq_binds):
    z = ctx.socket(zmq.PAIR)
    lib = lctx.socket(libzmq.PAIR)
    _timeouts(z, lib)
    z.ipv6 = 1
    lib.ipv6 = 1
    binder, connecter = (z, lib) if zmq_binds else (lib, z)
    binder.bind("tcp://[::1]:*")
    ep = binder.last_endpoint.decode()
    assert ep.startswith("tcp://[::1]:"), ep
    assert int(ep.rsplit(":", 1)[1]) > 0
    connecter.connect(ep)
    _ping_pong(z, lib)


@requires_ipv6
def test_ipv6_bind_without_ipv6_option_is_enodev(zmq, ctx):
    z = ctx.socket(zmq.PAIR)
    with pytest.raises(zmq.ZMQError) as info:
        z.bind("tcp://[::1]:*")
    assert info.value.errno == errno.ENODEV


@pytest.mark.parametrize("form", ["star-star", "star-port"])
@pytest.mark.parametrize("zmq_binds", [True, False], ids=["zmq-binds", "libzmq-binds"])
def test_tcp_wildcard_bind(zmq, ctx, lctx, libzmq, zmq_binds, form):
    z = ctx.socket(zmq.PAIR)
    lib = lctx.socket(libzmq.PAIR)
    _timeouts(z, lib)
    binder, connecter = (z, lib) if zmq_binds else (lib, z)
    if form == "star-star":
        binder.bind("tcp://*:*")
        port = int(binder.last_endpoint.decode().rsplit(":", 1)[1])
    else:
        port = free_tcp_port()
        binder.bind("tcp://*:%d" % port)
    assert binder.last_endpoint.decode() == "tcp://0.0.0.0:%d" % port
    connecter.connect("tcp://127.0.0.1:%d" % port)
    _ping_pong(z, lib)


def test_tcp_port_zero_means_any(zmq, ctx, lctx, libzmq):
    z = ctx.socket(zmq.PAIR)
    lib = lctx.socket(libzmq.PAIR)
    _timeouts(z, lib)
    z.bind("tcp://127.0.0.1:0")
    ep = z.last_endpoint.decode()
    host, port = ep[len("tcp://"):].rsplit(":", 1)
    assert host == "127.0.0.1" and int(port) > 0
    lib.connect(ep)
    _ping_pong(z, lib)


def test_bind_to_random_port(zmq, ctx, lctx, libzmq):
    z = ctx.socket(zmq.PAIR)
    lib = lctx.socket(libzmq.PAIR)
    _timeouts(z, lib)
    # Default range: pyzmq binds "addr:*" and lets the OS choose (any port).
    port = z.bind_to_random_port("tcp://127.0.0.1")
    assert isinstance(port, int) and 0 < port < 65536
    assert z.last_endpoint.decode() == "tcp://127.0.0.1:%d" % port
    lib.connect("tcp://127.0.0.1:%d" % port)
    _ping_pong(z, lib)
    # Explicit range: a port inside it.
    z2 = ctx.socket(zmq.PAIR)
    lib2 = lctx.socket(libzmq.PAIR)
    _timeouts(z2, lib2)
    port2 = z2.bind_to_random_port("tcp://127.0.0.1", min_port=40000, max_port=40200,
                                   max_tries=200)
    assert 40000 <= port2 < 40200
    lib2.connect("tcp://127.0.0.1:%d" % port2)
    _ping_pong(z2, lib2)


def test_source_address_form_any_port(zmq, ctx, lctx, libzmq):
    z = ctx.socket(zmq.PAIR)
    lib = lctx.socket(libzmq.PAIR)
    _timeouts(z, lib)
    lib.bind("tcp://127.0.0.1:*")
    target = lib.last_endpoint.decode()[len("tcp://"):]
    ep = "tcp://127.0.0.1:0;%s" % target
    z.connect(ep)
    assert z.last_endpoint.decode() == ep
    _ping_pong(z, lib)


def test_source_address_form_fixed_port(zmq, ctx):
    """The connection to a raw listener comes from the source port we asked for."""
    with RawServer() as server:
        z = ctx.socket(zmq.PAIR)
        target = server.endpoint[len("tcp://"):]
        for attempt in range(5):
            src = free_tcp_port()
            z.connect("tcp://127.0.0.1:%d;%s" % (src, target))
            try:
                peer = server.accept(timeout=3)
            except socket.timeout:
                # the port we picked was taken meanwhile; try another one
                z.disconnect("tcp://127.0.0.1:%d;%s" % (src, target))
                continue
            try:
                assert server.last_peer_address == ("127.0.0.1", src)
            finally:
                peer.close(reset=True)
            break
        else:
            pytest.fail("could not connect from a chosen source port in 5 attempts")


@requires_linux
def test_ipc_last_endpoint_and_traffic(zmq, ctx, lctx, libzmq, endpoint):
    ep = endpoint("ipc")
    z = ctx.socket(zmq.PAIR)
    lib = lctx.socket(libzmq.PAIR)
    _timeouts(z, lib)
    z.bind(ep)
    assert z.last_endpoint.decode() == ep
    lib.connect(ep)
    _ping_pong(z, lib)


@requires_linux
@pytest.mark.parametrize("zmq_binds", [True, False], ids=["zmq-binds", "libzmq-binds"])
def test_ipc_abstract_namespace(zmq, ctx, lctx, libzmq, endpoint, zmq_binds):
    ep = endpoint("ipc-abstract")
    z = ctx.socket(zmq.PAIR)
    lib = lctx.socket(libzmq.PAIR)
    _timeouts(z, lib)
    binder, connecter = (z, lib) if zmq_binds else (lib, z)
    binder.bind(ep)
    assert binder.last_endpoint.decode() == ep
    connecter.connect(ep)
    _ping_pong(z, lib)


@requires_linux
def test_ipc_path_left_by_closed_socket_can_be_bound_again(zmq, ctx, lctx, libzmq,
                                                           endpoint):
    ep = endpoint("ipc")
    first = ctx.socket(zmq.PAIR)
    first.bind(ep)
    first.close(linger=0)
    second = ctx.socket(zmq.PAIR)
    deadline = time.monotonic() + 3
    while True:
        try:
            second.bind(ep)
            break
        except zmq.ZMQError as exc:  # the first one may still be closing
            if exc.errno != errno.EADDRINUSE or time.monotonic() > deadline:
                raise
            time.sleep(0.02)
    # Whatever cleanup the first socket does after close() must not remove the path
    # that now belongs to the second one.
    time.sleep(0.3)
    assert os.path.exists(ep[len("ipc://"):]), \
        "the ipc path bound by the second socket has disappeared"
    lib = lctx.socket(libzmq.PAIR)
    _timeouts(second, lib)
    lib.connect(ep)
    _ping_pong(second, lib)


@pytest.mark.parametrize("transport", ["tcp", pytest.param("ipc", marks=requires_linux)])
@pytest.mark.parametrize("zmq_binds", [True, False], ids=["zmq-binds", "libzmq-binds"])
def test_libzmq_peer_recreated_five_times(zmq, ctx, lctx, endpoint, transport, zmq_binds):
    link = Link(zmq, ctx, lctx, Scenario("PAIR", "PAIR"), zmq_binds)
    link.open(endpoint(transport))
    for round_ in range(6):
        if round_:
            link.recreate_lib()
        for ch in link.channels():
            ch.prime()
            msgs = [[b"r%d-%d" % (round_, i)] for i in range(10)]
            assert ch.transfer(msgs) == msgs


# (zmq-side type, libzmq-side type): never compatible (RFC 37 / libzmq).
INCOMPATIBLE = [
    ("PUSH", "PAIR"),
    ("PAIR", "PUSH"),
    ("PULL", "PAIR"),
    ("PAIR", "PULL"),
    ("PUSH", "PUSH"),
    ("PULL", "PULL"),
    ("PAIR", "DEALER"),
    ("PUB", "PULL"),
    ("PUSH", "SUB"),
    ("REQ", "REQ"),
    ("ROUTER", "PAIR"),
]
SENDING = {"PAIR", "PUSH", "DEALER", "PUB", "REQ"}


def _lib_events(mon, until, timeout=3.0):
    """Raw (event, value) pairs until ``until`` is seen (or timeout)."""
    out = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not mon.poll(50):
            continue
        frames = mon.recv_multipart()
        event, value = struct.unpack("<HI", frames[0])
        out.append(event)
        if event == until:
            break
    return out


# every pair over tcp, one representative over ipc
_INCOMPATIBLE_PARAMS = [
    pytest.param(t, "tcp", id="-".join(t) + "-tcp") for t in INCOMPATIBLE
] + [pytest.param(("PUSH", "PAIR"), "ipc", id="PUSH-PAIR-ipc", marks=requires_linux)]


@pytest.mark.parametrize("zmq_binds", [True, False], ids=["zmq-binds", "libzmq-binds"])
@pytest.mark.parametrize("types,transport", _INCOMPATIBLE_PARAMS)
def test_incompatible_socket_types_never_deliver(zmq, ctx, lctx, libzmq, endpoint,
                                                  monitor_socket, require_socket_types,
                                                  types, zmq_binds, transport):
    ztype, ltype = types
    require_socket_types(ztype)
    z = ctx.socket(getattr(zmq, ztype))
    lib = lctx.socket(getattr(libzmq, ltype))
    if ltype == "SUB":
        lib.setsockopt(libzmq.SUBSCRIBE, b"")
    _timeouts(z, lib)
    mon = monitor_socket(lib)
    binder, connecter = (z, lib) if zmq_binds else (lib, z)
    binder.bind(endpoint(transport))
    connecter.connect(binder.last_endpoint.decode())

    events = _lib_events(mon, until=EVENT_DISCONNECTED)
    assert EVENT_DISCONNECTED in events, "libzmq never dropped the connection: %r" % events
    assert EVENT_HANDSHAKE_SUCCEEDED not in events

    for sock, name in ((z, ztype), (lib, ltype)):
        if name in SENDING:
            for i in range(1 if name == "REQ" else 3):
                try:
                    sock.send(b"must-not-arrive-%d" % i, libzmq.NOBLOCK)
                except Exception as exc:  # Again: no usable peer
                    assert getattr(exc, "errno", None) == errno.EAGAIN
    assert not z.poll(300), "zmq side received a message from an incompatible peer"
    assert not lib.poll(0), "libzmq side received a message from an incompatible peer"

    if zmq_binds and ztype in ("PUSH", "PULL", "PAIR"):
        # The binding zmq socket still serves a compatible peer afterwards.
        peer_type = {"PUSH": "PULL", "PULL": "PUSH", "PAIR": "PAIR"}[ztype]
        good = lctx.socket(getattr(libzmq, peer_type))
        _timeouts(good)
        good.connect(z.last_endpoint.decode())
        src, dst = (z, good) if ztype != "PULL" else (good, z)
        src.send(b"compatible")
        assert dst.recv() == b"compatible"
    # Close the zmq socket while its libzmq peer still exists. (Under
    # ZMQCORE_TEST_IMPL=zmq, a libzmq connecter whose handshake was refused, holding
    # queued messages, occasionally made the later Context.destroy(linger=0) hang
    # when its peer's context had been destroyed first -- a libzmq bug, cf.
    # libzmq#2586; closing first avoided it in 195 runs.)
    z.close(linger=0)
