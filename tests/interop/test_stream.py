"""STREAM <-> STREAM: the implementation under test and libzmq, raw bytes both ways.

Neither side speaks ZMTP: each sees the other's bytes as they were read, behind
the routing id of the connection, and a connection note [id][b""] when it opens
and when the other side closes it. Either side binds; either side closes.

libzmq closes a connection its application dropped only once its socket has
processed its commands and the peer has sent something more, so the closing
side is kept busy and the other side pokes (see tests/api/test_stream.py).
"""

import errno
import time

import pytest
import zmq as libzmq_module  # the reference peer; its constants are libzmq's numbers

from api.helpers import make_socket, recv_bytes
from interop.helpers import requires_linux

pytestmark = pytest.mark.timeout(30)

TIMEOUT_MS = 5000


def _stream(module, context):
    return make_socket(context, module.STREAM, TIMEOUT_MS)


def wait_close_note(closer, other, other_id):
    """`other` is told that `closer` closed their connection."""
    deadline = time.monotonic() + TIMEOUT_MS / 1000.0
    poked = False
    while True:
        closer.getsockopt(libzmq_module.EVENTS)     # processes its commands
        if other.poll(100):
            assert other.recv_multipart() == [other_id, b""]
            return
        assert time.monotonic() < deadline, "no close note"
        if not poked:
            poked = True
            try:
                other.send_multipart([other_id, b"?"], libzmq_module.NOBLOCK)
            except Exception as exc:
                assert getattr(exc, "errno", None) in (errno.EAGAIN, errno.EHOSTUNREACH)


@pytest.mark.parametrize("closer", ["binder", "connecter"])
@pytest.mark.parametrize("zmq_binds", [True, False], ids=["zmq-binds", "libzmq-binds"])
@pytest.mark.parametrize("transport", ["tcp", pytest.param("ipc", marks=requires_linux)])
def test_stream_to_stream(zmq, ctx, libzmq, lctx, endpoint, transport, zmq_binds, closer):
    z = _stream(zmq, ctx)
    lib = _stream(libzmq, lctx)
    binder, connecter = (z, lib) if zmq_binds else (lib, z)
    binder.bind(endpoint(transport))
    connecter.connect(binder.getsockopt(libzmq.LAST_ENDPOINT).decode())
    cid = connecter.getsockopt(libzmq.ROUTING_ID)
    assert connecter.recv_multipart() == [cid, b""]
    bid, note = binder.recv_multipart()
    assert note == b""

    connecter.send_multipart([cid, b"ping"])
    assert recv_bytes(binder, bid, 4) == b"ping"
    binder.send_multipart([bid, b"pong"])
    assert recv_bytes(connecter, cid, 4) == b"pong"
    big = bytes(range(256)) * 4096      # 1 MiB: many reads and writes
    binder.send_multipart([bid, big])
    assert recv_bytes(connecter, cid, len(big)) == big
    connecter.send_multipart([cid, big])
    assert recv_bytes(binder, bid, len(big)) == big

    if closer == "binder":
        (c, cid_c), (o, oid) = (binder, bid), (connecter, cid)
    else:
        (c, cid_c), (o, oid) = (connecter, cid), (binder, bid)
    c.send_multipart([cid_c, b"bye"])
    c.send_multipart([cid_c, b""])
    assert recv_bytes(o, oid, 3) == b"bye"
    wait_close_note(c, o, oid)
    try:
        c.send_multipart([cid_c, b"x"])
    except Exception as exc:
        assert getattr(exc, "errno", None) == errno.EHOSTUNREACH
    else:
        pytest.fail("the closed connection's id still routes")
