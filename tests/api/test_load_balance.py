"""Work spreads evenly over workers: PUSH and DEALER round-robin, PULL and
ROUTER fair-queue (RFC 28, RFC 30).  Differential: runs on pyzmq too."""

import threading
import time

import pytest

WORKERS = 10
TASKS = 1000


def _wait_handshakes(zmq, monitor, n, timeout_ms=5000):
    """Reads monitor events until n handshakes have succeeded."""
    from_monitor = 0
    while from_monitor < n:
        assert monitor.poll(timeout_ms), "only %d of %d peers connected" % (from_monitor, n)
        frames = monitor.recv_multipart()
        event = int.from_bytes(frames[0][:2], "little")
        if event == zmq.EVENT_HANDSHAKE_SUCCEEDED:
            from_monitor += 1


def _run_workers(zmq, ctx, worker_type, endpoint, reply):
    """Starts WORKERS threads that count what they receive until `done` is
    set.  (No end-of-work messages: round robin would also deal those to
    workers already gone, which depends on when their departure is seen.)"""
    counts = [0] * WORKERS
    ready = threading.Barrier(WORKERS + 1, timeout=10)
    done = threading.Event()
    errors = []

    def work(i):
        s = ctx.socket(worker_type)
        try:
            s.connect(endpoint)
            ready.wait()
            while not done.is_set():
                if not s.poll(50):
                    continue
                parts = s.recv_multipart()
                counts[i] += 1
                if reply:
                    s.send_multipart(parts)
        except Exception as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            s.close(linger=0)

    threads = [threading.Thread(target=work, args=(i,), daemon=True) for i in range(WORKERS)]
    for t in threads:
        t.start()
    return counts, ready, done, threads, errors


@pytest.mark.parametrize("transport", ["inproc", "tcp"])
@pytest.mark.parametrize("pattern", ["PUSH-PULL", "DEALER-REP"])
def test_ten_workers_get_equal_shares(zmq, ctx, endpoint, transport, pattern):
    head_name, worker_name = pattern.split("-")
    head = ctx.socket(getattr(zmq, head_name))
    head.sndtimeo = head.rcvtimeo = 5000
    monitor = head.get_monitor_socket(zmq.EVENT_HANDSHAKE_SUCCEEDED) if transport == "tcp" else None
    head.bind(endpoint(transport))
    ep = head.last_endpoint.decode()
    reply = worker_name == "REP"
    counts, ready, done, threads, errors = _run_workers(zmq, ctx, getattr(zmq, worker_name),
                                                        ep, reply)
    ready.wait()
    if monitor is not None:
        _wait_handshakes(zmq, monitor, WORKERS)
    env = [b""] if head_name == "DEALER" else []
    for i in range(TASKS):
        head.send_multipart(env + [b"task %d" % i])
        if reply:
            # Replies are drained as they come so no queue fills up.
            while head.poll(0):
                head.recv_multipart()
    deadline = time.monotonic() + 10
    while sum(counts) < TASKS and time.monotonic() < deadline:
        if reply and head.poll(10):
            head.recv_multipart()
        elif not reply:
            time.sleep(0.01)
    done.set()
    for t in threads:
        t.join(10)
    assert not errors, errors
    assert sum(counts) == TASKS
    # Round robin over ten ready peers: each gets its tenth.
    assert max(counts) - min(counts) <= TASKS // WORKERS // 10, counts
    if monitor is not None:
        head.disable_monitor()
        monitor.close(linger=0)
    head.close(linger=0)


@pytest.mark.parametrize("transport", ["inproc", "tcp"])
def test_fair_queue_takes_from_every_sender(zmq, ctx, endpoint, transport):
    """PULL takes everything from each of ten senders."""
    pull = ctx.socket(zmq.PULL)
    pull.rcvtimeo = 5000
    pull.bind(endpoint(transport))
    ep = pull.last_endpoint.decode()
    pushes = []
    for i in range(WORKERS):
        s = ctx.socket(zmq.PUSH)
        s.sndtimeo = 5000
        s.connect(ep)
        pushes.append(s)
    for i, s in enumerate(pushes):
        for j in range(50):
            s.send(b"%d" % i)
    seen = {}
    got = 0
    while got < 50 * WORKERS:
        who = int(pull.recv())
        seen[who] = seen.get(who, 0) + 1
        got += 1
    assert sorted(seen) == list(range(WORKERS))
    assert all(v == 50 for v in seen.values())
    for s in pushes:
        s.close(linger=0)
    pull.close(linger=0)
