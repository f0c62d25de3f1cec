"""HANDSHAKE_FAILED_NO_DETAIL, pinned on libzmq 4.3.5: a connection that
ends during the handshake without breaking the protocol reports the errno
libzmq uses: ECONNRESET (104) when the peer closes, EAGAIN (11) when
HANDSHAKE_IVL runs out; then DISCONNECTED with the accepted fd."""

import errno
import importlib
import socket
import time

import pytest

NO_DETAIL = 0x0800
ACCEPTED = 0x0020
DISCONNECTED = 0x0200


def _events(zmq, mon, until_count, timeout=3.0):
    monitor = importlib.import_module(zmq.__name__ + ".utils.monitor")
    got = []
    deadline = time.monotonic() + timeout
    while len(got) < until_count and time.monotonic() < deadline:
        if mon.poll(100):
            e = monitor.recv_monitor_message(mon)
            got.append((int(e["event"]), e["value"]))
    return got


@pytest.mark.parametrize("case", ["peer-closes", "handshake-timeout"])
def test_handshake_failed_no_detail(zmq, ctx, case):
    s = ctx.socket(zmq.PULL)
    s.handshake_ivl = 200
    s.bind("tcp://127.0.0.1:*")
    port = int(s.last_endpoint.decode().rsplit(":", 1)[1])
    mon = s.get_monitor_socket(ACCEPTED | NO_DETAIL | DISCONNECTED)
    try:
        raw = socket.create_connection(("127.0.0.1", port))
        try:
            if case == "peer-closes":
                raw.sendall(b"\xff" + b"\x00" * 8)     # part of a greeting, then close
                time.sleep(0.05)
                raw.close()
            got = _events(zmq, mon, 3)
        finally:
            raw.close()
        assert [e for e, _ in got] == [ACCEPTED, NO_DETAIL, DISCONNECTED], got
        want = errno.ECONNRESET if case == "peer-closes" else errno.EAGAIN
        assert got[1][1] == want
        assert got[2][1] == got[0][1]
    finally:
        s.disable_monitor()
        mon.close(linger=0)
        s.close(linger=0)
