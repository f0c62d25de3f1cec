"""PUB, SUB, XPUB, XSUB (RFC 29) over inproc, ipc and tcp, pinned against pyzmq /
libzmq 4.3.5 (``ZMQCORE_TEST_IMPL=zmq`` passes all of it).

Subscriptions travel asynchronously, yet no test depends on a sleep to pass:
- ``sync(pub, subs, topic)`` publishes probes on ``topic`` until every subscriber has
  one, then a marker, and drains each subscriber up to the marker: afterwards the
  subscription is in force at the publisher and nothing stale is queued.
- an unsubscribe is known to have arrived once a *later* subscription from the same
  socket has (``fence``): a subscriber's (un)subscriptions travel in order.
- "X is not delivered" is shown by publishing X and then an end marker that matches:
  what a subscriber gets from one publisher keeps its order, so if the marker comes
  first, X never will.
- an XPUB's notifications come in pipe order, so "no notification for this" is shown
  by the next notification being a later one.

Behaviour pinned (action -> observable result):
- prefix filtering: a message goes to a SUB iff one of its prefixes matches the first
  frame; the empty prefix matches everything (also the empty message); topics are
  binary (\\x00 \\x01 \\xff); later frames are never looked at; overlapping prefixes
  deliver a message once.
- subscriptions are counted: 'a' twice then one unsubscribe keeps 'a'; a second one
  drops it. subscribe()/unsubscribe() take str (UTF-8) or bytes.
- SUBSCRIBE/UNSUBSCRIBE on any socket but SUB (and a manual XPUB) -> EINVAL; recv on
  PUB and send on SUB -> ENOTSUP; SUB/XSUB LINGER defaults to 0, PUB/XPUB to -1;
  XPUB options are write-only (get -> EINVAL) and rejected by other types (EINVAL).
- XPUB gets b'\\x01'+topic for a topic's first subscriber only (every one with
  XPUB_VERBOSE), b'\\x00'+topic when its last subscriber unsubscribes or goes away
  (every unsubscribe with XPUB_VERBOSER); XPUB_MANUAL leaves the filter to the
  application (setsockopt SUBSCRIBE/UNSUBSCRIBE act for the pipe of the last
  notification received); XPUB_WELCOME_MSG reaches each new SUB that subscribed to it;
  XPUB_NODROP makes a full subscriber raise Again instead of losing messages.
- INVERT_MATCHING inverts the filter; publisher and subscriber must both set it.
- XSUB passes other messages upstream to XPUB as they are (multipart, empty).
- poll()/EVENTS report POLLIN on a SUB only for messages that still match (a
  message poll() already reported survives an unsubscribe, as in libzmq).
- 20 subscribers each get every message; a SUB connected before the PUB binds
  (inproc) and a SUB whose PUB/XPUB is restarted at the same endpoint (tcp, ipc)
  receive without subscribing again; subscriptions made while the publisher was
  away arrive once.
- a slow subscriber costs nothing but its own messages: PUB never blocks, the fast
  one gets every message, RSS stays bounded, zmqcore counts the drops; 100,000
  subscriptions (and 100,000 XPUB notifications) work and cost no O(n^2) time.
- more corners: whole multipart messages from three publishers with poll() in
  between; XPUB_NODROP keeps POLLOUT and frees a blocked sender when the full
  subscriber leaves; a connecting XPUB keeps subscriptions for its peer's
  replacement; SUB/XSUB linger 0 lets Context.term() return with subscriptions
  queued for nobody; subscriptions travel through proxy_steerable(XSUB, XPUB);
  CONFLATE on a SUB; 64 KiB+ bodies reach five subscribers intact after the
  sender dropped them; a copy=False tracker is done only when the last subscriber
  let go; 200 subscribers churning leave balanced notifications and no pipe.
- a 1,500-step seeded random walk of (un)subscriptions from two XSUBs and a SUB
  matches a model of counted prefix subscriptions: XPUB notifications after each
  step, delivery of every probe every 100 steps, notifications on disconnection.
- a subscribe and an unsubscribe made just after a reconnection, before the SUB
  re-sent its subscriptions, reach the new publisher once, in net effect.
"""

import itertools
import random
import time

import pytest

from api.helpers import (fence, make_socket_opts, publish_then_collect, rebind,
                         recv_poking, subscribe, sync, unsubscribe)

TIMEOUT_MS = 5000
DEADLINE = 10.0  # seconds any probing loop may take before the test fails

_counter = itertools.count()


def rss_bytes():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS")


# ---------------------------------------------------------------------------
# helpers


def recv_notifications(xpub, n):
    return [xpub.recv() for _ in range(n)]


def assert_no_more(sock, wait_ms=100):
    """Nothing more arrives (a short wait: this can only miss a bug, never fail a
    correct implementation)."""
    if sock.poll(wait_ms):
        pytest.fail("unexpected extra message: %r" % (sock.recv_multipart()[:3],))


@pytest.fixture
def mk(zmq, ctx):
    """``mk(type_name, **opts)`` -> a socket with timeouts, linger 0 and options set."""

    def make(type_name, **opts):
        return make_socket_opts(zmq, ctx, getattr(zmq, type_name), TIMEOUT_MS, **opts)

    return make


@pytest.fixture(params=["inproc", "ipc", "tcp"])
def transport(request):
    return request.param


@pytest.fixture
def bind(endpoint):
    """``bind(sock, transport)`` -> the concrete endpoint others connect to."""

    def do(sock, transport):
        sock.bind(endpoint(transport))
        return sock.last_endpoint.decode()

    return do


@pytest.fixture
def pubsub(mk, bind, transport):
    """``pubsub(pub_type="PUB", sub_type="SUB", n=1, **pub_opts)`` -> (pub, [subs]),
    the publisher bound, the subscribers connected (nothing subscribed yet)."""

    def make(pub_type="PUB", sub_type="SUB", n=1, sub_opts=None, **pub_opts):
        pub = mk(pub_type, **pub_opts)
        ep = bind(pub, transport)
        subs = []
        for _ in range(n):
            s = mk(sub_type, **(sub_opts or {}))
            s.connect(ep)
            subs.append(s)
        return pub, subs

    return make


# ---------------------------------------------------------------------------
# filtering


def test_prefix_filtering(zmq, pubsub):
    pub, (sub,) = pubsub()
    sub.subscribe(b"a")
    sub.subscribe(b"bc")
    sync(zmq, pub, sub, b"a")
    sync(zmq, pub, sub, b"bc")
    sent = [b"a", b"abc", b"b", b"bc", b"bcd", b"c", b"", b"xa", b"A", b"ba"]
    got = publish_then_collect(pub, sub, sent, b"a-end")
    assert got == [[b"a"], [b"abc"], [b"bc"], [b"bcd"]]


def test_empty_prefix_matches_everything(zmq, pubsub):
    pub, (sub,) = pubsub()
    sub.subscribe(b"")
    sync(zmq, pub, sub)
    sent = [b"", b"x", b"\x00", b"\xff" * 300, b"topic"]
    got = publish_then_collect(pub, sub, sent, b"end")
    assert got == [[m] for m in sent]


def test_no_subscription_no_messages(zmq, pubsub):
    """A SUB that subscribed nothing gets nothing; one that subscribed gets it."""
    pub, (silent, sub) = pubsub(n=2)
    sub.subscribe(b"")
    sync(zmq, pub, sub)
    for i in range(100):
        pub.send(b"m%d" % i)
    assert sub.recv() == b"m0"
    assert_no_more(silent)


def test_binary_topics(zmq, pubsub):
    pub, (sub,) = pubsub()
    for topic in (b"\x00", b"\x01\x02", b"\xff\x00"):
        sub.subscribe(topic)
        sync(zmq, pub, sub, topic)
    sent = [b"\x00", b"\x00abc", b"\x01", b"\x01\x02", b"\x01\x02\x00", b"\x01\x03",
            b"\xff", b"\xff\x00", b"\xff\x01", b"\x02", b"a\x00"]
    got = publish_then_collect(pub, sub, sent, b"\x00end")
    assert got == [[b"\x00"], [b"\x00abc"], [b"\x01\x02"], [b"\x01\x02\x00"], [b"\xff\x00"]]


def test_multipart_filtered_on_first_frame_only(zmq, pubsub):
    pub, (sub,) = pubsub()
    sub.subscribe(b"a")
    sync(zmq, pub, sub, b"a")
    sent = [
        [b"b", b"a"],           # matching later frame does not count
        [b"a", b"b"],
        [b"", b"a", b"a"],      # empty first frame does not match "a"
        [b"ab", b"", b"x"],
        [b"x", b"a"],
        [b"a"] + [b"%d" % i for i in range(20)],
    ]
    got = publish_then_collect(pub, sub, sent, b"a-end")
    assert got == [[b"a", b"b"], [b"ab", b"", b"x"], [b"a"] + [b"%d" % i for i in range(20)]]


def test_overlapping_subscriptions_deliver_once(zmq, pubsub):
    pub, (sub,) = pubsub()
    for topic in (b"", b"a", b"ab", b"abc", b"abcd"):
        sub.subscribe(topic)
    sync(zmq, pub, sub, b"abcd")
    got = publish_then_collect(pub, sub, [b"abcde", b"abc", b"a", b"b"], b"end")
    assert got == [[b"abcde"], [b"abc"], [b"a"], [b"b"]]


def test_duplicate_subscriptions_are_counted(zmq, pubsub):
    pub, (sub,) = pubsub()
    sub.subscribe(b"a")
    sub.subscribe(b"a")
    sync(zmq, pub, sub, b"a")
    sub.unsubscribe(b"a")
    f = fence(zmq, pub, sub)
    assert publish_then_collect(pub, sub, [b"a1"], f + b"end") == [[b"a1"]]
    sub.unsubscribe(b"a")
    f = fence(zmq, pub, sub)
    assert publish_then_collect(pub, sub, [b"a2", b"a3"], f + b"end") == []
    # and again from scratch
    sub.subscribe(b"a")
    sync(zmq, pub, sub, b"a")
    assert publish_then_collect(pub, sub, [b"a4"], b"a-end") == [[b"a4"]]


def test_unsubscribe_unknown_topic_is_harmless(zmq, pubsub):
    pub, (sub,) = pubsub()
    sub.subscribe(b"a")
    sub.unsubscribe(b"b")
    sub.unsubscribe(b"")
    sub.unsubscribe(b"ab")
    sync(zmq, pub, sub, b"a")
    assert publish_then_collect(pub, sub, [b"a1", b"b1"], b"a-end") == [[b"a1"]]


def test_subscribe_str_and_bytes(zmq, pubsub):
    pub, (sub,) = pubsub()
    sub.subscribe("héllo")           # str -> UTF-8
    sub.setsockopt_string(zmq.SUBSCRIBE, "wörld")
    sub.setsockopt(zmq.SUBSCRIBE, b"raw")
    sync(zmq, pub, sub, "héllo".encode())
    sync(zmq, pub, sub, "wörld".encode())
    sync(zmq, pub, sub, b"raw")
    with pytest.raises(TypeError):
        sub.setsockopt(zmq.SUBSCRIBE, "str is not bytes")
    sub.unsubscribe("héllo")
    sub.setsockopt_string(zmq.UNSUBSCRIBE, "wörld")
    f = fence(zmq, pub, sub)
    got = publish_then_collect(
        pub, sub, ["héllo!".encode(), "wörld!".encode(), b"raw!"], f + b"end")
    assert got == [[b"raw!"]]


def test_long_topic(zmq, pubsub):
    """A subscription longer than a short frame (255) travels as a long frame."""
    pub, (sub,) = pubsub()
    topic = bytes(range(256)) * 4   # 1024 bytes, every byte value
    sub.subscribe(topic)
    sync(zmq, pub, sub, topic)
    got = publish_then_collect(pub, sub, [topic[:-1], topic + b"x", topic], topic + b"end")
    assert got == [[topic + b"x"], [topic]]


# ---------------------------------------------------------------------------
# API errors and defaults


@pytest.mark.parametrize("type_name", ["PUB", "XPUB", "XSUB", "PUSH", "PULL", "PAIR",
                                       "DEALER", "ROUTER", "REQ", "REP"])
def test_subscribe_on_non_sub_is_einval(zmq, mk, type_name):
    s = mk(type_name)
    for opt in (zmq.SUBSCRIBE, zmq.UNSUBSCRIBE):
        with pytest.raises(zmq.ZMQError) as e:
            s.setsockopt(opt, b"a")
        assert e.value.errno == zmq.EINVAL
    with pytest.raises(zmq.ZMQError) as e:
        s.subscribe("a")
    assert e.value.errno == zmq.EINVAL


def test_recv_on_pub_and_send_on_sub_are_enotsup(zmq, mk):
    pub = mk("PUB")
    sub = mk("SUB")
    with pytest.raises(zmq.ZMQError) as e:
        pub.recv(zmq.NOBLOCK)
    assert e.value.errno == zmq.ENOTSUP
    with pytest.raises(zmq.ZMQError) as e:
        pub.recv()      # blocking too: no wait, at once
    assert e.value.errno == zmq.ENOTSUP
    with pytest.raises(zmq.ZMQError) as e:
        sub.send(b"x", zmq.NOBLOCK)
    assert e.value.errno == zmq.ENOTSUP
    with pytest.raises(zmq.ZMQError) as e:
        sub.send_multipart([b"\x01a"])
    assert e.value.errno == zmq.ENOTSUP
    # the types that can: XPUB recv (Again), XSUB send, PUB send with nobody there
    with pytest.raises(zmq.Again):
        mk("XPUB").recv(zmq.NOBLOCK)
    mk("XSUB").send(b"\x01a")
    pub.send(b"nobody listens", zmq.NOBLOCK)


def test_events_per_type(zmq, mk):
    assert mk("PUB").getsockopt(zmq.EVENTS) == zmq.POLLOUT
    assert mk("XPUB").getsockopt(zmq.EVENTS) == zmq.POLLOUT
    assert mk("XSUB").getsockopt(zmq.EVENTS) == zmq.POLLOUT
    assert mk("SUB").getsockopt(zmq.EVENTS) == 0


def test_linger_defaults(zmq, ctx):
    expected = {"SUB": 0, "XSUB": 0, "PUB": -1, "XPUB": -1}
    for name, linger in expected.items():
        s = ctx.socket(getattr(zmq, name))
        try:
            assert s.getsockopt(zmq.LINGER) == linger, name
        finally:
            s.close(linger=0)


def test_pub_never_blocks_without_subscribers(zmq, mk, bind):
    pub = mk("PUB", sndhwm=1)
    bind(pub, "inproc")
    t0 = time.monotonic()
    for i in range(20000):
        pub.send(b"x%d" % i, zmq.NOBLOCK)
    assert time.monotonic() - t0 < 10


@pytest.mark.parametrize("type_name", ["XPUB", "PUB"])
def test_xpub_options(zmq, mk, type_name):
    s = mk(type_name)
    for opt in (zmq.XPUB_VERBOSE, zmq.XPUB_VERBOSER, zmq.XPUB_NODROP, zmq.XPUB_MANUAL):
        s.setsockopt(opt, 1)
        s.setsockopt(opt, 0)
        s.setsockopt(opt, 2)     # any non-negative value is accepted
        with pytest.raises(zmq.ZMQError) as e:
            s.setsockopt(opt, -1)
        assert e.value.errno == zmq.EINVAL
        with pytest.raises(zmq.ZMQError) as e:
            s.getsockopt(opt)    # write-only in libzmq
        assert e.value.errno == zmq.EINVAL
        with pytest.raises(TypeError):
            s.setsockopt(opt, b"1")
    s.setsockopt(zmq.XPUB_WELCOME_MSG, b"hi")
    s.setsockopt(zmq.XPUB_WELCOME_MSG, b"")
    with pytest.raises(zmq.ZMQError) as e:
        s.getsockopt(zmq.XPUB_WELCOME_MSG)
    assert e.value.errno == zmq.EINVAL
    with pytest.raises(TypeError):
        s.setsockopt(zmq.XPUB_WELCOME_MSG, "str")


@pytest.mark.parametrize("type_name", ["SUB", "XSUB", "PUSH"])
def test_xpub_options_rejected_elsewhere(zmq, mk, type_name):
    s = mk(type_name)
    for opt in (zmq.XPUB_VERBOSE, zmq.XPUB_VERBOSER, zmq.XPUB_NODROP, zmq.XPUB_MANUAL):
        with pytest.raises(zmq.ZMQError) as e:
            s.setsockopt(opt, 1)
        assert e.value.errno == zmq.EINVAL
    with pytest.raises(zmq.ZMQError) as e:
        s.setsockopt(zmq.XPUB_WELCOME_MSG, b"hi")
    assert e.value.errno == zmq.EINVAL


@pytest.mark.parametrize("type_name", ["PUB", "SUB", "XPUB", "XSUB"])
def test_invert_matching_option(zmq, mk, type_name):
    s = mk(type_name)
    assert s.getsockopt(zmq.INVERT_MATCHING) == 0
    s.setsockopt(zmq.INVERT_MATCHING, 1)
    assert s.getsockopt(zmq.INVERT_MATCHING) == 1
    s.setsockopt(zmq.INVERT_MATCHING, 7)
    assert s.getsockopt(zmq.INVERT_MATCHING) == 1
    s.setsockopt(zmq.INVERT_MATCHING, 0)
    assert s.getsockopt(zmq.INVERT_MATCHING) == 0


def test_subscribe_and_get_is_einval(zmq, mk):
    sub = mk("SUB")
    for opt in (zmq.SUBSCRIBE, zmq.UNSUBSCRIBE):
        with pytest.raises(zmq.ZMQError) as e:
            sub.getsockopt(opt)
        assert e.value.errno == zmq.EINVAL


# ---------------------------------------------------------------------------
# XPUB notifications


def test_xpub_notifies_first_subscription_only(zmq, pubsub):
    xpub, (s1, s2) = pubsub("XPUB", n=2)
    s1.subscribe(b"a")
    assert xpub.recv() == b"\x01a"
    s2.subscribe(b"a")          # not new: no notification
    s2.subscribe(b"b")
    assert xpub.recv() == b"\x01b"
    s1.subscribe(b"a")          # a duplicate from the same subscriber: nothing
    s1.subscribe(b"")
    assert xpub.recv() == b"\x01"
    assert not xpub.rcvmore


def test_xpub_verbose_notifies_every_subscription(zmq, pubsub):
    xpub, (s1, s2) = pubsub("XPUB", n=2, xpub_verbose=1)
    s1.subscribe(b"a")
    assert xpub.recv() == b"\x01a"
    s2.subscribe(b"a")
    assert xpub.recv() == b"\x01a"
    s1.subscribe(b"a")          # a SUB forwards duplicates (libzmq does)
    assert xpub.recv() == b"\x01a"
    s1.unsubscribe(b"a")        # count 2 -> 1: not forwarded by the SUB
    s1.subscribe(b"z")
    assert xpub.recv() == b"\x01z"


def test_xpub_notifies_last_unsubscribe(zmq, pubsub):
    xpub, (s1, s2) = pubsub("XPUB", n=2)
    s1.subscribe(b"a")
    assert xpub.recv() == b"\x01a"
    s2.subscribe(b"a")
    s2.subscribe(b"m")          # s2's "a" has arrived once "m" has
    assert xpub.recv() == b"\x01m"
    s1.unsubscribe(b"a")        # s2 still has it: nothing
    s1.subscribe(b"n")
    assert xpub.recv() == b"\x01n"
    s2.unsubscribe(b"a")
    assert xpub.recv() == b"\x00a"
    s2.unsubscribe(b"m")
    assert xpub.recv() == b"\x00m"


def test_xpub_verboser_notifies_every_unsubscribe(zmq, pubsub):
    xpub, (s1, s2) = pubsub("XPUB", n=2, xpub_verboser=1)
    s1.subscribe(b"a")
    assert xpub.recv() == b"\x01a"
    s2.subscribe(b"a")
    assert xpub.recv() == b"\x01a"     # VERBOSER implies VERBOSE
    s1.unsubscribe(b"a")
    assert xpub.recv() == b"\x00a"
    s2.unsubscribe(b"a")
    assert xpub.recv() == b"\x00a"


def test_xpub_verbose_after_verboser_resets_unsubscribe_verbosity(zmq, pubsub):
    """libzmq: setting XPUB_VERBOSE clears what XPUB_VERBOSER set for unsubscribes."""
    xpub, (s1, s2) = pubsub("XPUB", n=2, xpub_verboser=1, xpub_verbose=1)
    s1.subscribe(b"a")
    assert xpub.recv() == b"\x01a"
    s2.subscribe(b"a")
    assert xpub.recv() == b"\x01a"
    s1.unsubscribe(b"a")               # not the last one, and not verbose any more
    s1.subscribe(b"z")
    assert xpub.recv() == b"\x01z"


def test_xpub_notifies_on_disconnect(zmq, pubsub):
    xpub, (s1, s2) = pubsub("XPUB", n=2)
    s1.subscribe(b"a")
    s1.subscribe(b"b")
    assert sorted(recv_notifications(xpub, 2)) == [b"\x01a", b"\x01b"]
    s2.subscribe(b"a")
    s2.subscribe(b"c")
    assert xpub.recv() == b"\x01c"
    s1.close()
    # "a" is still wanted by s2: only "b" goes
    assert xpub.recv() == b"\x00b"
    s2.close()
    assert sorted(recv_notifications(xpub, 2)) == [b"\x00a", b"\x00c"]
    assert_no_more(xpub)


def test_xpub_verboser_notifies_every_disconnect(zmq, pubsub):
    xpub, (s1, s2) = pubsub("XPUB", n=2, xpub_verboser=1)
    for s in (s1, s2):
        s.subscribe(b"a")
        assert xpub.recv() == b"\x01a"
    s1.close()
    assert xpub.recv() == b"\x00a"
    s2.close()
    assert xpub.recv() == b"\x00a"
    assert_no_more(xpub)


def test_xpub_subscriptions_made_before_connect(zmq, mk, bind, transport):
    xpub = mk("XPUB")
    ep = bind(xpub, transport)
    sub = mk("SUB")
    sub.subscribe(b"one")
    sub.subscribe(b"two")
    sub.subscribe(b"two")
    sub.unsubscribe(b"two")
    sub.subscribe(b"three")
    sub.unsubscribe(b"three")   # gone before it was ever sent
    sub.connect(ep)
    assert sorted(recv_notifications(xpub, 2)) == [b"\x01one", b"\x01two"]
    sub.subscribe(b"z")
    assert xpub.recv() == b"\x01z"


def test_xpub_poll_and_events(zmq, pubsub):
    xpub, (sub,) = pubsub("XPUB")
    assert not xpub.poll(0)
    sub.subscribe(b"a")
    assert xpub.poll(TIMEOUT_MS) == zmq.POLLIN
    assert xpub.getsockopt(zmq.EVENTS) == zmq.POLLIN | zmq.POLLOUT
    assert xpub.recv() == b"\x01a"
    assert xpub.getsockopt(zmq.EVENTS) == zmq.POLLOUT


def test_pub_ignores_subscriber_messages(zmq, pubsub):
    """A PUB reads subscriptions and drops everything else an XSUB sends."""
    pub, (xsub,) = pubsub("PUB", "XSUB")
    xsub.send(b"\x01a")
    sync(zmq, pub, xsub, b"a")
    for i in range(100):
        xsub.send(b"upstream %d" % i)
        xsub.send_multipart([b"x", b"y"])
    xsub.send(b"\x01b")
    sync(zmq, pub, xsub, b"b")
    assert publish_then_collect(pub, xsub, [b"a1", b"b1", b"c1"], b"b-end") == [[b"a1"], [b"b1"]]


# ---------------------------------------------------------------------------
# XPUB_MANUAL


def test_xpub_manual_application_decides(zmq, pubsub):
    xpub, (xsub,) = pubsub("XPUB", "XSUB", xpub_manual=1)
    xsub.send(b"\x01a")
    assert xpub.recv() == b"\x01a"
    # not applied by itself; the application subscribes this pipe to "b" instead
    xpub.setsockopt(zmq.SUBSCRIBE, b"b")
    got = publish_then_collect(xpub, xsub, [b"a1", b"b1", b"c1"], b"b-end")
    assert got == [[b"b1"]]
    xpub.setsockopt(zmq.SUBSCRIBE, b"m")
    xpub.setsockopt(zmq.UNSUBSCRIBE, b"b")
    got = publish_then_collect(xpub, xsub, [b"a2", b"b2"], b"m-end")
    assert got == []


def test_xpub_manual_shows_every_subscription(zmq, pubsub):
    xpub, (s1, s2) = pubsub("XPUB", n=2, xpub_manual=1)
    s1.subscribe(b"a")
    assert xpub.recv() == b"\x01a"
    xpub.setsockopt(zmq.SUBSCRIBE, b"a")
    s2.subscribe(b"a")
    assert xpub.recv() == b"\x01a"      # manual: not only the first
    xpub.setsockopt(zmq.SUBSCRIBE, b"a")
    sync(zmq, xpub, [s1, s2], b"a")
    s1.unsubscribe(b"a")
    assert xpub.recv() == b"\x00a"      # and every cancel
    xpub.setsockopt(zmq.UNSUBSCRIBE, b"a")
    s1.subscribe(b"z")
    assert xpub.recv() == b"\x01z"
    xpub.setsockopt(zmq.SUBSCRIBE, b"z")
    sync(zmq, xpub, s1, b"z")
    got = publish_then_collect(xpub, s1, [b"a1"], b"z-end")
    assert got == []
    # s2 still gets "a" (a1 too)
    assert publish_then_collect(xpub, s2, [b"a2"], b"a-end") == [[b"a1"], [b"a2"]]


def test_xpub_manual_acts_for_the_last_pipe(zmq, pubsub):
    xpub, (x1, x2) = pubsub("XPUB", "XSUB", n=2, xpub_manual=1)
    x1.send(b"\x01one")
    x2.send(b"\x01two")
    for _ in range(2):
        note = xpub.recv()
        assert note in (b"\x01one", b"\x01two")
        xpub.setsockopt(zmq.SUBSCRIBE, note[1:])
    got1 = publish_then_collect(xpub, x1, [b"two-1", b"one-1"], b"one-end")
    got2 = publish_then_collect(xpub, x2, [], b"two-end")
    assert got1 == [[b"one-1"]]
    # x2 got "two-1" and "two-end"; never one-*
    assert got2 == [[b"two-1"]]


def test_xpub_manual_disconnect_reports_what_the_peer_asked(zmq, pubsub):
    xpub, (s1,) = pubsub("XPUB", xpub_manual=1)
    s1.subscribe(b"asked")
    assert xpub.recv() == b"\x01asked"
    xpub.setsockopt(zmq.SUBSCRIBE, b"granted")
    s1.close()
    assert xpub.recv() == b"\x00asked"
    # the pipe is gone: subscribing now does nothing and raises nothing
    xpub.setsockopt(zmq.SUBSCRIBE, b"later")
    xpub.send(b"granted!")
    assert_no_more(xpub)


# ---------------------------------------------------------------------------
# XPUB_WELCOME_MSG


def test_xpub_welcome_message(zmq, mk, bind, transport):
    xpub = mk("XPUB", xpub_welcome_msg=b"W-hello")
    ep = bind(xpub, transport)
    wanted = mk("SUB")
    wanted.subscribe(b"W")
    wanted.connect(ep)
    assert recv_poking(wanted, xpub) == [b"W-hello"]
    late = mk("SUB")
    late.connect(ep)
    late.subscribe(b"W")    # after connect: may or may not be in time; not asserted
    other = mk("SUB")
    other.subscribe(b"other")
    other.connect(ep)
    # the welcome does not match "other": sync() fails on anything but its probes
    sync(zmq, xpub, other, b"other")
    raw = mk("XSUB")
    raw.connect(ep)
    assert recv_poking(raw, xpub) == [b"W-hello"]     # an XSUB does not filter
    # notifications: W (twice, but it is not new the second time), other
    assert sorted(recv_notifications(xpub, 2)) == [b"\x01W", b"\x01other"]
    wanted.subscribe(b"more")
    assert xpub.recv() == b"\x01more"
    # a welcome message goes once, at connection
    assert publish_then_collect(xpub, wanted, [], b"more-end") == []


def test_xpub_welcome_message_cleared(zmq, mk, bind, transport):
    xpub = mk("XPUB", xpub_welcome_msg=b"W")
    xpub.setsockopt(zmq.XPUB_WELCOME_MSG, b"")
    ep = bind(xpub, transport)
    x = mk("XSUB")
    x.connect(ep)
    x.send(b"\x01z")
    assert recv_poking(xpub, x) == [b"\x01z"]
    assert publish_then_collect(xpub, x, [], b"z-end") == []


# ---------------------------------------------------------------------------
# XPUB_NODROP and HWM


@pytest.mark.parametrize("transport", ["inproc", "tcp"])
def test_xpub_nodrop_says_again_instead_of_dropping(zmq, mk, bind, transport):
    xpub = mk("XPUB", xpub_nodrop=1, sndhwm=10)
    ep = bind(xpub, transport)
    sub = mk("SUB", rcvhwm=10)
    sub.subscribe(b"")
    sub.connect(ep)
    assert xpub.recv() == b"\x01"
    sync(zmq, xpub, sub)
    body = b"x" * (64 * 1024 if transport == "tcp" else 16)
    sent = 0
    deadline = time.monotonic() + DEADLINE
    while True:
        try:
            xpub.send(b"%08d" % sent + body, zmq.NOBLOCK)
        except zmq.Again:
            break
        sent += 1
        assert time.monotonic() < deadline, "XPUB_NODROP never said Again (%d sent)" % sent
    assert sent >= 1
    if transport == "inproc":
        # a blocking send waits for room, up to SNDTIMEO (over tcp the I/O thread
        # may make room meanwhile)
        xpub.sndtimeo = 50
        with pytest.raises(zmq.Again):
            xpub.send(b"blocked")
    # nothing was dropped: every message arrives, in order
    for i in range(sent):
        assert sub.recv()[:8] == b"%08d" % i
    # room again
    xpub.sndtimeo = TIMEOUT_MS
    xpub.send(b"after")
    assert sub.recv() == b"after"


def test_xpub_nodrop_only_matching_subscribers_count(zmq, mk, bind):
    """A full subscriber that the message does not go to does not block it."""
    xpub = mk("XPUB", xpub_nodrop=1, sndhwm=5)
    ep = bind(xpub, "inproc")
    full = mk("SUB", rcvhwm=5)
    full.subscribe(b"a")
    full.connect(ep)
    ok = mk("SUB", rcvhwm=5)
    ok.subscribe(b"b")
    ok.connect(ep)
    assert sorted(recv_notifications(xpub, 2)) == [b"\x01a", b"\x01b"]
    sync(zmq, xpub, full, b"a")
    sync(zmq, xpub, ok, b"b")
    n = 0
    while True:
        try:
            xpub.send(b"a%d" % n, zmq.NOBLOCK)
        except zmq.Again:
            break
        n += 1
        assert n < 10000
    for i in range(1000):
        # blocking (SNDTIMEO): libzmq learns of the reader's progress only when it
        # processes commands, which a NOBLOCK send may skip
        xpub.send(b"b%d" % i)
        assert ok.recv() == b"b%d" % i
    # multipart: the whole message waits, not half of it
    with pytest.raises(zmq.Again):
        xpub.send_multipart([b"a-x", b"y"], zmq.NOBLOCK)
    assert [full.recv() for _ in range(n)] == [b"a%d" % i for i in range(n)]
    xpub.send_multipart([b"a-x", b"y"])
    assert full.recv_multipart() == [b"a-x", b"y"]


@pytest.mark.parametrize("pub_type", ["PUB", "XPUB"])
def test_pub_at_hwm_drops_whole_messages(zmq, mk, bind, pub_type):
    """Without NODROP a full subscriber loses whole messages, never parts of one, and
    what it gets keeps its order."""
    pub = mk(pub_type, sndhwm=10)
    ep = bind(pub, "inproc")
    sub = mk("SUB", rcvhwm=10)
    sub.subscribe(b"")
    sub.connect(ep)
    sync(zmq, pub, sub)
    for i in range(5000):
        pub.send_multipart([b"%06d" % i, b"middle", b"end"], zmq.NOBLOCK)
    got = []
    while sub.poll(100):
        parts = sub.recv_multipart()
        assert parts[1:] == [b"middle", b"end"], parts
        got.append(int(parts[0]))
    assert 10 <= len(got) < 5000
    assert got == sorted(got)
    assert got[0] == 0
    # the subscriber is not stuck: new messages come through
    sync(zmq, pub, sub)


# ---------------------------------------------------------------------------
# INVERT_MATCHING


def test_invert_matching_both_sides(zmq, mk, bind, transport):
    xpub = mk("XPUB", invert_matching=1)
    ep = bind(xpub, transport)
    sub = mk("SUB", invert_matching=1)
    sub.connect(ep)
    sub.subscribe(b"a")
    assert xpub.recv() == b"\x01a"      # in force at the publisher now
    # the XPUB is connected to sub only; an XSUB shows what the publisher sends
    xsub = mk("XSUB")
    xsub.connect(ep)
    xsub.send(b"\x01b")
    assert xpub.recv() == b"\x01b"
    sent = [b"a1", b"b1", b"", b"ab", b"c1", b"ba"]
    got = publish_then_collect(xpub, sub, sent, b"end")
    assert got == [[b"b1"], [b""], [b"c1"], [b"ba"]]
    got = publish_then_collect(xpub, xsub, sent, b"end")
    assert got == [[b"a1"], [b""], [b"ab"], [b"c1"]]


def test_invert_matching_pub_and_sub(zmq, mk, bind, transport):
    """PUB and SUB both inverted: the SUB gets what does not start with its topics
    (what the PUB sent before the subscription arrived is dropped by the SUB)."""
    pub = mk("PUB", invert_matching=1)
    ep = bind(pub, transport)
    sub = mk("SUB", invert_matching=1)
    sub.subscribe(b"a")
    sub.subscribe(b"x")
    sub.connect(ep)
    sync(zmq, pub, sub, b"b")
    got = publish_then_collect(pub, sub, [b"a1", b"b1", b"", b"ab", b"x", b"c1"], b"end")
    assert got == [[b"b1"], [b""], [b"c1"]]


def test_invert_matching_on_one_side_only_delivers_nothing(zmq, mk, bind, transport):
    """libzmq: both the publisher and the subscriber must set INVERT_MATCHING."""
    pub = mk("XPUB", invert_matching=1)
    ep = bind(pub, transport)
    plain = mk("SUB")
    plain.connect(ep)
    plain.subscribe(b"a")
    assert pub.recv() == b"\x01a"
    for m in (b"a1", b"b1", b"", b"ab"):
        pub.send(m)
    assert_no_more(plain)

    pub2 = mk("PUB")
    ep2 = bind(pub2, transport)
    inv = mk("SUB", invert_matching=1)
    inv.connect(ep2)
    inv.subscribe(b"a")
    for _ in range(50):
        for m in (b"a1", b"b1", b"", b"ab"):
            pub2.send(m)
    assert_no_more(inv)


# ---------------------------------------------------------------------------
# XSUB upstream


def test_xsub_sends_messages_upstream(zmq, pubsub):
    xpub, (xsub,) = pubsub("XPUB", "XSUB")
    xsub.send(b"\x01")
    assert xpub.recv() == b"\x01"       # the connection is up
    xsub.send(b"hello")
    assert xpub.recv() == b"hello"
    assert not xpub.rcvmore
    xsub.send_multipart([b"multi", b"part", b""])
    assert xpub.recv_multipart() == [b"multi", b"part", b""]
    xsub.send(b"")
    assert xpub.recv_multipart() == [b""]
    xsub.send(b"\x02not a subscription")
    assert xpub.recv() == b"\x02not a subscription"
    xsub.send(b"\x01later")
    assert xpub.recv() == b"\x01later"


def test_xsub_counts_subscriptions(zmq, pubsub):
    """An XSUB forwards every subscribe but a cancel only when its count drops to 0,
    and never a cancel of something it did not subscribe."""
    xpub, (xsub,) = pubsub("XPUB", "XSUB", xpub_verboser=1)
    xsub.send(b"\x01a")
    xsub.send(b"\x01a")
    assert recv_notifications(xpub, 2) == [b"\x01a", b"\x01a"]
    xsub.send(b"\x00a")
    xsub.send(b"\x00never")
    xsub.send(b"\x01z")
    assert xpub.recv() == b"\x01z"
    xsub.send(b"\x00a")
    assert xpub.recv() == b"\x00a"


def test_xsub_upstream_to_every_publisher(zmq, mk, bind, transport):
    x1 = mk("XPUB")
    x2 = mk("XPUB")
    xsub = mk("XSUB")
    xsub.connect(bind(x1, transport))
    xsub.connect(bind(x2, transport))
    xsub.send(b"\x01t")
    assert x1.recv() == b"\x01t"
    assert x2.recv() == b"\x01t"
    xsub.send(b"up")
    assert x1.recv() == b"up"
    assert x2.recv() == b"up"


def test_sub_connected_to_two_publishers(zmq, mk, bind, transport):
    p1 = mk("PUB")
    p2 = mk("PUB")
    sub = mk("SUB")
    sub.connect(bind(p1, transport))
    sub.subscribe(b"a")
    sub.connect(bind(p2, transport))    # gets the subscription on attach
    sync(zmq, p1, sub, b"a")
    sync(zmq, p2, sub, b"a")
    assert publish_then_collect(p1, sub, [b"b1", b"a1"], b"a-end") == [[b"a1"]]
    assert publish_then_collect(p2, sub, [b"b2", b"a2"], b"a-end") == [[b"a2"]]
    sub.unsubscribe(b"a")
    f = fence(zmq, p1, sub)
    sync(zmq, p2, sub, f)
    assert publish_then_collect(p1, sub, [b"a3"], f + b"end") == []
    assert publish_then_collect(p2, sub, [b"a4"], f + b"end") == []


# ---------------------------------------------------------------------------
# poll


def test_poll_reports_only_matching_messages(zmq, pubsub):
    pub, (sub,) = pubsub()
    sub.subscribe(b"a")
    sub.subscribe(b"b")
    sync(zmq, pub, sub, b"a")
    sync(zmq, pub, sub, b"b")
    assert not sub.poll(0)
    for i in range(5):
        pub.send(b"b%d" % i)
    pub.send(b"a-end")
    # queued (or still travelling) messages are filtered again when read
    sub.unsubscribe(b"b")
    poller = zmq.Poller()
    poller.register(sub, zmq.POLLIN)
    assert dict(poller.poll(TIMEOUT_MS)) == {sub: zmq.POLLIN}
    assert sub.getsockopt(zmq.EVENTS) & zmq.POLLIN
    assert sub.recv() == b"a-end"
    assert not sub.getsockopt(zmq.EVENTS) & zmq.POLLIN
    assert sub.poll(0) == 0
    assert zmq.zmq_poll([(sub, zmq.POLLIN)], 0) == []
    assert zmq.select([sub], [], [], 0)[0] == []


def test_poll_with_filtered_tail(zmq, mk, inproc):
    """poll() does not report a queued message that no longer matches, even when it
    is the only thing queued (inproc: a sent message is in the SUB's queue at once)."""
    ep = inproc()
    pub = mk("PUB")
    pub.bind(ep)
    sub = mk("SUB")
    sub.connect(ep)
    sub.subscribe(b"a")
    sub.subscribe(b"b")
    sync(zmq, pub, sub, b"a")
    sync(zmq, pub, sub, b"b")
    pub.send(b"b1")
    sub.unsubscribe(b"b")
    assert sub.poll(0) == 0
    assert sub.getsockopt(zmq.EVENTS) == 0
    with pytest.raises(zmq.Again):
        sub.recv(zmq.NOBLOCK)


def test_message_reported_by_poll_survives_unsubscribe(zmq, pubsub):
    """libzmq: once poll() has reported a message (it is taken off the queue), an
    unsubscribe does not take it back; the ones behind it are filtered."""
    pub, (sub,) = pubsub()
    sub.subscribe(b"a")
    sub.subscribe(b"b")
    sync(zmq, pub, sub, b"a")
    sync(zmq, pub, sub, b"b")
    for i in range(5):
        pub.send(b"b%d" % i)
    pub.send(b"a-end")
    assert sub.poll(TIMEOUT_MS)
    sub.unsubscribe(b"b")
    assert sub.poll(0)
    assert sub.recv() == b"b0"
    assert sub.recv() == b"a-end"


# ---------------------------------------------------------------------------
# many subscribers, reconnection, connect before bind


@pytest.mark.parametrize("transport", ["inproc", "tcp"])
def test_twenty_subscribers_fan_out(zmq, mk, bind, transport):
    pub = mk("PUB", sndhwm=0)
    ep = bind(pub, transport)
    subs = []
    for i in range(20):
        s = mk("SUB", rcvhwm=0)
        s.connect(ep)
        s.subscribe(b"all")
        s.subscribe(b"t%02d" % i)
        subs.append(s)
    sync(zmq, pub, subs, b"all")
    for i, s in enumerate(subs):
        sync(zmq, pub, s, b"t%02d" % i)
    for n in range(200):
        pub.send(b"all %d" % n)
        pub.send(b"t%02d %d" % (n % 20, n))
    pub.send(b"all-end")
    for i, s in enumerate(subs):
        got = []
        while True:
            m = s.recv()
            if m == b"all-end":
                break
            got.append(m)
        expected = []
        for n in range(200):
            expected.append(b"all %d" % n)
            if n % 20 == i:
                expected.append(b"t%02d %d" % (i, n))
        assert got == expected, "subscriber %d" % i


@pytest.mark.parametrize("transport", ["tcp", "ipc"])
@pytest.mark.parametrize("sub_type", ["SUB", "XSUB"])
@pytest.mark.parametrize("pub_type", ["PUB", "XPUB"])
def test_resubscribe_when_publisher_restarts(zmq, mk, bind, transport, sub_type, pub_type):
    """The publisher is closed and a new one binds the same endpoint, three times: it
    learns the subscriptions (a PUB sends nothing to a subscriber it has no
    subscription from) and filters with them, without anyone subscribing again."""
    pub = mk(pub_type)
    ep = bind(pub, transport)
    sub = mk(sub_type, reconnect_ivl=20)
    sub.connect(ep)
    subscribe(zmq, sub, b"a")
    subscribe(zmq, sub, b"b")
    unsubscribe(zmq, sub, b"b")
    sync(zmq, pub, sub, b"a")
    for round_ in range(3):
        pub.close(linger=0)
        pub = mk(pub_type)
        rebind(pub, ep)
        if pub_type == "XPUB":
            assert recv_poking(pub, sub) == [b"\x01a"], "round %d" % round_
        # the probes' wait loop lets the SUB do its work (re-sending)
        sync(zmq, pub, sub, b"a")
        # and filters with it: even an XSUB gets only "a*"
        got = publish_then_collect(pub, sub, [b"b1", b"c1", b"a1"], b"a-end")
        assert got == [[b"a1"]]
        if pub_type == "XPUB":
            assert_no_more(pub, 0)


def test_subscribe_while_publisher_is_away(zmq, mk, bind, monitor_socket):
    """Subscriptions made while disconnected reach the next publisher once each."""
    pub = mk("XPUB", xpub_verbose=1)
    ep = bind(pub, "tcp")
    sub = mk("SUB", reconnect_ivl=20)
    mon = monitor_socket(sub, zmq.EVENT_DISCONNECTED)
    sub.connect(ep)
    sub.subscribe(b"a")
    assert pub.recv() == b"\x01a"
    pub.close(linger=0)
    assert mon.poll(TIMEOUT_MS), "SUB never saw the disconnection"
    mon.recv_multipart()
    sub.subscribe(b"x")     # while nobody is there
    pub = mk("XPUB", xpub_verbose=1)
    rebind(pub, ep)
    notes = recv_poking(pub, sub)
    while b"\x01a" not in notes or b"\x01x" not in notes:
        notes += recv_poking(pub, sub)
    sub.subscribe(b"z")     # behind whatever the SUB sent for the reconnection
    while notes[-1] != b"\x01z":
        notes.append(pub.recv())
    assert sorted(notes) == [b"\x01a", b"\x01x", b"\x01z"], notes


def test_subscription_made_while_resubscribing(zmq, mk, bind, monitor_socket, request,
                                               impl_name):
    """A subscribe and an unsubscribe made just after the SUB reconnected, before it
    re-sent its subscriptions, reach the new publisher once, in their net effect:
    the new publisher sees "y" once and never hears of "a"."""
    pub = mk("XPUB", xpub_verbose=1)
    ep = bind(pub, "tcp")
    sub = mk("SUB", reconnect_ivl=20)
    mon = monitor_socket(sub, zmq.EVENT_HANDSHAKE_SUCCEEDED)
    sub.connect(ep)
    sub.subscribe(b"a")
    assert pub.recv() == b"\x01a"
    assert mon.poll(TIMEOUT_MS)
    mon.recv_multipart()
    pub.close(linger=0)
    pub = mk("XPUB", xpub_verbose=1)
    rebind(pub, ep)
    assert mon.poll(TIMEOUT_MS), "the SUB never reconnected"
    mon.recv_multipart()
    # The event is sent just before the SUB's I/O thread finishes taking the new
    # connection; give it a moment. (Only a buggy implementation can fail here: a
    # correct one passes whenever the subscribe lands.)
    time.sleep(0.05)
    sub.subscribe(b"y")     # no call so far has let the SUB process its commands
    sub.unsubscribe(b"a")
    sub.poll(0)             # now it does: the re-send goes out
    sub.subscribe(b"z")
    notes = recv_poking(pub, sub)
    while notes[-1] != b"\x01z":
        notes += recv_poking(pub, sub)
    assert sorted(notes) == [b"\x01y", b"\x01z"], notes


@pytest.mark.parametrize("sub_type", ["SUB", "XSUB"])
def test_connect_before_bind_inproc(zmq, mk, inproc, sub_type):
    ep = inproc()
    sub = mk(sub_type)
    subscribe(zmq, sub, b"early")
    sub.connect(ep)
    subscribe(zmq, sub, b"late")
    pub = mk("XPUB")
    pub.bind(ep)
    notes = recv_poking(pub, sub) + recv_poking(pub, sub)
    assert sorted(notes) == [b"\x01early", b"\x01late"]
    sync(zmq, pub, sub, b"early")
    sync(zmq, pub, sub, b"late")
    got = publish_then_collect(pub, sub, [b"early1", b"other", b"late1"], b"late-end")
    assert got == [[b"early1"], [b"late1"]]


# ---------------------------------------------------------------------------
# more corners


@pytest.mark.parametrize("transport", ["inproc", "tcp"])
def test_fan_in_multipart_with_poll_between(zmq, mk, bind, transport):
    """A SUB fed by three PUBs that poll()s before each recv gets whole messages,
    never parts of two interleaved; each publisher's order is kept."""
    pubs = [mk("PUB", sndhwm=0) for _ in range(3)]
    sub = mk("SUB", rcvhwm=0)
    sub.subscribe(b"m")
    for p in pubs:
        sub.connect(bind(p, transport))
    for p in pubs:
        sync(zmq, p, sub, b"m")
    n = 300
    for i in range(n):
        for k, p in enumerate(pubs):
            p.send_multipart([b"m%d" % k, b"%d" % i, b"x" * (i % 50), b"end"])
            p.send_multipart([b"skip", b"%d" % i])     # filtered, whole
    seen = [0] * len(pubs)
    for _ in range(n * len(pubs)):
        assert sub.poll(TIMEOUT_MS)
        parts = sub.recv_multipart()
        k = int(parts[0][1:])
        assert parts == [b"m%d" % k, b"%d" % seen[k], b"x" * (seen[k] % 50), b"end"]
        seen[k] += 1
    assert seen == [n] * len(pubs)
    assert not sub.poll(50)


def test_xpub_nodrop_keeps_pollout(zmq, mk, bind):
    """libzmq: an XPUB reports POLLOUT even when XPUB_NODROP makes send say Again."""
    xpub = mk("XPUB", xpub_nodrop=1, sndhwm=2)
    ep = bind(xpub, "inproc")
    sub = mk("SUB", rcvhwm=2)
    sub.subscribe(b"")
    sub.connect(ep)
    assert xpub.recv() == b"\x01"
    sync(zmq, xpub, sub)
    with pytest.raises(zmq.Again):
        for i in range(1000):
            xpub.send(b"%d" % i, zmq.NOBLOCK)
    assert xpub.getsockopt(zmq.EVENTS) & zmq.POLLOUT


def test_sub_linger_zero_lets_context_terminate(zmq, spawn):
    """SUB and XSUB linger 0 by default: subscriptions and messages queued for a
    publisher that never comes do not hold up Context.term()."""
    import socket as pysocket
    probe = pysocket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    context = zmq.Context()
    sub = context.socket(zmq.SUB)
    xsub = context.socket(zmq.XSUB)
    for s in (sub, xsub):
        s.connect("tcp://127.0.0.1:%d" % port)
        s.connect("inproc://nobody-binds-%d" % port)
    for i in range(5000):
        sub.subscribe(b"t%d" % i)
        xsub.send(b"\x01t%d" % i)
        xsub.send(b"upstream %d" % i)
    sub.close()
    xsub.close()
    worker = spawn(context.term)
    worker.join(5.0)


def test_subscription_through_a_proxy(zmq, mk, bind, spawn, ctx, inproc):
    """PUB-side XPUB -> proxy(XSUB, XPUB) -> SUB: subscriptions go up through the
    proxy, messages come down filtered, a cancel goes up when the last one goes."""
    upstream = mk("XPUB")
    up_ep = bind(upstream, "tcp")
    front = mk("XSUB")
    front.connect(up_ep)
    back = mk("XPUB")
    down_ep = bind(back, "tcp")
    ctl_ep = inproc("ctl")
    ctl_proxy = ctx.socket(zmq.PAIR)
    ctl_proxy.bind(ctl_ep)
    ctl = ctx.socket(zmq.PAIR)
    ctl.connect(ctl_ep)
    for s in (front, back):
        s.rcvtimeo = s.sndtimeo = -1
    worker = spawn(zmq.proxy_steerable, front, back, None, ctl_proxy)
    try:
        sub = mk("SUB")
        sub.connect(down_ep)
        sub.subscribe(b"a")
        assert upstream.recv() == b"\x01a"
        sync(zmq, upstream, sub, b"a")
        assert publish_then_collect(upstream, sub, [b"b1", b"a1"], b"a-end") == [[b"a1"]]
        sub2 = mk("SUB")
        sub2.connect(down_ep)
        sub2.subscribe(b"a")
        sub2.subscribe(b"c")
        assert upstream.recv() == b"\x01c"       # "a" is not new at the proxy's XPUB
        sub.unsubscribe(b"a")
        sub2.unsubscribe(b"a")
        assert upstream.recv() == b"\x00a"
    finally:
        ctl.send(b"TERMINATE")
        worker.join(TIMEOUT_MS / 1000)
        ctl.close(linger=0)
        ctl_proxy.close(linger=0)


def test_sub_conflate_keeps_the_last_matching(zmq, mk, inproc):
    ep = inproc()
    pub = mk("PUB")
    pub.bind(ep)
    sub = mk("SUB", conflate=1)
    sub.subscribe(b"a")
    sub.connect(ep)
    sync(zmq, pub, sub, b"a")
    for i in range(100):
        pub.send(b"a%d" % i)
        pub.send(b"b%d" % i)
    assert sub.recv() == b"a99"
    assert_no_more(sub)


def test_subscriptions_never_lost_at_sndhwm(zmqcore_only, mk, bind):
    """zmqcore: subscriptions skip the SUB's SNDHWM, so even a burst far above it all
    arrive (libzmq drops those beyond SNDHWM when its I/O thread falls behind)."""
    zmq = zmqcore_only
    xpub = mk("XPUB")
    ep = bind(xpub, "tcp")
    sub = mk("SUB", sndhwm=10)
    sub.connect(ep)
    n = 20_000
    for i in range(n):
        sub.subscribe(b"t%05d" % i)
    for i in range(n):
        assert xpub.recv() == b"\x01t%05d" % i


def test_xpub_nodrop_blocked_sender_freed_when_subscriber_leaves(zmq, mk, bind, spawn):
    xpub = mk("XPUB", xpub_nodrop=1, sndhwm=2)
    xpub.sndtimeo = -1
    ep = bind(xpub, "inproc")
    sub = mk("SUB", rcvhwm=2)
    sub.subscribe(b"")
    sub.connect(ep)
    assert xpub.recv() == b"\x01"
    with pytest.raises(zmq.Again):
        for i in range(1000):
            xpub.send(b"%d" % i, zmq.NOBLOCK)
    worker = spawn(xpub.send, b"blocked")   # waits for room (or for no subscriber)
    worker.thread.join(0.1)
    sub.close()
    worker.join(5.0)


def test_xpub_manual_subscriber_gone_before_its_notification_is_read(zmq, mk, inproc):
    """inproc: a subscription is in the XPUB's pipe as soon as it is made, so the
    subscriber can leave before the XPUB application has read it."""
    ep = inproc()
    xpub = mk("XPUB", xpub_manual=1)
    xpub.bind(ep)
    s1 = mk("SUB")
    s2 = mk("SUB")
    s1.connect(ep)
    s2.connect(ep)
    s1.subscribe(b"a")
    s2.subscribe(b"z")
    s1.close()      # its "\x01a" is queued at the XPUB, its pipe gone
    notes = []
    while b"\x01z" not in notes or b"\x00a" not in notes:
        notes += recv_poking(xpub, s2)
        if notes[-1] == b"\x01z":
            xpub.setsockopt(zmq.SUBSCRIBE, b"z")    # for s2
        else:
            # the pipe this names is s1's, gone: must be safe, and do nothing
            xpub.setsockopt(zmq.SUBSCRIBE, b"a")
            xpub.setsockopt(zmq.UNSUBSCRIBE, b"q")
    assert sorted(notes) in ([b"\x00a", b"\x01a", b"\x01z"], [b"\x00a", b"\x01z"])
    assert publish_then_collect(xpub, s2, [b"a1"], b"z-end") == []


def test_connecting_xpub_keeps_subscriptions_for_the_next_peer(zmq, mk, endpoint):
    """libzmq: a connecting XPUB keeps its pipe, and the subscriptions that came
    through it, when the peer it connected to is replaced by another."""
    a = mk("XSUB")
    a.bind(endpoint("tcp"))
    ep = a.last_endpoint.decode()
    xpub = mk("XPUB", reconnect_ivl=20)
    xpub.connect(ep)
    deadline = time.monotonic() + DEADLINE
    while True:
        a.send(b"\x01old")   # a bound XSUB has no pipe until the connection is up
        if xpub.poll(20):
            break
        assert time.monotonic() < deadline
    assert xpub.recv() == b"\x01old"
    a.close()
    b = mk("XSUB")
    rebind(b, ep)
    while True:
        b.send(b"\x01new")
        if xpub.poll(20):
            break
        assert time.monotonic() < deadline
    notes = [xpub.recv()]
    while xpub.poll(50):
        notes.append(xpub.recv())
    assert set(notes) == {b"\x01new"}
    assert publish_then_collect(xpub, b, [b"old1", b"x"], b"new-end") == [[b"old1"]]


@pytest.mark.parametrize("transport", ["inproc", "tcp"])
def test_subscriber_churn(zmq, mk, bind, transport):
    """200 subscribers come and go (up to five at a time; every third closes right
    after connecting) while the XPUB publishes: each one's notifications balance
    (subscribed once, cancelled once, or neither), a shared topic ends cancelled,
    and zmqcore is left with no pipe."""
    xpub = mk("XPUB", sndhwm=1000)
    ep = bind(xpub, transport)
    alive = []
    notes = []
    for i in range(200):
        s = mk("SUB")
        s.connect(ep)
        s.subscribe(b"all")
        s.subscribe(b"s%03d" % i)
        if i % 3:
            sync(zmq, xpub, s, b"s%03d" % i)
        alive.append(s)
        xpub.send(b"all %d" % i)
        if len(alive) > 5 or i % 3 == 0:
            alive.pop(0).close()
        while xpub.poll(0):
            notes.append(xpub.recv())
    for s in alive:
        s.close()

    def balanced():
        for i in range(200):
            up, down = notes.count(b"\x01s%03d" % i), notes.count(b"\x00s%03d" % i)
            if up != down or up > 1:
                return False
        return notes.count(b"\x01all") == notes.count(b"\x00all") >= 1

    deadline = time.monotonic() + DEADLINE
    while not balanced():
        if xpub.poll(50):
            notes.append(xpub.recv())
        assert time.monotonic() < deadline, "unbalanced notifications"
    for i in range(200):
        if i % 3:
            assert notes.count(b"\x01s%03d" % i) == 1, i
    assert_no_more(xpub)
    if hasattr(xpub, "get_stats"):
        deadline = time.monotonic() + DEADLINE
        while xpub.get_stats()["peers"]:
            xpub.poll(20)
            assert time.monotonic() < deadline, xpub.get_stats()


@pytest.mark.parametrize("transport", ["inproc", "tcp"])
def test_large_bodies_fan_out_intact(zmq, mk, bind, transport):
    """Bodies of 64 KiB+ (which may be lent to the core instead of copied) reach every
    subscriber intact although the sender dropped them at once and the memory was
    reused before anyone read them."""
    import gc
    import hashlib
    import os
    pub = mk("PUB", sndhwm=0)
    ep = bind(pub, transport)
    subs = [mk("SUB", rcvhwm=0) for _ in range(5)]
    for s in subs:
        s.subscribe(b"")
        s.connect(ep)
    sync(zmq, pub, subs)
    n = 60
    digests = []
    for i in range(n):
        body = bytes([i % 251]) * 1000 + os.urandom(69000 + i * 997)
        digests.append(hashlib.sha1(body).digest())
        if i % 3 == 0:
            pub.send_multipart([b"hdr", body, b"tail"])
        else:
            pub.send(body)
        del body
    gc.collect()
    junk = [bytearray(b"\xaa" * (70000 + i * 997)) for i in range(n)]
    for k, s in enumerate(subs):
        for i in range(n):
            parts = s.recv_multipart()
            body = parts[1] if i % 3 == 0 else parts[0]
            assert hashlib.sha1(body).digest() == digests[i], (k, i)
    del junk


def test_tracker_done_only_when_every_subscriber_let_go(zmq, mk, inproc):
    """copy=False, track=True through a fan-out: the body is the sender's until the
    last subscriber has let go of its copy (inproc: the copies wait in the pipes)."""
    ep = inproc()
    pub = mk("PUB", sndhwm=0)
    pub.bind(ep)
    subs = [mk("SUB") for _ in range(3)]
    for s in subs:
        s.subscribe(b"")
        s.connect(ep)
    sync(zmq, pub, subs)
    tracker = pub.send(b"x" * 200_000, copy=False, track=True)
    assert not tracker.done
    for s in subs[:2]:
        frame = s.recv(copy=False)
        assert frame.bytes == b"x" * 200_000
        del frame
    assert not tracker.done
    frame = subs[2].recv(copy=False)
    del frame
    tracker.wait(TIMEOUT_MS / 1000)
    assert tracker.done


# ---------------------------------------------------------------------------
# a random walk against a model


ALPHABET = [b"a", b"b", b"\x00"]
TOPICS = [b""] + [b"".join(p) for n in (1, 2, 3, 4)
                  for p in itertools.product(ALPHABET, repeat=n)]
PROBES = TOPICS + [t + b"\x00" for t in TOPICS if len(t) == 4] + [b"a" * 6]
STEPS = 1500


@pytest.mark.parametrize("transport", ["inproc", "tcp"])
def test_random_subscriptions_match_a_model(zmq, mk, bind, transport):
    """1500 random (un)subscriptions from three subscribers (two XSUB, whose
    publisher's filter is all there is, and a SUB): after each one the XPUB's
    notifications, and every 100 the delivery of every probe to every subscriber,
    are what prefix matching with counted subscriptions says."""
    rnd = random.Random(20240607)
    xpub = mk("XPUB", sndhwm=0)
    ep = bind(xpub, transport)
    subs = []
    for kind in ("XSUB", "XSUB", "SUB"):
        s = mk(kind, rcvhwm=0)
        s.connect(ep)
        subs.append(s)
    counts = [dict.fromkeys(TOPICS, 0) for _ in subs]
    end = b"\xffend"       # every subscriber holds it; no probe starts with it
    holders = {t: set() for t in TOPICS + [end]}    # the XPUB's pipes per topic
    for i, s in enumerate(subs):
        subscribe(zmq, s, end)
        holders[end].add(i)
    sync(zmq, xpub, subs, end)
    assert xpub.recv() == b"\x01" + end

    def expect_after(i, expected):
        """What the XPUB shows for sub i's last operation, then a fence."""
        f = b"\xfef%d" % next(_counter)
        subscribe(zmq, subs[i], f)
        notes = []
        while True:
            n = xpub.recv()
            if n == b"\x01" + f:
                break
            notes.append(n)
        assert notes == expected
        unsubscribe(zmq, subs[i], f)
        assert xpub.recv() == b"\x00" + f

    def check_delivery():
        for m in PROBES:
            xpub.send(m)
        xpub.send(end)
        for i, s in enumerate(subs):
            want = [[m] for m in PROBES
                    if any(counts[i][t] > 0 and m.startswith(t) for t in TOPICS)]
            got = []
            while True:
                parts = s.recv_multipart()
                if parts == [end]:
                    break
                got.append(parts)
            assert got == want, "subscriber %d" % i

    for step in range(STEPS):
        i = rnd.randrange(len(subs))
        t = rnd.choice(TOPICS)
        if rnd.random() < 0.55:
            subscribe(zmq, subs[i], t)
            counts[i][t] += 1
            first = not holders[t]
            holders[t].add(i)
            expect_after(i, [b"\x01" + t] if first else [])
        else:
            unsubscribe(zmq, subs[i], t)
            if counts[i][t] == 0:
                expect_after(i, [])     # a subscriber does not send what it lacks
                continue
            counts[i][t] -= 1
            if counts[i][t] == 0:
                holders[t].discard(i)
                expect_after(i, [] if holders[t] else [b"\x00" + t])
            else:
                expect_after(i, [])
        if step % 100 == 99:
            check_delivery()
    check_delivery()
    # each subscriber leaves; the XPUB reports the topics nobody else holds
    for i, s in enumerate(subs):
        s.close()
        lost = sorted(b"\x00" + t for t in holders if holders[t] == {i})
        for t in holders:
            holders[t].discard(i)
        got = recv_notifications(xpub, len(lost))
        assert sorted(got) == sorted(lost)
    assert_no_more(xpub)


# ---------------------------------------------------------------------------
# load


def test_slow_subscriber_does_not_hold_up_the_rest(zmq, mk, bind):
    """One SUB never reads. The PUB never blocks, the fast SUB gets every message,
    memory stays bounded, and zmqcore counts the slow one's drops.

    Lock-step, so the fast subscriber's own speed does not matter: BATCH messages
    (fewer than half of SNDHWM, i.e. below the pipe's low-water mark) are published,
    the fast SUB reads up to the last of them, and getsockopt(EVENTS) lets the PUB
    process the reader's progress reports before the next batch. The fast pipe
    therefore never reaches its HWM; the slow one does and stays there.
    """
    total = 200_000
    batch = 25
    body = b"x" * 1024
    pub = mk("PUB", sndhwm=100)
    ep = bind(pub, "tcp")
    slow = mk("SUB", rcvhwm=100)
    slow.subscribe(b"")
    slow.connect(ep)
    fast = mk("SUB", rcvhwm=100)
    fast.subscribe(b"")
    fast.connect(ep)
    sync(zmq, pub, [slow, fast])
    rss0 = rss_bytes()
    t0 = time.monotonic()
    got = 0
    for start in range(0, total, batch):
        pub.getsockopt(zmq.EVENTS)
        for i in range(start, start + batch):
            # NOBLOCK: a PUB that would block raises Again, and that fails the test
            pub.send(b"%08d" % i + body, zmq.NOBLOCK)
        for i in range(start, start + batch):
            m = fast.recv()
            assert m[:8] == b"%08d" % i, "fast subscriber lost message %d" % i
            got += 1
    elapsed = time.monotonic() - t0
    rss_growth = rss_bytes() - rss0
    assert got == total
    assert rss_growth < 100 * 1024 * 1024, "RSS grew by %d MiB" % (rss_growth >> 20)
    assert elapsed < 40
    if hasattr(pub, "get_stats"):
        stats = pub.get_stats()
        # the slow subscriber lost nearly everything
        assert stats["dropped"] >= total // 2, stats
    # the slow one holds only what its queues and the kernel buffers took, in
    # order; reading makes room, so an END marker gets through eventually
    slow_seqs = []
    deadline = time.monotonic() + DEADLINE
    while True:
        pub.send(b"END", zmq.NOBLOCK)
        m = slow.recv() if slow.poll(20) else None
        if m == b"END":
            break
        if m is not None:
            slow_seqs.append(int(m[:8]))
        assert len(slow_seqs) < total // 2
        assert time.monotonic() < deadline, "the slow subscriber is stuck"
    assert slow_seqs[:10] == list(range(10))
    assert slow_seqs == sorted(slow_seqs)


SUBS_N = 100_000


@pytest.mark.parametrize("transport", ["inproc", "tcp"])
def test_hundred_thousand_subscriptions(zmq, mk, bind, transport):
    pub = mk("PUB", sndhwm=0)
    ep = bind(pub, transport)
    # libzmq drops subscriptions beyond the SUB's SNDHWM when they are made faster
    # than the I/O thread sends them: no limit, so that all of them arrive.
    sub = mk("SUB", sndhwm=0, rcvhwm=0)
    sub.connect(ep)
    t0 = time.monotonic()
    for i in range(SUBS_N):
        sub.setsockopt(zmq.SUBSCRIBE, b"topic-%06d" % i)
    sync(zmq, pub, sub, b"topic-%06d" % (SUBS_N - 1))   # the last one, so all of them
    matching = {0, 1, 777, 50_000, 99_998, 99_999}
    sent = []
    for n in range(SUBS_N):
        if n % 1000 == 0:
            i = sorted(matching)[(n // 1000) % len(matching)]
            msg = b"topic-%06d:%d" % (i, n)
            sent.append(msg)
        elif n % 3 == 0:
            msg = b"topic-%05d" % (n % 10000)   # 5 digits: a prefix of topics, no match
        elif n % 3 == 1:
            msg = b"nomatch-%d" % n
        else:
            msg = b"topic-x%d" % n
        pub.send(msg)
    end = b"topic-000000-end"
    pub.send(end)
    got = []
    while True:
        m = sub.recv()
        if m == end:
            break
        got.append(m)
    elapsed = time.monotonic() - t0
    assert got == sent
    assert elapsed < 30, "subscribe + publish 100k took %.1f s" % elapsed
    # unsubscribe every one: nothing matches any more
    t0 = time.monotonic()
    for i in range(SUBS_N):
        sub.setsockopt(zmq.UNSUBSCRIBE, b"topic-%06d" % i)
    f = fence(zmq, pub, sub)
    for i in range(0, SUBS_N, 97):
        pub.send(b"topic-%06d" % i)
    assert publish_then_collect(pub, sub, [b"topic-099999"], f + b"end") == []
    assert time.monotonic() - t0 < 30


def test_xpub_hundred_thousand_notifications(zmq, mk, bind):
    xpub = mk("XPUB", sndhwm=0)
    ep = bind(xpub, "tcp")
    sub = mk("SUB", sndhwm=0)
    sub.connect(ep)
    t0 = time.monotonic()
    for i in range(SUBS_N):
        sub.subscribe(b"topic-%06d" % i)
    for i in range(SUBS_N):
        assert xpub.recv() == b"\x01topic-%06d" % i
    sub.close()
    gone = set()
    for _ in range(SUBS_N):
        gone.add(xpub.recv())
    assert gone == {b"\x00topic-%06d" % i for i in range(SUBS_N)}
    assert_no_more(xpub)
    assert time.monotonic() - t0 < 30
