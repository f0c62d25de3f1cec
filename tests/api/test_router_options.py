"""REQ_RELAXED, REQ_CORRELATE, ROUTER_HANDOVER, PROBE_ROUTER, ROUTER_MANDATORY,
over inproc and tcp, pinned against pyzmq 27.3 / libzmq 4.3.5.

pyzmq behaviour pinned here:
- Which socket types take which option (the rest: EINVAL): REQ_CORRELATE and
  REQ_RELAXED on REQ only; PROBE_ROUTER on ROUTER, DEALER, REQ and REP;
  ROUTER_HANDOVER and ROUTER_MANDATORY on ROUTER and REP (libzmq's REP is a
  ROUTER inside).  Any int >= 0 is accepted (2 is "on"), -1 is EINVAL.  All are
  write-only: getsockopt raises EINVAL.  ROUTER_NOTIFY is a draft option that
  pyzmq's libzmq is built without: EINVAL.
- REQ_RELAXED: a REQ may send again while a reply is due; a recv before the
  first send is still EFSM; POLLOUT stays on while the reply is due.  Starting
  a request throws away whatever has already arrived (also without RELAXED).
  Without CORRELATE, a late reply to the abandoned request is taken as the
  reply when it comes by the pipe the new request took; replies on other pipes
  are dropped.  After a failed (EAGAIN) relaxed send the REQ waits for no reply
  any more: recv is EFSM.
- REQ_CORRELATE: every request is [id, b"", body...] on the wire, id a 4-byte
  counter in host byte order, +1 per request; a reply whose first frame is not
  the current id (or has no id) is dropped.
- ROUTER_HANDOVER: a newcomer with a routing id in use takes it; the old peer
  gets nothing more, and a message half-read from it is read to its end first.
  Without it the newcomer is ignored.
- PROBE_ROUTER: a DEALER, REQ, REP or ROUTER with it sends an empty message on
  each new connection first, so a ROUTER peer learns the id at once.
- ROUTER_MANDATORY: EHOSTUNREACH for unknown ids, EAGAIN at the HWM (the whole
  message is refused: the next part sent is a new routing id).
- A ROUTER that connects over inproc before its ROUTER binder exists knows the
  binder by the binder's ROUTING_ID once it binds.
"""

import struct
import time

import pytest

from api.helpers import make_socket_opts, transport_binder

TIMEOUT_MS = 5000


def _make(zmq, ctx, t, **opts):
    return make_socket_opts(zmq, ctx, t, TIMEOUT_MS, **opts)


@pytest.fixture(params=["inproc", "tcp"])
def transport(request):
    return request.param


@pytest.fixture
def endpoint_of(zmq, transport, inproc):
    """``endpoint_of(binder)`` binds ``binder`` and returns the endpoint to connect to."""
    return transport_binder(zmq, transport, inproc)


def _wait_in(waiting, binder, timeout=5.0):
    """Waits until ``waiting`` has input, letting ``binder`` read its commands
    meanwhile: a bound socket takes a new connection's pipe (and sends its
    probe) only when the application calls into it, in libzmq as here."""
    deadline = time.monotonic() + timeout
    while not waiting.poll(20):
        binder.poll(20)
        assert time.monotonic() < deadline, "no input in %.0f s" % timeout


def _expect_errno(zmq, errno_value, fn, *args):
    with pytest.raises(zmq.ZMQError) as e:
        fn(*args)
    assert e.value.errno == errno_value


# --- option table -----------------------------------------------------------

OPTION_TYPES = {
    "REQ_CORRELATE": {"REQ"},
    "REQ_RELAXED": {"REQ"},
    "PROBE_ROUTER": {"ROUTER", "DEALER", "REQ", "REP"},
    "ROUTER_HANDOVER": {"ROUTER", "REP"},
    "ROUTER_MANDATORY": {"ROUTER", "REP"},
}


@pytest.mark.parametrize("type_name", ["ROUTER", "DEALER", "REQ", "REP", "PUSH", "PULL", "PAIR"])
@pytest.mark.parametrize("option", sorted(OPTION_TYPES))
def test_option_table(zmq, ctx, type_name, option):
    s = ctx.socket(getattr(zmq, type_name))
    opt = getattr(zmq, option)
    if type_name in OPTION_TYPES[option]:
        for v in (1, 0, 2, 0x7FFFFFFF):
            s.setsockopt(opt, v)
    else:
        for v in (0, 1):
            _expect_errno(zmq, zmq.EINVAL, s.setsockopt, opt, v)
    _expect_errno(zmq, zmq.EINVAL, s.setsockopt, opt, -1)
    _expect_errno(zmq, zmq.EINVAL, s.getsockopt, opt)
    s.close()


def test_router_notify_is_draft_only(zmq, ctx):
    s = ctx.socket(zmq.ROUTER)
    _expect_errno(zmq, zmq.EINVAL, s.setsockopt, zmq.ROUTER_NOTIFY, 3)
    _expect_errno(zmq, zmq.EINVAL, s.getsockopt, zmq.ROUTER_NOTIFY)


# --- REQ_RELAXED ------------------------------------------------------------

def test_relaxed_state_machine(zmq, ctx, endpoint_of):
    rep = _make(zmq, ctx, zmq.REP)
    req = _make(zmq, ctx, zmq.REQ, REQ_RELAXED=1)
    # Still no reply to wait for before the first request.
    _expect_errno(zmq, zmq.EFSM, req.recv)
    req.connect(endpoint_of(rep))
    assert req.poll(TIMEOUT_MS, zmq.POLLOUT)
    req.send(b"a")
    # Relaxed: POLLOUT stays on while the reply is due, and sending is allowed.
    assert req.getsockopt(zmq.EVENTS) & zmq.POLLOUT
    req.send(b"b")
    assert rep.recv() == b"a"
    rep.send(b"reply-a")
    assert rep.recv() == b"b"
    rep.send(b"reply-b")
    # Without REQ_CORRELATE, the late reply to "a" came by the pipe "b" took:
    # it is taken as the reply (libzmq documents this mismatch).
    assert req.recv() == b"reply-a"
    _expect_errno(zmq, zmq.EFSM, req.recv)


def test_strict_req_still_refuses(zmq, ctx, endpoint_of):
    rep = _make(zmq, ctx, zmq.REP)
    req = _make(zmq, ctx, zmq.REQ, REQ_RELAXED=0)
    req.connect(endpoint_of(rep))
    req.send(b"a")
    assert not req.getsockopt(zmq.EVENTS) & zmq.POLLOUT
    _expect_errno(zmq, zmq.EFSM, req.send, b"b")


def test_relaxed_correlate_drops_late_reply(zmq, ctx, endpoint_of):
    router = _make(zmq, ctx, zmq.ROUTER)
    req = _make(zmq, ctx, zmq.REQ, REQ_RELAXED=1, REQ_CORRELATE=1)
    req.connect(endpoint_of(router))
    req.send(b"a")
    rid, id_a, empty, body = router.recv_multipart()
    assert (len(id_a), empty, body) == (4, b"", b"a")
    req.send_multipart([b"b", b"b2"])
    rid2, id_b, empty, body, body2 = router.recv_multipart()
    assert (rid2, empty, body, body2) == (rid, b"", b"b", b"b2")
    # A counter in host byte order, one up per request.
    (na,), (nb,) = struct.unpack("=I", id_a), struct.unpack("=I", id_b)
    assert nb == (na + 1) & 0xFFFFFFFF
    router.send_multipart([rid, id_a, b"", b"late"])
    router.send_multipart([rid, id_b, b"", b"right"])
    assert req.recv_multipart() == [b"right"]
    _expect_errno(zmq, zmq.EFSM, req.recv)


def test_new_request_drops_what_arrived(zmq, ctx, endpoint_of):
    """A reply already there when a request starts is thrown away."""
    router = _make(zmq, ctx, zmq.ROUTER)
    req = _make(zmq, ctx, zmq.REQ, REQ_RELAXED=1)
    req.connect(endpoint_of(router))
    req.send(b"a")
    rid, empty, body = router.recv_multipart()
    router.send_multipart([rid, b"", b"reply-a"])
    assert req.poll(TIMEOUT_MS)     # the reply to "a" is here, unread
    req.send(b"b")                  # ... and dropped by the new request
    assert router.recv_multipart() == [rid, b"", b"b"]
    router.send_multipart([rid, b"", b"reply-b"])
    assert req.recv() == b"reply-b"


def test_strict_new_request_drops_extra_replies(zmq, ctx, inproc):
    """Also in strict mode: a second reply (a ROUTER may send one) that is
    there when the next request starts is never shown.  Inproc: the extra
    reply is in the pipe as soon as the ROUTER's send returns."""
    ep = inproc()
    router = _make(zmq, ctx, zmq.ROUTER)
    router.bind(ep)
    req = _make(zmq, ctx, zmq.REQ)
    req.connect(ep)
    req.send(b"a")
    rid, empty, body = router.recv_multipart()
    router.send_multipart([rid, b"", b"reply-1"])
    router.send_multipart([rid, b"", b"reply-2"])
    assert req.recv() == b"reply-1"
    req.send(b"b")
    assert router.recv_multipart() == [rid, b"", b"b"]
    router.send_multipart([rid, b"", b"reply-b"])
    assert req.recv() == b"reply-b"


def test_relaxed_reply_from_other_peer_dropped(zmq, ctx, endpoint_of):
    rep1 = _make(zmq, ctx, zmq.REP)
    rep2 = _make(zmq, ctx, zmq.REP)
    ep1, ep2 = endpoint_of(rep1), endpoint_of(rep2)
    req = _make(zmq, ctx, zmq.REQ, REQ_RELAXED=1)
    # Connected pipes exist from connect() on: requests alternate 1, 2.
    req.connect(ep1)
    req.connect(ep2)
    req.send(b"a")
    req.send(b"b")
    assert rep1.recv() == b"a"
    assert rep2.recv() == b"b"
    rep1.send(b"reply-a")       # on the old request's pipe: dropped
    rep2.send(b"reply-b")
    assert req.recv() == b"reply-b"


def test_relaxed_send_mid_reply(zmq, ctx, endpoint_of):
    router = _make(zmq, ctx, zmq.ROUTER)
    req = _make(zmq, ctx, zmq.REQ, REQ_RELAXED=1)
    req.connect(endpoint_of(router))
    req.send(b"a")
    rid, _, _ = router.recv_multipart()
    router.send_multipart([rid, b"", b"p1", b"p2"])
    assert req.recv() == b"p1"
    assert req.rcvmore
    req.send(b"b")              # the rest of the reply goes
    assert router.recv_multipart() == [rid, b"", b"b"]
    router.send_multipart([rid, b"", b"reply-b"])
    assert req.recv_multipart() == [b"reply-b"]


def test_relaxed_failed_send_resets_state(zmq, ctx):
    req = _make(zmq, ctx, zmq.REQ, REQ_RELAXED=1)
    rep = _make(zmq, ctx, zmq.REP)
    rep.bind("tcp://127.0.0.1:*")
    req.connect(rep.getsockopt(zmq.LAST_ENDPOINT).decode())
    req.send(b"a")
    req.disconnect(rep.getsockopt(zmq.LAST_ENDPOINT).decode())
    _expect_errno(zmq, zmq.EAGAIN, req.send, b"b", zmq.DONTWAIT)
    # The reply to "a" is no longer awaited.
    _expect_errno(zmq, zmq.EFSM, req.recv)


# --- REQ_CORRELATE ----------------------------------------------------------

def test_correlate_with_rep(zmq, ctx, endpoint_of):
    rep = _make(zmq, ctx, zmq.REP)
    req = _make(zmq, ctx, zmq.REQ, REQ_CORRELATE=1)
    req.connect(endpoint_of(rep))
    for i in range(3):
        req.send_multipart([b"q%d" % i, b"more"])
        assert rep.recv_multipart() == [b"q%d" % i, b"more"]
        rep.send(b"r%d" % i)
        assert req.recv() == b"r%d" % i


def test_correlate_drops_wrong_ids(zmq, ctx, transport, endpoint_of):
    router = _make(zmq, ctx, zmq.ROUTER)
    req = _make(zmq, ctx, zmq.REQ, REQ_CORRELATE=1)
    req.connect(endpoint_of(router))
    req.send(b"q")
    rid, reqid, empty, body = router.recv_multipart()
    assert (len(reqid), empty, body) == (4, b"", b"q")
    (n,) = struct.unpack("=I", reqid)
    wrong = struct.pack("=I", (n + 7) & 0xFFFFFFFF)
    router.send_multipart([rid, wrong, b"", b"wrong-id"])
    router.send_multipart([rid, b"", b"no-id"])
    if transport == "inproc":
        # (Over tcp this breaks the REQ's connection, as a reply without
        # its delimiter does: see test_reqrep.py.)
        router.send_multipart([rid, reqid, b"x", b"no-delimiter"])
    router.send_multipart([rid, reqid, b"", b"right", b"tail"])
    assert req.recv_multipart() == [b"right", b"tail"]


def test_reply_with_id_to_plain_req_dropped(zmq, ctx, endpoint_of):
    router = _make(zmq, ctx, zmq.ROUTER)
    req = _make(zmq, ctx, zmq.REQ)
    req.connect(endpoint_of(router))
    req.send(b"q")
    rid, empty, body = router.recv_multipart()
    router.send_multipart([rid, b"abcd", b"", b"with-id"])
    router.send_multipart([rid, b"", b"plain"])
    assert req.recv() == b"plain"


def test_correlate_relaxed_many_requests(zmq, ctx, endpoint_of):
    router = _make(zmq, ctx, zmq.ROUTER)
    req = _make(zmq, ctx, zmq.REQ, REQ_CORRELATE=1, REQ_RELAXED=1)
    req.connect(endpoint_of(router))
    ids = []
    for i in range(5):
        req.send(b"q%d" % i)
        rid, reqid, empty, body = router.recv_multipart()
        assert body == b"q%d" % i
        ids.append(reqid)
    assert len(set(ids)) == 5
    for i, reqid in enumerate(ids):     # replies to all; only the last counts
        router.send_multipart([rid, reqid, b"", b"r%d" % i])
    assert req.recv() == b"r4"


# --- ROUTER_HANDOVER ----------------------------------------------------------

def test_handover(zmq, ctx, endpoint_of):
    router = _make(zmq, ctx, zmq.ROUTER, ROUTER_HANDOVER=1)
    ep = endpoint_of(router)
    d1 = _make(zmq, ctx, zmq.DEALER, ROUTING_ID=b"X")
    d1.connect(ep)
    d1.send(b"one")
    assert router.recv_multipart() == [b"X", b"one"]
    d2 = _make(zmq, ctx, zmq.DEALER, ROUTING_ID=b"X")
    d2.connect(ep)
    d2.send(b"two")
    # d2 is known (and has taken the id) once its message is read.
    assert router.recv_multipart() == [b"X", b"two"]
    router.send_multipart([b"X", b"to-new"])
    assert d2.recv() == b"to-new"
    router.setsockopt(zmq.ROUTER_MANDATORY, 1)
    router.send_multipart([b"X", b"again"])
    assert d2.recv() == b"again"
    assert not d1.poll(100)


def test_no_handover_ignores_newcomer(zmq, ctx, endpoint_of):
    router = _make(zmq, ctx, zmq.ROUTER)
    ep = endpoint_of(router)
    d1 = _make(zmq, ctx, zmq.DEALER, ROUTING_ID=b"X")
    d1.connect(ep)
    d1.send(b"one")
    assert router.recv_multipart() == [b"X", b"one"]
    d2 = _make(zmq, ctx, zmq.DEALER, ROUTING_ID=b"X")
    d2.connect(ep)
    d2.send(b"two")
    d1.send(b"three")
    assert router.recv_multipart() == [b"X", b"three"]
    router.send_multipart([b"X", b"to-old"])
    assert d1.recv() == b"to-old"


def test_handover_after_message_under_way(zmq, ctx, inproc):
    """The old peer goes only after the message being read from it is read
    (inproc: the newcomer is attached by the EVENTS call)."""
    ep = inproc()
    router = _make(zmq, ctx, zmq.ROUTER, ROUTER_HANDOVER=1)
    router.bind(ep)
    d1 = _make(zmq, ctx, zmq.DEALER, ROUTING_ID=b"X")
    d1.connect(ep)
    d1.send_multipart([b"a", b"b", b"c"])
    assert router.recv() == b"X"
    assert router.recv() == b"a"
    d2 = _make(zmq, ctx, zmq.DEALER, ROUTING_ID=b"X")
    d2.connect(ep)
    d2.send(b"two")
    router.getsockopt(zmq.EVENTS)       # reads commands: d2 takes the id
    assert router.recv() == b"b"
    assert router.recv() == b"c"
    assert not router.rcvmore
    assert router.recv_multipart() == [b"X", b"two"]
    router.send_multipart([b"X", b"to-new"])
    assert d2.recv() == b"to-new"


# --- PROBE_ROUTER -------------------------------------------------------------

@pytest.mark.parametrize("prober_binds", [False, True], ids=["prober-connects", "prober-binds"])
@pytest.mark.parametrize("prober_type", ["DEALER", "REQ", "ROUTER"])
def test_probe_router(zmq, ctx, endpoint_of, prober_type, prober_binds):
    router = _make(zmq, ctx, zmq.ROUTER)
    prober = _make(zmq, ctx, getattr(zmq, prober_type), PROBE_ROUTER=1, ROUTING_ID=b"P")
    if prober_binds:
        router.connect(endpoint_of(prober))
        _wait_in(router, prober)
    else:
        prober.connect(endpoint_of(router))
    # The ROUTER hears from the prober without the prober sending anything.
    assert router.recv_multipart() == [b"P", b""]
    router.send_multipart([b"P", b"", b"hello"])
    if prober_type == "ROUTER":
        rid, empty, body = prober.recv_multipart()
        assert (empty, body) == (b"", b"hello")
    elif prober_type == "DEALER":
        assert prober.recv_multipart() == [b"", b"hello"]


@pytest.mark.parametrize("prober_type", ["ROUTER", "REP"])
def test_probe_from_router_to_dealer(zmq, ctx, endpoint_of, prober_type):
    prober = _make(zmq, ctx, getattr(zmq, prober_type), PROBE_ROUTER=1)
    dealer = _make(zmq, ctx, zmq.DEALER)
    dealer.connect(endpoint_of(prober))
    _wait_in(dealer, prober)
    assert dealer.recv_multipart() == [b""]


def test_probe_each_connection(zmq, ctx, endpoint_of):
    router = _make(zmq, ctx, zmq.ROUTER)
    ep = endpoint_of(router)
    dealer = _make(zmq, ctx, zmq.DEALER, PROBE_ROUTER=1)
    r2 = _make(zmq, ctx, zmq.ROUTER)
    ep2 = endpoint_of(r2)
    dealer.connect(ep)
    dealer.connect(ep2)
    rid, empty = router.recv_multipart()
    assert empty == b"" and len(rid) == 5 and rid[0] == 0
    rid2, empty = r2.recv_multipart()
    assert empty == b"" and len(rid2) == 5 and rid2[0] == 0
    # Only one probe per connection.
    dealer.send(b"m")
    dealer.send(b"m")
    assert router.recv_multipart() == [rid, b"m"]
    assert r2.recv_multipart() == [rid2, b"m"]


def test_probe_option_read_at_attach(zmq, ctx, endpoint_of):
    """Set after connect(): the connection made before it is not probed."""
    router = _make(zmq, ctx, zmq.ROUTER)
    ep = endpoint_of(router)
    dealer = _make(zmq, ctx, zmq.DEALER)
    dealer.connect(ep)
    dealer.setsockopt(zmq.PROBE_ROUTER, 1)
    dealer.send(b"first")
    assert router.recv_multipart()[1] == b"first"


# --- ROUTER_MANDATORY ---------------------------------------------------------

def test_mandatory_eagain_at_hwm(zmq, ctx, transport, endpoint_of):
    router = _make(zmq, ctx, zmq.ROUTER, ROUTER_MANDATORY=1, SNDHWM=1)
    dealer = _make(zmq, ctx, zmq.DEALER, ROUTING_ID=b"D", RCVHWM=1)
    dealer.connect(endpoint_of(router))
    dealer.send(b"hi")
    assert router.recv_multipart() == [b"D", b"hi"]
    sent = 0
    while True:
        try:
            router.send(b"D", zmq.SNDMORE | zmq.DONTWAIT)
        except zmq.Again:
            break
        router.send(b"m%d" % sent)
        sent += 1
        assert sent < 100000
    assert sent >= 1
    # The refused id frame left nothing half-sent: the next part is an id.
    _expect_errno(zmq, zmq.EHOSTUNREACH, router.send_multipart, [b"nobody", b"x"])
    for i in range(sent):
        assert dealer.recv() == b"m%d" % i
    router.send_multipart([b"D", b"after"], )
    assert dealer.recv() == b"after"


def test_mandatory_peer_gone(zmq, ctx, endpoint_of):
    router = _make(zmq, ctx, zmq.ROUTER, ROUTER_MANDATORY=1)
    dealer = _make(zmq, ctx, zmq.DEALER, ROUTING_ID=b"D")
    dealer.connect(endpoint_of(router))
    dealer.send(b"hi")
    assert router.recv_multipart() == [b"D", b"hi"]
    dealer.close()
    deadline = time.monotonic() + 5
    while True:
        try:
            router.send_multipart([b"D", b"x"])
        except zmq.ZMQError as e:
            assert e.errno == zmq.EHOSTUNREACH
            break
        assert time.monotonic() < deadline, "ROUTER never saw its peer go"
        router.poll(10)


def test_mandatory_peer_going_with_input_unread(zmq, ctx, endpoint_of):
    """A peer that left input behind is unreachable (not EAGAIN: a blocking
    send would wait in vain), and its input is still delivered."""
    router = _make(zmq, ctx, zmq.ROUTER, ROUTER_MANDATORY=1)
    dealer = _make(zmq, ctx, zmq.DEALER, ROUTING_ID=b"D")
    dealer.connect(endpoint_of(router))
    dealer.send(b"hi")
    assert router.recv_multipart() == [b"D", b"hi"]
    dealer.send(b"last")
    assert router.poll(TIMEOUT_MS)
    dealer.close()
    deadline = time.monotonic() + 5
    while True:
        try:
            router.send_multipart([b"D", b"x"], zmq.DONTWAIT)
        except zmq.ZMQError as e:
            assert e.errno == zmq.EHOSTUNREACH
            break
        assert time.monotonic() < deadline, "ROUTER never saw its peer go"
        time.sleep(0.01)
        router.getsockopt(zmq.EVENTS)       # reads commands
    assert router.recv_multipart() == [b"D", b"last"]


# --- inproc ROUTER connect before bind ------------------------------------------

def test_router_connects_before_router_binds(zmq, ctx, inproc):
    ep = inproc()
    client = _make(zmq, ctx, zmq.ROUTER, ROUTING_ID=b"client")
    client.connect(ep)
    server = _make(zmq, ctx, zmq.ROUTER, ROUTING_ID=b"server")
    server.bind(ep)
    server.send_multipart([b"client", b"hello"])
    assert client.recv_multipart() == [b"server", b"hello"]
    client.send_multipart([b"server", b"back"])
    assert server.recv_multipart() == [b"client", b"back"]


def test_router_connects_before_bind_mandatory(zmq, ctx, inproc):
    ep = inproc()
    client = _make(zmq, ctx, zmq.ROUTER, ROUTING_ID=b"client", ROUTER_MANDATORY=1)
    client.connect(ep)
    _expect_errno(zmq, zmq.EHOSTUNREACH, client.send_multipart, [b"server", b"x"])
    server = _make(zmq, ctx, zmq.ROUTER, ROUTING_ID=b"server")
    server.bind(ep)
    deadline = time.monotonic() + 5
    while True:
        try:
            client.send_multipart([b"server", b"hello"])
            break
        except zmq.ZMQError as e:
            assert e.errno == zmq.EHOSTUNREACH
            assert time.monotonic() < deadline
            client.poll(10)
    assert server.recv_multipart() == [b"client", b"hello"]


def test_dealer_connects_before_router_binds(zmq, ctx, inproc):
    ep = inproc()
    dealer = _make(zmq, ctx, zmq.DEALER, ROUTING_ID=b"d", PROBE_ROUTER=1)
    dealer.connect(ep)
    router = _make(zmq, ctx, zmq.ROUTER, ROUTING_ID=b"server")
    router.bind(ep)
    assert router.recv_multipart() == [b"d", b""]
    router.send_multipart([b"d", b"hi"])
    assert dealer.recv() == b"hi"
