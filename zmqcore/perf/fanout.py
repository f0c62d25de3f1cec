"""PUB -> N x SUB fan-out throughput.

One publisher (the timing side's process) sends `count` messages of `size`
bytes on a PUB socket; N SUB sockets (p.peers), subscribed to everything,
receive them: threads of the same process over inproc, one process each over
tcp and ipc. Each subscriber times its own first message to its last and
reports back; the result is the receive rate per subscriber (mean and
slowest, msgs/s), the aggregate (all messages delivered over the wall-clock
span from the first subscriber's first message to the last subscriber's last)
and the publisher's own send rate.

No message is lost to a slow joiner: before the measured stream the publisher
sends probe messages until every subscriber has said (over a control
PUSH -> PULL channel) that one reached it, i.e. that it is connected and its
subscription is in place. None is lost to a full queue either: SNDHWM and
RCVHWM default to the message count plus some slack. With a smaller hwm the
publisher drops what a subscriber cannot take; then each subscriber counts
what arrives until an end marker (sent after the stream, and repeated until
every subscriber has reported) and the messages lost are reported.

Messages are always sent and received with copy=True here.
"""

import json
import time

from zmqcore.perf import harness as h

NAME = "fanout"
ROLE = "subscriber"
ENDPOINTS = 2  # PUB, control
MANY_PEERS = True
METRICS = (("sub_msgs_per_s", "msgs/s per SUB", True),
           ("total_msgs_per_s", "msgs/s all SUBs", True),
           ("cpu_us_per_msg", "CPU us/msg", False))
MIN_COUNT = 2

PROBE = b"\x00probe"
END = b"\x00end"
READY = b"ready"
# HWM slack over the count, for the probes and end markers around the stream.
HWM_SLACK = 10_000
# How often the publisher repeats a probe or end marker (ms).
TICK_MS = 10


def default_hwm(count):
    return count + HWM_SLACK


def subscriber(zmq, endpoints, count, hwm=None, timeout=h.DEFAULT_TIMEOUT,
               first_timeout=None, ctx=None, failed=None, before_close=None):
    """Receive up to `count` messages (all but the markers) on a SUB socket,
    timing the first to the last, and report the result on the control PUSH."""
    pub_endpoint, ctl_endpoint = endpoints
    with h.End(zmq, ctx, timeout, "publisher") as end:
        sub = end.open(zmq.SUB, pub_endpoint, False, hwm, linger=False)
        sub.setsockopt(zmq.SUBSCRIBE, b"")
        ctl = end.open(zmq.PUSH, ctl_endpoint, False)
        h.set_timeouts(ctl, timeout)
        # Subscribed once a probe gets through.
        h.wait_for(zmq, sub, zmq.POLLIN, first_timeout, failed, "publisher")
        h.set_timeouts(sub, timeout)
        recv = sub.recv
        msg = recv()
        ctl.send(READY)
        while msg == PROBE:  # until the stream starts
            msg = recv()
        received = 0
        size = None
        start = time.perf_counter()
        first_at = time.time()  # comparable between processes
        if msg != END:
            received = 1
            size = len(msg)
            for _ in range(count - 1):
                if recv() == END:  # only if messages were dropped
                    break
                received += 1
        elapsed = time.perf_counter() - start
        last_at = time.time()
        rate = (received - 1) / elapsed if received > 1 and elapsed > 0 else 0.0
        h.report(ctl, {"received": received, "size": size,
                       "elapsed_s": elapsed, "msgs_per_s": rate,
                       "first_at": first_at, "last_at": last_at})
        end.finish(before_close)


def publisher(zmq, endpoints, size, count, subscribers, hwm=None,
              timeout=h.DEFAULT_TIMEOUT, first_timeout=h.DEFAULT_TIMEOUT,
              ctx=None, on_bound=None, failed=None):
    """Bind PUB and the control PULL, start the subscribers (on_bound), probe
    until all are subscribed, publish `count` messages of `size` bytes, then
    end markers until all have reported. Returns the combined result."""
    if size < 1 or count < MIN_COUNT:
        raise ValueError("size must be >= 1 and count >= 2")
    if hwm is None:
        hwm = default_hwm(count)
    pub_endpoint, ctl_endpoint = endpoints
    with h.End(zmq, ctx, timeout, "subscribers") as end:
        pub = end.open(zmq.PUB, pub_endpoint, True, hwm)
        ctl = end.open(zmq.PULL, ctl_endpoint, True)
        if on_bound is not None:
            on_bound(h.last_endpoint(pub), h.last_endpoint(ctl))
        send = pub.send
        h.gather(zmq, ctl, subscribers, first_timeout, failed, "subscribers",
                 tick_ms=TICK_MS, on_tick=lambda: send(PROBE))
        payload = b"\x5a" * size
        start = time.perf_counter()
        for _ in range(count):
            send(payload)
        send_elapsed = time.perf_counter() - start
        # The subscribers may still be draining their queues: allow as long as
        # publishing took, ten times over, on top of the timeout.
        wait = None if not timeout or timeout <= 0 else timeout + 10 * send_elapsed
        reports = [json.loads(m) for m in h.gather(
            zmq, ctl, subscribers, wait, failed, "subscribers", tick_ms=TICK_MS,
            on_tick=lambda: send(END))]
    for r in reports:
        if r["size"] not in (None, size):
            raise RuntimeError("message size mismatch: %s != %d" % (r["size"], size))
    rates = [r["msgs_per_s"] for r in reports]
    # Aggregate: everything delivered over the wall-clock span from the first
    # subscriber's first message to the last one's last (time.time(), the one
    # clock shared by processes). Not the sum of the rates: subscribers that
    # drain their queues one after the other (threads under the GIL, or more
    # processes than cores) would count the same second several times.
    delivered = sum(r["received"] for r in reports)
    span = max(r["last_at"] for r in reports) - min(r["first_at"] for r in reports)
    total = (delivered - 1) / span if delivered > 1 and span > 0 else 0.0
    return {
        "bench": NAME,
        "size": size,
        "count": count,
        "subscribers": subscribers,
        "hwm": hwm,
        "sub_msgs_per_s": sum(rates) / len(rates),
        "min_sub_msgs_per_s": min(rates),
        "total_msgs_per_s": total,
        "total_mb_per_s": total * size / 1e6,
        "pub_msgs_per_s": count / send_elapsed if send_elapsed > 0 else float("inf"),
        "lost": sum(count - r["received"] for r in reports),
        "elapsed_s": span,
        "cpu_msgs": delivered,
    }


def local(zmq, p, endpoints, ctx, on_bound, failed):
    return publisher(zmq, endpoints, p.size, p.count, p.peers, hwm=p.hwm,
                     timeout=p.timeout, ctx=ctx, on_bound=on_bound, failed=failed)


def peer(zmq, p, endpoints, ctx=None, first_timeout=None, before_close=None):
    hwm = default_hwm(p.count) if p.hwm is None else p.hwm
    subscriber(zmq, endpoints, p.count, hwm=hwm, timeout=p.timeout,
               first_timeout=first_timeout, ctx=ctx, before_close=before_close)


def count_rate(result):
    """Messages published per second that every subscriber keeps up with."""
    return result["min_sub_msgs_per_s"]
