#!/usr/bin/env python
"""PAIR ping-pong latency over inproc, tcp or ipc.

The pinger (the timing side) sends a message of --size bytes and waits for the
echo, timing each round trip with time.perf_counter_ns(), --count times after
--warmup untimed round trips. One-way latency is half a round trip; the mean,
the median (p50) and the 99th percentile are reported. (REQ/REP do not exist
yet in zmqcore, hence PAIR.)

    inproc  both ends in this process, the echo in a second thread
    tcp     the pinger binds tcp://127.0.0.1:* (ephemeral port) and starts this
            script again as the echo (--role echo, same --impl), which connects
            to the LAST_ENDPOINT it is given and stays connected until the
            pinger has the last reply
    ipc     the same over a fresh ipc:// path under the temp directory, removed
            at the end

If the peer process dies or stalls, the run fails after --timeout seconds
(default 30) instead of hanging, and the child is killed at the end in any case;
it also exits by itself if this process goes away. Over inproc there is no
timeout in the measured loop unless --timeout is given (RCVTIMEO makes every
blocking recv a little slower); a failing peer thread ends the process.

    python benchmarks/lat.py --impl zmqcore --size 64 --count 20000
    python benchmarks/lat.py --impl zmq --transport ipc --size 64 --count 20000
    python benchmarks/lat.py --impl zmq --size 1 --count 20000 --json

The pinger() and echo() functions are also the two halves of the two-host
scripts remote_lat.py (pinger) and local_lat.py (echo).
"""

import argparse
import json
import time

import _common


def _percentile(sorted_values, q):
    """Nearest-rank percentile of an ascending list (q in 0..100)."""
    if not sorted_values:
        raise ValueError("no samples")
    rank = max(1, -(-len(sorted_values) * q // 100))  # ceil(n*q/100), >= 1
    return sorted_values[int(rank) - 1]


def default_warmup(count):
    return min(1000, max(10, count // 20))


def echo(zmq, endpoint, total, size=None, bind=False, copy=True,
         timeout=_common.DEFAULT_TIMEOUT, first_timeout=None, ctx=None,
         failed=None, before_close=None):
    """Send back each of `total` messages received on a PAIR socket, call
    before_close() if given, then close the socket, lingering up to `timeout` s
    so that the last reply gets out. If `size` is given, the first message must
    have that size."""
    if total < 1:
        raise ValueError("total must be >= 1")
    own_ctx = ctx is None
    if own_ctx:
        ctx = zmq.Context()
    sock = _common.open_socket(zmq, ctx, zmq.PAIR, endpoint, bind)
    linger = 0
    try:
        _common.wait_for(zmq, sock, zmq.POLLIN, first_timeout, failed, "pinger")
        _common.set_timeouts(sock, timeout)
        recv, send = sock.recv, sock.send
        first = recv(copy=copy)
        if size is not None and len(first) != size:
            raise RuntimeError("message of incorrect size received: %d != %d"
                               % (len(first), size))
        send(first, copy=copy)
        for _ in range(total - 1):
            send(recv(copy=copy), copy=copy)
        if before_close is not None:
            before_close()
        linger = _common.to_ms(timeout)
    except zmq.Again:
        raise _common.PeerError("timed out: nothing from the pinger for %.1f s"
                                % timeout)
    finally:
        sock.close(linger=linger)
        if own_ctx:
            ctx.term()


def pinger(zmq, endpoint, size, count, warmup=None, bind=True, copy=True,
           timeout=_common.DEFAULT_TIMEOUT, first_timeout=_common.DEFAULT_TIMEOUT,
           ctx=None, on_bound=None, failed=None):
    """Ping-pong `warmup` + `count` round trips of `size` bytes on a PAIR socket
    and time the last `count` one by one (the echo side must echo exactly
    warmup + count messages).

    on_bound(endpoint) is called once the socket is bound or connected (with the
    actual endpoint) to start the echo; failed() returning a reason aborts the
    wait for the first reply. first_timeout (None = forever) bounds the first
    round trip, timeout every later send/recv. With warmup=0 the first round
    trip, waits included, is the first sample (as in libzmq's remote_lat).
    """
    if count < 1:
        raise ValueError("count must be >= 1")
    if warmup is None:
        warmup = default_warmup(count)
    own_ctx = ctx is None
    if own_ctx:
        ctx = zmq.Context()
    sock = _common.open_socket(zmq, ctx, zmq.PAIR, endpoint, bind)
    payload = b"\xa5" * size
    try:
        if on_bound is not None:
            on_bound(_common.last_endpoint(sock))
        send, recv, clock = sock.send, sock.recv, time.perf_counter_ns
        # First round trip: may wait for the peer to start and connect.
        t0 = clock()
        _common.wait_for(zmq, sock, zmq.POLLOUT, first_timeout, failed, "echo")
        send(payload, copy=copy)
        _common.wait_for(zmq, sock, zmq.POLLIN, first_timeout, failed, "echo")
        reply = recv(copy=copy)
        first_rtt = clock() - t0
        _common.set_timeouts(sock, timeout)
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
    except zmq.Again:
        raise _common.PeerError("timed out: no echo for %.1f s" % timeout)
    finally:
        sock.close(linger=0)
        if own_ctx:
            ctx.term()
    if len(reply) != size:
        raise RuntimeError("echo size mismatch: %d != %d" % (len(reply), size))
    samples.sort()
    one_way_us = [s / 2000.0 for s in samples]  # ns round trip -> us one way
    return {
        "bench": "lat",
        "size": size,
        "count": count,
        "warmup": warmup,
        "copy": copy,
        "mean_us": sum(one_way_us) / count,
        "p50_us": _percentile(one_way_us, 50),
        "p99_us": _percentile(one_way_us, 99),
        "max_us": one_way_us[-1],
    }


def run(zmq, size, count, warmup=None, copy=True, transport="inproc",
        timeout=None):
    """Both ends on this machine: the pinger here, the echo in a thread (inproc)
    or a child process (tcp, ipc). Returns pinger()'s result."""
    if count < 1:
        raise ValueError("count must be >= 1")
    if warmup is None:
        warmup = default_warmup(count)
    total = warmup + count
    timeout = _common.resolve_timeout(timeout, transport)
    options = ["--size", size, "--count", count, "--warmup", warmup, "--timeout", timeout]
    if not copy:
        options.append("--no-copy")
    return _common.run_with_peer(
        zmq, transport, "lat",
        lambda ep, ctx, on_bound, failed: pinger(
            zmq, ep, size, count, warmup=warmup, copy=copy, timeout=timeout, ctx=ctx,
            on_bound=on_bound, failed=failed),
        lambda ep, ctx: echo(zmq, ep, total, size=size, copy=copy, timeout=timeout,
                             ctx=ctx),
        __file__, "echo", options, timeout)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    _common.add_impl_arg(parser)
    _common.add_transport_arg(parser)
    parser.add_argument("--size", type=int, default=64, help="message size in bytes")
    parser.add_argument("--count", type=int, default=20_000, help="timed round trips")
    parser.add_argument("--warmup", type=int, default=None,
                        help="untimed round trips first (default: 5%%, 10..1000)")
    parser.add_argument("--no-copy", dest="copy", action="store_false",
                        help="send(copy=False) and recv(copy=False)")
    _common.add_timeout_arg(parser)
    parser.add_argument("--role", choices=("echo",), default=None,
                        help="internal: run only the echo (warmup + count round "
                             "trips), connecting to --endpoint")
    parser.add_argument("--endpoint", default=None, help="internal: see --role")
    args = parser.parse_args(argv)
    if args.role is not None and not args.endpoint:
        parser.error("--role needs --endpoint")
    zmq = _common.load_or_exit(args)
    if args.role == "echo":
        parent_done = _common.watch_parent()
        warmup = default_warmup(args.count) if args.warmup is None else args.warmup
        timeout = _common.resolve_timeout(args.timeout, "tcp")
        # Stay connected until the pinger has the last reply (see thr.py).
        echo(zmq, args.endpoint, warmup + args.count, size=args.size,
             copy=args.copy, timeout=timeout, first_timeout=timeout or None,
             before_close=parent_done.wait)
        return
    _common.exit_on_sigterm()
    try:
        result = run(zmq, args.size, args.count, warmup=args.warmup, copy=args.copy,
                     transport=args.transport, timeout=args.timeout)
    except Exception as exc:
        _common.exit_failed(args, exc)
    result["impl"] = args.impl
    if args.json:
        print(json.dumps(result))
    else:
        print(_common.describe(zmq))
        print("transport: %s  message size: %d [B]  round trips: %d  copy: %s"
              % (args.transport, args.size, args.count, args.copy))
        print("mean one-way latency: %.3f [us]" % result["mean_us"])
        print("p50  one-way latency: %.3f [us]" % result["p50_us"])
        print("p99  one-way latency: %.3f [us]" % result["p99_us"])


if __name__ == "__main__":
    main()
