"""Polling, pinned against pyzmq 27.3.0 / libzmq 4.3.5.

pyzmq behaviour pinned here:
- The function is zmq.zmq_poll(list_of_(sock_or_fd, mask), timeout_ms) (there is no
  zmq.poll); it returns a list of (item, mask) for ready items only, the item being
  the very socket object passed in, or the int fd for raw fds.  Objects with a
  fileno() (socket.socket) come back as their int fd, not the object.  The mask
  is an int.  An empty list polls for the timeout and returns [].
- Poller.register(s, flags=POLLIN|POLLOUT); register(s, 0) unregisters; modify()
  changes the mask; unregister() of an unknown item raises KeyError;
  Poller.poll(timeout=None) returns the same list format (dict(poller.poll())).
- POLLOUT on a PUSH with a peer; no POLLOUT on a PUSH with no peer; no POLLOUT ever
  on a PULL; POLLIN on PULL/PAIR after a peer send.
- A poll blocked in one thread returns POLLIN when another thread sends.
- socket.poll(timeout, flags=POLLIN) returns the ready mask (0 on timeout).
- zmq.select(r, w, x, timeout_s) mirrors select.select.
- An fd number that is not open reports POLLERR.
"""

import os
import socket as pysocket
import threading
import time

import pytest


def test_poll_empty_then_ready(zmq, link):
    pull, push = link(zmq.PULL, zmq.PUSH)
    assert zmq.zmq_poll([(pull, zmq.POLLIN)], 0) == []
    push.send(b"x")
    result = zmq.zmq_poll([(pull, zmq.POLLIN)], 2000)
    assert len(result) == 1
    item, mask = result[0]
    assert item is pull
    assert mask == zmq.POLLIN
    assert isinstance(mask, int)
    assert pull.recv() == b"x"
    assert zmq.zmq_poll([(pull, zmq.POLLIN)], 0) == []


def test_poll_timeout_returns_empty(zmq, ctx):
    s = ctx.socket(zmq.PULL)
    t0 = time.monotonic()
    assert zmq.zmq_poll([(s, zmq.POLLIN)], 50) == []
    # Lower bound only (with slack for clock granularity): it did wait.
    assert time.monotonic() - t0 >= 0.025


def test_poll_empty_list(zmq):
    assert zmq.zmq_poll([], 10) == []


def test_pollout_on_push(zmq, ctx, link):
    lonely = ctx.socket(zmq.PUSH)
    assert zmq.zmq_poll([(lonely, zmq.POLLOUT)], 0) == []
    pull, push = link(zmq.PULL, zmq.PUSH)
    assert zmq.zmq_poll([(push, zmq.POLLOUT)], 0) == [(push, zmq.POLLOUT)]
    # A PULL is never writable, a PUSH never readable.
    assert zmq.zmq_poll([(pull, zmq.POLLOUT | zmq.POLLIN)], 0) == []
    push.send(b"x")
    assert zmq.zmq_poll([(push, zmq.POLLIN | zmq.POLLOUT)], 0) == [(push, zmq.POLLOUT)]


def test_pair_pollin_and_pollout(zmq, link):
    a, b = link(zmq.PAIR, zmq.PAIR)
    a.send(b"x")
    assert b.poll(2000)
    assert zmq.zmq_poll([(b, zmq.POLLIN | zmq.POLLOUT)], 0) == [
        (b, zmq.POLLIN | zmq.POLLOUT)
    ]


def test_poll_several_sockets(zmq, link):
    pull1, push1 = link(zmq.PULL, zmq.PUSH)
    pull2, push2 = link(zmq.PULL, zmq.PUSH)
    push2.send(b"only to 2")
    assert pull2.poll(2000)
    result = zmq.zmq_poll([(pull1, zmq.POLLIN), (pull2, zmq.POLLIN)], 0)
    assert result == [(pull2, zmq.POLLIN)]


def test_poll_raw_fd(zmq):
    r, w = os.pipe()
    try:
        assert zmq.zmq_poll([(r, zmq.POLLIN)], 0) == []
        assert zmq.zmq_poll([(w, zmq.POLLOUT)], 0) == [(w, zmq.POLLOUT)]
        os.write(w, b"x")
        assert zmq.zmq_poll([(r, zmq.POLLIN)], 0) == [(r, zmq.POLLIN)]
    finally:
        os.close(r)
        os.close(w)


def test_poll_python_socket_returns_fd(zmq):
    s1, s2 = pysocket.socketpair()
    try:
        assert zmq.zmq_poll([(s1, zmq.POLLIN)], 0) == []
        s2.send(b"x")
        assert zmq.zmq_poll([(s1, zmq.POLLIN)], 2000) == [(s1.fileno(), zmq.POLLIN)]
    finally:
        s1.close()
        s2.close()


def test_poll_mixed_socket_and_fd(zmq, link):
    pull, push = link(zmq.PULL, zmq.PUSH)
    r, w = os.pipe()
    try:
        os.write(w, b"x")
        push.send(b"y")
        assert pull.poll(2000)
        result = dict(zmq.zmq_poll([(pull, zmq.POLLIN), (r, zmq.POLLIN)], 0))
        assert result == {pull: zmq.POLLIN, r: zmq.POLLIN}
    finally:
        os.close(r)
        os.close(w)


def test_poll_bad_fd_reports_pollerr(zmq):
    r, w = os.pipe()
    os.close(r)
    os.close(w)
    assert zmq.zmq_poll([(r, zmq.POLLIN)], 0) == [(r, zmq.POLLERR)]


def test_poll_rejects_non_pollable(zmq):
    with pytest.raises(TypeError):
        zmq.zmq_poll([(object(), zmq.POLLIN)], 0)


def test_poller_register_modify_unregister(zmq, link):
    pull, push = link(zmq.PULL, zmq.PUSH)
    poller = zmq.Poller()
    poller.register(pull, zmq.POLLIN)
    poller.register(push, zmq.POLLOUT)
    assert dict(poller.poll(0)) == {push: zmq.POLLOUT}
    push.send(b"x")
    assert pull.poll(2000)
    assert dict(poller.poll(0)) == {push: zmq.POLLOUT, pull: zmq.POLLIN}
    poller.modify(pull, zmq.POLLOUT)  # PULL is never writable
    assert dict(poller.poll(0)) == {push: zmq.POLLOUT}
    poller.unregister(push)
    assert poller.poll(10) == []
    poller.modify(pull, zmq.POLLIN)
    assert poller.poll(0) == [(pull, zmq.POLLIN)]
    with pytest.raises(KeyError):
        poller.unregister(push)


def test_poller_default_mask_and_zero_mask(zmq, link):
    a, b = link(zmq.PAIR, zmq.PAIR)
    poller = zmq.Poller()
    poller.register(b)  # default POLLIN | POLLOUT
    assert poller.poll(0) == [(b, zmq.POLLOUT)]
    a.send(b"x")
    assert b.poll(2000)
    assert poller.poll(0) == [(b, zmq.POLLIN | zmq.POLLOUT)]
    poller.register(b, 0)  # zero mask removes it
    assert poller.poll(0) == []
    with pytest.raises(KeyError):
        poller.unregister(b)


def test_poller_over_fds(zmq):
    r, w = os.pipe()
    s1, s2 = pysocket.socketpair()
    try:
        poller = zmq.Poller()
        poller.register(r, zmq.POLLIN)
        poller.register(s1, zmq.POLLIN)
        assert poller.poll(0) == []
        os.write(w, b"x")
        assert dict(poller.poll(2000)) == {r: zmq.POLLIN}
        s2.send(b"y")
        assert dict(poller.poll(2000)) == {r: zmq.POLLIN, s1.fileno(): zmq.POLLIN}
        poller.unregister(r)
        assert dict(poller.poll(0)) == {s1.fileno(): zmq.POLLIN}
    finally:
        for f in (r, w):
            os.close(f)
        s1.close()
        s2.close()


def test_poller_timeout_none_with_ready_socket(zmq, link):
    pull, push = link(zmq.PULL, zmq.PUSH)
    push.send(b"x")
    poller = zmq.Poller()
    poller.register(pull, zmq.POLLIN)
    assert poller.poll(None) == [(pull, zmq.POLLIN)]
    assert poller.poll() == [(pull, zmq.POLLIN)]


def test_poller_empty(zmq):
    assert zmq.Poller().poll(10) == []


def test_blocking_poll_woken_by_other_thread(zmq, ctx, inproc, spawn):
    ep = inproc()
    pull = ctx.socket(zmq.PULL)
    pull.bind(ep)
    push = ctx.socket(zmq.PUSH)
    push.connect(ep)
    poll_started = threading.Event()

    def sender():
        assert poll_started.wait(5)
        time.sleep(0.05)  # let the main thread enter poll (not needed to pass)
        push.send(b"wake up")

    w = spawn(sender)
    poller = zmq.Poller()
    poller.register(pull, zmq.POLLIN)
    poll_started.set()
    result = poller.poll(10000)
    w.join()
    assert result == [(pull, zmq.POLLIN)]
    assert pull.recv(zmq.NOBLOCK) == b"wake up"


def test_blocking_poll_woken_by_fd_from_other_thread(zmq, ctx, spawn):
    s = ctx.socket(zmq.PULL)
    r, w = os.pipe()
    try:
        def writer():
            time.sleep(0.05)
            os.write(w, b"x")

        t = spawn(writer)
        result = zmq.zmq_poll([(s, zmq.POLLIN), (r, zmq.POLLIN)], 10000)
        t.join()
        assert result == [(r, zmq.POLLIN)]
    finally:
        os.close(r)
        os.close(w)


def test_pair_ping_pong_with_poll_in_two_threads(zmq, ctx, inproc, spawn):
    ep = inproc()
    a = ctx.socket(zmq.PAIR)
    a.bind(ep)
    b = ctx.socket(zmq.PAIR)
    b.connect(ep)
    n = 200

    def echo():
        for _ in range(n):
            if not b.poll(5000):
                raise AssertionError("echo side starved")
            b.send(b.recv())

    w = spawn(echo)
    for i in range(n):
        a.send(b"%d" % i)
        assert a.poll(5000) == zmq.POLLIN
        assert a.recv() == b"%d" % i
    w.join()


def test_socket_poll_method(zmq, link):
    a, b = link(zmq.PAIR, zmq.PAIR)
    assert b.poll(0) == 0
    assert b.poll(0, zmq.POLLOUT) == zmq.POLLOUT
    a.send(b"x")
    assert b.poll(2000) == zmq.POLLIN
    assert b.poll(0, zmq.POLLIN | zmq.POLLOUT) == zmq.POLLIN | zmq.POLLOUT


def test_select(zmq, link):
    pull, push = link(zmq.PULL, zmq.PUSH)
    assert zmq.select([pull], [], [], 0) == ([], [], [])
    push.send(b"x")
    assert pull.poll(2000)
    assert zmq.select([pull], [push], [], 0) == ([pull], [push], [])
    assert zmq.select([pull], [], [], 0.5) == ([pull], [], [])


def test_poll_many_sockets_reports_exactly_the_ready(zmq, ctx, endpoint):
    """64 PULL sockets polled together; exactly those sent to are ready."""
    pairs = []
    for i in range(64):
        pull = ctx.socket(zmq.PULL)
        pull.bind(endpoint("inproc"))
        push = ctx.socket(zmq.PUSH)
        push.connect(pull.last_endpoint.decode())
        pairs.append((pull, push))
    chosen = set(range(0, 64, 3)) | {63}
    for i in chosen:
        pairs[i][1].send(b"%d" % i)
    poller = zmq.Poller()
    for pull, _ in pairs:
        poller.register(pull, zmq.POLLIN)
    ready = {}
    deadline = time.monotonic() + 5
    while len(ready) < len(chosen) and time.monotonic() < deadline:
        ready.update(dict(poller.poll(100)))
    assert {i for i, (pull, _) in enumerate(pairs) if pull in ready} == chosen
    for i in chosen:
        assert pairs[i][0].recv() == b"%d" % i
    assert poller.poll(0) == []
    for pull, push in pairs:
        push.close(linger=0)
        pull.close(linger=0)


@pytest.mark.parametrize("transport", ["inproc", "tcp"])
def test_pollout_returns_when_a_blocked_writer_gets_room(zmq, ctx, endpoint, transport, spawn):
    """A PUSH at its HWM is not writable; once the reader drains, POLLOUT
    wakes a poll that was waiting for it."""
    pull = ctx.socket(zmq.PULL)
    pull.rcvhwm = 5
    pull.bind(endpoint(transport))
    push = ctx.socket(zmq.PUSH)
    push.sndhwm = 5
    push.connect(pull.last_endpoint.decode())
    assert push.poll(5000, zmq.POLLOUT) == zmq.POLLOUT
    payload = b"x" * 65536  # fills the kernel's buffers quickly over tcp
    sent = 0
    while True:
        try:
            push.send(payload, zmq.NOBLOCK)
            sent += 1
        except zmq.Again:
            # tcp: the kernel buffers take more while the I/O threads move
            # them; full means no room even after a moment.
            if push.poll(200, zmq.POLLOUT) == 0:
                break
        assert sent < 100000
    assert zmq.zmq_poll([(push, zmq.POLLOUT)], 0) == []
    drained = threading.Event()

    def drain():
        for _ in range(sent):
            pull.recv()
        drained.set()

    t = spawn(drain)
    assert zmq.zmq_poll([(push, zmq.POLLOUT)], 10000) == [(push, zmq.POLLOUT)]
    t.join(10)
    assert drained.is_set()
    push.send(b"again")
    assert pull.recv() == b"again"
