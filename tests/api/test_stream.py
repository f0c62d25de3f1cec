"""STREAM sockets (raw tcp/ipc, no ZMTP), pinned against pyzmq / libzmq 4.3.5.

The peers here are plain Python sockets. libzmq behaviour pinned here:
- Every connection has a routing id: 5 bytes, 0x00 + a counter, or the
  CONNECT_ROUTING_ID set before connect. Reading ROUTING_ID gives the last one
  made up, so a connecting STREAM learns its peer's id right after connect().
- recv gives [id][bytes as read]; send takes [id][bytes] and may be sent before
  the connection is up (it is queued).
- STREAM_NOTIFY (default 1, write-only: reading it is EINVAL) delivers [id][b""]
  when a connection opens and when the peer closes it. The listener takes the
  option when bound: set it before bind.
- Sending [id][b""] closes that connection; what was sent before still arrives.
  The id is gone at once (EHOSTUNREACH), no note is delivered for it, and a
  connecting STREAM does not connect again.
  libzmq 4.3.5 closes the tcp connection lazily, once its socket has processed
  its commands and the peer has sent something more; zmqcore closes as soon as
  what was sent before is written. wait_closed() accepts both.
- A connecting STREAM whose peer closed reconnects, under the same id.
- An unknown id fails with EHOSTUNREACH, a peer at SNDHWM with EAGAIN.
- At RCVHWM the connection is read no further until the application makes
  room. libzmq 4.3.5 then loses the close note if the peer closes while the
  pipe is full; zmqcore keeps the note until there is room (not pinned).
- A first part sent alone (no SNDMORE) names no peer: it and the next part are
  dropped.
- Over inproc two STREAM sockets talk through their pipes, without notes.
"""

import errno
import socket
import sys
import time

import pytest

from api.helpers import make_socket_opts, recv_bytes

pytestmark = pytest.mark.timeout(30)

TIMEOUT_MS = 5000
TIMEOUT_S = TIMEOUT_MS / 1000.0

requires_linux = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="ipc:// tests run on Linux only")


def _stream(zmq, ctx, **opts):
    return make_socket_opts(zmq, ctx, zmq.STREAM, TIMEOUT_MS, **opts)


def _bind(zmq, s, endpoint, transport):
    s.bind(endpoint(transport))
    return s.getsockopt(zmq.LAST_ENDPOINT).decode()


def _client(ep):
    """A plain socket connected to a bound STREAM's endpoint."""
    if ep.startswith("tcp://"):
        host, port = ep[len("tcp://"):].rsplit(":", 1)
        c = socket.create_connection((host, int(port)), timeout=TIMEOUT_S)
    else:
        c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        c.settimeout(TIMEOUT_S)
        c.connect(ep[len("ipc://"):])
    return c


def _server():
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.bind(("127.0.0.1", 0))
    srv.listen(8)
    srv.settimeout(TIMEOUT_S)
    return srv, "tcp://127.0.0.1:%d" % srv.getsockname()[1]


def recv_exact(sock, n):
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        assert chunk, "connection closed after %d of %d bytes" % (len(buf), n)
        buf += chunk
    return buf


def wait_closed(zmq, s, sock):
    """Assert that STREAM s closes the connection of plain socket sock.

    libzmq 4.3.5 closes a connection the application dropped lazily: only once
    the socket has processed its commands (any call on it) and the peer has
    sent something more. So keep s busy and poke it; zmqcore closes at once.
    """
    deadline = time.monotonic() + TIMEOUT_S
    sock.settimeout(0.1)
    poked = False
    while True:
        s.getsockopt(zmq.EVENTS)        # lets s process its commands
        try:
            assert sock.recv(1) == b""
            return
        except socket.timeout:
            pass
        except ConnectionResetError:
            return
        assert time.monotonic() < deadline, "the connection was never closed"
        if not poked:
            poked = True
            try:
                sock.sendall(b"?")
            except OSError:
                return


def wait_gone(zmq, s, rid, may_note=False):
    """Wait until s no longer knows rid, asserting nothing arrives meanwhile
    (but a close note for it if may_note)."""
    deadline = time.monotonic() + TIMEOUT_S
    while True:
        try:
            msg = s.recv_multipart(zmq.NOBLOCK)
            assert may_note and msg == [rid, b""], msg
            may_note = False
        except zmq.Again:
            pass
        try:
            s.send_multipart([rid, b"x"], zmq.NOBLOCK)
        except zmq.ZMQError as exc:
            if exc.errno == errno.EHOSTUNREACH:
                return
            assert exc.errno == errno.EAGAIN
        assert time.monotonic() < deadline, "connection %r never went" % rid
        time.sleep(0.01)


# --- a bound STREAM serving plain clients ---------------------------------------

@pytest.mark.parametrize("transport", ["tcp", pytest.param("ipc", marks=requires_linux)])
def test_http_style_request_response(zmq, ctx, endpoint, transport):
    s = _stream(zmq, ctx)
    ep = _bind(zmq, s, endpoint, transport)
    with _client(ep) as c:
        rid, note = s.recv_multipart()
        assert note == b""
        assert len(rid) == 5 and rid[0] == 0
        assert s.getsockopt(zmq.ROUTING_ID) == rid
        request = b"GET / HTTP/1.0\r\nHost: localhost\r\n\r\n"
        c.sendall(request)
        assert recv_bytes(s, rid, len(request)) == request
        assert not s.getsockopt(zmq.RCVMORE)
        body = b"hello, world\n" * 1000
        response = b"HTTP/1.0 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) + body
        s.send_multipart([rid, response])
        s.send_multipart([rid, b""])            # close, after the response
        assert recv_exact(c, len(response)) == response
        wait_closed(zmq, s, c)
    with pytest.raises(zmq.ZMQError) as exc:
        s.send_multipart([rid, b"late"])
    assert exc.value.errno == errno.EHOSTUNREACH


def test_peer_close_is_notified_after_its_data(zmq, ctx, endpoint):
    s = _stream(zmq, ctx)
    ep = _bind(zmq, s, endpoint, "tcp")
    c = _client(ep)
    rid, note = s.recv_multipart()
    assert note == b""
    c.sendall(b"last words")
    c.close()
    assert recv_bytes(s, rid, len(b"last words")) == b"last words"
    assert s.recv_multipart() == [rid, b""]
    wait_gone(zmq, s, rid)


def test_multiple_clients_have_distinct_ids(zmq, ctx, endpoint):
    s = _stream(zmq, ctx)
    ep = _bind(zmq, s, endpoint, "tcp")
    clients = []
    ids = []
    for i in range(3):
        clients.append(_client(ep))
        rid, note = s.recv_multipart()      # accepted in order of connection
        assert note == b""
        ids.append(rid)
    assert len(set(ids)) == 3
    assert all(len(r) == 5 and r[0] == 0 for r in ids)
    for i, c in enumerate(clients):
        c.sendall(b"from %d" % i)
        rid, data = s.recv_multipart()
        assert (rid, data) == (ids[i], b"from %d" % i)
    for i in reversed(range(3)):
        s.send_multipart([ids[i], b"to %d" % i])
    for i, c in enumerate(clients):
        assert recv_exact(c, 4) == b"to %d" % i
    for c in clients:
        c.close()


def test_close_one_connection_keeps_the_others(zmq, ctx, endpoint):
    s = _stream(zmq, ctx)
    ep = _bind(zmq, s, endpoint, "tcp")
    a = _client(ep)
    ra, _ = s.recv_multipart()
    b = _client(ep)
    rb, _ = s.recv_multipart()
    s.send_multipart([ra, b"bye"])
    s.send_multipart([ra, b""])
    assert recv_exact(a, 3) == b"bye"
    wait_closed(zmq, s, a)
    a.close()
    with pytest.raises(zmq.ZMQError) as exc:
        s.send_multipart([ra, b"x"])
    assert exc.value.errno == errno.EHOSTUNREACH
    # b is untouched, and nothing about a (no close note) comes first.
    b.sendall(b"still here")
    assert recv_bytes(s, rb, 10) == b"still here"
    s.send_multipart([rb, b"ok"])
    assert recv_exact(b, 2) == b"ok"
    b.close()


def test_notify_off_bound(zmq, ctx, endpoint):
    s = _stream(zmq, ctx, STREAM_NOTIFY=0)      # before bind: the listener copies it
    ep = _bind(zmq, s, endpoint, "tcp")
    peer = _client(ep)
    peer.sendall(b"first")
    rid, data = s.recv_multipart()      # the data, no note before it
    assert data and b"first".startswith(data)
    recv_bytes(s, rid, 5 - len(data))
    peer.close()
    wait_gone(zmq, s, rid)              # and none after it


def test_notify_off_connecting(zmq, ctx):
    srv, ep = _server()
    with srv:
        s = _stream(zmq, ctx, STREAM_NOTIFY=0, RECONNECT_IVL=10)
        s.connect(ep)
        rid = s.getsockopt(zmq.ROUTING_ID)
        peer, _ = srv.accept()
        peer.sendall(b"first")
        assert recv_bytes(s, rid, 5) == b"first"
        peer.close()
        # Neither the close nor the reconnection is noted: the next message on
        # this connection's pipe is the new connection's data.
        peer2, _ = srv.accept()
        with peer2:
            peer2.sendall(b"second")
            assert recv_bytes(s, rid, 6) == b"second"


def test_stream_notify_is_write_only_and_boolean(zmq, ctx):
    s = _stream(zmq, ctx)
    s.setsockopt(zmq.STREAM_NOTIFY, 0)
    s.setsockopt(zmq.STREAM_NOTIFY, 1)
    for bad in (2, -1):
        with pytest.raises(zmq.ZMQError) as exc:
            s.setsockopt(zmq.STREAM_NOTIFY, bad)
        assert exc.value.errno == errno.EINVAL
    with pytest.raises(zmq.ZMQError) as exc:
        s.getsockopt(zmq.STREAM_NOTIFY)
    assert exc.value.errno == errno.EINVAL


# --- a connecting STREAM talking to a plain server ---------------------------------

def test_connect_to_plain_server(zmq, ctx):
    srv, ep = _server()
    with srv:
        s = _stream(zmq, ctx)
        s.connect(ep)
        rid = s.getsockopt(zmq.ROUTING_ID)      # the peer's id, known at once
        assert len(rid) == 5 and rid[0] == 0
        request = b"GET /index.html HTTP/1.0\r\n\r\n"
        s.send_multipart([rid, request])        # queued until connected
        conn, _ = srv.accept()
        with conn:
            conn.settimeout(TIMEOUT_S)
            assert s.recv_multipart() == [rid, b""]
            assert recv_exact(conn, len(request)) == request
            reply = b"HTTP/1.0 200 OK\r\n\r\n" + b"x" * 100000
            conn.sendall(reply)
            assert recv_bytes(s, rid, len(reply)) == reply
        # The server closed: noted, and the STREAM reconnects under the same id.
        assert s.recv_multipart() == [rid, b""]
        conn2, _ = srv.accept()
        with conn2:
            conn2.settimeout(TIMEOUT_S)
            assert s.recv_multipart() == [rid, b""]
            s.send_multipart([rid, b"again"])
            assert recv_exact(conn2, 5) == b"again"


def test_connect_side_close_does_not_reconnect(zmq, ctx):
    srv, ep = _server()
    with srv:
        s = _stream(zmq, ctx, RECONNECT_IVL=10)
        s.connect(ep)
        rid = s.getsockopt(zmq.ROUTING_ID)
        conn, _ = srv.accept()
        with conn:
            conn.settimeout(TIMEOUT_S)
            assert s.recv_multipart() == [rid, b""]
            s.send_multipart([rid, b"bye"])
            s.send_multipart([rid, b""])
            assert recv_exact(conn, 3) == b"bye"
            wait_closed(zmq, s, conn)
        with pytest.raises(zmq.ZMQError) as exc:
            s.send_multipart([rid, b"x"])
        assert exc.value.errno == errno.EHOSTUNREACH
        srv.settimeout(0.3)
        with pytest.raises(socket.timeout):
            srv.accept()


def test_connect_routing_id(zmq, ctx):
    srv, ep = _server()
    with srv:
        s = _stream(zmq, ctx)
        s.setsockopt(zmq.CONNECT_ROUTING_ID, b"server-1")
        s.connect(ep)
        conn, _ = srv.accept()
        with conn:
            conn.settimeout(TIMEOUT_S)
            assert s.recv_multipart() == [b"server-1", b""]
            s.send_multipart([b"server-1", b"hi"])
            assert recv_exact(conn, 2) == b"hi"
            conn.sendall(b"ho")
            assert recv_bytes(s, b"server-1", 2) == b"ho"


# --- routing errors and oddities ------------------------------------------------

def test_unknown_routing_id(zmq, ctx, endpoint):
    s = _stream(zmq, ctx)
    ep = _bind(zmq, s, endpoint, "tcp")
    for flags in (0, zmq.NOBLOCK):
        with pytest.raises(zmq.ZMQError) as exc:
            s.send_multipart([b"\x00nope", b"data"], flags)
        assert exc.value.errno == errno.EHOSTUNREACH
    # The failed send left no state behind.
    with _client(ep) as c:
        rid, _ = s.recv_multipart()
        s.send_multipart([rid, b"fine"])
        assert recv_exact(c, 4) == b"fine"


def test_lone_first_part_drops_the_next(zmq, ctx, endpoint):
    s = _stream(zmq, ctx)
    ep = _bind(zmq, s, endpoint, "tcp")
    with _client(ep) as c:
        rid, _ = s.recv_multipart()
        s.send(rid)                 # no SNDMORE: not a routing id
        s.send(b"dropped")
        s.send_multipart([rid, b"kept"])
        assert recv_exact(c, 4) == b"kept"


def test_sndhwm_eagain_then_resumes(zmq, ctx, endpoint):
    s = _stream(zmq, ctx, SNDHWM=1, SNDBUF=65536)
    ep = _bind(zmq, s, endpoint, "tcp")
    host, port = ep[len("tcp://"):].rsplit(":", 1)
    c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    c.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
    c.settimeout(TIMEOUT_S)
    c.connect((host, int(port)))
    with c:
        rid, _ = s.recv_multipart()
        chunk = b"z" * 65536
        sent = 0
        for _ in range(5000):           # the client reads nothing meanwhile
            try:
                s.send_multipart([rid, chunk], zmq.NOBLOCK)
            except zmq.Again:
                break
            sent += 1
        else:
            pytest.fail("SNDHWM never reached")
        assert sent > 0
        assert recv_exact(c, sent * len(chunk)) == chunk * sent
        s.send_multipart([rid, b"end"])     # room again (blocking send)
        assert recv_exact(c, 3) == b"end"


def test_rcvhwm_large_transfer_in_order(zmq, ctx, endpoint, spawn):
    s = _stream(zmq, ctx, RCVHWM=2)
    ep = _bind(zmq, s, endpoint, "tcp")
    payload = bytes(range(256)) * 8192      # 2 MiB
    c = _client(ep)
    rid, _ = s.recv_multipart()

    def send_all():
        c.sendall(payload)
        c.close()

    w = spawn(send_all)
    assert recv_bytes(s, rid, len(payload)) == payload
    w.join()
    # libzmq loses the close note when the pipe is full as the peer closes;
    # zmqcore keeps it until there is room. Either way the id then goes.
    wait_gone(zmq, s, rid, may_note=True)


# --- inproc -------------------------------------------------------------------

def test_inproc_stream_pair(zmq, ctx, inproc):
    b = _stream(zmq, ctx)
    c = _stream(zmq, ctx)
    ep = inproc()
    b.bind(ep)
    c.connect(ep)
    rid = c.getsockopt(zmq.ROUTING_ID)
    # No connection notes over inproc.
    for s in (b, c):
        with pytest.raises(zmq.Again):
            s.recv_multipart(zmq.NOBLOCK)
    c.send_multipart([rid, b"hello"])
    bid, data = b.recv_multipart()
    assert data == b"hello"
    assert len(bid) == 5 and bid[0] == 0
    b.send_multipart([bid, b"back"])
    assert c.recv_multipart() == [rid, b"back"]
