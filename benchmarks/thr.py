#!/usr/bin/env python
"""PUSH -> PULL throughput over inproc, tcp or ipc.

A sender pushes --count messages of --size bytes as fast as it can; the receiver
(the timing side) pulls them and times the interval from the first message
received to the last (so connection set-up and peer start-up are excluded), like
libzmq's local_thr. Throughput is (count - 1) / that interval.

    inproc  both ends in this process, the sender in a second thread
    tcp     the receiver binds tcp://127.0.0.1:* (ephemeral port) and starts this
            script again as the sender (--role sender, same --impl), which
            connects to the LAST_ENDPOINT it is given and stays connected until
            the receiver has counted every message
    ipc     the same over a fresh ipc:// path under the temp directory, removed
            at the end

If the peer process dies or stalls, the run fails after --timeout seconds
(default 30) instead of hanging, and the child is killed at the end in any case;
it also exits by itself if this process goes away. Over inproc there is no
timeout in the measured loop unless --timeout is given (RCVTIMEO makes every
blocking recv a little slower); a failing peer thread ends the process.

    python benchmarks/thr.py --impl zmqcore --size 64 --count 1000000
    python benchmarks/thr.py --impl zmq --transport tcp --size 64 --count 200000
    python benchmarks/thr.py --impl zmq --size 1048576 --count 2000 --no-copy --json

The sender() and receiver() functions are also the two halves of the two-host
scripts local_thr.py (receiver) and remote_thr.py (sender).
"""

import argparse
import json
import time

import _common


def sender(zmq, endpoint, size, count, bind=False, copy=True, hwm=None,
           timeout=_common.DEFAULT_TIMEOUT, first_timeout=None, ctx=None,
           failed=None, before_close=None):
    """Send `count` messages of `size` bytes on a PUSH socket as fast as possible,
    call before_close() if given, then close the socket, lingering up to
    `timeout` s until the messages are delivered."""
    own_ctx = ctx is None
    if own_ctx:
        ctx = zmq.Context()
    sock = _common.open_socket(zmq, ctx, zmq.PUSH, endpoint, bind, hwm)
    linger = 0
    try:
        _common.set_timeouts(sock, timeout)
        payload = b"\x5a" * size
        # A bound PUSH has nowhere to send before a peer connects.
        _common.wait_for(zmq, sock, zmq.POLLOUT, first_timeout, failed, "receiver")
        send = sock.send
        if copy:
            for _ in range(count):
                send(payload)
        else:
            for _ in range(count):
                send(payload, copy=False)
        if before_close is not None:
            before_close()
        linger = _common.to_ms(timeout)
    except zmq.Again:
        raise _common.PeerError("timed out: the receiver took nothing for %.1f s"
                                % timeout)
    finally:
        sock.close(linger=linger)
        if own_ctx:
            ctx.term()


def receiver(zmq, endpoint, size, count, bind=True, copy=True, hwm=None,
             timeout=_common.DEFAULT_TIMEOUT, first_timeout=_common.DEFAULT_TIMEOUT,
             ctx=None, on_bound=None, failed=None):
    """Receive `count` messages on a PULL socket and time first-to-last.

    on_bound(endpoint) is called once the socket is bound or connected (with the
    actual endpoint, e.g. the ephemeral tcp port) to start the sender; failed()
    returning a reason aborts the wait for the first message. first_timeout
    (None = forever) bounds that wait, timeout every later recv.
    """
    if count < 2:
        raise ValueError("count must be >= 2 (timing starts at the first message)")
    own_ctx = ctx is None
    if own_ctx:
        ctx = zmq.Context()
    sock = _common.open_socket(zmq, ctx, zmq.PULL, endpoint, bind, hwm)
    try:
        if on_bound is not None:
            on_bound(_common.last_endpoint(sock))
        _common.wait_for(zmq, sock, zmq.POLLIN, first_timeout, failed, "sender")
        _common.set_timeouts(sock, timeout)
        recv = sock.recv
        first = recv(copy=copy)
        start = time.perf_counter()
        if copy:
            for _ in range(count - 2):
                recv()
        else:
            for _ in range(count - 2):
                recv(copy=False)
        last = recv(copy=copy)
        elapsed = time.perf_counter() - start
    except zmq.Again:
        raise _common.PeerError("timed out: no message for %.1f s" % timeout)
    finally:
        sock.close(linger=0)
        if own_ctx:
            ctx.term()
    if len(first) != size or len(last) != size:
        raise RuntimeError("message size mismatch: %d/%d != %d"
                           % (len(first), len(last), size))
    msgs_per_s = (count - 1) / elapsed if elapsed > 0 else float("inf")
    return {
        "bench": "thr",
        "size": size,
        "count": count,
        "copy": copy,
        "elapsed_s": elapsed,
        "msgs_per_s": msgs_per_s,
        "mb_per_s": msgs_per_s * size / 1e6,
    }


def run(zmq, size, count, copy=True, hwm=None, transport="inproc", timeout=None):
    """Both ends on this machine: the receiver here, the sender in a thread
    (inproc) or a child process (tcp, ipc). Returns receiver()'s result."""
    if count < 2:
        raise ValueError("count must be >= 2 (timing starts at the first message)")
    timeout = _common.resolve_timeout(timeout, transport)
    options = ["--size", size, "--count", count, "--timeout", timeout]
    if not copy:
        options.append("--no-copy")
    if hwm is not None:
        options += ["--hwm", hwm]
    return _common.run_with_peer(
        zmq, transport, "thr",
        lambda ep, ctx, on_bound, failed: receiver(
            zmq, ep, size, count, copy=copy, hwm=hwm, timeout=timeout, ctx=ctx,
            on_bound=on_bound, failed=failed),
        lambda ep, ctx: sender(zmq, ep, size, count, copy=copy, hwm=hwm,
                               timeout=timeout, ctx=ctx),
        __file__, "sender", options, timeout)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    _common.add_impl_arg(parser)
    _common.add_transport_arg(parser)
    parser.add_argument("--size", type=int, default=64, help="message size in bytes")
    parser.add_argument("--count", type=int, default=1_000_000, help="messages")
    parser.add_argument("--no-copy", dest="copy", action="store_false",
                        help="send(copy=False) and recv(copy=False)")
    parser.add_argument("--hwm", type=int, default=None,
                        help="SNDHWM/RCVHWM (default: the implementation's, 1000)")
    _common.add_timeout_arg(parser)
    parser.add_argument("--role", choices=("sender",), default=None,
                        help="internal: run only the sender, connecting to --endpoint")
    parser.add_argument("--endpoint", default=None, help="internal: see --role")
    args = parser.parse_args(argv)
    if args.role is not None and not args.endpoint:
        parser.error("--role needs --endpoint")
    zmq = _common.load_or_exit(args)
    if args.role == "sender":
        parent_done = _common.watch_parent()
        timeout = _common.resolve_timeout(args.timeout, "tcp")
        # Stay connected until the receiver has everything: a zmqcore receiver
        # can lose the last message(s) when the peer disconnects right after
        # sending them (tcp/ipc), which would turn the run into a timeout.
        sender(zmq, args.endpoint, args.size, args.count, copy=args.copy,
               hwm=args.hwm, timeout=timeout, first_timeout=timeout or None,
               before_close=parent_done.wait)
        return
    _common.exit_on_sigterm()
    try:
        result = run(zmq, args.size, args.count, copy=args.copy, hwm=args.hwm,
                     transport=args.transport, timeout=args.timeout)
    except Exception as exc:
        _common.exit_failed(args, exc)
    result["impl"] = args.impl
    if args.json:
        print(json.dumps(result))
    else:
        print(_common.describe(zmq))
        print("transport: %s  message size: %d [B]  count: %d  copy: %s"
              % (args.transport, args.size, args.count, args.copy))
        print("elapsed: %.3f [s]" % result["elapsed_s"])
        print("throughput: %.0f [msg/s]" % result["msgs_per_s"])
        print("throughput: %.3f [MB/s]" % result["mb_per_s"])


if __name__ == "__main__":
    main()
