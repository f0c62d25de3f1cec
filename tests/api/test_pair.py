"""PAIR over inproc, pinned against pyzmq 27.3.0 / libzmq 4.3.5.

pyzmq behaviour pinned here:
- PAIR talks both directions, single and multipart, order preserved.
- PAIR is exclusive: a second PAIR connecting to an already-paired bound PAIR gets
  no error from connect(), but once the binder has processed the connection it is
  rejected: the intruder's EVENTS is 0 (no POLLOUT), its NOBLOCK send raises Again,
  it receives nothing, and everything the binder sends goes to the first peer.
- A PAIR without a peer cannot send (NOBLOCK -> Again, EVENTS 0); a PAIR connected
  to a name not bound yet can send, and the messages arrive after the bind.
"""

import pytest


def test_pair_both_directions(zmq, link):
    a, b = link(zmq.PAIR, zmq.PAIR)
    for i in range(10):
        a.send(b"a%d" % i)
        b.send(b"b%d" % i)
    assert [b.recv() for _ in range(10)] == [b"a%d" % i for i in range(10)]
    assert [a.recv() for _ in range(10)] == [b"b%d" % i for i in range(10)]


def test_pair_multipart_both_directions(zmq, link):
    a, b = link(zmq.PAIR, zmq.PAIR)
    a.send_multipart([b"1", b"2", b"3"])
    b.send_multipart([b"x", b"y"])
    assert b.recv_multipart() == [b"1", b"2", b"3"]
    assert a.recv_multipart() == [b"x", b"y"]


def test_pair_is_exclusive(zmq, ctx, inproc):
    ep = inproc()
    a = ctx.socket(zmq.PAIR)
    a.bind(ep)
    first = ctx.socket(zmq.PAIR)
    first.connect(ep)
    intruder = ctx.socket(zmq.PAIR)
    intruder.connect(ep)  # no error here
    for s in (a, first, intruder):
        s.rcvtimeo = 2000
        s.sndtimeo = 2000

    # A full round trip makes `a` process both pending connections, in order.
    a.send(b"hello first")
    assert first.recv() == b"hello first"
    first.send(b"ack")
    assert a.recv() == b"ack"

    # The intruder's pipe was rejected.
    assert intruder.getsockopt(zmq.EVENTS) == 0
    with pytest.raises(zmq.Again):
        intruder.send(b"let me in", zmq.NOBLOCK)
    for i in range(5):
        a.send(b"m%d" % i)
    assert [first.recv() for _ in range(5)] == [b"m%d" % i for i in range(5)]
    assert intruder.poll(100) == 0
    assert a.poll(100) == 0


def test_pair_without_peer_cannot_send(zmq, ctx, inproc):
    s = ctx.socket(zmq.PAIR)
    s.bind(inproc())
    assert s.events == 0
    with pytest.raises(zmq.Again):
        s.send(b"x", zmq.NOBLOCK)


def test_pair_connect_before_bind(zmq, ctx, inproc):
    ep = inproc()
    b = ctx.socket(zmq.PAIR)
    b.connect(ep)
    b.send(b"queued before bind", zmq.NOBLOCK)
    a = ctx.socket(zmq.PAIR)
    a.rcvtimeo = 2000
    a.bind(ep)
    assert a.recv() == b"queued before bind"
    a.send(b"reply")
    assert b.poll(2000) and b.recv() == b"reply"


def test_pair_large_and_empty_messages(zmq, link):
    a, b = link(zmq.PAIR, zmq.PAIR)
    big = bytes(range(256)) * 4096  # 1 MiB
    a.send(big)
    a.send(b"")
    assert b.recv() == big
    assert b.recv() == b""
