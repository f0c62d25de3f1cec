"""CONFLATE: a conflating receiver keeps only the newest message.
Differential (tcp; libzmq's inproc CONFLATE PULL stalls a connecting PUSH, so
inproc is checked on zmqcore only)."""

import pytest


def _wait_for(sock, want, timeout_ms=5000):
    """Receives until `want` arrives; returns what came before it."""
    before = []
    while True:
        assert sock.poll(timeout_ms), "never received %r" % want
        m = sock.recv()
        if m == want:
            return before
        before.append(m)


def _transports(impl_name):
    return ["tcp", "inproc"] if impl_name == "zmqcore" else ["tcp"]


@pytest.mark.parametrize("transport", ["tcp", "inproc"])
def test_conflating_sub_gets_only_the_newest(zmq, ctx, endpoint, transport, impl_name):
    if transport not in _transports(impl_name):
        pytest.skip("zmqcore-only case")
    pub = ctx.socket(zmq.PUB)
    pub.sndhwm = 0  # the publisher itself must not drop the burst's end
    pub.bind(endpoint(transport))
    sub = ctx.socket(zmq.SUB)
    sub.setsockopt(zmq.CONFLATE, 1)
    assert sub.getsockopt(zmq.CONFLATE) == 1
    sub.subscribe(b"")
    sub.connect(pub.last_endpoint.decode())
    # Up: probes until one arrives.
    while True:
        pub.send(b"probe")
        if sub.poll(50):
            sub.recv()
            break
    # A burst with nobody reading: only the last may be left, and it is.
    for i in range(1000):
        pub.send(b"%d" % i)
    pub.send(b"last")
    before = _wait_for(sub, b"last")
    # What was read before "last" arrived can only be values on their way.
    assert len(before) < 1000
    assert not sub.poll(100)


@pytest.mark.parametrize("transport", ["tcp", "inproc"])
def test_conflating_pull(zmq, ctx, endpoint, transport, impl_name):
    if transport not in _transports(impl_name):
        pytest.skip("zmqcore-only case")
    pull = ctx.socket(zmq.PULL)
    pull.setsockopt(zmq.CONFLATE, 1)
    pull.bind(endpoint(transport))
    push = ctx.socket(zmq.PUSH)
    push.sndtimeo = 5000
    push.connect(pull.last_endpoint.decode())
    for i in range(5000):
        push.send(b"%d" % i)
    push.send(b"last")
    before = _wait_for(pull, b"last")
    assert len(before) < 5000
    assert not pull.poll(100)


def test_conflate_option_values(zmq, ctx):
    s = ctx.socket(zmq.SUB)
    assert s.getsockopt(zmq.CONFLATE) == 0
    s.setsockopt(zmq.CONFLATE, 1)
    assert s.getsockopt(zmq.CONFLATE) == 1
    s.setsockopt(zmq.CONFLATE, 0)
    assert s.getsockopt(zmq.CONFLATE) == 0
    with pytest.raises(zmq.ZMQError) as e:
        s.setsockopt(zmq.CONFLATE, 2)
    assert e.value.errno == zmq.EINVAL
    s.close()
