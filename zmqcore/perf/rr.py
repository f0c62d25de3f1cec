"""DEALER -> ROUTER request throughput.

N DEALER clients (p.peers; threads of the timing side's process over inproc,
one process each over tcp and ipc) each send `count` requests of `size` bytes
to one ROUTER server (the timing side), which echoes every request back to the
client that sent it. The clients pipeline: each keeps `window` requests in
flight, sending a new one for every reply, until its last reply is in.

The server is the timing side: from the first request it receives to the last
reply it sends, after a start barrier (every client says hello through the
ROUTER and waits for the go, so that all start together). Reported: requests
per second through the server (aggregate) and the mean of the clients' own
rates (first request sent to last reply received). The clients report over a
control PUSH -> PULL channel once they have every reply, and the server waits
for that before it closes.

Messages are always sent and received with copy=True here.
"""

import json
import time

from zmqcore.perf import harness as h

NAME = "rr"
ROLE = "client"
ENDPOINTS = 2  # ROUTER, control
MANY_PEERS = True
METRICS = (("requests_per_s", "requests/s", True),
           ("cpu_us_per_msg", "CPU us/msg", False))
MIN_COUNT = 1
WINDOW = 100

HELLO = b"hello"
GO = b"go"


def client(zmq, endpoints, size, count, window, timeout=h.DEFAULT_TIMEOUT,
           first_timeout=None, ctx=None, failed=None, before_close=None):
    """Say hello, wait for the go, then `count` pipelined requests of `size`
    bytes, at most `window` unanswered; report the result on the control PUSH."""
    data_endpoint, ctl_endpoint = endpoints
    with h.End(zmq, ctx, timeout, "server") as end:
        dealer = end.open(zmq.DEALER, data_endpoint, False, linger=False)
        ctl = end.open(zmq.PUSH, ctl_endpoint, False)
        h.set_timeouts(ctl, timeout)
        h.set_timeouts(dealer, timeout)
        dealer.send(HELLO)
        h.wait_for(zmq, dealer, zmq.POLLIN, first_timeout, failed, "server")
        if dealer.recv() != GO:
            raise RuntimeError("expected the go from the server")
        payload = b"\x5a" * size
        send, recv = dealer.send, dealer.recv
        window = max(1, min(window, count))
        start = time.perf_counter()
        for _ in range(window):
            send(payload)
        for _ in range(count - window):
            recv()
            send(payload)
        for _ in range(window - 1):
            recv()
        reply = recv()
        elapsed = time.perf_counter() - start
        if len(reply) != size:
            raise RuntimeError("reply size mismatch: %d != %d" % (len(reply), size))
        h.report(ctl, {"requests": count, "elapsed_s": elapsed,
                       "requests_per_s": count / elapsed if elapsed > 0
                       else float("inf")})
        end.finish(before_close)


def server(zmq, endpoints, size, count, clients, window,
           timeout=h.DEFAULT_TIMEOUT, first_timeout=h.DEFAULT_TIMEOUT,
           ctx=None, on_bound=None, failed=None):
    """Bind ROUTER and the control PULL, start the clients (on_bound), let them
    go together, echo clients * count requests timing first to last, then
    collect the clients' reports. Returns the combined result."""
    if count < MIN_COUNT or clients < 1:
        raise ValueError("count and clients must be >= 1")
    data_endpoint, ctl_endpoint = endpoints
    total = clients * count
    with h.End(zmq, ctx, timeout, "clients") as end:
        router = end.open(zmq.ROUTER, data_endpoint, True)
        ctl = end.open(zmq.PULL, ctl_endpoint, True)
        if on_bound is not None:
            on_bound(h.last_endpoint(router), h.last_endpoint(ctl))
        # Start barrier: a hello from every client, then the go to each.
        ids = []
        while len(ids) < clients:
            h.wait_for(zmq, router, zmq.POLLIN, first_timeout, failed, "clients")
            ident, msg = router.recv_multipart()
            if msg != HELLO:
                raise RuntimeError("expected a hello, got %r" % msg[:20])
            ids.append(ident)
        h.set_timeouts(router, timeout)
        for ident in ids:
            router.send_multipart([ident, GO])
        recv, send, more = router.recv, router.send, zmq.SNDMORE
        # The echo loop: [client id, request] in, the same out.
        ident = recv()
        msg = recv()
        start = time.perf_counter()
        send(ident, more)
        send(msg)
        for _ in range(total - 1):
            ident = recv()
            msg = recv()
            send(ident, more)
            send(msg)
        elapsed = time.perf_counter() - start
        if len(msg) != size:
            raise RuntimeError("request size mismatch: %d != %d" % (len(msg), size))
        # Stay until every client has all its replies (closing sooner could
        # cut the last ones off).
        reports = [json.loads(m) for m in h.gather(
            zmq, ctl, clients, timeout, failed, "clients")]
    rate = (total - 1) / elapsed if total > 1 and elapsed > 0 else float("inf")
    return {
        "bench": NAME,
        "size": size,
        "count": count,
        "clients": clients,
        "window": window,
        "elapsed_s": elapsed,
        "requests_per_s": rate,
        "mb_per_s": rate * size / 1e6,
        "client_requests_per_s": (sum(r["requests_per_s"] for r in reports)
                                  / len(reports)),
        # A request and its reply, through the ROUTER.
        "cpu_msgs": 2 * total,
    }


def local(zmq, p, endpoints, ctx, on_bound, failed):
    return server(zmq, endpoints, p.size, p.count, p.peers, p.window,
                  timeout=p.timeout, ctx=ctx, on_bound=on_bound, failed=failed)


def peer(zmq, p, endpoints, ctx=None, first_timeout=None, before_close=None):
    client(zmq, endpoints, p.size, p.count, p.window, timeout=p.timeout,
           first_timeout=first_timeout, ctx=ctx, before_close=before_close)


def count_rate(result):
    """Requests per second per client (for --duration)."""
    return result["requests_per_s"] / result["clients"]
