"""A ROUTER with hundreds of peers routes each message to the right one,
through peers joining, leaving and handing their id over (zmqcore keeps
routing ids and pipes in hash sets: include/zmqcore/hashset.h)."""

import time

N = 300


def _router(zmq, ctx, ep, **opts):
    r = ctx.socket(zmq.ROUTER)
    r.rcvtimeo = r.sndtimeo = 5000
    r.linger = 0
    r.router_mandatory = 1
    for k, v in opts.items():
        r.setsockopt(getattr(zmq, k), v)
    r.bind(ep)
    return r


def _dealer(zmq, ctx, ep, rid):
    d = ctx.socket(zmq.DEALER)
    d.rcvtimeo = d.sndtimeo = 5000
    d.linger = 0
    d.setsockopt(zmq.ROUTING_ID, rid)
    d.connect(ep)
    return d


def test_routes_to_each_of_many_peers(zmq, ctx, inproc):
    ep = inproc()
    r = _router(zmq, ctx, ep)
    ds = [_dealer(zmq, ctx, ep, b"peer-%d" % i) for i in range(N)]
    for i, d in enumerate(ds):
        d.send(b"hello %d" % i)
    seen = set()
    for _ in range(N):
        rid, body = r.recv_multipart()
        assert body == b"hello " + rid[len(b"peer-"):]
        seen.add(rid)
    assert len(seen) == N
    for rnd in range(3):
        for i in reversed(range(N)):
            r.send_multipart([b"peer-%d" % i, b"%d/%d" % (rnd, i)])
        for i, d in enumerate(ds):
            assert d.recv() == b"%d/%d" % (rnd, i)
    # Half the peers leave: their ids become unroutable, the rest still work.
    for i in range(0, N, 2):
        ds[i].close()
    for i in range(1, N, 2):
        r.send_multipart([b"peer-%d" % i, b"still %d" % i])
        assert ds[i].recv() == b"still %d" % i
    # Sends to a peer that left fail once its going away is known.
    deadline = time.monotonic() + 5
    for i in range(0, N, 2):
        while True:
            try:
                r.send_multipart([b"peer-%d" % i, b"x"])
            except zmq.ZMQError as exc:
                assert exc.errno == zmq.EHOSTUNREACH
                break
            assert time.monotonic() < deadline, i
            time.sleep(0.005)


def test_handover_among_many_peers(zmq, ctx, inproc):
    ep = inproc()
    r = _router(zmq, ctx, ep, ROUTER_HANDOVER=1)
    ds = [_dealer(zmq, ctx, ep, b"id-%d" % i) for i in range(50)]
    for d in ds:
        d.send(b"up")
    for _ in ds:
        r.recv_multipart()
    # A newcomer takes id-7 over: messages for id-7 now go to it.
    newcomer = _dealer(zmq, ctx, ep, b"id-7")
    newcomer.send(b"mine")
    assert r.recv_multipart() == [b"id-7", b"mine"]
    r.send_multipart([b"id-7", b"to the newcomer"])
    assert newcomer.recv() == b"to the newcomer"
    for i in range(50):
        if i != 7:
            r.send_multipart([b"id-%d" % i, b"ok"])
            assert ds[i].recv() == b"ok"
