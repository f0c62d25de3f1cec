"""Partial reads and writes at every byte boundary, over a real connection.

A raw peer feeds the zmq side its greeting, READY and messages one byte per
send() (TCP_NODELAY), and reads what the zmq side sends one byte per recv():
whatever way the kernel groups those bytes, every frame must come out whole
and in order.  Pins nothing libzmq-specific beyond ZMTP 3.1 framing.
"""

import socket

import pytest

from wire.zmtp import RawPeer, frame, greeting, ready

from .test_golden import bound  # noqa: F401  (fixture)


def _trickle(peer, data):
    for i in range(len(data)):
        peer.send(data[i:i + 1])


@pytest.mark.timeout(30)
def test_byte_at_a_time_in(zmq, ctx, bound):  # noqa: F811
    s, ep = bound("PULL")
    bodies = [b"", b"a", b"x" * 255, b"y" * 256, b"z" * 3000]
    with RawPeer.connect(ep) as peer:
        peer.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        _trickle(peer, greeting())
        peer.recv_greeting()
        _trickle(peer, ready("PUSH"))
        stream = b"".join(frame(b, more=(i % 2 == 0)) for i, b in enumerate(bodies))
        stream += frame(b"end")
        _trickle(peer, stream)
        got = []
        while True:
            parts = s.recv_multipart()
            got.extend(parts)
            if parts[-1] == b"end":
                break
    assert got == bodies + [b"end"]


@pytest.mark.timeout(30)
def test_byte_at_a_time_out(zmq, ctx, bound):  # noqa: F811
    s, ep = bound("PUSH")
    with RawPeer.connect(ep) as peer:
        peer.handshake("PULL")
        msgs = [[b"p" * n for n in (0, 1, 255)], [b"q" * 256], [b"r" * 20000]]
        for m in msgs:
            s.send_multipart(m)
        # Read the frames back one byte per recv().
        got = []
        for m in msgs:
            for i, part in enumerate(m):
                flags = peer.recv_exact(1)[0]
                size_len = 8 if flags & 0x02 else 1
                size = int.from_bytes(b"".join(peer.recv_exact(1) for _ in range(size_len)),
                                      "big")
                body = b"".join(peer.recv_exact(1) for _ in range(size))
                assert bool(flags & 0x01) == (i < len(m) - 1)
                got.append(body)
    assert got == [p for m in msgs for p in m]
