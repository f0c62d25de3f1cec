"""Socket options, pinned against pyzmq 27.3.0 / libzmq 4.3.5.

pyzmq behaviour pinned here:
- Defaults on a fresh socket: SNDHWM == RCVHWM == 1000, LINGER == -1 (pyzmq 27
  does not change libzmq's default), RCVTIMEO == SNDTIMEO == -1, RCVMORE == 0,
  EVENTS == 0 for a PUSH without peers, LAST_ENDPOINT == b"", FD is an int >= 0.
- getsockopt returns int for integer options and bytes for LAST_ENDPOINT/IDENTITY;
  getsockopt_string decodes to str. After binding inproc://x, LAST_ENDPOINT is
  b"inproc://x"; after connect() it is the connected endpoint too.
- Attribute access maps to options: s.linger = 0, s.sndhwm, s.rcvtimeo, s.type
  (a SocketType equal to the int), s.last_endpoint, s.rcvmore, s.events, s.fd.
  Unknown attributes raise AttributeError. s.hwm is a pseudo-option that sets both
  SNDHWM and RCVHWM; set_hwm/get_hwm likewise.
- get/set are aliases of getsockopt/setsockopt.
- Errors: unknown option number -> EINVAL; setting read-only TYPE/RCVMORE -> EINVAL;
  negative LINGER below -1 / RCVTIMEO below -1 / negative HWM -> EINVAL;
  setsockopt(int option, str) -> TypeError; float -> TypeError; True is accepted as 1.
- IDENTITY round-trips via setsockopt_string (UTF-8) and reads back as bytes.
- EVENTS: PULL with a queued message has POLLIN; PUSH with a peer has POLLOUT;
  PULL never reports POLLOUT and PUSH never POLLIN.
- FD: becomes readable after a peer sends to a socket whose EVENTS was just
  read as 0 (edge-triggered contract used by event loops).
"""

import os
import select

import pytest


def test_defaults(zmq, ctx):
    s = ctx.socket(zmq.PUSH)
    assert s.getsockopt(zmq.TYPE) == zmq.PUSH
    assert s.getsockopt(zmq.RCVMORE) == 0
    assert s.getsockopt(zmq.SNDHWM) == 1000
    assert s.getsockopt(zmq.RCVHWM) == 1000
    assert s.getsockopt(zmq.LINGER) == -1
    assert s.getsockopt(zmq.RCVTIMEO) == -1
    assert s.getsockopt(zmq.SNDTIMEO) == -1
    assert s.getsockopt(zmq.EVENTS) == 0
    assert s.getsockopt(zmq.LAST_ENDPOINT) == b""
    assert s.getsockopt(zmq.IMMEDIATE) == 0
    fd = s.getsockopt(zmq.FD)
    assert isinstance(fd, int) and fd >= 0


@pytest.mark.parametrize("name", ["PAIR", "PUSH", "PULL"])
def test_type_option_and_attribute(zmq, ctx, name):
    t = getattr(zmq, name)
    s = ctx.socket(t)
    assert s.getsockopt(zmq.TYPE) == t
    assert s.type == t
    assert int(s.type) == int(t)


def test_option_value_types(zmq, ctx, inproc):
    s = ctx.socket(zmq.PULL)
    for opt in (zmq.TYPE, zmq.RCVMORE, zmq.SNDHWM, zmq.RCVHWM, zmq.LINGER,
                zmq.RCVTIMEO, zmq.SNDTIMEO, zmq.EVENTS, zmq.FD):
        assert isinstance(s.getsockopt(opt), int)
    ep = inproc()
    s.bind(ep)
    assert isinstance(s.getsockopt(zmq.LAST_ENDPOINT), bytes)


def test_last_endpoint_after_bind_and_connect(zmq, ctx, inproc):
    ep = inproc()
    a = ctx.socket(zmq.PULL)
    a.bind(ep)
    assert a.getsockopt(zmq.LAST_ENDPOINT) == ep.encode()
    assert a.last_endpoint == ep.encode()
    assert a.getsockopt_string(zmq.LAST_ENDPOINT) == ep
    b = ctx.socket(zmq.PUSH)
    assert b.getsockopt_string(zmq.LAST_ENDPOINT) == ""
    b.connect(ep)
    assert b.last_endpoint == ep.encode()


@pytest.mark.parametrize(
    "attr,opt,value",
    [
        ("linger", "LINGER", 0),
        ("linger", "LINGER", 2500),
        ("linger", "LINGER", -1),
        ("sndhwm", "SNDHWM", 7),
        ("rcvhwm", "RCVHWM", 0),
        ("rcvtimeo", "RCVTIMEO", 250),
        ("sndtimeo", "SNDTIMEO", 0),
        ("immediate", "IMMEDIATE", 1),
    ],
)
def test_set_get_roundtrip(zmq, ctx, attr, opt, value):
    o = getattr(zmq, opt)
    s = ctx.socket(zmq.PUSH)
    # setsockopt / getsockopt
    s.setsockopt(o, value)
    assert s.getsockopt(o) == value
    # attribute
    s2 = ctx.socket(zmq.PUSH)
    setattr(s2, attr, value)
    assert getattr(s2, attr) == value
    assert s2.getsockopt(o) == value
    # set / get aliases
    s3 = ctx.socket(zmq.PUSH)
    s3.set(o, value)
    assert s3.get(o) == value


def test_hwm_pseudo_option(zmq, ctx):
    s = ctx.socket(zmq.PAIR)
    s.hwm = 5
    assert s.sndhwm == 5 and s.rcvhwm == 5
    assert s.hwm == 5
    s.set_hwm(9)
    assert s.get_hwm() == 9
    assert s.getsockopt(zmq.SNDHWM) == 9 and s.getsockopt(zmq.RCVHWM) == 9


def test_unknown_attribute(zmq, ctx):
    s = ctx.socket(zmq.PUSH)
    with pytest.raises(AttributeError):
        s.no_such_option
    with pytest.raises(AttributeError):
        s.no_such_option = 1


def test_unknown_option_number_einval(zmq, ctx):
    s = ctx.socket(zmq.PUSH)
    with pytest.raises(zmq.ZMQError) as info:
        s.getsockopt(9999)
    assert info.value.errno == zmq.EINVAL
    with pytest.raises(zmq.ZMQError) as info:
        s.setsockopt(9999, 1)
    assert info.value.errno == zmq.EINVAL


@pytest.mark.parametrize("opt", ["TYPE", "RCVMORE", "EVENTS", "FD"])
def test_read_only_options_einval(zmq, ctx, opt):
    s = ctx.socket(zmq.PULL)
    with pytest.raises(zmq.ZMQError) as info:
        s.setsockopt(getattr(zmq, opt), 1)
    assert info.value.errno == zmq.EINVAL


@pytest.mark.parametrize(
    "opt,value",
    [("LINGER", -2), ("RCVTIMEO", -5), ("SNDTIMEO", -2), ("SNDHWM", -1),
     ("RCVHWM", -1)],
)
def test_out_of_range_values_einval(zmq, ctx, opt, value):
    s = ctx.socket(zmq.PUSH)
    before = s.getsockopt(getattr(zmq, opt))
    with pytest.raises(zmq.ZMQError) as info:
        s.setsockopt(getattr(zmq, opt), value)
    assert info.value.errno == zmq.EINVAL
    assert s.getsockopt(getattr(zmq, opt)) == before


def test_bad_value_types(zmq, ctx):
    s = ctx.socket(zmq.PUSH)
    with pytest.raises(TypeError):
        s.setsockopt(zmq.LINGER, "10")
    with pytest.raises(TypeError):
        s.setsockopt(zmq.LINGER, 1.5)
    with pytest.raises(TypeError):
        s.linger = "0"
    s.linger = True
    assert s.linger == 1


def test_identity_string_option(zmq, ctx):
    s = ctx.socket(zmq.PUSH)
    s.setsockopt_string(zmq.IDENTITY, "h\u00e9")
    assert s.getsockopt(zmq.IDENTITY) == "h\u00e9".encode()
    assert s.getsockopt_string(zmq.IDENTITY) == "h\u00e9"
    assert s.identity == "h\u00e9".encode()
    s.setsockopt(zmq.IDENTITY, b"raw")
    assert s.identity == b"raw"


def test_events_reflect_state(zmq, link):
    pull, push = link(zmq.PULL, zmq.PUSH)
    assert push.getsockopt(zmq.EVENTS) == zmq.POLLOUT
    assert push.events == zmq.POLLOUT
    assert pull.getsockopt(zmq.EVENTS) == 0
    push.send(b"x")
    assert pull.poll(2000)
    assert pull.getsockopt(zmq.EVENTS) == zmq.POLLIN
    pull.recv()
    assert pull.events == 0


def test_events_pair_both_ways(zmq, link):
    a, b = link(zmq.PAIR, zmq.PAIR)
    assert b.events == zmq.POLLOUT
    a.send(b"x")
    assert b.poll(2000)
    assert b.events == zmq.POLLIN | zmq.POLLOUT


def test_events_push_without_peer_is_zero(zmq, ctx):
    s = ctx.socket(zmq.PUSH)
    assert s.events == 0
    p = ctx.socket(zmq.PAIR)
    assert p.events == 0


def test_rcvmore_attribute(zmq, link):
    pull, push = link(zmq.PULL, zmq.PUSH)
    push.send_multipart([b"a", b"b"])
    pull.recv()
    assert pull.rcvmore == 1
    pull.recv()
    assert pull.rcvmore == 0


def test_fd_is_a_real_descriptor(zmq, ctx):
    s = ctx.socket(zmq.PULL)
    fd = s.fd
    assert fd == s.getsockopt(zmq.FD)
    os.fstat(fd)  # raises OSError if not an open descriptor
    # Stable for the socket's lifetime.
    assert s.fd == fd


def test_fd_signals_after_peer_send(zmq, link):
    pull, push = link(zmq.PULL, zmq.PUSH)
    fd = pull.fd
    for i in range(5):
        # Reading EVENTS consumes pending notifications; nothing is queued now.
        assert not (pull.events & zmq.POLLIN)
        push.send(b"m%d" % i)
        readable, _, _ = select.select([fd], [], [], 2.0)
        assert readable == [fd]
        assert pull.events & zmq.POLLIN
        assert pull.recv(zmq.NOBLOCK) == b"m%d" % i


def test_rcvtimeo_raises_again(zmq, ctx):
    s = ctx.socket(zmq.PULL)
    s.rcvtimeo = 50
    with pytest.raises(zmq.Again) as info:
        s.recv()
    assert info.value.errno == zmq.EAGAIN


def test_sndtimeo_raises_again(zmq, ctx):
    s = ctx.socket(zmq.PUSH)  # no peer: cannot send
    s.sndtimeo = 50
    with pytest.raises(zmq.Again):
        s.send(b"x")


def test_rcvtimeo_zero_is_nonblocking(zmq, ctx):
    s = ctx.socket(zmq.PULL)
    s.rcvtimeo = 0
    with pytest.raises(zmq.Again):
        s.recv()


def test_options_apply_through_context_manager_socket(zmq, ctx):
    with ctx.socket(zmq.PULL) as s:
        s.linger = 0
        assert s.linger == 0
