"""High-water marks over inproc, pinned against pyzmq 27.3.0 / libzmq 4.3.5.

pyzmq behaviour pinned here:
- On inproc the queue between two sockets holds SNDHWM(sender) + RCVHWM(receiver)
  messages: NOBLOCK sends succeed exactly that many times, then raise Again
  (e.g. 5+5 -> 10, 1+100 -> 101, 1000+1000 defaults -> 2000), whichever side binds.
- A zero on either side makes the inproc queue unlimited (10+0 -> no limit).
- HWM counts messages, not frames: with 2+2, four 3-part messages fit; when full,
  Again is raised on the first part of the next message, never mid-message.
- At HWM the sender's EVENTS loses POLLOUT; it comes back once the receiver drains.
- A blocking send at HWM waits and resumes when the receiver drains; with SNDTIMEO
  it raises Again instead.
- SNDHWM=RCVHWM=0: 100,000 messages queue without blocking.
"""

import threading

import pytest


def _fill(zmq, push, limit=300_000, parts=1):
    """NOBLOCK-send until Again; return (messages sent, part index that failed)."""
    n = 0
    while n < limit:
        for k in range(parts):
            flags = zmq.NOBLOCK | (zmq.SNDMORE if k < parts - 1 else 0)
            try:
                push.send(b"%d" % n, flags)
            except zmq.Again:
                return n, k
        n += 1
    return n, None


def _pushpull(zmq, ctx, ep, sndhwm, rcvhwm, bind_pull=True, pull_first=True):
    push = ctx.socket(zmq.PUSH)
    pull = ctx.socket(zmq.PULL)
    push.sndhwm = sndhwm
    pull.rcvhwm = rcvhwm
    pull.rcvtimeo = 2000
    if bind_pull:
        if pull_first:
            pull.bind(ep)
            push.connect(ep)
        else:
            push.connect(ep)
            pull.bind(ep)
    else:
        push.bind(ep)
        pull.connect(ep)
        push.getsockopt(zmq.EVENTS)  # process the incoming connection
    return push, pull


@pytest.mark.parametrize(
    "sndhwm,rcvhwm", [(1, 1), (5, 5), (10, 10), (1, 100), (100, 1), (1000, 1000)]
)
@pytest.mark.parametrize(
    "layout", ["pull-binds", "push-connects-first", "push-binds"]
)
def test_inproc_capacity_is_sum_of_hwms(zmq, ctx, inproc, sndhwm, rcvhwm, layout):
    push, pull = _pushpull(
        zmq, ctx, inproc(), sndhwm, rcvhwm,
        bind_pull=(layout != "push-binds"),
        pull_first=(layout == "pull-binds"),
    )
    sent, _ = _fill(zmq, push)
    assert sent == sndhwm + rcvhwm
    got = [pull.recv() for _ in range(sent)]
    assert got == [b"%d" % i for i in range(sent)]


def test_default_capacity_is_2000(zmq, ctx, inproc):
    push, pull = _pushpull(zmq, ctx, inproc(), 1000, 1000)
    sent, _ = _fill(zmq, push)
    assert sent == 2000


@pytest.mark.parametrize("sndhwm,rcvhwm", [(10, 0), (0, 10), (0, 0)])
def test_zero_on_either_side_is_unlimited_on_inproc(zmq, ctx, inproc, sndhwm, rcvhwm):
    push, pull = _pushpull(zmq, ctx, inproc(), sndhwm, rcvhwm)
    sent, _ = _fill(zmq, push, limit=20_000)
    assert sent == 20_000


def test_hwm_zero_queues_100k_without_blocking(zmq, ctx, inproc):
    push, pull = _pushpull(zmq, ctx, inproc(), 0, 0)
    n = 100_000
    for i in range(n):
        push.send(b"%d" % i, zmq.NOBLOCK)
    for i in range(n):
        m = pull.recv()
        if m != b"%d" % i:
            pytest.fail("message %d: got %r" % (i, m))
    with pytest.raises(zmq.Again):
        pull.recv(zmq.NOBLOCK)


def test_small_hwm_noblock_eventually_again(zmq, ctx, inproc):
    push, pull = _pushpull(zmq, ctx, inproc(), 3, 3)
    with pytest.raises(zmq.Again):
        for _ in range(10_000):
            push.send(b"x", zmq.NOBLOCK)


def test_hwm_counts_messages_not_frames(zmq, ctx, inproc):
    push, pull = _pushpull(zmq, ctx, inproc(), 2, 2)
    sent, failed_part = _fill(zmq, push, parts=3)
    assert sent == 4
    assert failed_part == 0  # Again on a first part, never mid-message
    with pytest.raises(zmq.Again):
        push.send_multipart([b"a", b"b"], zmq.NOBLOCK)
    msgs = [pull.recv_multipart() for _ in range(sent)]
    assert msgs == [[b"%d" % i] * 3 for i in range(sent)]
    with pytest.raises(zmq.Again):
        pull.recv(zmq.NOBLOCK)


def test_pollout_returns_after_drain(zmq, ctx, inproc):
    push, pull = _pushpull(zmq, ctx, inproc(), 4, 4)
    assert push.events & zmq.POLLOUT
    sent, _ = _fill(zmq, push)
    assert sent == 8
    assert not (push.events & zmq.POLLOUT)
    assert push.poll(50, zmq.POLLOUT) == 0
    for _ in range(sent):
        pull.recv()
    assert push.poll(2000, zmq.POLLOUT) == zmq.POLLOUT
    push.send(b"again", zmq.NOBLOCK)
    assert pull.recv() == b"again"


def test_blocked_sender_resumes_when_receiver_drains(zmq, ctx, inproc, spawn):
    push, pull = _pushpull(zmq, ctx, inproc(), 2, 2)
    sent, _ = _fill(zmq, push)
    assert sent == 4
    extra = 50
    done = threading.Event()

    def blocking_sender():
        for i in range(sent, sent + extra):
            push.send(b"%d" % i)  # blocks while the queue is full
        done.set()

    w = spawn(blocking_sender)
    # Nobody drains yet, so the sender cannot finish.
    assert not done.wait(0.2)
    got = [pull.recv() for _ in range(sent + extra)]
    w.join()
    assert done.is_set()
    assert got == [b"%d" % i for i in range(sent + extra)]


def test_sndtimeo_at_hwm_raises_again(zmq, ctx, inproc):
    push, pull = _pushpull(zmq, ctx, inproc(), 1, 1)
    sent, _ = _fill(zmq, push)
    assert sent == 2
    push.sndtimeo = 50
    with pytest.raises(zmq.Again):
        push.send(b"blocked")
    assert [pull.recv(), pull.recv()] == [b"0", b"1"]


def test_pair_capacity_is_sum_of_hwms(zmq, ctx, inproc):
    ep = inproc()
    a = ctx.socket(zmq.PAIR)
    b = ctx.socket(zmq.PAIR)
    a.sndhwm = 4
    b.rcvhwm = 4
    a.bind(ep)
    b.connect(ep)
    n = 0
    with pytest.raises(zmq.Again):
        while n < 10_000:
            a.send(b"x", zmq.NOBLOCK)
            n += 1
    assert n == 8
