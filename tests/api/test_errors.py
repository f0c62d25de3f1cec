"""Errors and API misuse, pinned against pyzmq 27.3.0 / libzmq 4.3.5.

pyzmq behaviour pinned here:
- ZMQError(errno) has .errno and .strerror; str(e) == e.strerror; ZMQError(n, msg)
  keeps msg as strerror.  zmq.strerror(n) gives libzmq's text (e.g. ETERM ->
  "Context was terminated").  Again and ContextTerminated subclass ZMQError, which
  subclasses ZMQBaseError(Exception); Again().errno == EAGAIN,
  ContextTerminated().errno == ETERM.  ZMQError(EAGAIN) is *not* an Again.
- Errno values: POSIX ones equal the OS errno module (Linux); libzmq's own are
  ZMQ_HAUSNUMERO(156384712)+51.. : EFSM 156384763, ENOCOMPATPROTO 156384764,
  ETERM 156384765, EMTHREAD 156384766.  pyzmq exports no ENOENT; unbind and
  disconnect of an unknown endpoint raise ZMQError with errno 2 (ENOENT).
- ctx.socket(999) -> ZMQError(EINVAL).
- bind("inproc"), bind("foo"), bind("inproc://") -> EINVAL (also for connect).
- bind/connect("bogus://x") -> EPROTONOSUPPORT.
- bind of an inproc name already bound (same or other socket) -> EADDRINUSE.
- recv on PUSH -> ENOTSUP, send on PULL -> ENOTSUP (the error is raised even with
  NOBLOCK, not Again).
- recv NOBLOCK with nothing queued -> Again (errno EAGAIN).
- send NOBLOCK on a PUSH/PAIR without any peer -> Again.
"""

import errno as os_errno

import pytest


def test_exception_hierarchy(zmq):
    assert issubclass(zmq.ZMQError, zmq.ZMQBaseError)
    assert issubclass(zmq.ZMQBaseError, Exception)
    assert issubclass(zmq.Again, zmq.ZMQError)
    assert issubclass(zmq.ContextTerminated, zmq.ZMQError)
    assert not issubclass(zmq.Again, zmq.ContextTerminated)


def test_zmqerror_attributes(zmq):
    e = zmq.ZMQError(zmq.EINVAL)
    assert e.errno == zmq.EINVAL
    assert e.strerror == "Invalid argument"
    assert str(e) == e.strerror
    custom = zmq.ZMQError(zmq.EINVAL, "custom text")
    assert custom.errno == zmq.EINVAL
    assert custom.strerror == "custom text"
    assert str(custom) == "custom text"
    # Constructing a ZMQError never picks the subclass for you.
    assert not isinstance(zmq.ZMQError(zmq.EAGAIN), zmq.Again)


def test_subclass_defaults(zmq):
    assert zmq.Again().errno == zmq.EAGAIN
    assert str(zmq.Again()) == "Resource temporarily unavailable"
    assert zmq.ContextTerminated().errno == zmq.ETERM
    assert str(zmq.ContextTerminated()) == "Context was terminated"


def test_strerror(zmq):
    assert zmq.strerror(zmq.ETERM) == "Context was terminated"
    assert zmq.strerror(zmq.EFSM) == "Operation cannot be accomplished in current state"
    assert zmq.strerror(zmq.ENOCOMPATPROTO) == (
        "The protocol is not compatible with the socket type")
    assert zmq.strerror(zmq.EMTHREAD) == "No thread available"
    assert zmq.strerror(zmq.EINVAL) == "Invalid argument"
    assert zmq.strerror(zmq.EAGAIN) == "Resource temporarily unavailable"


@pytest.mark.parametrize(
    "name",
    ["EAGAIN", "EINVAL", "EFAULT", "ENOTSOCK", "EPROTONOSUPPORT", "EADDRINUSE",
     "EADDRNOTAVAIL", "ENOTSUP", "EHOSTUNREACH", "ECONNREFUSED", "EINPROGRESS",
     "ENOBUFS", "ENETDOWN", "EMSGSIZE", "EAFNOSUPPORT", "ENETUNREACH",
     "ECONNABORTED", "ECONNRESET", "ENOTCONN", "ETIMEDOUT"],
)
def test_posix_errno_constants_match_os(zmq, name):
    os_name = "EOPNOTSUPP" if name == "ENOTSUP" and not hasattr(os_errno, name) else name
    assert getattr(zmq, name) == getattr(os_errno, os_name)


def test_zmq_specific_errno_constants(zmq):
    hausnumero = 156384712
    assert zmq.EFSM == hausnumero + 51
    assert zmq.ENOCOMPATPROTO == hausnumero + 52
    assert zmq.ETERM == hausnumero + 53
    assert zmq.EMTHREAD == hausnumero + 54


def test_raised_errno_compares_to_constant(zmq, ctx):
    s = ctx.socket(zmq.PULL)
    with pytest.raises(zmq.Again) as info:
        s.recv(zmq.NOBLOCK)
    assert info.value.errno == zmq.EAGAIN == os_errno.EAGAIN
    assert info.value.strerror == "Resource temporarily unavailable"


@pytest.mark.parametrize("bad_type", [999, 12345, 100])
def test_invalid_socket_type_einval(zmq, ctx, bad_type):
    with pytest.raises(zmq.ZMQError) as info:
        ctx.socket(bad_type)
    assert info.value.errno == zmq.EINVAL


@pytest.mark.parametrize("method", ["bind", "connect"])
@pytest.mark.parametrize("endpoint", ["inproc", "foo", "inproc://", "", "inproc:/x"])
def test_malformed_endpoint_einval(zmq, ctx, method, endpoint):
    s = ctx.socket(zmq.PULL)
    with pytest.raises(zmq.ZMQError) as info:
        getattr(s, method)(endpoint)
    assert info.value.errno == zmq.EINVAL


@pytest.mark.parametrize("method", ["bind", "connect"])
@pytest.mark.parametrize("endpoint", ["bogus://x", "http://example.com"])
def test_unknown_transport_eprotonosupport(zmq, ctx, method, endpoint):
    s = ctx.socket(zmq.PULL)
    with pytest.raises(zmq.ZMQError) as info:
        getattr(s, method)(endpoint)
    assert info.value.errno == zmq.EPROTONOSUPPORT


def test_unbind_disconnect_bad_endpoint(zmq, ctx):
    s = ctx.socket(zmq.PULL)
    with pytest.raises(zmq.ZMQError) as info:
        s.unbind("foo")
    assert info.value.errno == zmq.EINVAL
    with pytest.raises(zmq.ZMQError) as info:
        s.disconnect("bogus://x")
    assert info.value.errno == zmq.EPROTONOSUPPORT


def test_double_bind_eaddrinuse(zmq, ctx, inproc):
    ep = inproc()
    a = ctx.socket(zmq.PULL)
    a.bind(ep)
    with pytest.raises(zmq.ZMQError) as info:
        a.bind(ep)
    assert info.value.errno == zmq.EADDRINUSE
    b = ctx.socket(zmq.PAIR)
    with pytest.raises(zmq.ZMQError) as info:
        b.bind(ep)
    assert info.value.errno == zmq.EADDRINUSE
    # The first binding is intact.
    p = ctx.socket(zmq.PUSH)
    p.connect(ep)
    p.send(b"still works")
    assert a.poll(2000) and a.recv() == b"still works"


def test_unbind_never_bound_enoent(zmq, ctx, inproc):
    s = ctx.socket(zmq.PULL)
    with pytest.raises(zmq.ZMQError) as info:
        s.unbind(inproc())
    assert info.value.errno == os_errno.ENOENT


def test_unbind_twice_enoent(zmq, ctx, inproc):
    ep = inproc()
    s = ctx.socket(zmq.PULL)
    s.bind(ep)
    s.unbind(ep)
    with pytest.raises(zmq.ZMQError) as info:
        s.unbind(ep)
    assert info.value.errno == os_errno.ENOENT


def test_unbind_name_bound_by_other_socket_enoent(zmq, ctx, inproc):
    ep = inproc()
    owner = ctx.socket(zmq.PULL)
    owner.bind(ep)
    other = ctx.socket(zmq.PULL)
    with pytest.raises(zmq.ZMQError) as info:
        other.unbind(ep)
    assert info.value.errno == os_errno.ENOENT


def test_disconnect_never_connected_enoent(zmq, ctx, inproc):
    s = ctx.socket(zmq.PUSH)
    with pytest.raises(zmq.ZMQError) as info:
        s.disconnect(inproc())
    assert info.value.errno == os_errno.ENOENT


def test_recv_on_push_enotsup(zmq, ctx, link):
    pull, push = link(zmq.PULL, zmq.PUSH)
    for flags in (0, zmq.NOBLOCK):
        with pytest.raises(zmq.ZMQError) as info:
            push.recv(flags)
        assert info.value.errno == zmq.ENOTSUP
        assert not isinstance(info.value, zmq.Again)


def test_send_on_pull_enotsup(zmq, ctx, link):
    pull, push = link(zmq.PULL, zmq.PUSH)
    for flags in (0, zmq.NOBLOCK):
        with pytest.raises(zmq.ZMQError) as info:
            pull.send(b"x", flags)
        assert info.value.errno == zmq.ENOTSUP
    with pytest.raises(zmq.ZMQError) as info:
        pull.send_multipart([b"a", b"b"])
    assert info.value.errno == zmq.ENOTSUP


def test_recv_noblock_nothing_again(zmq, ctx):
    for t in (zmq.PULL, zmq.PAIR):
        s = ctx.socket(t)
        with pytest.raises(zmq.Again) as info:
            s.recv(zmq.NOBLOCK)
        assert info.value.errno == zmq.EAGAIN
        with pytest.raises(zmq.Again):
            s.recv_multipart(zmq.NOBLOCK)
        with pytest.raises(zmq.Again):
            s.recv_string(zmq.NOBLOCK)


def test_send_noblock_without_peer_again(zmq, ctx):
    for t in (zmq.PUSH, zmq.PAIR):
        s = ctx.socket(t)
        with pytest.raises(zmq.Again):
            s.send(b"x", zmq.NOBLOCK)


def test_again_is_catchable_as_zmqerror(zmq, ctx):
    s = ctx.socket(zmq.PULL)
    try:
        s.recv(zmq.NOBLOCK)
    except zmq.ZMQError as exc:
        assert exc.errno == zmq.EAGAIN
        assert type(exc) is zmq.Again
    else:
        pytest.fail("recv NOBLOCK on an empty socket did not raise")


def test_error_on_closed_socket_errno(zmq, ctx):
    s = ctx.socket(zmq.PUSH)
    s.close()
    with pytest.raises(zmq.ZMQError) as info:
        s.send(b"x")
    assert info.value.errno == zmq.ENOTSOCK == os_errno.ENOTSOCK
