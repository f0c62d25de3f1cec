"""The readiness poller, its timers and the io thread, driven from C.

Every loop runs inside zmqcore._testing with the GIL released; these tests
check what the C callbacks recorded.  Timing is only ever checked from
below ("fired after at least N ms"), never from above, so a slow machine
cannot fail them.  Run once per poller:

    ZMQCORE_POLLER=poll pip install -e . --no-build-isolation && pytest tests/core
    pip install -e . --no-build-isolation && pytest tests/core
"""
import errno

import pytest

from zmqcore import _testing as T

pytestmark = pytest.mark.timeout(10)

BACKEND, MAX_EVENTS = T.poller_backend()


def test_backend_is_known():
    assert BACKEND in ("epoll", "poll")
    assert MAX_EVENTS >= 1


# --- waiting -------------------------------------------------------------------


@pytest.mark.parametrize("with_idle_fd", [False, True])
def test_wait_blocks_for_max_timeout_when_nothing_is_ready(with_idle_fd):
    rc, elapsed = T.poller_wait_timeout(30, with_idle_fd)
    assert rc == 0
    assert elapsed >= 30


def test_wait_zero_returns_nothing_when_idle():
    rc, _ = T.poller_wait_timeout(0, True)
    assert rc == 0


# --- timers --------------------------------------------------------------------


def test_timers_fire_in_due_order_ties_in_insertion_order():
    timeouts = [50, 10, 30, 10, 0, 20]
    r = T.poller_timers(timeouts)
    expected = sorted(range(len(timeouts)), key=lambda i: (timeouts[i], i))
    assert r["order"] == expected == [4, 1, 3, 5, 2, 0]
    for timer_id, elapsed in zip(r["order"], r["elapsed"]):
        assert elapsed >= timeouts[timer_id]
    assert r["calls"] == len(timeouts)


def test_cancelled_timer_never_fires():
    r = T.poller_timers([40, 10, 20], cancel=[2, 99])
    assert r["order"] == [1, 0]
    assert r["cancel_rc"] == [(0, 0), (-1, errno.ENOENT)]
    assert r["elapsed"][0] >= 10 and r["elapsed"][1] >= 40


def test_timer_callback_cancels_a_later_timer():
    r = T.poller_timers([10, 40, 20], cancel_on=(0, 1))
    assert r["order"] == [0, 2]
    assert r["cancel_cb"] == (0, 0)


def test_cancelling_a_fired_timer_fails_with_enoent():
    r = T.poller_timers([10, 40, 20], cancel_on=(1, 0))
    assert r["order"] == [0, 2, 1]
    assert r["cancel_cb"] == (-1, errno.ENOENT)


def test_timer_rearmed_from_its_callback_waits_for_the_next_turn():
    results, fired_ids = T.poller_timer_rearm(5)
    assert results == [1, 1, 1, 1, 1]
    assert fired_ids == [7] * 5


# --- fd events -----------------------------------------------------------------


def test_pipe_written_by_another_thread_wakes_in_event():
    r = T.poller_pipe_readable(30)
    assert [e[0] for e in r["events"]] == ["in"]
    fired_at = r["events"][0][3]
    assert fired_at >= 30
    assert fired_at >= r["wrote"] >= 30
    assert r["read"] == 1
    assert r["same_thread"] is True
    assert r["after"] == 0


@pytest.mark.parametrize("pollin", [True, False])
def test_hangup_is_reported_through_in_event(pollin):
    kinds, last_read, load = T.poller_hangup(pollin)
    assert kinds == ["in"]
    assert last_read == 0  # EOF
    assert load == 0


def test_interest_changes_are_level_triggered():
    assert T.poller_pollout() == [
        ("none", 0, []),
        ("pollout", 1, ["out"]),
        ("pollout again", 1, ["out"]),
        ("reset pollout", 0, []),
        ("pollin idle", 0, []),
        ("pollin data", 1, ["in"]),
        ("pollin drained", 0, []),
        ("reset pollin, data", 0, []),
    ]


# --- removal during dispatch ---------------------------------------------------


@pytest.mark.parametrize("n", [2, 8])
def test_fds_removed_in_a_batch_are_not_dispatched(n):
    first, second, events, load = T.poller_rm_in_batch(n)
    assert first == 1
    assert second == 0
    assert len(events) == 1 and events[0][0] == "in" and 0 <= events[0][1] < n
    assert load == 0


def test_fd_removed_closed_and_replaced_in_a_batch():
    waits, events, load = T.poller_rm_replace_in_batch(4)
    # The batch stops after the first callback; the replacement, whose fd
    # number likely was freed in that batch, fires on the next turn only.
    assert waits == [1, 1, 0]
    assert [e[0] for e in events] == ["in", "in"]
    assert 0 <= events[0][1] < 4
    assert events[1][1] == 1000
    assert load == 0


def test_in_event_runs_before_out_event_and_removal_stops_the_second():
    first, kinds, after, load = T.poller_rm_self_in_out()
    assert (first, kinds, after, load) == (1, ["in"], 0, 0)


def test_many_fds_all_dispatched_over_several_turns():
    n = 300
    waits, distinct, nevents, load = T.poller_many(n)
    assert sum(waits) == n
    assert nevents == n and distinct == n
    assert load == 0
    if BACKEND == "epoll":
        # epoll collects at most MAX_EVENTS per turn; the rest wait.
        assert waits[0] == min(n, MAX_EVENTS)
        assert len(waits) >= 2


def test_load_counts_registered_fds_and_errors():
    loads, add_errno, cancel = T.poller_load_and_errors()
    assert loads == [0, 3, 2, 0]
    assert add_errno == errno.EBADF
    assert cancel == (-1, errno.ENOENT)


# --- io thread -----------------------------------------------------------------


def test_io_thread_call_runs_on_the_io_thread():
    r = T.io_thread_roundtrip()
    assert r["done"] is True
    assert r["calls"] == 1
    assert r["other_thread"] is True
    assert r["signals_blocked"] is True
    assert r["caller_mask_kept"] is True
    assert r["load"] == 0
    assert r["stop"] == (0, 0)
    assert r["start_again"] == (-1, errno.EINVAL)


def test_io_thread_start_stop_repeatedly():
    for _ in range(20):
        r = T.io_thread_roundtrip()
        assert (r["done"], r["calls"], r["stop"]) == (True, 1, (0, 0))


def test_io_thread_wakes_from_idle_for_each_command():
    ok, seqs = T.io_thread_wakeups(10, 5)
    assert ok is True
    assert seqs == list(range(10))


def test_io_thread_runs_a_burst_in_posting_order():
    ok, seqs = T.io_thread_wakeups(1000, 0, False)
    assert ok is True
    assert seqs == list(range(1000))


def test_io_thread_concurrent_posters():
    nthreads, per = 4, 200
    failures, seqs = T.io_thread_posters(nthreads, per)
    assert failures == 0
    # stop() ran every command posted before it, once each ...
    assert sorted(seqs) == list(range(nthreads * per))
    # ... and each poster's commands in its posting order.
    for j in range(nthreads):
        mine = [s for s in seqs if s // per == j]
        assert mine == sorted(mine)


def test_io_thread_fd_and_timer_on_its_poller():
    r = T.io_thread_fd_and_timer(30)
    assert r["added"] is True and r["load_added"] == 1
    assert r["readable"] is True and r["read"] == 1
    assert r["in_on_io_thread"] is True
    assert r["armed"] is True and r["fired"] is True
    assert len(r["timer_event"]) == 1
    kind, who, timer_id, at = r["timer_event"][0]
    assert (kind, who, timer_id) == ("timer", 3, 5)
    assert at >= 30 and r["timer_elapsed"] >= 30
    assert r["removed"] is True and r["load_removed"] == 0


def test_io_thread_lifecycle_without_start_and_destroy_while_running():
    assert T.io_thread_lifecycle() == 0


# --- the timer heap against a model --------------------------------------------


class _TimersModel:
    """What zc_timers_t must do: fire by (due time, insertion order); cancel
    the matching timer due first."""

    def __init__(self):
        self.pending = []  # (when, seq, id)
        self.seq = 0

    def run(self, op):
        if op[0] == "add":
            self.pending.append((op[1], self.seq, op[2]))
            self.seq += 1
            return None
        if op[0] == "cancel":
            mine = [t for t in self.pending if t[2] == op[1]]
            if not mine:
                return -1
            self.pending.remove(min(mine))
            return 0
        if op[0] == "timeout":
            if not self.pending:
                return -1
            return max(0, min(self.pending)[0] - op[1])
        if op[0] == "execute":
            due = sorted(t for t in self.pending if t[0] <= op[1])
            for t in due:
                self.pending.remove(t)
            return [t[2] for t in due]
        raise ValueError(op)


@pytest.mark.parametrize("seed", range(20))
def test_timer_heap_matches_model(seed):
    import random

    rnd = random.Random(seed)
    ops, now = [], 0
    for _ in range(400):
        r = rnd.random()
        if r < 0.5:
            ops.append(("add", now + rnd.randrange(0, 50), rnd.randrange(0, 12)))
        elif r < 0.7:
            ops.append(("cancel", rnd.randrange(0, 14)))
        elif r < 0.8:
            ops.append(("timeout", now))
        else:
            now += rnd.randrange(0, 20)
            ops.append(("execute", now))
    ops.append(("execute", now + 1000))
    model = _TimersModel()
    expected = [model.run(op) for op in ops]
    assert T.timers_run(ops) == expected
    assert model.pending == []
