"""The native core's messages, pipes and mailboxes, through zmqcore._testing.

The two-thread loops run in C with the GIL released; these tests check
what they report: counts, order, wake-ups, HWM credit.
"""

import pytest

t = pytest.importorskip("zmqcore._testing")


def test_msg_is_one_cache_line_with_inline_small_bodies():
    size, inline_max, small_kind, large_kind = t.msg_sizes()
    assert size == 64
    assert inline_max >= 32
    assert small_kind == 0      # inline: no allocation
    assert large_kind == 1      # shared, refcounted


@pytest.mark.timeout(60)
def test_two_thread_stress_millions_no_loss_no_reorder():
    r = t.pipe_stress(3_000_000, size=64, hwm=1000)
    assert r["write_errors"] == 0
    assert r["received"] == 3_000_000
    assert r["order_errors"] == 0


@pytest.mark.timeout(60)
def test_stress_unlimited_hwm_multipart_atomic():
    r = t.pipe_stress(300_000, size=16, hwm=0, parts=3)
    assert r["received"] == 300_000
    assert r["order_errors"] == 0
    assert r["writer_blocks"] == 0      # hwm 0: never blocks


@pytest.mark.timeout(60)
def test_stress_tiny_hwm_blocks_and_resumes():
    r = t.pipe_stress(100_000, size=64, hwm=3, parts=2)
    assert r["received"] == 100_000
    assert r["order_errors"] == 0
    # With room for 3 messages the writer must have waited for credit.
    assert r["writer_blocks"] > 0


@pytest.mark.timeout(60)
def test_stress_large_bodies():
    r = t.pipe_stress(20_000, size=70_000, hwm=100)
    assert r["received"] == 20_000
    assert r["order_errors"] == 0


@pytest.mark.parametrize("hwm", [1, 2, 10, 1000, 5000])
def test_hwm_refuses_at_mark_and_credit_restores(hwm):
    accepted, lwm, reads, writable = t.pipe_hwm(hwm)
    assert accepted == hwm
    assert 1 <= lwm <= hwm
    # Credit comes back after exactly lwm reads, and it unblocks the writer.
    assert reads == lwm
    assert writable


def test_wakeup_only_on_empty_to_nonempty():
    wakeups, got = t.pipe_wakeups(bursts=20, per_burst=50)
    assert got == 1000
    # The reader starts awake; each later burst finds it asleep once.
    assert wakeups == 19


def test_terminated_writer_messages_still_delivered_incomplete_dropped():
    got, saw_term = t.pipe_term_keeps_messages(2000)
    assert saw_term
    assert got == 2000      # the unfinished multipart tail is never seen


@pytest.mark.timeout(30)
def test_mailbox_many_commands_across_threads_in_order():
    got, ordered = t.mailbox_two_threads(200_000)
    assert got == 200_000
    assert ordered


def test_mailbox_fd_is_readable_only_while_commands_may_wait():
    after_send, after_drain, after_second = t.mailbox_fd_edge()
    assert after_send is True
    assert after_drain is False
    assert after_second is True
