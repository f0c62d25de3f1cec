"""Socket lifecycle and inproc endpoints, pinned against pyzmq 27.3.0 / libzmq 4.3.5.

pyzmq behaviour pinned here:
- bind()/connect() return a context manager; leaving it unbinds/disconnects.
- inproc: bind before or after connect both deliver; a PUSH connected to a name
  nobody has bound yet already reports POLLOUT and queues messages (NOBLOCK send
  succeeds); they arrive once the name is bound.
- One socket may bind several inproc names; several sockets may connect to one.
- unbind() frees the name at once (the same or another socket may bind it again) but
  does NOT cut inproc connections already established: they keep delivering.
- After close() of the binder the name becomes free again (possibly after the
  socket is reaped, so the test retries for a bounded time).
- disconnect() of one of two PUSH peers sends everything to the remaining one.
- Any operation on a closed socket raises ZMQError(ENOTSOCK); close() twice is fine.
- Socket used as a context manager is closed on exit.
- inproc names are arbitrary strings, including "*", spaces and non-ASCII (UTF-8).
"""

import time

import pytest


def _drain(sock, wait_ms=200):
    out = []
    while sock.poll(wait_ms):
        out.append(sock.recv())
    return out


@pytest.mark.parametrize("bind_first", [True, False], ids=["bind-first", "connect-first"])
def test_push_pull_delivers_regardless_of_order(zmq, link, bind_first):
    pull, push = link(zmq.PULL, zmq.PUSH, bind_first=bind_first)
    push.send(b"hello")
    assert pull.recv() == b"hello"


@pytest.mark.parametrize("bind_first", [True, False], ids=["bind-first", "connect-first"])
def test_pair_delivers_regardless_of_order(zmq, link, bind_first):
    a, b = link(zmq.PAIR, zmq.PAIR, bind_first=bind_first)
    b.send(b"to binder")
    assert a.recv() == b"to binder"
    a.send(b"to connecter")
    assert b.recv() == b"to connecter"


def test_connect_to_unbound_name_queues_until_bind(zmq, ctx, inproc):
    ep = inproc()
    push = ctx.socket(zmq.PUSH)
    push.connect(ep)
    # The inproc pipe exists from connect(): the socket is writable right away.
    assert push.getsockopt(zmq.EVENTS) & zmq.POLLOUT
    for i in range(5):
        push.send(b"early-%d" % i, zmq.NOBLOCK)
    pull = ctx.socket(zmq.PULL)
    pull.rcvtimeo = 2000
    pull.bind(ep)
    assert [pull.recv() for _ in range(5)] == [b"early-%d" % i for i in range(5)]


def test_bind_returns_context_manager_that_unbinds(zmq, ctx, inproc):
    ep = inproc()
    a = ctx.socket(zmq.PULL)
    with a.bind(ep):
        b = ctx.socket(zmq.PULL)
        with pytest.raises(zmq.ZMQError) as info:
            b.bind(ep)
        assert info.value.errno == zmq.EADDRINUSE
    # Unbound on exit: the name is free for another socket.
    b.bind(ep)
    assert b.last_endpoint == ep.encode()


def test_connect_returns_context_manager_that_disconnects(zmq, ctx, inproc):
    ep = inproc()
    pull = ctx.socket(zmq.PULL)
    pull.bind(ep)
    push = ctx.socket(zmq.PUSH)
    with push.connect(ep):
        push.send(b"connected")
        assert pull.poll(2000) and pull.recv() == b"connected"
    # Disconnected: the same endpoint can no longer be disconnected.
    with pytest.raises(zmq.ZMQError) as info:
        push.disconnect(ep)
    assert info.value.errno == 2  # ENOENT


def test_one_socket_binds_several_names(zmq, ctx, inproc):
    pull = ctx.socket(zmq.PULL)
    eps = [inproc() for _ in range(3)]
    for ep in eps:
        pull.bind(ep)
    assert pull.last_endpoint == eps[-1].encode()
    pushes = []
    for i, ep in enumerate(eps):
        p = ctx.socket(zmq.PUSH)
        p.connect(ep)
        p.send(b"via-%d" % i)
        pushes.append(p)
    assert sorted(_drain(pull)) == [b"via-0", b"via-1", b"via-2"]


def test_unbind_frees_name_but_keeps_existing_inproc_connection(zmq, ctx, inproc):
    ep = inproc()
    old = ctx.socket(zmq.PULL)
    old.rcvtimeo = 2000
    old.bind(ep)
    push = ctx.socket(zmq.PUSH)
    push.connect(ep)
    push.send(b"before")
    assert old.recv() == b"before"

    old.unbind(ep)
    # The established inproc pipe survives unbind.
    push.send(b"after-unbind")
    assert old.recv() == b"after-unbind"

    # The name is free: another socket may bind it and gets new connections only.
    new = ctx.socket(zmq.PULL)
    new.rcvtimeo = 2000
    new.bind(ep)
    late = ctx.socket(zmq.PUSH)
    late.connect(ep)
    late.send(b"new-conn")
    assert new.recv() == b"new-conn"
    assert old.poll(100) == 0


def test_unbind_then_rebind_same_socket(zmq, ctx, inproc):
    ep = inproc()
    s = ctx.socket(zmq.PULL)
    s.bind(ep)
    s.unbind(ep)
    s.bind(ep)
    push = ctx.socket(zmq.PUSH)
    push.connect(ep)
    push.send(b"rebound")
    assert s.poll(2000) and s.recv() == b"rebound"


def test_unbind_accepts_bytes(zmq, ctx, inproc):
    ep = inproc()
    s = ctx.socket(zmq.PULL)
    s.bind(ep.encode())
    assert s.last_endpoint == ep.encode()
    s.unbind(ep.encode())
    with pytest.raises(zmq.ZMQError):
        s.unbind(ep)


def test_name_freed_after_binder_closed(zmq, ctx, inproc):
    ep = inproc()
    s = ctx.socket(zmq.PULL)
    s.bind(ep)
    s.close()
    other = ctx.socket(zmq.PULL)
    # Closing is asynchronous (the socket is reaped), so allow a bounded retry.
    deadline = time.monotonic() + 2.0
    while True:
        try:
            other.bind(ep)
            break
        except zmq.ZMQError as exc:
            assert exc.errno == zmq.EADDRINUSE
            if time.monotonic() > deadline:
                raise
            time.sleep(0.005)
    assert other.last_endpoint == ep.encode()


def test_disconnect_routes_to_remaining_peer(zmq, ctx, inproc):
    e1, e2 = inproc(), inproc()
    p1 = ctx.socket(zmq.PULL)
    p2 = ctx.socket(zmq.PULL)
    p1.bind(e1)
    p2.bind(e2)
    push = ctx.socket(zmq.PUSH)
    push.connect(e1)
    push.connect(e2)
    push.disconnect(e1)
    for i in range(6):
        push.send(b"%d" % i)
    assert _drain(p2) == [b"%d" % i for i in range(6)]
    assert _drain(p1, 50) == []


def test_close_sets_closed(zmq, ctx):
    s = ctx.socket(zmq.PUSH)
    assert s.closed is False
    s.close()
    assert s.closed is True
    s.close()  # idempotent
    assert s.closed is True


def test_close_with_linger_argument(zmq, ctx, inproc):
    s = ctx.socket(zmq.PUSH)
    s.connect(inproc())
    s.send(b"undeliverable", zmq.NOBLOCK)
    s.close(linger=0)
    assert s.closed


def test_socket_context_manager_closes(zmq, ctx):
    with ctx.socket(zmq.PAIR) as s:
        assert not s.closed
        assert s.type == zmq.PAIR
    assert s.closed


@pytest.mark.parametrize(
    "op",
    [
        lambda z, s: s.send(b"x"),
        lambda z, s: s.send(b"x", z.NOBLOCK),
        lambda z, s: s.recv(),
        lambda z, s: s.recv(z.NOBLOCK),
        lambda z, s: s.bind("inproc://closed-socket-bind"),
        lambda z, s: s.connect("inproc://closed-socket-connect"),
        lambda z, s: s.getsockopt(z.TYPE),
        lambda z, s: s.setsockopt(z.LINGER, 0),
        lambda z, s: s.send_multipart([b"a", b"b"]),
        lambda z, s: s.recv_multipart(),
    ],
    ids=["send", "send-noblock", "recv", "recv-noblock", "bind", "connect",
         "getsockopt", "setsockopt", "send_multipart", "recv_multipart"],
)
def test_operations_on_closed_socket_raise_enotsock(zmq, ctx, op):
    s = ctx.socket(zmq.PAIR)  # supports both send and recv
    s.close()
    with pytest.raises(zmq.ZMQError) as info:
        op(zmq, s)
    assert info.value.errno == zmq.ENOTSOCK


@pytest.mark.parametrize(
    "name",
    ["*", "with space/and?query#frag", "h\u00e9llo-\u4e16\u754c", "x" * 300],
    ids=["star", "punct", "unicode", "long"],
)
def test_inproc_names_are_opaque_strings(zmq, ctx, name):
    ep = "inproc://" + name
    pull = ctx.socket(zmq.PULL)
    pull.bind(ep)
    if len(ep) < 255:
        # (pyzmq reads options into a 255-byte buffer: a longer LAST_ENDPOINT
        # fails there with EINVAL, which is not worth pinning.)
        assert pull.last_endpoint == ep.encode("utf-8")
    push = ctx.socket(zmq.PUSH)
    push.connect(ep)
    push.send(b"ok")
    assert pull.poll(2000) and pull.recv() == b"ok"


def test_inproc_names_are_per_context(zmq, ctx, inproc):
    # Two contexts have separate inproc namespaces.
    ep = inproc()
    other = zmq.Context()
    try:
        a = ctx.socket(zmq.PULL)
        a.bind(ep)
        b = other.socket(zmq.PULL)
        b.bind(ep)  # no EADDRINUSE: different context
        assert b.last_endpoint == ep.encode()
    finally:
        other.destroy(linger=0)


def test_many_connecters_one_binder(zmq, ctx, inproc):
    ep = inproc()
    pull = ctx.socket(zmq.PULL)
    pull.bind(ep)
    pushes = [ctx.socket(zmq.PUSH) for _ in range(10)]
    for i, p in enumerate(pushes):
        p.connect(ep)
        p.send(b"%02d" % i)
    assert sorted(_drain(pull)) == [b"%02d" % i for i in range(10)]
