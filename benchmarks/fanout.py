#!/usr/bin/env python
"""PUB -> N x SUB fan-out throughput over inproc, tcp or ipc.

One publisher (this process) sends --count messages of --size bytes on a PUB
socket; --subscribers SUB sockets, subscribed to everything, receive them:
threads of this process over inproc, one process each over tcp and ipc. Each
subscriber times its own first message to its last and reports back; the
result is the receive rate per subscriber (mean and slowest, msgs/s), the
aggregate (all messages delivered over the wall-clock span from the first
subscriber's first message to the last subscriber's last) and the publisher's
own send rate.

No message is lost to a slow joiner: before the measured stream the publisher
sends probe messages until every subscriber has said (over a control
PUSH -> PULL channel) that one reached it, i.e. that it is connected and its
subscription is in place. None is lost to a full queue either: SNDHWM and
RCVHWM default to the message count plus some slack. With a smaller --hwm the
publisher drops what a subscriber cannot take; then each subscriber counts
what arrives until an end marker (sent after the stream, and repeated until
every subscriber has reported) and the messages lost are reported.

    python benchmarks/fanout.py --impl zmqcore --subscribers 4 --count 200000
    python benchmarks/fanout.py --impl zmq --transport tcp --subscribers 2 --json

If a peer process dies or stalls, the run fails after --timeout seconds
(default 30 for tcp/ipc) instead of hanging; over inproc there is no timeout
in the measured loops unless --timeout is given. If the implementation has no
PUB/SUB sockets the script reports it unavailable (exit code 3).
"""

import argparse
import json
import time

import _common

PROBE = b"\x00probe"
END = b"\x00end"
READY = b"ready"
# HWM slack over --count, for the probes and end markers around the stream.
HWM_SLACK = 10_000
# How often the publisher repeats a probe or end marker (ms).
TICK_MS = 10


def default_hwm(count):
    return count + HWM_SLACK


def subscriber(zmq, endpoints, count, hwm=None, timeout=_common.DEFAULT_TIMEOUT,
               first_timeout=None, ctx=None, failed=None, before_close=None):
    """Receive up to `count` messages (all but the markers) on a SUB socket,
    timing the first to the last, and report the result on the control PUSH."""
    pub_endpoint, ctl_endpoint = endpoints
    own_ctx = ctx is None
    if own_ctx:
        ctx = zmq.Context()
    sub = ctl = None
    linger = 0
    try:
        sub = _common.open_socket(zmq, ctx, zmq.SUB, pub_endpoint, False, hwm)
        sub.setsockopt(zmq.SUBSCRIBE, b"")
        ctl = _common.open_socket(zmq, ctx, zmq.PUSH, ctl_endpoint, False)
        _common.set_timeouts(ctl, timeout)
        # Subscribed once a probe gets through.
        _common.wait_for(zmq, sub, zmq.POLLIN, first_timeout, failed, "publisher")
        _common.set_timeouts(sub, timeout)
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
        _common.report(ctl, {"received": received, "size": size,
                             "elapsed_s": elapsed, "msgs_per_s": rate,
                             "first_at": first_at, "last_at": last_at})
        if before_close is not None:
            before_close()
        linger = _common.to_ms(timeout)
    except zmq.Again:
        raise _common.PeerError("timed out: nothing from the publisher for %.1f s"
                                % timeout)
    finally:
        if sub is not None:
            sub.close(linger=0)
        if ctl is not None:
            ctl.close(linger=linger)
        if own_ctx:
            ctx.term()


def publisher(zmq, endpoints, size, count, subscribers, hwm=None,
              timeout=_common.DEFAULT_TIMEOUT, first_timeout=_common.DEFAULT_TIMEOUT,
              ctx=None, on_bound=None, failed=None):
    """Bind PUB and the control PULL, start the subscribers (on_bound), probe
    until all are subscribed, publish `count` messages of `size` bytes, then
    end markers until all have reported. Returns the combined result."""
    if size < 1 or count < 2:
        raise ValueError("size must be >= 1 and count >= 2")
    if hwm is None:
        hwm = default_hwm(count)
    pub_endpoint, ctl_endpoint = endpoints
    own_ctx = ctx is None
    if own_ctx:
        ctx = zmq.Context()
    pub = ctl = None
    try:
        pub = _common.open_socket(zmq, ctx, zmq.PUB, pub_endpoint, True, hwm)
        ctl = _common.open_socket(zmq, ctx, zmq.PULL, ctl_endpoint, True)
        if on_bound is not None:
            on_bound(_common.last_endpoint(pub), _common.last_endpoint(ctl))
        send = pub.send
        _common.gather(zmq, ctl, subscribers, first_timeout, failed, "subscribers",
                       tick_ms=TICK_MS, on_tick=lambda: send(PROBE))
        payload = b"\x5a" * size
        start = time.perf_counter()
        for _ in range(count):
            send(payload)
        send_elapsed = time.perf_counter() - start
        # The subscribers may still be draining their queues: allow as long as
        # publishing took, ten times over, on top of the timeout.
        wait = None if not timeout or timeout <= 0 else timeout + 10 * send_elapsed
        reports = [json.loads(m) for m in _common.gather(
            zmq, ctl, subscribers, wait, failed, "subscribers", tick_ms=TICK_MS,
            on_tick=lambda: send(END))]
    finally:
        if pub is not None:
            pub.close(linger=0)
        if ctl is not None:
            ctl.close(linger=0)
        if own_ctx:
            ctx.term()
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
        "bench": "fanout",
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
    }


def run(zmq, size, count, subscribers=1, hwm=None, transport="inproc", timeout=None):
    """The publisher here, the subscribers in threads (inproc) or child
    processes (tcp, ipc). Returns publisher()'s result."""
    if subscribers < 1:
        raise ValueError("subscribers must be >= 1")
    if hwm is None:
        hwm = default_hwm(count)
    timeout = _common.resolve_timeout(timeout, transport)
    options = ["--count", count, "--hwm", hwm, "--timeout", timeout]
    return _common.run_with_peers(
        zmq, transport, "fanout",
        lambda eps, ctx, on_bound, failed: publisher(
            zmq, eps, size, count, subscribers, hwm=hwm, timeout=timeout, ctx=ctx,
            on_bound=on_bound, failed=failed),
        lambda eps, ctx: subscriber(zmq, eps, count, hwm=hwm, timeout=timeout,
                                    ctx=ctx),
        __file__, "subscriber", options, timeout, peers=subscribers, endpoints=2)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    _common.add_impl_arg(parser)
    _common.add_transport_arg(parser)
    parser.add_argument("--size", type=int, default=64, help="message size in bytes")
    parser.add_argument("--count", type=int, default=200_000,
                        help="messages published")
    parser.add_argument("--subscribers", type=int, default=2,
                        help="SUB sockets (threads for inproc, processes otherwise)")
    parser.add_argument("--hwm", type=int, default=None,
                        help="SNDHWM/RCVHWM (default: count + %d, so that nothing "
                             "is dropped)" % HWM_SLACK)
    _common.add_timeout_arg(parser)
    parser.add_argument("--role", choices=("subscriber",), default=None,
                        help="internal: run one subscriber, connecting to the "
                             "two --endpoint (PUB, control)")
    _common.add_role_endpoint_arg(parser)
    args = parser.parse_args(argv)
    if args.role is not None and (not args.endpoint or len(args.endpoint) != 2):
        parser.error("--role needs two --endpoint")
    zmq = _common.load_or_exit(args)
    if args.role == "subscriber":
        parent_done = _common.watch_parent()
        timeout = _common.resolve_timeout(args.timeout, "tcp")
        subscriber(zmq, args.endpoint, args.count, hwm=args.hwm, timeout=timeout,
                   first_timeout=timeout or None, before_close=parent_done.wait)
        return
    _common.exit_if_missing(args, zmq, "PUB", "SUB")
    _common.exit_on_sigterm()
    try:
        result = run(zmq, args.size, args.count, subscribers=args.subscribers,
                     hwm=args.hwm, transport=args.transport, timeout=args.timeout)
    except Exception as exc:
        _common.exit_failed(args, exc)
    result["impl"] = args.impl
    if args.json:
        print(json.dumps(result))
    else:
        print(_common.describe(zmq))
        print("transport: %s  message size: %d [B]  count: %d  subscribers: %d  "
              "hwm: %d" % (args.transport, args.size, args.count, args.subscribers,
                           result["hwm"]))
        print("per subscriber: %.0f [msg/s] (slowest %.0f)"
              % (result["sub_msgs_per_s"], result["min_sub_msgs_per_s"]))
        print("all subscribers: %.0f [msg/s], %.3f [MB/s]"
              % (result["total_msgs_per_s"], result["total_mb_per_s"]))
        print("publisher sent: %.0f [msg/s]" % result["pub_msgs_per_s"])
        print("lost: %d of %d" % (result["lost"], args.count * args.subscribers))


if __name__ == "__main__":
    main()
