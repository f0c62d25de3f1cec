"""REQ/REP round-trip latency.

The pinger (REQ, the timing side) sends a message of `size` bytes and waits
for the echo (REP), timing each round trip with time.perf_counter_ns(),
`count` times after `warmup` untimed round trips. One-way latency is half a
round trip; the mean, the median (p50), p99 and p99.9 are reported.

inproc: both ends in one process, the echo in a second thread. tcp/ipc: the
pinger binds and the echo is a second process, which stays connected until
the pinger has the last reply.

pinger() and echo() are also the two halves of the two-host scripts
(remote_lat and local_lat, see twohost.py); as in libzmq, REQ talks to REP, so
either end can be libzmq's own program.
"""

import time

from zmqcore.perf import harness as h

NAME = "lat"
ROLE = "echo"
ENDPOINTS = 1
MANY_PEERS = False
METRICS = (("mean_us", "mean us", False),
           ("p50_us", "p50 us", False),
           ("p99_us", "p99 us", False),
           ("p999_us", "p99.9 us", False),
           ("cpu_us_per_msg", "CPU us/msg", False))
MIN_COUNT = 1


def default_warmup(count):
    return min(1000, max(10, count // 20))


def echo(zmq, endpoint, total, size=None, bind=False, copy=True,
         timeout=h.DEFAULT_TIMEOUT, first_timeout=None, ctx=None,
         failed=None, before_close=None):
    """Send back each of `total` requests received on a REP socket, call
    before_close() if given, then close the socket, lingering up to `timeout` s
    so that the last reply gets out. If `size` is given, the first request
    must have that size."""
    if total < 1:
        raise ValueError("total must be >= 1")
    with h.End(zmq, ctx, timeout, "pinger") as end:
        sock = end.open(zmq.REP, endpoint, bind)
        h.wait_for(zmq, sock, zmq.POLLIN, first_timeout, failed, "pinger")
        h.set_timeouts(sock, timeout)
        recv, send = sock.recv, sock.send
        first = recv(copy=copy)
        if size is not None and len(first) != size:
            raise RuntimeError("message of incorrect size received: %d != %d"
                               % (len(first), size))
        send(first, copy=copy)
        for _ in range(total - 1):
            send(recv(copy=copy), copy=copy)
        end.finish(before_close)


def pinger(zmq, endpoint, size, count, warmup=None, bind=True, copy=True,
           timeout=h.DEFAULT_TIMEOUT, first_timeout=h.DEFAULT_TIMEOUT,
           ctx=None, on_bound=None, failed=None):
    """Ping-pong `warmup` + `count` round trips of `size` bytes on a REQ socket
    and time the last `count` one by one (the echo side must echo exactly
    warmup + count messages).

    on_bound(endpoint) is called once the socket is bound or connected (with the
    actual endpoint) to start the echo; failed() returning a reason aborts the
    wait for the first reply. first_timeout (None = forever) bounds the first
    round trip, timeout every later send/recv. With warmup=0 the first round
    trip, waits included, is the first sample (as in libzmq's remote_lat).
    """
    if count < MIN_COUNT:
        raise ValueError("count must be >= 1")
    if warmup is None:
        warmup = default_warmup(count)
    payload = b"\xa5" * size
    with h.End(zmq, ctx, timeout, "echo") as end:
        sock = end.open(zmq.REQ, endpoint, bind)
        if on_bound is not None:
            on_bound(h.last_endpoint(sock))
        send, recv, clock = sock.send, sock.recv, time.perf_counter_ns
        # First round trip: may wait for the peer to start and connect.
        t0 = clock()
        h.wait_for(zmq, sock, zmq.POLLOUT, first_timeout, failed, "echo")
        send(payload, copy=copy)
        h.wait_for(zmq, sock, zmq.POLLIN, first_timeout, failed, "echo")
        reply = recv(copy=copy)
        first_rtt = clock() - t0
        h.set_timeouts(sock, timeout)
        for _ in range(warmup - 1):
            send(payload, copy=copy)
            recv(copy=copy)
        samples = [0] * count
        start = 0
        if warmup == 0:
            samples[0] = first_rtt
            start = 1
        for i in range(start, count):
            t0 = clock()
            send(payload, copy=copy)
            reply = recv(copy=copy)
            samples[i] = clock() - t0
    if len(reply) != size:
        raise RuntimeError("echo size mismatch: %d != %d" % (len(reply), size))
    samples.sort()
    one_way_us = [s / 2000.0 for s in samples]  # ns round trip -> us one way
    return {
        "bench": NAME,
        "size": size,
        "count": count,
        "warmup": warmup,
        "copy": copy,
        "mean_us": sum(one_way_us) / count,
        "p50_us": h.percentile(one_way_us, 50),
        "p99_us": h.percentile(one_way_us, 99),
        "p999_us": h.percentile(one_way_us, 99.9),
        "max_us": one_way_us[-1],
        # Every round trip (warm-up included) is two messages.
        "cpu_msgs": 2 * (warmup + count),
    }


def _warmup(p):
    return default_warmup(p.count) if p.warmup is None else p.warmup


def local(zmq, p, endpoints, ctx, on_bound, failed):
    return pinger(zmq, endpoints[0], p.size, p.count, warmup=_warmup(p), copy=p.copy,
                  timeout=p.timeout, ctx=ctx, on_bound=on_bound, failed=failed)


def peer(zmq, p, endpoints, ctx=None, first_timeout=None, before_close=None):
    echo(zmq, endpoints[0], _warmup(p) + p.count, size=p.size,
         copy=p.copy, timeout=p.timeout, first_timeout=first_timeout, ctx=ctx,
         before_close=before_close)


def count_rate(result):
    """Round trips per second (for --duration)."""
    return 1e6 / (2 * result["mean_us"]) if result["mean_us"] > 0 else float("inf")
