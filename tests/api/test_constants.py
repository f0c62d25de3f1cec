"""Constants, pinned against pyzmq 27.3.0 / libzmq 4.3.5.

pyzmq behaviour pinned here:
- Numeric values equal libzmq's zmq.h (code passing raw ints must keep working),
  including the socket types that come in later milestones.
- Constants are IntEnum members: zmq.PUSH is zmq.SocketType.PUSH (so s.type prints
  as SocketType.PUSH and compares equal to 8); options are zmq.SocketOption, flags
  zmq.Flag, poll events zmq.PollEvent (a Flag: POLLIN|POLLOUT is a member),
  errnos zmq.Errno, context options zmq.ContextOption, MORE is zmq.MessageOption.
- zmq.HWM is pyzmq's pseudo-option 1 (sets both SNDHWM and RCVHWM).
- NOBLOCK is an alias of DONTWAIT (1); COPY_THRESHOLD == 65536.
- zmq_version() is "X.Y.Z" matching zmq_version_info(); has("bogus") is False.
"""

import pytest

SOCKET_TYPES = {
    "PAIR": 0, "PUB": 1, "SUB": 2, "REQ": 3, "REP": 4, "DEALER": 5, "ROUTER": 6,
    "PULL": 7, "PUSH": 8, "XPUB": 9, "XSUB": 10, "STREAM": 11,
}

SOCKET_OPTIONS = {
    "AFFINITY": 4, "IDENTITY": 5, "ROUTING_ID": 5, "SUBSCRIBE": 6, "UNSUBSCRIBE": 7,
    "RATE": 8, "RECOVERY_IVL": 9, "SNDBUF": 11, "RCVBUF": 12, "RCVMORE": 13,
    "FD": 14, "EVENTS": 15, "TYPE": 16, "LINGER": 17, "RECONNECT_IVL": 18,
    "BACKLOG": 19, "RECONNECT_IVL_MAX": 21, "MAXMSGSIZE": 22, "SNDHWM": 23,
    "RCVHWM": 24, "MULTICAST_HOPS": 25, "RCVTIMEO": 27, "SNDTIMEO": 28,
    "LAST_ENDPOINT": 32, "ROUTER_MANDATORY": 33, "TCP_KEEPALIVE": 34,
    "IMMEDIATE": 39, "XPUB_VERBOSE": 40, "IPV6": 42, "MECHANISM": 43,
    "PLAIN_SERVER": 44, "PLAIN_USERNAME": 45, "PLAIN_PASSWORD": 46,
    "CURVE_SERVER": 47, "CURVE_PUBLICKEY": 48, "CURVE_SECRETKEY": 49,
    "CURVE_SERVERKEY": 50, "PROBE_ROUTER": 51, "REQ_CORRELATE": 52,
    "REQ_RELAXED": 53, "CONFLATE": 54, "ZAP_DOMAIN": 55, "HANDSHAKE_IVL": 66,
    "HEARTBEAT_IVL": 75, "HEARTBEAT_TTL": 76, "HEARTBEAT_TIMEOUT": 77,
}


@pytest.mark.parametrize("name,value", sorted(SOCKET_TYPES.items()))
def test_socket_type_values(zmq, name, value):
    c = getattr(zmq, name)
    assert c == value
    assert c is getattr(zmq.SocketType, name)
    assert isinstance(c, int)


@pytest.mark.parametrize("name,value", sorted(SOCKET_OPTIONS.items()))
def test_socket_option_values(zmq, name, value):
    assert getattr(zmq, name) == value
    assert getattr(zmq, name) == getattr(zmq.SocketOption, name)


def test_flags_and_events(zmq):
    assert zmq.DONTWAIT == zmq.NOBLOCK == 1
    assert zmq.SNDMORE == 2
    assert zmq.Flag.SNDMORE == 2
    assert zmq.MORE == 1
    assert zmq.MORE is zmq.MessageOption.MORE
    assert zmq.POLLIN == 1 and zmq.POLLOUT == 2 and zmq.POLLERR == 4
    assert zmq.POLLPRI == 8
    assert zmq.POLLIN is zmq.PollEvent.POLLIN
    assert zmq.POLLIN | zmq.POLLOUT == 3


def test_context_options(zmq):
    assert zmq.IO_THREADS == 1 and zmq.IO_THREADS is zmq.ContextOption.IO_THREADS
    assert zmq.MAX_SOCKETS == 2
    assert zmq.SOCKET_LIMIT == 3


def test_hwm_pseudo_option_value(zmq):
    assert zmq.HWM == 1


def test_errno_enum(zmq):
    assert zmq.ETERM is zmq.Errno.ETERM
    assert zmq.EAGAIN is zmq.Errno.EAGAIN


def test_copy_threshold(zmq):
    assert zmq.COPY_THRESHOLD == 65536


def test_socket_type_attribute_is_enum(zmq, ctx):
    s = ctx.socket(8)
    assert s.type is zmq.SocketType.PUSH
    assert s.type == 8


def test_version_functions_consistent(zmq):
    info = zmq.zmq_version_info()
    assert isinstance(info, tuple) and len(info) == 3
    assert all(isinstance(x, int) for x in info)
    assert zmq.zmq_version() == "%d.%d.%d" % info
    assert isinstance(zmq.pyzmq_version(), str)
    assert isinstance(zmq.__version__, str)


def test_has_capabilities(zmq):
    assert zmq.has("bogus") is False
    for cap in ("ipc", "pgm", "tipc", "norm", "curve", "gssapi", "draft"):
        assert zmq.has(cap) in (True, False)
