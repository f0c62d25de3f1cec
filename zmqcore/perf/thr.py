"""PUSH -> PULL throughput.

A sender pushes `count` messages of `size` bytes as fast as it can; the
receiver (the timing side) pulls them and times the interval from the first
message received to the last (so connection set-up and peer start-up are
excluded), like libzmq's local_thr. Throughput is (count - 1) / that interval.

inproc: both ends in one process, the sender in a second thread. tcp/ipc: the
receiver binds (tcp://127.0.0.1:*, an ephemeral port, or a fresh ipc path) and
the sender is a second process, which stays connected until the receiver has
counted every message.

sender() and receiver() are also the two halves of the two-host scripts
(local_thr and remote_thr, see twohost.py).
"""

import time

from zmqcore.perf import harness as h

NAME = "thr"
ROLE = "sender"
ENDPOINTS = 1
MANY_PEERS = False
# (result key, column label, higher is better)
METRICS = (("msgs_per_s", "msgs/s", True),
           ("mb_per_s", "MB/s", True),
           ("cpu_us_per_msg", "CPU us/msg", False))
MIN_COUNT = 2


def sender(zmq, endpoint, size, count, bind=False, copy=True, hwm=None,
           timeout=h.DEFAULT_TIMEOUT, first_timeout=None, ctx=None,
           failed=None, before_close=None):
    """Send `count` messages of `size` bytes on a PUSH socket as fast as possible,
    call before_close() if given, then close the socket, lingering up to
    `timeout` s until the messages are delivered."""
    with h.End(zmq, ctx, timeout, "receiver") as end:
        sock = end.open(zmq.PUSH, endpoint, bind, hwm)
        h.set_timeouts(sock, timeout)
        payload = b"\x5a" * size
        # A bound PUSH has nowhere to send before a peer connects.
        h.wait_for(zmq, sock, zmq.POLLOUT, first_timeout, failed, "receiver")
        send = sock.send
        if copy:
            for _ in range(count):
                send(payload)
        else:
            for _ in range(count):
                send(payload, copy=False)
        end.finish(before_close)


def receiver(zmq, endpoint, size, count, bind=True, copy=True, hwm=None,
             timeout=h.DEFAULT_TIMEOUT, first_timeout=h.DEFAULT_TIMEOUT,
             ctx=None, on_bound=None, failed=None):
    """Receive `count` messages on a PULL socket and time first-to-last.

    on_bound(endpoint) is called once the socket is bound or connected (with the
    actual endpoint, e.g. the ephemeral tcp port) to start the sender; failed()
    returning a reason aborts the wait for the first message. first_timeout
    (None = forever) bounds that wait, timeout every later recv.
    """
    if count < MIN_COUNT:
        raise ValueError("count must be >= 2 (timing starts at the first message)")
    with h.End(zmq, ctx, timeout, "sender") as end:
        sock = end.open(zmq.PULL, endpoint, bind, hwm)
        if on_bound is not None:
            on_bound(h.last_endpoint(sock))
        h.wait_for(zmq, sock, zmq.POLLIN, first_timeout, failed, "sender")
        h.set_timeouts(sock, timeout)
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
    if len(first) != size or len(last) != size:
        raise RuntimeError("message size mismatch: %d/%d != %d"
                           % (len(first), len(last), size))
    msgs_per_s = (count - 1) / elapsed if elapsed > 0 else float("inf")
    return {
        "bench": NAME,
        "size": size,
        "count": count,
        "copy": copy,
        "elapsed_s": elapsed,
        "msgs_per_s": msgs_per_s,
        "mb_per_s": msgs_per_s * size / 1e6,
        "cpu_msgs": count,
    }


def local(zmq, p, endpoints, ctx, on_bound, failed):
    return receiver(zmq, endpoints[0], p.size, p.count, copy=p.copy, hwm=p.hwm,
                    timeout=p.timeout, ctx=ctx, on_bound=on_bound, failed=failed)


def peer(zmq, p, endpoints, ctx=None, first_timeout=None, before_close=None):
    sender(zmq, endpoints[0], p.size, p.count, copy=p.copy, hwm=p.hwm,
           timeout=p.timeout, first_timeout=first_timeout, ctx=ctx,
           before_close=before_close)


def count_rate(result):
    """Units of `count` per second in a result (for --duration)."""
    return result["msgs_per_s"]
