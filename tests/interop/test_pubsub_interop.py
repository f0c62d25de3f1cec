"""PUB/SUB/XPUB/XSUB across implementations: the `zmq` side against libzmq 4.3.5
(pyzmq), over tcp and ipc, each side binding in turn. With ZMQCORE_TEST_IMPL=zmq both
sides are libzmq, which validates the tests.

Behaviour pinned (action -> observable result):
- filtering happens at the publisher, whichever implementation publishes: a SUB and
  an XSUB (which does not filter by itself) that subscribed 'a' get only 'a*', also
  binary topics; 10,000 subscriptions across work the same way.
- an XPUB on either side sees the other side's SUB and XSUB (un)subscriptions: the
  first subscription of a topic, the last cancel, the cancels of a subscriber that
  disconnects from a bound XPUB (a connecting XPUB keeps the pipe and its
  subscriptions for the reconnection); an XSUB's other messages arrive upstream.
- XPUB_WELCOME_MSG and INVERT_MATCHING work across.
- a publisher (PUB or XPUB) restarted at the same endpoint gets the subscriber's
  subscriptions again, without the application subscribing again, three times
  running; a subscription made while the publisher was away arrives once.
- a subscribe/unsubscribe made just after the zmq SUB reconnected, before it
  re-sent its subscriptions, reaches the libzmq XPUB once, in net effect.
"""

import functools
import time

import pytest
import zmq as libzmq_constants  # pyzmq, for its constants only

from api import helpers as probes
from api.helpers import publish_then_collect as collect
from api.helpers import rebind
from interop.helpers import TRANSPORTS, matrix

TIMEOUT_MS = 5000

SUBSCRIBE, UNSUBSCRIBE = 6, 7  # the same numbers in both implementations


# Socket type and option numbers are the same in both implementations, so pyzmq's
# constants serve for sockets of either side.
subscribe = functools.partial(probes.subscribe, libzmq_constants)
unsubscribe = functools.partial(probes.unsubscribe, libzmq_constants)
sync = functools.partial(probes.sync, libzmq_constants)
fence = functools.partial(probes.fence, libzmq_constants)
recv_poking = functools.partial(probes.recv_poking, multipart=False)


@pytest.fixture
def make(zmq, ctx, lctx, libzmq):
    """``make(side, type_name, **opts)``: side "zmq" (the implementation under test)
    or "lib" (libzmq)."""

    def create(side, type_name, **opts):
        module, context = (zmq, ctx) if side == "zmq" else (libzmq, lctx)
        s = context.socket(getattr(module, type_name))
        s.rcvtimeo = s.sndtimeo = TIMEOUT_MS
        s.linger = 0
        for name, value in opts.items():
            s.setsockopt(getattr(module, name.upper()), value)
        return s

    return create


@pytest.fixture
def wire(endpoint):
    """``wire(binder, connecters, transport)``: bind ``binder`` and connect every
    connecter to it; returns the endpoint."""

    def do(binder, connecters, transport):
        binder.bind(endpoint(transport))
        ep = binder.last_endpoint.decode()
        for c in connecters:
            c.connect(ep)
        return ep

    return do


def link(wire, pub, subs, pub_binds, transport):
    """The publisher binds and the subscribers connect, or each subscriber binds
    and the publisher connects to it."""
    if pub_binds:
        wire(pub, subs, transport)
    else:
        for s in subs:
            wire(s, [pub], transport)


# ---------------------------------------------------------------------------
# filtering at the publisher


@matrix
@pytest.mark.parametrize("publisher", ["zmq", "lib"])
def test_publisher_filters(make, wire, transport, zmq_binds, publisher):
    subscriber = "lib" if publisher == "zmq" else "zmq"
    pub = make(publisher, "PUB")
    sub = make(subscriber, "SUB")
    xsub = make(subscriber, "XSUB")     # shows whatever the publisher sends it
    pub_binds = zmq_binds == (publisher == "zmq")
    for s in (sub, xsub):
        subscribe(s, b"a")
        subscribe(s, b"\x00\x01")
    link(wire, pub, [sub, xsub], pub_binds, transport)
    sync(pub, [sub, xsub], b"a")
    sync(pub, [sub, xsub], b"\x00\x01")
    sent = [b"b1", b"a1", b"", b"ab", b"A", b"\x00", b"\x00\x01z", b"\x01"]
    want = [[b"a1"], [b"ab"], [b"\x00\x01z"]]
    for m in sent:
        pub.send(m)
    pub.send_multipart([b"x", b"a"])
    pub.send_multipart([b"a", b"x"])
    pub.send(b"a-end")
    for s in (sub, xsub):
        got = []
        while True:
            parts = s.recv_multipart()
            if parts == [b"a-end"]:
                break
            got.append(parts)
        assert got == want + [[b"a", b"x"]], s
    # cancels work across too
    for s in (sub, xsub):
        unsubscribe(s, b"a")
        subscribe(s, b"z")
    sync(pub, [sub, xsub], b"z")
    pub.send(b"a2")
    pub.send(b"z-end")
    for s in (sub, xsub):
        assert s.recv() == b"z-end"


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("publisher", ["zmq", "lib"])
def test_ten_thousand_subscriptions_across(make, wire, transport, publisher):
    subscriber = "lib" if publisher == "zmq" else "zmq"
    pub = make(publisher, "PUB", sndhwm=0)
    # libzmq drops subscriptions beyond SNDHWM when they are made faster than its
    # I/O thread sends them
    sub = make(subscriber, "SUB", sndhwm=0, rcvhwm=0)
    wire(pub, [sub], transport)
    n = 10_000
    for i in range(n):
        sub.setsockopt(SUBSCRIBE, b"t-%05d" % i)
    sync(pub, sub, b"t-%05d" % (n - 1))
    sent = []
    for i in range(0, 3 * n):
        m = b"t-%05d!" % (i % (2 * n))        # half of them match
        pub.send(m)
        if i % (2 * n) < n:
            sent.append([m])
    assert collect(pub, sub, [b"t-1", b"x"], b"t-00000-end") == sent
    for i in range(n):
        sub.setsockopt(UNSUBSCRIBE, b"t-%05d" % i)
    f = fence(pub, sub)
    assert collect(pub, sub, [b"t-%05d" % i for i in range(0, n, 7)], f + b"-end") == []


# ---------------------------------------------------------------------------
# XPUB notifications across


@matrix
@pytest.mark.parametrize("xpub_side", ["zmq", "lib"])
def test_xpub_sees_subscriptions_from_the_other_side(make, wire, transport, zmq_binds,
                                                     xpub_side):
    other = "lib" if xpub_side == "zmq" else "zmq"
    xpub = make(xpub_side, "XPUB")
    sub = make(other, "SUB")
    xsub = make(other, "XSUB")
    xpub_binds = zmq_binds == (xpub_side == "zmq")
    link(wire, xpub, [sub, xsub], xpub_binds, transport)
    subscribe(sub, b"a")
    assert recv_poking(xpub, sub) == b"\x01a"
    subscribe(xsub, b"b")
    assert recv_poking(xpub, xsub) == b"\x01b"
    subscribe(xsub, b"a")           # not new
    subscribe(sub, b"a")            # not new (and counted at the SUB)
    subscribe(xsub, b"c")
    assert xpub.recv() == b"\x01c"
    subscribe(sub, b"d")
    assert xpub.recv() == b"\x01d"
    unsubscribe(sub, b"a")          # the SUB still counts one
    unsubscribe(sub, b"a")          # now the SUB cancels, but the XSUB holds "a"
    unsubscribe(xsub, b"b")
    assert xpub.recv() == b"\x00b"
    unsubscribe(xsub, b"a")
    assert xpub.recv() == b"\x00a"
    # messages that are not subscriptions travel upstream as they are
    xsub.send(b"hello")
    assert xpub.recv_multipart() == [b"hello"]
    xsub.send_multipart([b"multi", b"", b"part"])
    assert xpub.recv_multipart() == [b"multi", b"", b"part"]
    if xpub_binds:
        # a subscriber that goes away takes its subscriptions with it (a connecting
        # XPUB keeps the pipe, and the subscriptions, for the reconnection)
        sub.close()
        assert xpub.recv() == b"\x00d"
        xsub.close()
        assert xpub.recv() == b"\x00c"


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("xpub_side", ["zmq", "lib"])
def test_xpub_verbose_across(make, wire, transport, xpub_side):
    other = "lib" if xpub_side == "zmq" else "zmq"
    xpub = make(xpub_side, "XPUB", xpub_verboser=1)
    s1 = make(other, "SUB")
    s2 = make(other, "SUB")
    wire(xpub, [s1, s2], transport)
    for s in (s1, s2):
        subscribe(s, b"t")
        assert recv_poking(xpub, s) == b"\x01t"
    subscribe(s1, b"t")                 # a SUB forwards a duplicate
    assert xpub.recv() == b"\x01t"
    unsubscribe(s1, b"t")               # 2 -> 1: kept at the SUB
    unsubscribe(s1, b"t")
    assert xpub.recv() == b"\x00t"
    unsubscribe(s2, b"t")
    assert xpub.recv() == b"\x00t"


@matrix
@pytest.mark.parametrize("xpub_side", ["zmq", "lib"])
def test_welcome_message_across(make, wire, transport, zmq_binds, xpub_side):
    other = "lib" if xpub_side == "zmq" else "zmq"
    xpub = make(xpub_side, "XPUB", xpub_welcome_msg=b"W-welcome")
    sub = make(other, "SUB")
    sub.setsockopt(SUBSCRIBE, b"W")
    link(wire, xpub, [sub], zmq_binds == (xpub_side == "zmq"), transport)
    assert recv_poking(sub, xpub) == b"W-welcome"
    assert xpub.recv() == b"\x01W"


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("xpub_side", ["zmq", "lib"])
def test_invert_matching_across(make, wire, transport, xpub_side):
    other = "lib" if xpub_side == "zmq" else "zmq"
    xpub = make(xpub_side, "XPUB", invert_matching=1)
    sub = make(other, "SUB", invert_matching=1)
    xsub = make(other, "XSUB")
    wire(xpub, [sub, xsub], transport)
    subscribe(sub, b"a")
    assert recv_poking(xpub, sub) == b"\x01a"
    subscribe(xsub, b"b")
    assert recv_poking(xpub, xsub) == b"\x01b"
    sent = [b"a1", b"b1", b"", b"ab", b"c1"]
    assert collect(xpub, sub, sent, b"end") == [[b"b1"], [b""], [b"c1"]]
    assert collect(xpub, xsub, sent, b"end") == [[b"a1"], [b""], [b"ab"], [b"c1"]]


# ---------------------------------------------------------------------------
# restarts


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("pub_type", ["PUB", "XPUB"])
@pytest.mark.parametrize("sub_type", ["SUB", "XSUB"])
@pytest.mark.parametrize("publisher", ["lib", "zmq"])
def test_resubscribe_after_publisher_restart(make, endpoint, transport, sub_type, pub_type,
                                             publisher):
    subscriber = "zmq" if publisher == "lib" else "lib"
    pub = make(publisher, "XPUB")
    pub.bind(endpoint(transport))
    ep = pub.last_endpoint.decode()
    sub = make(subscriber, sub_type, reconnect_ivl=20)
    sub.connect(ep)
    subscribe(sub, b"a")
    subscribe(sub, b"\x00bin")
    subscribe(sub, b"gone")
    unsubscribe(sub, b"gone")
    assert sorted([recv_poking(pub, sub) for _ in range(2)]) == [b"\x01\x00bin", b"\x01a"]
    sync(pub, sub, b"a")
    for round_ in range(3):
        pub.close(linger=0)
        pub = make(publisher, pub_type)
        rebind(pub, ep)
        if pub_type == "XPUB":
            notes = sorted(recv_poking(pub, sub) for _ in range(2))
            assert notes == [b"\x01\x00bin", b"\x01a"], "round %d" % round_
        sync(pub, sub, b"a")        # a PUB sends nothing until it has the subscription
        got = collect(pub, sub, [b"b1", b"gone1", b"\x00bin1", b"a1"], b"a-end")
        assert got == [[b"\x00bin1"], [b"a1"]], "round %d" % round_


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_subscription_made_while_libzmq_publisher_is_away(make, endpoint, monitor_socket,
                                                          zmq, transport):
    pub = make("lib", "XPUB", xpub_verbose=1)
    pub.bind(endpoint(transport))
    ep = pub.last_endpoint.decode()
    sub = make("zmq", "SUB", reconnect_ivl=20)
    mon = monitor_socket(sub, zmq.EVENT_DISCONNECTED)
    sub.connect(ep)
    sub.subscribe(b"a")
    assert pub.recv() == b"\x01a"
    pub.close(linger=0)
    assert mon.poll(TIMEOUT_MS), "the SUB never noticed the publisher leave"
    mon.recv_multipart()
    sub.subscribe(b"x")
    pub = make("lib", "XPUB", xpub_verbose=1)
    rebind(pub, ep)
    notes = [recv_poking(pub, sub)]
    while b"\x01a" not in notes or b"\x01x" not in notes:
        notes.append(recv_poking(pub, sub))
    sub.subscribe(b"z")
    while notes[-1] != b"\x01z":
        notes.append(recv_poking(pub, sub))
    assert sorted(notes) == [b"\x01a", b"\x01x", b"\x01z"], notes


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_subscription_made_while_resubscribing_to_libzmq(make, endpoint, monitor_socket,
                                                         zmq, transport, impl_name, request):
    """Just after the reconnection, before the zmq SUB re-sent its subscriptions: a
    subscribe and an unsubscribe reach the new libzmq XPUB once, in net effect."""
    pub = make("lib", "XPUB", xpub_verbose=1)
    pub.bind(endpoint(transport))
    ep = pub.last_endpoint.decode()
    sub = make("zmq", "SUB", reconnect_ivl=20)
    mon = monitor_socket(sub, zmq.EVENT_HANDSHAKE_SUCCEEDED)
    sub.connect(ep)
    sub.subscribe(b"a")
    assert pub.recv() == b"\x01a"
    assert mon.poll(TIMEOUT_MS)
    mon.recv_multipart()
    pub.close(linger=0)
    pub = make("lib", "XPUB", xpub_verbose=1)
    rebind(pub, ep)
    assert mon.poll(TIMEOUT_MS), "the SUB never reconnected"
    mon.recv_multipart()
    time.sleep(0.05)        # let the SUB's I/O thread finish taking the connection
    sub.subscribe(b"y")
    sub.unsubscribe(b"a")
    sub.poll(0)
    sub.subscribe(b"z")
    notes = [recv_poking(pub, sub)]
    while notes[-1] != b"\x01z":
        notes.append(recv_poking(pub, sub))
    assert sorted(notes) == [b"\x01y", b"\x01z"], notes
