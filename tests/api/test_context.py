"""Context lifecycle, pinned against pyzmq 27.3.0 / libzmq 4.3.5.

pyzmq behaviour pinned here:
- Context.instance() returns the same object until it is terminated; afterwards a
  new, open Context.
- ctx.socket(t) returns a zmq.Socket whose .context is ctx and .type == t.
- ctx.socket() on a terminated context raises ZMQError(ENOTSUP) (not ETERM).
- term() with no sockets returns; term() and destroy() are idempotent.
- term() from another thread makes a blocked recv/send/zmq_poll raise
  ContextTerminated (errno ETERM) and term() returns only after that socket is closed.
- Leaving ``with Context() as c`` closes sockets still open (it does not hang).
- destroy(linger=0) closes every socket, even with unsent messages queued.
- Context(io_threads=2).get(IO_THREADS) == 2; ctx.io_threads attribute works.
- Socket options set on the context (ctx.linger = 0) become defaults of new sockets.
- term() does not wait for messages queued (LINGER -1) toward an inproc name that
  was never bound, nor for a socket dropped without close() (garbage-collected).
- Context.instance() is shared by all threads; ctx.socket(t, socket_class=C) builds C.
"""

import threading

import pytest


def _term_bounded(c, timeout=5.0):
    """term() from a helper thread; False if it had not returned after timeout."""
    t = threading.Thread(target=c.term, daemon=True)
    t.start()
    t.join(timeout)
    return not t.is_alive()


def test_context_socket_returns_socket_of_that_type(zmq, ctx):
    for t in (zmq.PAIR, zmq.PUSH, zmq.PULL):
        s = ctx.socket(t)
        assert isinstance(s, zmq.Socket)
        assert s.type == t
        assert s.getsockopt(zmq.TYPE) == t
        assert s.context is ctx
        s.close()


def test_socket_constructor_directly(zmq, ctx):
    s = zmq.Socket(ctx, zmq.PULL)
    assert s.type == zmq.PULL
    assert not s.closed
    s.close()
    assert s.closed


def test_closed_flag_after_term(zmq):
    c = zmq.Context()
    assert c.closed is False
    c.term()
    assert c.closed is True


def test_term_with_no_sockets_returns(zmq):
    c = zmq.Context()
    c.term()
    assert c.closed
    # A second term is a no-op.
    c.term()
    assert c.closed


def test_term_after_all_sockets_closed(zmq, inproc):
    c = zmq.Context()
    a = c.socket(zmq.PUSH)
    b = c.socket(zmq.PULL)
    b.rcvtimeo = 2000
    ep = inproc()
    b.bind(ep)
    a.connect(ep)
    a.send(b"x")
    assert b.recv() == b"x"
    a.close()
    b.close()
    c.term()
    assert c.closed


def test_socket_on_terminated_context_raises_enotsup(zmq):
    c = zmq.Context()
    c.term()
    with pytest.raises(zmq.ZMQError) as info:
        c.socket(zmq.PUSH)
    assert info.value.errno == zmq.ENOTSUP


def test_destroy_closes_sockets_with_pending_messages(zmq, inproc):
    c = zmq.Context()
    a = c.socket(zmq.PUSH)
    b = c.socket(zmq.PAIR)
    # Messages queued toward an inproc name nobody binds: they can never be
    # delivered, so only linger=0 lets the context go.
    a.connect(inproc())
    a.send(b"never delivered", zmq.NOBLOCK)
    b.bind(inproc())
    c.destroy(linger=0)
    assert a.closed and b.closed
    assert c.closed
    c.destroy()  # idempotent


def test_destroy_on_empty_context(zmq):
    c = zmq.Context()
    c.destroy()
    assert c.closed


def test_context_manager_terms(zmq):
    with zmq.Context() as c:
        assert not c.closed
    assert c.closed


def test_context_manager_closes_leftover_sockets(zmq, inproc):
    with zmq.Context() as c:
        s = c.socket(zmq.PUSH)
        s.connect(inproc())
        s.send(b"stuck", zmq.NOBLOCK)
        assert not s.closed
    assert s.closed
    assert c.closed


def test_context_instance_is_singleton(zmq):
    a = zmq.Context.instance()
    b = zmq.Context.instance()
    try:
        assert a is b
        assert isinstance(a, zmq.Context)
        assert not a.closed
    finally:
        a.term()
    assert a.closed
    c = zmq.Context.instance()
    try:
        assert c is not a
        assert not c.closed
        s = c.socket(zmq.PAIR)
        s.close()
    finally:
        c.term()


def test_io_threads_option(zmq, inproc):
    c = zmq.Context(io_threads=2)
    try:
        assert c.get(zmq.IO_THREADS) == 2
        assert c.io_threads == 2
        a = c.socket(zmq.PUSH)
        b = c.socket(zmq.PULL)
        b.rcvtimeo = 2000
        ep = inproc()
        b.bind(ep)
        a.connect(ep)
        a.send(b"through a 2-io-thread context")
        assert b.recv() == b"through a 2-io-thread context"
    finally:
        c.destroy(linger=0)


def test_default_io_threads_is_one(zmq, ctx):
    assert ctx.get(zmq.IO_THREADS) == 1
    assert ctx.io_threads == 1


def test_context_set_invalid_option_einval(zmq, ctx):
    with pytest.raises(zmq.ZMQError) as info:
        ctx.set(9999, 1)
    assert info.value.errno == zmq.EINVAL


def test_context_level_socket_defaults(zmq, ctx):
    ctx.linger = 0
    ctx.sndhwm = 5
    ctx.rcvtimeo = 123
    s = ctx.socket(zmq.PUSH)
    assert s.linger == 0
    assert s.sndhwm == 5
    assert s.rcvtimeo == 123
    assert ctx.sndhwm == 5


def test_term_unblocks_recv_and_waits_for_close(zmq, spawn):
    c = zmq.Context()
    s = c.socket(zmq.PULL)
    s.bind("inproc://term-unblocks-recv")
    in_recv = threading.Event()
    term_returned = threading.Event()
    seen = {}

    def blocked_reader():
        in_recv.set()
        try:
            s.recv()
        except zmq.ZMQError as exc:
            seen["exc"] = exc
        # term() must still be waiting for us: the socket is not closed yet.
        seen["term_returned_before_close"] = term_returned.wait(0.3)
        s.close()

    w = spawn(blocked_reader)
    assert in_recv.wait(5)
    assert _term_bounded(c), "term() did not return"
    term_returned.set()
    w.join()
    assert isinstance(seen.get("exc"), zmq.ContextTerminated)
    assert seen["exc"].errno == zmq.ETERM
    assert seen["term_returned_before_close"] is False
    assert c.closed and s.closed


def test_term_unblocks_blocked_send(zmq, spawn):
    c = zmq.Context()
    s = c.socket(zmq.PUSH)  # no peer at all: a blocking send waits forever
    seen = {}

    def blocked_sender():
        try:
            s.send(b"nobody listens")
        except zmq.ZMQError as exc:
            seen["exc"] = exc
        s.close(linger=0)

    w = spawn(blocked_sender)
    # Whether or not the worker reached send() yet, term must make it fail.
    assert _term_bounded(c), "term() did not return"
    w.join()
    assert isinstance(seen.get("exc"), zmq.ContextTerminated)
    assert seen["exc"].errno == zmq.ETERM


def test_term_unblocks_zmq_poll(zmq, spawn):
    c = zmq.Context()
    s = c.socket(zmq.PULL)
    seen = {}

    def blocked_poller():
        try:
            seen["result"] = zmq.zmq_poll([(s, zmq.POLLIN)], 20000)
        except zmq.ZMQError as exc:
            seen["exc"] = exc
        s.close()

    w = spawn(blocked_poller)
    assert _term_bounded(c), "term() did not return"
    w.join()
    assert "result" not in seen
    assert isinstance(seen.get("exc"), zmq.ContextTerminated)


def test_recv_keeps_raising_eterm_until_closed(zmq, spawn):
    # A socket that saw ETERM keeps raising ETERM until it is closed.
    c = zmq.Context()
    s = c.socket(zmq.PULL)
    seen = []

    def reader():
        for _ in range(2):
            try:
                s.recv()
            except zmq.ZMQError as exc:
                seen.append(exc.errno)
        s.close()

    w = spawn(reader)
    assert _term_bounded(c), "term() did not return"
    w.join()
    assert seen == [zmq.ETERM, zmq.ETERM]


def test_term_blocks_until_open_socket_is_closed(zmq, spawn):
    # term() blocks while a socket is open; closing it from another thread lets
    # term() return.
    c = zmq.Context()
    s = c.socket(zmq.PAIR)
    term_done = threading.Event()

    def terminator():
        c.term()
        term_done.set()

    w = spawn(terminator)
    # term() cannot finish while s is open (whatever the scheduling).
    assert not term_done.wait(0.2)
    s.close()
    w.join()
    assert term_done.is_set()
    assert c.closed



def test_term_drops_messages_for_never_bound_inproc_name(zmq, inproc):
    # Even with the default LINGER (-1), messages queued toward an inproc name that
    # was never bound do not keep term() waiting.
    c = zmq.Context()
    s = c.socket(zmq.PUSH)
    assert s.linger == -1
    s.connect(inproc())
    s.send(b"orphan", zmq.NOBLOCK)
    s.close()
    assert _term_bounded(c), "term() hung on an orphaned inproc pending connection"


def test_unreferenced_socket_does_not_block_term(zmq, inproc):
    import gc
    import warnings

    c = zmq.Context()
    s = c.socket(zmq.PULL)
    s.bind(inproc())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        del s
        gc.collect()
    assert _term_bounded(c), "term() waited for a garbage-collected socket"


def test_instance_shared_across_threads(zmq, spawn):
    seen = []
    workers = [spawn(lambda: seen.append(zmq.Context.instance())) for _ in range(4)]
    for w in workers:
        w.join()
    main = zmq.Context.instance()
    try:
        assert len(seen) == 4
        assert all(x is main for x in seen)
    finally:
        main.term()


def test_socket_class_argument(zmq, ctx):
    class MySocket(zmq.Socket):
        pass

    s = ctx.socket(zmq.PUSH, socket_class=MySocket)
    assert type(s) is MySocket
    assert s.type == zmq.PUSH
    s.close()
