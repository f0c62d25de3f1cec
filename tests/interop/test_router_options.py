"""REQ_CORRELATE, REQ_RELAXED, PROBE_ROUTER and ROUTER_HANDOVER between the zmq side
and libzmq 4.3.5 peers, over tcp and ipc, each side binding in turn.

Pinned here (the same as between two libzmq sockets):
- a correlating REQ's request reaches a ROUTER as [rid, 4-byte id, b"", body...];
  a REP echoes the id back; a reply with another id, or none, is dropped.
- a relaxed REQ may send twice; the reply to the second request comes back.
- a DEALER/REQ/ROUTER with PROBE_ROUTER makes its ROUTER peer receive [id, b""]
  before anything is sent; a ROUTER with it makes its DEALER peer receive b"".
- a zmq ROUTER with ROUTER_HANDOVER gives a libzmq newcomer's id to the newcomer;
  without it, the first peer keeps it.
"""

import struct
import time

import pytest

from api.helpers import make_socket_opts
from interop.helpers import BINDERS, IO_TIMEOUT_MS, TRANSPORTS

def _sock(module, context, type_name, **opts):
    return make_socket_opts(module, context, getattr(module, type_name), IO_TIMEOUT_MS,
                            **opts)


@pytest.fixture
def wire(zmq, libzmq, endpoint):
    """``wire(binder, connecter, transport)``: binds one, connects the other."""

    def connect(binder, connecter, transport):
        binder.bind(endpoint(transport))
        connecter.connect(binder.getsockopt(libzmq.LAST_ENDPOINT).decode())

    return connect


def _pair(zmq, libzmq, ctx, lctx, wire, transport, zmq_binds, zmq_spec, lib_spec):
    """(zmq-side socket, libzmq-side socket), wired; specs are (type, opts)."""
    zs = _sock(zmq, ctx, zmq_spec[0], **zmq_spec[1])
    ls = _sock(libzmq, lctx, lib_spec[0], **lib_spec[1])
    if zmq_binds:
        wire(zs, ls, transport)
    else:
        wire(ls, zs, transport)
    return zs, ls


def _wait_in(waiting, binder, timeout=5.0):
    """Waits for input on ``waiting``; ``binder`` reads its commands meanwhile
    (a bound socket takes a new connection only when called into)."""
    deadline = time.monotonic() + timeout
    while not waiting.poll(20):
        binder.poll(20)
        assert time.monotonic() < deadline, "no input in %.0f s" % timeout


def _other_id(reqid):
    (n,) = struct.unpack("=I", reqid)
    return struct.pack("=I", (n + 1000) & 0xFFFFFFFF)


# --- REQ_CORRELATE / REQ_RELAXED ---------------------------------------------

@pytest.mark.parametrize("zmq_binds", BINDERS)
@pytest.mark.parametrize("transport", TRANSPORTS)
def test_correlating_req_to_libzmq_router(zmq, libzmq, ctx, lctx, wire, transport,
                                         zmq_binds):
    req, router = _pair(zmq, libzmq, ctx, lctx, wire, transport, zmq_binds,
                        ("REQ", {"REQ_CORRELATE": 1}), ("ROUTER", {}))
    seen = []
    for i in range(3):
        req.send_multipart([b"q%d" % i, b"tail"])
        rid, reqid, empty, body, tail = router.recv_multipart()
        assert (len(reqid), empty, body, tail) == (4, b"", b"q%d" % i, b"tail")
        seen.append(reqid)
        router.send_multipart([rid, _other_id(reqid), b"", b"wrong"])
        router.send_multipart([rid, b"", b"no-id"])
        router.send_multipart([rid, reqid, b"", b"r%d" % i])
        assert req.recv_multipart() == [b"r%d" % i]
    assert len(set(seen)) == 3


@pytest.mark.parametrize("zmq_binds", BINDERS)
@pytest.mark.parametrize("transport", TRANSPORTS)
def test_libzmq_correlating_req_to_zmq_router(zmq, libzmq, ctx, lctx, wire, transport,
                                             zmq_binds):
    router, req = _pair(zmq, libzmq, ctx, lctx, wire, transport, zmq_binds,
                        ("ROUTER", {}), ("REQ", {"REQ_CORRELATE": 1, "REQ_RELAXED": 1}))
    req.send(b"a")
    rid, id_a, empty, body = router.recv_multipart()
    assert (len(id_a), empty, body) == (4, b"", b"a")
    req.send(b"b")
    rid2, id_b, empty, body = router.recv_multipart()
    assert (rid2, len(id_b), empty, body) == (rid, 4, b"", b"b")
    router.send_multipart([rid, id_a, b"", b"late"])
    router.send_multipart([rid, id_b, b"", b"right"])
    assert req.recv() == b"right"


@pytest.mark.parametrize("zmq_binds", BINDERS)
@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("zmq_is_req", [True, False], ids=["zmq-req", "zmq-rep"])
def test_correlating_relaxed_req_with_rep(zmq, libzmq, ctx, lctx, wire, transport,
                                         zmq_binds, zmq_is_req):
    opts = {"REQ_CORRELATE": 1, "REQ_RELAXED": 1}
    if zmq_is_req:
        req, rep = _pair(zmq, libzmq, ctx, lctx, wire, transport, zmq_binds,
                         ("REQ", opts), ("REP", {}))
    else:
        rep, req = _pair(zmq, libzmq, ctx, lctx, wire, transport, zmq_binds,
                         ("REP", {}), ("REQ", opts))
    req.send(b"a")
    req.send_multipart([b"b", b"b2"])       # relaxed: "a" is abandoned
    assert rep.recv() == b"a"
    rep.send(b"reply-a")                    # echoes a's id: dropped
    assert rep.recv_multipart() == [b"b", b"b2"]
    rep.send(b"reply-b")
    assert req.recv() == b"reply-b"
    for i in range(3):
        req.send(b"q%d" % i)
        assert rep.recv() == b"q%d" % i
        rep.send(b"r%d" % i)
        assert req.recv() == b"r%d" % i


@pytest.mark.parametrize("zmq_binds", BINDERS)
@pytest.mark.parametrize("transport", TRANSPORTS)
def test_relaxed_req_with_libzmq_rep(zmq, libzmq, ctx, lctx, wire, transport, zmq_binds):
    req, rep = _pair(zmq, libzmq, ctx, lctx, wire, transport, zmq_binds,
                     ("REQ", {"REQ_RELAXED": 1}), ("REP", {}))
    req.send(b"a")
    req.send(b"b")
    assert rep.recv() == b"a"
    rep.send(b"reply-a")
    assert rep.recv() == b"b"
    rep.send(b"reply-b")
    # No correlation: the late reply to "a" is taken (libzmq does the same).
    assert req.recv() == b"reply-a"


# --- PROBE_ROUTER -------------------------------------------------------------

@pytest.mark.parametrize("zmq_binds", BINDERS)
@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("prober_type", ["DEALER", "REQ", "ROUTER"])
def test_zmq_prober_to_libzmq_router(zmq, libzmq, ctx, lctx, wire, transport, zmq_binds,
                                     prober_type):
    prober, router = _pair(zmq, libzmq, ctx, lctx, wire, transport, zmq_binds,
                           (prober_type, {"PROBE_ROUTER": 1, "ROUTING_ID": b"zp"}),
                           ("ROUTER", {}))
    _wait_in(router, prober)
    assert router.recv_multipart() == [b"zp", b""]
    router.send_multipart([b"zp", b"", b"hello"])
    if prober_type == "REQ":
        return      # a REQ that sent no request takes no reply
    parts = prober.recv_multipart()
    assert parts[-2:] == [b"", b"hello"]


@pytest.mark.parametrize("zmq_binds", BINDERS)
@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("prober_type", ["DEALER", "REQ", "ROUTER"])
def test_libzmq_prober_to_zmq_router(zmq, libzmq, ctx, lctx, wire, transport, zmq_binds,
                                     prober_type):
    router, prober = _pair(zmq, libzmq, ctx, lctx, wire, transport, zmq_binds,
                           ("ROUTER", {}),
                           (prober_type, {"PROBE_ROUTER": 1, "ROUTING_ID": b"lp"}))
    _wait_in(router, prober)
    assert router.recv_multipart() == [b"lp", b""]
    router.send_multipart([b"lp", b"", b"hello"])
    if prober_type != "REQ":
        assert prober.recv_multipart()[-2:] == [b"", b"hello"]


@pytest.mark.parametrize("zmq_binds", BINDERS)
@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("zmq_probes", [True, False], ids=["zmq-router", "libzmq-router"])
def test_router_probe_reaches_dealer(zmq, libzmq, ctx, lctx, wire, transport, zmq_binds,
                                     zmq_probes):
    if zmq_probes:
        prober, dealer = _pair(zmq, libzmq, ctx, lctx, wire, transport, zmq_binds,
                               ("ROUTER", {"PROBE_ROUTER": 1}), ("DEALER", {}))
    else:
        dealer, prober = _pair(zmq, libzmq, ctx, lctx, wire, transport, zmq_binds,
                               ("DEALER", {}), ("ROUTER", {"PROBE_ROUTER": 1}))
    _wait_in(dealer, prober)
    assert dealer.recv_multipart() == [b""]
    dealer.send(b"back")
    rid, body = prober.recv_multipart()
    assert body == b"back"


# --- ROUTER_HANDOVER ----------------------------------------------------------

@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("handover", [True, False], ids=["handover", "no-handover"])
def test_zmq_router_handover_libzmq_dealers(zmq, libzmq, ctx, lctx, endpoint, transport,
                                           handover):
    router = _sock(zmq, ctx, "ROUTER", ROUTER_HANDOVER=int(handover))
    router.bind(endpoint(transport))
    ep = router.getsockopt(zmq.LAST_ENDPOINT).decode()
    d1 = _sock(libzmq, lctx, "DEALER", ROUTING_ID=b"X")
    d1.connect(ep)
    d1.send(b"one")
    assert router.recv_multipart() == [b"X", b"one"]
    d2 = _sock(libzmq, lctx, "DEALER", ROUTING_ID=b"X")
    d2.connect(ep)
    d2.send(b"two")
    if handover:
        assert router.recv_multipart() == [b"X", b"two"]
        router.send_multipart([b"X", b"to-new"])
        assert d2.recv() == b"to-new"
        d1.send(b"lost")        # d1's connection is kept, but not read
        router.send_multipart([b"X", b"again"])
        assert d2.recv() == b"again"
    else:
        d1.send(b"three")
        assert router.recv_multipart() == [b"X", b"three"]
        router.send_multipart([b"X", b"to-old"])
        assert d1.recv() == b"to-old"
