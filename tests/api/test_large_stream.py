"""Large bodies streamed back to back over tcp arrive whole and in order:
the last body of a stream, bodies around the decoder's and encoder's
thresholds, multipart messages mixing sizes, a receiver held at its HWM
(input stopped with bytes read but not yet decoded) and a sender that pauses
in the middle of a stream.
"""

import threading
import time

import pytest

KIB = 1024
MIB = 1024 * KIB
TIMEOUT_MS = 10000


def _pair(zmq, ctx, rcvhwm=1000):
    pull = ctx.socket(zmq.PULL)
    pull.rcvhwm = rcvhwm
    pull.rcvtimeo = TIMEOUT_MS
    port = pull.bind_to_random_port("tcp://127.0.0.1")
    push = ctx.socket(zmq.PUSH)
    push.sndtimeo = TIMEOUT_MS
    push.connect("tcp://127.0.0.1:%d" % port)
    return push, pull


def _body(i, size):
    return bytes([i & 0xFF]) * size


SIZES = [1 * MIB, 300 * KIB, 64 * KIB, 64 * KIB - 1, 80 * KIB, 2 * MIB + 7, 17, 256 * KIB,
         256 * KIB + 1, 1 * MIB]


@pytest.mark.parametrize("copy", [True, False], ids=["copy", "nocopy"])
def test_stream_of_mixed_large_bodies_arrives_whole(zmq, ctx, copy):
    push, pull = _pair(zmq, ctx)
    n = 60
    sizes = [SIZES[i % len(SIZES)] for i in range(n)]

    def send():
        for i, size in enumerate(sizes):
            push.send(_body(i, size), copy=copy)

    t = threading.Thread(target=send)
    t.start()
    for i, size in enumerate(sizes):
        got = pull.recv(copy=copy)
        got = got if copy else got.bytes
        assert len(got) == size and got == _body(i, size), i
    t.join(10)
    assert not t.is_alive()


def test_last_large_body_of_a_stream_is_not_held_back(zmq, ctx):
    """Three large bodies back to back, then nothing: the third must not wait
    for bytes beyond its own end."""
    push, pull = _pair(zmq, ctx)
    for rnd in range(5):
        for i in range(3):
            push.send(_body(i, 700 * KIB + rnd))
        for i in range(3):
            assert pull.recv() == _body(i, 700 * KIB + rnd)


def test_multipart_with_large_parts(zmq, ctx):
    push, pull = _pair(zmq, ctx)
    parts = [_body(1, 600 * KIB), b"", _body(2, 300 * KIB), _body(3, 5), _body(4, 1 * MIB)]
    for _ in range(8):
        push.send_multipart(parts)
    for _ in range(8):
        assert pull.recv_multipart() == parts


def test_receiver_at_hwm_resumes_mid_body(zmq, ctx):
    """RCVHWM 1 stops the connection's input with bytes read but not yet
    decoded; reading slowly must still get every body."""
    push, pull = _pair(zmq, ctx, rcvhwm=1)
    n = 30
    sizes = [SIZES[(i * 3) % len(SIZES)] for i in range(n)]

    def send():
        for i, size in enumerate(sizes):
            push.send(_body(i, size))

    t = threading.Thread(target=send)
    t.start()
    for i, size in enumerate(sizes):
        if i % 5 == 0:
            time.sleep(0.02)    # let the queues fill up and input stop
        assert pull.recv() == _body(i, size), i
    t.join(10)
    assert not t.is_alive()


def test_sender_pausing_mid_stream(zmq, ctx):
    push, pull = _pair(zmq, ctx)

    def send():
        for i in range(12):
            push.send(_body(i, 900 * KIB))
            if i % 4 == 3:
                time.sleep(0.05)

    t = threading.Thread(target=send)
    t.start()
    for i in range(12):
        assert pull.recv() == _body(i, 900 * KIB)
    t.join(10)
    assert not t.is_alive()
