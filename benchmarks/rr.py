#!/usr/bin/env python
"""ROUTER/DEALER request-reply throughput over inproc, tcp or ipc.

--clients DEALER clients (threads of this process over inproc, one process
each over tcp and ipc) each send --count requests of --size bytes to one
ROUTER server (this process), which echoes every request back to the client
that sent it. The clients pipeline: each keeps --window requests in flight,
sending a new one for every reply, until its last reply is in.

The server is the timing side: from the first request it receives to the last
reply it sends, after a start barrier (every client says hello through the
ROUTER and waits for the go, so that all start together). Reported: requests
per second through the server (aggregate) and the mean of the clients' own
rates (first request sent to last reply received).

    python benchmarks/rr.py --impl zmqcore --clients 1 --count 200000
    python benchmarks/rr.py --impl zmq --transport tcp --clients 2 --window 100 --json

The clients report over a control PUSH -> PULL channel once they have every
reply, and the server waits for that before it closes. If a peer process dies
or stalls, the run fails after --timeout seconds (default 30 for tcp/ipc)
instead of hanging; over inproc there is no timeout in the measured loops
unless --timeout is given. If the implementation has no ROUTER/DEALER sockets
the script reports it unavailable (exit code 3).
"""

import argparse
import json
import time

import _common

HELLO = b"hello"
GO = b"go"


def client(zmq, endpoints, size, count, window, timeout=_common.DEFAULT_TIMEOUT,
           first_timeout=None, ctx=None, failed=None, before_close=None):
    """Say hello, wait for the go, then `count` pipelined requests of `size`
    bytes, at most `window` unanswered; report the result on the control PUSH."""
    data_endpoint, ctl_endpoint = endpoints
    own_ctx = ctx is None
    if own_ctx:
        ctx = zmq.Context()
    dealer = ctl = None
    linger = 0
    try:
        dealer = _common.open_socket(zmq, ctx, zmq.DEALER, data_endpoint, False)
        ctl = _common.open_socket(zmq, ctx, zmq.PUSH, ctl_endpoint, False)
        _common.set_timeouts(ctl, timeout)
        _common.set_timeouts(dealer, timeout)
        dealer.send(HELLO)
        _common.wait_for(zmq, dealer, zmq.POLLIN, first_timeout, failed, "server")
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
        _common.report(ctl, {"requests": count, "elapsed_s": elapsed,
                             "requests_per_s": count / elapsed if elapsed > 0
                             else float("inf")})
        if before_close is not None:
            before_close()
        linger = _common.to_ms(timeout)
    except zmq.Again:
        raise _common.PeerError("timed out: no reply for %.1f s" % timeout)
    finally:
        if dealer is not None:
            dealer.close(linger=0)
        if ctl is not None:
            ctl.close(linger=linger)
        if own_ctx:
            ctx.term()


def server(zmq, endpoints, size, count, clients, window,
           timeout=_common.DEFAULT_TIMEOUT, first_timeout=_common.DEFAULT_TIMEOUT,
           ctx=None, on_bound=None, failed=None):
    """Bind ROUTER and the control PULL, start the clients (on_bound), let them
    go together, echo clients * count requests timing first to last, then
    collect the clients' reports. Returns the combined result."""
    if count < 1 or clients < 1:
        raise ValueError("count and clients must be >= 1")
    data_endpoint, ctl_endpoint = endpoints
    total = clients * count
    own_ctx = ctx is None
    if own_ctx:
        ctx = zmq.Context()
    router = ctl = None
    try:
        router = _common.open_socket(zmq, ctx, zmq.ROUTER, data_endpoint, True)
        ctl = _common.open_socket(zmq, ctx, zmq.PULL, ctl_endpoint, True)
        if on_bound is not None:
            on_bound(_common.last_endpoint(router), _common.last_endpoint(ctl))
        # Start barrier: a hello from every client, then the go to each.
        ids = []
        while len(ids) < clients:
            _common.wait_for(zmq, router, zmq.POLLIN, first_timeout, failed, "clients")
            ident, msg = router.recv_multipart()
            if msg != HELLO:
                raise RuntimeError("expected a hello, got %r" % msg[:20])
            ids.append(ident)
        _common.set_timeouts(router, timeout)
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
        reports = [json.loads(m) for m in _common.gather(
            zmq, ctl, clients, timeout, failed, "clients")]
    except zmq.Again:
        raise _common.PeerError("timed out: no request for %.1f s" % timeout)
    finally:
        if router is not None:
            router.close(linger=0)
        if ctl is not None:
            ctl.close(linger=0)
        if own_ctx:
            ctx.term()
    rate = (total - 1) / elapsed if total > 1 and elapsed > 0 else float("inf")
    return {
        "bench": "rr",
        "size": size,
        "count": count,
        "clients": clients,
        "window": window,
        "elapsed_s": elapsed,
        "requests_per_s": rate,
        "mb_per_s": rate * size / 1e6,
        "client_requests_per_s": (sum(r["requests_per_s"] for r in reports)
                                  / len(reports)),
    }


def run(zmq, size, count, clients=1, window=100, transport="inproc", timeout=None):
    """The server here, the clients in threads (inproc) or child processes
    (tcp, ipc). Returns server()'s result."""
    timeout = _common.resolve_timeout(timeout, transport)
    options = ["--size", size, "--count", count, "--window", window,
               "--timeout", timeout]
    return _common.run_with_peers(
        zmq, transport, "rr",
        lambda eps, ctx, on_bound, failed: server(
            zmq, eps, size, count, clients, window, timeout=timeout, ctx=ctx,
            on_bound=on_bound, failed=failed),
        lambda eps, ctx: client(zmq, eps, size, count, window, timeout=timeout,
                                ctx=ctx),
        __file__, "client", options, timeout, peers=clients, endpoints=2)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    _common.add_impl_arg(parser)
    _common.add_transport_arg(parser)
    parser.add_argument("--size", type=int, default=64, help="request size in bytes")
    parser.add_argument("--count", type=int, default=100_000,
                        help="requests per client")
    parser.add_argument("--clients", type=int, default=1,
                        help="DEALER clients (threads for inproc, processes otherwise)")
    parser.add_argument("--window", type=int, default=100,
                        help="requests each client keeps in flight")
    _common.add_timeout_arg(parser)
    parser.add_argument("--role", choices=("client",), default=None,
                        help="internal: run one client, connecting to the two "
                             "--endpoint (ROUTER, control)")
    _common.add_role_endpoint_arg(parser)
    args = parser.parse_args(argv)
    if args.role is not None and (not args.endpoint or len(args.endpoint) != 2):
        parser.error("--role needs two --endpoint")
    if args.window < 1:
        parser.error("--window must be >= 1")
    zmq = _common.load_or_exit(args)
    if args.role == "client":
        parent_done = _common.watch_parent()
        timeout = _common.resolve_timeout(args.timeout, "tcp")
        client(zmq, args.endpoint, args.size, args.count, args.window,
               timeout=timeout, first_timeout=timeout or None,
               before_close=parent_done.wait)
        return
    _common.exit_if_missing(args, zmq, "ROUTER", "DEALER")
    _common.exit_on_sigterm()
    try:
        result = run(zmq, args.size, args.count, clients=args.clients,
                     window=args.window, transport=args.transport,
                     timeout=args.timeout)
    except Exception as exc:
        _common.exit_failed(args, exc)
    result["impl"] = args.impl
    if args.json:
        print(json.dumps(result))
    else:
        print(_common.describe(zmq))
        print("transport: %s  request size: %d [B]  clients: %d x %d requests  "
              "window: %d" % (args.transport, args.size, args.clients, args.count,
                              args.window))
        print("elapsed: %.3f [s]" % result["elapsed_s"])
        print("throughput: %.0f [requests/s] through the server"
              % result["requests_per_s"])
        print("per client: %.0f [requests/s]" % result["client_requests_per_s"])


if __name__ == "__main__":
    main()
