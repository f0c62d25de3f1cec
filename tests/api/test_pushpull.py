"""PUSH/PULL over inproc, pinned against pyzmq 27.3.0 / libzmq 4.3.5.

pyzmq behaviour pinned here:
- PUSH load-balances strictly round-robin over its attached peers: with 3 PULLs and
  30 messages, each PULL gets exactly 10, every third message (both when the PUSH
  connects and when it binds and the PULLs connect, once it has processed the
  connections, e.g. by reading EVENTS).
- PULL fair-queues: with 3 PUSHers each having queued 5 messages, every consecutive
  window of 3 received messages holds one from each sender; per-sender order holds.
  A flooding sender does not starve a light one.
- Multipart messages are atomic: all parts arrive together on one PULL, even when
  interleaved with other senders and spread over several PULLs.
- 1,000,000 64-byte messages pushed from another thread arrive complete and in order.
"""

import struct

import pytest


def _drain(sock, wait_ms=200):
    out = []
    while sock.poll(wait_ms):
        out.append(sock.recv())
    return out


@pytest.mark.parametrize("push_binds", [False, True], ids=["push-connects", "push-binds"])
def test_round_robin_over_three_pulls(zmq, ctx, inproc, push_binds):
    push = ctx.socket(zmq.PUSH)
    pulls = [ctx.socket(zmq.PULL) for _ in range(3)]
    if push_binds:
        ep = inproc()
        push.bind(ep)
        for p in pulls:
            p.connect(ep)
        # Let the PUSH process the three incoming connections before sending.
        assert push.getsockopt(zmq.EVENTS) & zmq.POLLOUT
    else:
        for p in pulls:
            ep = inproc()
            p.bind(ep)
            push.connect(ep)
    for i in range(30):
        push.send(b"%d" % i)
    shares = [_drain(p) for p in pulls]
    assert [len(s) for s in shares] == [10, 10, 10]
    # Each PULL got every third message, in order.
    starts = sorted(int(s[0]) for s in shares)
    assert starts == [0, 1, 2]
    for s in shares:
        nums = [int(m) for m in s]
        assert nums == list(range(nums[0], 30, 3))


def test_round_robin_two_pulls_even_split(zmq, ctx, inproc):
    push = ctx.socket(zmq.PUSH)
    pulls = [ctx.socket(zmq.PULL) for _ in range(2)]
    for p in pulls:
        ep = inproc()
        p.bind(ep)
        push.connect(ep)
    for i in range(1000):
        push.send(b"%d" % i)
    shares = [_drain(p) for p in pulls]
    assert [len(s) for s in shares] == [500, 500]
    assert sorted(int(m) for s in shares for m in s) == list(range(1000))


def test_fair_queue_from_three_pushers(zmq, ctx, inproc):
    ep = inproc()
    pull = ctx.socket(zmq.PULL)
    pull.bind(ep)
    pushes = [ctx.socket(zmq.PUSH) for _ in range(3)]
    for p in pushes:
        p.connect(ep)
    for j, p in enumerate(pushes):
        for i in range(5):
            p.send(b"%d-%d" % (j, i))
    got = _drain(pull)
    assert len(got) == 15
    for k in range(0, 15, 3):
        window = {m.split(b"-")[0] for m in got[k:k + 3]}
        assert window == {b"0", b"1", b"2"}, got
    for j in range(3):
        mine = [m for m in got if m.startswith(b"%d-" % j)]
        assert mine == [b"%d-%d" % (j, i) for i in range(5)]


def test_flooding_sender_does_not_starve_light_one(zmq, ctx, inproc):
    ep = inproc()
    pull = ctx.socket(zmq.PULL)
    pull.bind(ep)
    heavy = ctx.socket(zmq.PUSH)
    light = ctx.socket(zmq.PUSH)
    heavy.connect(ep)
    light.connect(ep)
    for i in range(500):
        heavy.send(b"h%d" % i)
    for i in range(5):
        light.send(b"l%d" % i)
    got = _drain(pull)
    assert len(got) == 505
    first_ten = got[:10]
    assert [m for m in first_ten if m.startswith(b"l")] == [b"l%d" % i for i in range(5)]


def test_multipart_atomic_with_several_senders(zmq, ctx, inproc):
    ep = inproc()
    pull = ctx.socket(zmq.PULL)
    pull.bind(ep)
    pushes = [ctx.socket(zmq.PUSH) for _ in range(3)]
    for p in pushes:
        p.connect(ep)
    # Interleave part-by-part sends across senders.
    for i in range(20):
        for j, p in enumerate(pushes):
            p.send(b"%d" % j, zmq.SNDMORE)
        for j, p in enumerate(pushes):
            p.send(b"mid-%d" % i, zmq.SNDMORE)
        for j, p in enumerate(pushes):
            p.send(b"end-%d-%d" % (j, i))
    msgs = []
    while pull.poll(200):
        msgs.append(pull.recv_multipart())
    assert len(msgs) == 60
    for m in msgs:
        assert len(m) == 3
        j = m[0]
        assert m[1].startswith(b"mid-")
        i = m[1][4:]
        assert m[2] == b"end-" + j + b"-" + i


def test_multipart_atomic_over_several_pulls(zmq, ctx, inproc):
    push = ctx.socket(zmq.PUSH)
    pulls = [ctx.socket(zmq.PULL) for _ in range(3)]
    for p in pulls:
        ep = inproc()
        p.bind(ep)
        push.connect(ep)
    for i in range(30):
        push.send_multipart([b"%d" % i, b"a", b"b", b"%d" % i])
    total = 0
    for p in pulls:
        while p.poll(200):
            m = p.recv_multipart()
            assert len(m) == 4 and m[0] == m[3] and m[1:3] == [b"a", b"b"]
            total += 1
    assert total == 30


def test_million_messages_two_threads_in_order(zmq, ctx, inproc, spawn):
    n = 1_000_000
    ep = inproc()
    pull = ctx.socket(zmq.PULL)
    pull.rcvtimeo = 5000
    pull.bind(ep)
    push = ctx.socket(zmq.PUSH)
    push.sndtimeo = 5000
    push.connect(ep)
    fmt = struct.Struct("<Q56x")  # 64-byte message holding a counter

    def sender():
        pack = fmt.pack
        send = push.send
        for i in range(n):
            send(pack(i))

    w = spawn(sender)
    recv = pull.recv
    unpack = fmt.unpack
    expected = 0
    for _ in range(n):
        m = recv()
        if len(m) != 64 or unpack(m)[0] != expected:
            pytest.fail("message %d: got %r" % (expected, m[:16]))
        expected += 1
    w.join()
    assert expected == n
    with pytest.raises(zmq.Again):
        pull.recv(zmq.NOBLOCK)
