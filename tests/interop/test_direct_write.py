"""Direct writes: a socket whose last receive waited writes its next send to an
idle connection itself instead of waking its I/O thread (zmqcore/core/direct.h).

The path must be invisible but for speed: every message arrives, in order and
intact, to zmqcore and libzmq peers alike, whatever size (a 1 MiB body overflows
the kernel buffer and is finished by the I/O thread), through disconnects, closes
with LINGER, peers that vanish (no SIGPIPE reaches the application) and
concurrent sockets.  ``get_stats()["direct_writes"]`` proves each test really
went down the direct path and that a burst of sends still goes to the I/O thread
to be batched.
"""

import threading
import time

import pytest
import zmq as libzmq

import zmqcore

from .helpers import requires_linux

TIMEOUT_MS = 5000


@pytest.fixture
def zctx():
    c = zmqcore.Context()
    yield c
    c.destroy(linger=0)


@pytest.fixture
def lctx():
    c = libzmq.Context()
    yield c
    c.destroy(linger=0)


def _endpoint(transport, tmp_path, tag):
    if transport == "tcp":
        return "tcp://127.0.0.1:*"
    return "ipc://%s/%s.ipc" % (tmp_path, tag)


def _sock(ctx, kind, **opts):
    s = ctx.socket(kind)
    s.setsockopt(zmqcore.RCVTIMEO, TIMEOUT_MS)
    s.setsockopt(zmqcore.SNDTIMEO, TIMEOUT_MS)
    for k, v in opts.items():
        s.setsockopt(getattr(zmqcore, k), v)
    return s


def _payload(i, size):
    """size bytes that differ from one message to the next."""
    head = b"%08d" % i
    if size <= len(head):
        return head[:size]
    return head + bytes([(i * 7) & 0xFF]) * (size - len(head))


def _echo(sock, n, multipart=False):
    for _ in range(n):
        if multipart:
            sock.send_multipart(sock.recv_multipart())
        else:
            sock.send(sock.recv())


SIZES = [1, 64, 1024, 1 << 20]


@requires_linux
@pytest.mark.parametrize("transport", ["tcp", "ipc"])
@pytest.mark.parametrize("size", SIZES, ids=lambda s: "%dB" % s)
def test_req_rep_lockstep_goes_direct_both_ways(zctx, tmp_path, transport, size):
    n = 200 if size < (1 << 20) else 20
    rep = _sock(zctx, zmqcore.REP)
    rep.bind(_endpoint(transport, tmp_path, "rr"))
    req = _sock(zctx, zmqcore.REQ)
    req.connect(rep.getsockopt(zmqcore.LAST_ENDPOINT))
    t = threading.Thread(target=_echo, args=(rep, n))
    t.start()
    try:
        for i in range(n):
            m = _payload(i, size)
            time.sleep(0.001)   # so the REP's receive waits, as across hosts
            req.send(m)
            assert req.recv() == m
    finally:
        t.join(10)
    assert not t.is_alive()
    # Only sends after a receive that waited go direct; threads sharing the
    # GIL do not always wait, so only "some" is asked for.
    assert req.get_stats()["direct_writes"] > 0
    assert rep.get_stats()["direct_writes"] > 0


@requires_linux
@pytest.mark.parametrize("transport", ["tcp", "ipc"])
@pytest.mark.parametrize("size", [1, 1024, 1 << 20], ids=lambda s: "%dB" % s)
@pytest.mark.parametrize("zmqcore_side", ["REQ", "REP"])
def test_lockstep_with_libzmq_peer(zctx, lctx, tmp_path, transport, size, zmqcore_side):
    n = 100 if size < (1 << 20) else 10
    ep = _endpoint(transport, tmp_path, "lz")
    if zmqcore_side == "REQ":
        peer = lctx.socket(libzmq.REP)
        peer.rcvtimeo = peer.sndtimeo = TIMEOUT_MS
        peer.bind(ep)
        ours = _sock(zctx, zmqcore.REQ)
        ours.connect(peer.getsockopt(libzmq.LAST_ENDPOINT).decode())
        requester, echoer = ours, peer
    else:
        ours = _sock(zctx, zmqcore.REP)
        ours.bind(ep)
        peer = lctx.socket(libzmq.REQ)
        peer.rcvtimeo = peer.sndtimeo = TIMEOUT_MS
        peer.connect(ours.getsockopt(zmqcore.LAST_ENDPOINT))
        requester, echoer = peer, ours
    t = threading.Thread(target=_echo, args=(echoer, n))
    t.start()
    for i in range(n):
        m = _payload(i, size)
        requester.send(m)
        assert requester.recv() == m
    t.join(10)
    assert not t.is_alive()
    assert ours.get_stats()["direct_writes"] > 0
    peer.close(linger=0)


def test_a_burst_after_a_waited_receive_is_left_to_batch(zctx):
    n = 5000
    a = _sock(zctx, zmqcore.DEALER)
    a.bind("tcp://127.0.0.1:*")
    b = _sock(zctx, zmqcore.DEALER)
    b.connect(a.getsockopt(zmqcore.LAST_ENDPOINT))

    def kick():
        time.sleep(0.05)
        a.send(b"go")

    t = threading.Thread(target=kick)
    t.start()
    assert b.recv() == b"go"            # waited
    t.join()
    for i in range(n):
        b.send(b"%d" % i)
    for i in range(n):
        assert a.recv() == b"%d" % i
    # The first send of the burst at most went direct; the rest were queued
    # for the I/O thread (one write per batch, not one per message).
    assert b.get_stats()["direct_writes"] <= 1


def test_poll_that_waited_enables_direct_write(zctx):
    a = _sock(zctx, zmqcore.DEALER)
    a.bind("tcp://127.0.0.1:*")
    b = _sock(zctx, zmqcore.DEALER)
    b.connect(a.getsockopt(zmqcore.LAST_ENDPOINT))
    poller = zmqcore.Poller()
    poller.register(b, zmqcore.POLLIN)
    for i in range(50):
        t = threading.Timer(0.002, a.send, args=(b"ping%d" % i,))
        t.start()
        assert poller.poll(TIMEOUT_MS)
        assert b.recv(zmqcore.NOBLOCK) == b"ping%d" % i
        b.send(b"pong%d" % i)
        assert a.recv() == b"pong%d" % i
        t.join()
    assert b.get_stats()["direct_writes"] > 0


def test_multipart_envelopes_go_direct_intact(zctx):
    router = _sock(zctx, zmqcore.ROUTER)
    router.bind("tcp://127.0.0.1:*")
    dealers = [_sock(zctx, zmqcore.DEALER, ROUTING_ID=b"d%d" % i) for i in range(3)]
    for d in dealers:
        d.connect(router.getsockopt(zmqcore.LAST_ENDPOINT))
    n = 300
    t = threading.Thread(target=_echo, args=(router, n, True))
    t.start()
    for i in range(n):
        d = dealers[i % 3]
        parts = [b"", b"a" * (i % 7), b"%d" % i, b"z" * 300]
        d.send_multipart(parts)
        assert d.recv_multipart() == parts
    t.join(10)
    assert not t.is_alive()
    assert router.get_stats()["direct_writes"] > 0


def test_message_sent_directly_then_close_is_delivered(zctx, lctx):
    """A direct write followed at once by close() (LINGER) loses nothing."""
    peer = lctx.socket(libzmq.DEALER)
    peer.rcvtimeo = TIMEOUT_MS
    port = peer.bind_to_random_port("tcp://127.0.0.1")
    for i in range(20):
        s = _sock(zctx, zmqcore.DEALER, LINGER=2000)
        s.connect("tcp://127.0.0.1:%d" % port)
        threading.Timer(0.005, peer.send, args=(b"hello",)).start()
        # The dealer connects, so the peer sends only once it knows us.
        assert s.recv() == b"hello"
        s.send(b"bye%d" % i)
        s.send(b"x" * 200000)       # too big to finish directly
        s.close()
        assert peer.recv() == b"bye%d" % i
        assert peer.recv() == b"x" * 200000
    peer.close(linger=0)


def test_reconnect_between_direct_writes(zctx, lctx):
    """The connection direct writes used goes away; the next one is used, and
    nothing sent on a live connection is lost or doubled."""
    server = lctx.socket(libzmq.ROUTER)
    port = server.bind_to_random_port("tcp://127.0.0.1")
    client = _sock(zctx, zmqcore.DEALER, RECONNECT_IVL=20)
    client.connect("tcp://127.0.0.1:%d" % port)
    got = []
    for rnd in range(3):
        # A message sent as the old connection dies may be lost (libzmq too):
        # probe until the new connection carries one.
        server.rcvtimeo = 50
        deadline = time.monotonic() + 5
        while True:
            client.send(b"hello")
            try:
                server.recv_multipart()
                break
            except libzmq.Again:
                assert time.monotonic() < deadline
        server.rcvtimeo = TIMEOUT_MS
        client.send(b"q0")
        for i in range(10):
            ident, body = server.recv_multipart()
            while body == b"hello":             # late probes
                ident, body = server.recv_multipart()
            got.append(body)
            server.send_multipart([ident, b"a" + body])
            assert client.recv() == b"a" + body        # waited
            if i < 9:
                client.send(b"q%d" % (i + 1))          # direct
        server.close(linger=0)
        server = lctx.socket(libzmq.ROUTER)
        deadline = time.monotonic() + 5
        while True:     # libzmq lets go of the port in the background
            try:
                server.bind("tcp://127.0.0.1:%d" % port)
                break
            except libzmq.ZMQError:
                assert time.monotonic() < deadline
                time.sleep(0.01)
    assert got == [b"q%d" % i for i in range(10)] * 3
    assert client.get_stats()["direct_writes"] > 0
    server.close(linger=0)


def test_concurrent_lockstep_clients_and_bursts(zctx):
    """Several threads, each with its own socket, mix lock-step round trips
    (direct) with bursts (batched) against one ROUTER."""
    router = _sock(zctx, zmqcore.ROUTER)
    router.bind("tcp://127.0.0.1:*")
    ep = router.getsockopt(zmqcore.LAST_ENDPOINT)
    nclients, rounds = 4, 150
    total = nclients * rounds * 4     # 1 request + a burst of 3 per round

    def serve():
        for _ in range(total):
            ident, body = router.recv_multipart()
            if body.startswith(b"r"):
                router.send_multipart([ident, body])

    errors = []

    def client(k):
        try:
            d = _sock(zctx, zmqcore.DEALER)
            d.connect(ep)
            for i in range(rounds):
                m = b"r%d-%d" % (k, i)
                d.send(m)
                assert d.recv() == m
                for j in range(3):
                    d.send(b"b%d-%d-%d" % (k, i, j))
            st = d.get_stats()
            assert st["direct_writes"] > 0, st
            d.close(linger=2000)
        except Exception as exc:            # reported by the main thread
            errors.append(exc)

    srv = threading.Thread(target=serve)
    srv.start()
    threads = [threading.Thread(target=client, args=(k,)) for k in range(nclients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    srv.join(30)
    assert not errors, errors
    assert not srv.is_alive()


def test_proxy_forwards_lockstep_traffic_directly(zctx, lctx):
    """A request through a proxy (libzmq client and worker, zmqcore proxy):
    after each wait, the proxy writes the message it forwards itself."""
    fe = _sock(zctx, zmqcore.ROUTER)
    fe.bind("tcp://127.0.0.1:*")
    be = _sock(zctx, zmqcore.DEALER)
    be.bind("tcp://127.0.0.1:*")
    ctl_in = _sock(zctx, zmqcore.PAIR)
    ctl_in.bind("inproc://proxy-ctl")
    ctl_out = _sock(zctx, zmqcore.PAIR)
    ctl_out.connect("inproc://proxy-ctl")
    t = threading.Thread(target=zmqcore.proxy_steerable, args=(fe, be, None, ctl_in))
    t.start()
    client = lctx.socket(libzmq.REQ)
    worker = lctx.socket(libzmq.REP)
    for s in (client, worker):
        s.rcvtimeo = s.sndtimeo = TIMEOUT_MS
    client.connect(fe.getsockopt(zmqcore.LAST_ENDPOINT))
    worker.connect(be.getsockopt(zmqcore.LAST_ENDPOINT))
    n = 100
    w = threading.Thread(target=_echo, args=(worker, n))
    w.start()
    for i in range(n):
        m = _payload(i, 100)
        client.send(m)
        assert client.recv() == m
    w.join(10)
    ctl_out.send(b"TERMINATE")
    t.join(10)
    assert not t.is_alive()
    assert fe.get_stats()["direct_writes"] > 0      # replies to the client
    assert be.get_stats()["direct_writes"] > 0      # requests to the worker
    client.close(linger=0)
    worker.close(linger=0)
