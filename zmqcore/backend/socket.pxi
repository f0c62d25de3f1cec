# Socket: one call into the core per send/recv; blocking waits drop the GIL.

from zmqcore.constants import SocketOption as _SO, SocketType as _SocketType
from zmqcore.constants import _OPTION_TYPES

# Defaults reported for options the core does not act on yet; set values
# are kept and read back, as libzmq would.
_STORED_DEFAULTS = {
    _SO.AFFINITY: 0, _SO.RATE: 100, _SO.RECOVERY_IVL: 10000, _SO.MULTICAST_HOPS: 1,
    _SO.MECHANISM: 0, _SO.MULTICAST_MAXTPDU: 1500,
    _SO.ZAP_DOMAIN: b"", _SO.PLAIN_SERVER: 0, _SO.PLAIN_USERNAME: b"",
    _SO.PLAIN_PASSWORD: b"", _SO.CURVE_SERVER: 0, _SO.USE_FD: -1,
    _SO.BINDTODEVICE: b"", _SO.SOCKS_PROXY: b"", _SO.VMCI_BUFFER_SIZE: 0,
}

# Bytes options the core acts on (the rest of pyzmq's are stored above).
_CORE_BYTES_OPTIONS = frozenset([
    _SO.ROUTING_ID, _SO.CONNECT_ROUTING_ID, _SO.SUBSCRIBE, _SO.UNSUBSCRIBE,
    _SO.XPUB_WELCOME_MSG,
])


cdef class Socket:
    """The backend socket.  zmqcore.Socket adds pyzmq's sugar on top."""

    cdef zc_socket_t *_s
    cdef Context _ctx
    cdef readonly object context
    cdef dict _stored
    cdef public int copy_threshold
    cdef object _in_proxy    # set while a proxy runs on it (proxy.pxi)
    cdef object __weakref__

    def __cinit__(self, context=None, socket_type=-1, *args, shadow=0, copy_threshold=None, **kwargs):
        if shadow:
            raise NotImplementedError("zmqcore sockets cannot shadow libzmq sockets")
        if context is None:
            raise TypeError("a Socket needs a Context")
        if not isinstance(context, Context):
            raise TypeError(f"expected a zmqcore Context, got {context!r}")
        self._ctx = <Context> context
        self.context = context
        if self._ctx._ctx == NULL:
            raise ZMQError(ENOTSUP)   # pyzmq's answer for a closed context
        self._stored = {}
        self.copy_threshold = 65536 if copy_threshold is None else copy_threshold
        cdef int stype
        try:
            stype = int(socket_type)
        except (TypeError, ValueError):
            raise ZMQError(EINVAL)
        self._s = zc_socket_new(self._ctx._ctx, stype)
        if self._s == NULL:
            _raise_errno(errno)

    def __dealloc__(self):
        if self._s != NULL:
            zc_socket_close(self._s)
            self._s = NULL

    cdef inline int _check_open(self) except -1:
        if self._s == NULL:
            _raise_closed()
        return 0

    @property
    def closed(self):
        """True once close() was called (or the socket was never opened)."""
        return self._s == NULL

    @property
    def underlying(self):
        """The address of the core socket, as an int."""
        return <size_t> self._s

    def close(self, linger=None):
        """Close the socket.

        Messages already handed to the socket stay deliverable for LINGER
        milliseconds (``linger`` overrides the option).  Never blocks.
        """
        if self._s == NULL:
            return
        if self._in_proxy is not None:
            # A proxy on another thread is using it: that thread stops
            # and closes it (Context.destroy() ends devices this way).
            self._in_proxy(self, linger)
            return
        if linger is not None:
            self._s.options.linger = int(linger)
        zc_socket_close(self._s)
        self._s = NULL
        self._ctx._collect()

    # --- endpoints -------------------------------------------------------

    cdef bytes _endpoint_bytes(self, addr):
        if isinstance(addr, str):
            return addr.encode("utf-8")
        if isinstance(addr, bytes):
            return addr
        raise TypeError(f"expected str, got: {addr!r}")

    def bind(self, addr):
        """Bind to an endpoint ``transport://address``."""
        self._check_open()
        cdef bytes b = self._endpoint_bytes(addr)
        _check_rc(zc_socket_bind(self._s, b))

    def connect(self, addr):
        """Connect to an endpoint ``transport://address``."""
        self._check_open()
        cdef bytes b = self._endpoint_bytes(addr)
        _check_rc(zc_socket_connect(self._s, b))

    def unbind(self, addr):
        """Stop listening on an endpoint bound earlier."""
        self._check_open()
        _check_rc(zc_socket_unbind(self._s, self._endpoint_bytes(addr)))

    def disconnect(self, addr):
        """Drop the connection made to an endpoint."""
        self._check_open()
        _check_rc(zc_socket_disconnect(self._s, self._endpoint_bytes(addr)))

    # --- send / recv -----------------------------------------------------

    cdef int _send_msg(self, zc_msg_t *msg, int flags) except -1:
        """Send msg (taken on success, closed on failure)."""
        cdef int rc = zc_socket_send(self._s, msg, flags, 0)
        cdef int err, timeout
        if rc == 0:
            if zc_socket_wake_pending(self._s):
                with nogil:
                    zc_socket_flush_wake(self._s)
            return 0
        err = errno
        timeout = self._s.options.sndtimeo
        if err != EAGAIN or (flags & ZC_DONTWAIT) or timeout == 0:
            zc_msg_close(msg)
            return _raise_errno(err)
        while True:
            with nogil:
                rc = zc_socket_send(self._s, msg, flags, timeout)
                err = errno
                zc_socket_flush_wake(self._s)
            if rc == 0:
                return 0
            if err != EINTR:
                break
            try:
                PyErr_CheckSignals()
            except BaseException:
                zc_msg_close(msg)
                raise
        zc_msg_close(msg)
        return _raise_errno(err)

    cdef int _recv_msg(self, zc_msg_t *msg, int flags) except -1:
        cdef int rc = zc_socket_recv(self._s, msg, 0)
        cdef int err, timeout
        if rc == 0:
            return 0
        err = errno
        timeout = self._s.options.rcvtimeo
        if err != EAGAIN or (flags & ZC_DONTWAIT) or timeout == 0:
            return _raise_errno(err)
        while True:
            with nogil:
                rc = zc_socket_recv(self._s, msg, timeout)
                err = errno
            if rc == 0:
                return 0
            if err != EINTR:
                return _raise_errno(err)
            PyErr_CheckSignals()

    def send(self, data, int flags=0, bint copy=True, bint track=False,
             routing_id=None, group=None):
        """Send one message part.

        data may be bytes, a Frame, or any contiguous buffer; str raises
        TypeError.  flags: NOBLOCK/DONTWAIT, SNDMORE.  With copy=False a
        large buffer is lent to the core instead of copied.
        """
        cdef zc_msg_t msg
        cdef Frame frame
        if self._s == NULL:
            _raise_closed()
        if type(data) is bytes and PyBytes_GET_SIZE(data) < self.copy_threshold:
            _msg_from_object(&msg, data)
        elif type(data) is bytes and copy and not track:
            # bytes are immutable: lending them is as safe as a copy, and
            # a large body is then never copied in user space.
            self._ctx._collect()
            _msg_over_buffer(&msg, data, self._ctx._release, None)
        elif isinstance(data, Frame):
            frame = <Frame> data
            zc_msg_copy(&msg, &frame.msg)
        elif isinstance(data, str):
            raise TypeError("unicode not allowed, use send_string")
        elif not copy:
            if routing_id is not None or group is not None:
                raise ZMQError(EINVAL)
            tracker = None
            if track:
                tracker = _make_tracker()
            self._ctx._collect()
            _msg_over_buffer(&msg, data, self._ctx._release, tracker)
            self._send_msg(&msg, flags)
            if track:
                return _MessageTracker(tracker, self._ctx)
            return None
        else:
            _msg_from_object(&msg, data)
        if routing_id is not None or group is not None:
            zc_msg_close(&msg)
            raise ZMQError(EINVAL)
        self._send_msg(&msg, flags)
        if not copy:
            # As pyzmq: a copy=False send below copy_threshold was copied
            # after all, so its tracker is done at once.
            return _MessageTracker(None, None)
        return None

    def recv(self, int flags=0, bint copy=True, bint track=False):
        """Receive one message part: bytes, or a Frame with copy=False."""
        cdef zc_msg_t msg
        if self._s == NULL:
            _raise_closed()
        zc_msg_init(&msg)
        self._recv_msg(&msg, flags)
        if copy:
            try:
                return PyBytes_FromStringAndSize(<char *> zc_msg_data(&msg),
                                                 <Py_ssize_t> zc_msg_size(&msg))
            finally:
                zc_msg_close(&msg)
        return Frame._wrap(&msg)

    # --- options ---------------------------------------------------------

    def set(self, int option, optval):
        """Set a socket option (setsockopt)."""
        self._check_open()
        cdef int v
        kind = _OPTION_TYPES.get(option, "int")
        if kind == "bytes":
            if isinstance(optval, str):
                raise TypeError("unicode not allowed, use setsockopt_string")
            if not isinstance(optval, bytes):
                raise TypeError(f"expected bytes, got: {optval!r}")
        else:
            if not isinstance(optval, int):
                raise TypeError(f"expected int, got: {optval!r}")
        if option in _CORE_BYTES_OPTIONS:
            _check_rc(zc_socket_setopt_bytes(self._s, option, <const char *> optval, len(optval)))
        elif option in _STORED_DEFAULTS:
            self._stored[option] = optval
        else:
            if optval < -0x8000000000000000 or optval > 0x7fffffffffffffff:
                raise ZMQError(EINVAL)
            _check_rc(zc_socket_setopt_int(self._s, option, optval))

    def get(self, int option):
        """Get a socket option (getsockopt)."""
        self._check_open()
        cdef int ev
        cdef int64_t v64
        if option == _SO.TYPE:
            return self._s.pattern.type
        if option == _SO.RCVMORE:
            return self._s.rcvmore
        if option == _SO.EVENTS:
            ev = zc_socket_events(self._s)
            if self._s.ctx_terminated:
                raise ZMQError(ETERM)
            return ev
        if option == _SO.FD:
            return zc_socket_fd(self._s)
        if option == _SO.LAST_ENDPOINT:
            return <bytes> self._s.last_endpoint
        if option == _SO.ROUTING_ID:
            return (<char *> self._s.options.routing_id)[:self._s.options.routing_id_len]
        if option in _STORED_DEFAULTS:
            return self._stored.get(option, _STORED_DEFAULTS[option])
        _check_rc(zc_socket_getopt_int(self._s, option, &v64))
        return v64

    setsockopt = set
    getsockopt = get

    def monitor(self, addr, int events=0xffff):
        """Report events of this socket's connections to a PAIR socket bound
        at addr (inproc); addr=None stops monitoring."""
        self._check_open()
        cdef int rc
        if addr is None:
            rc = zc_socket_monitor(self._s, NULL, 0)
        else:
            rc = zc_socket_monitor(self._s, self._endpoint_bytes(addr), events)
        _check_rc(rc)

    def get_stats(self):
        """What this socket has done (zmqcore only; pyzmq has no such call):
        messages and bytes received and sent, deliveries dropped at HWM (one per message and peer)
        (PUB/XPUB fan-out, ROUTER to an unknown or full peer), peers
        attached now, messages queued towards them (an upper bound:
        peers report reads in batches), and sends this thread wrote to the
        connection itself instead of waking the I/O thread (direct_writes:
        after a receive that waited, when the connection was idle)."""
        self._check_open()
        cdef zc_socket_stats_t st
        zc_socket_get_stats(self._s, &st)
        return {
            "msgs_in": st.msgs_in, "bytes_in": st.bytes_in,
            "msgs_out": st.msgs_out, "bytes_out": st.bytes_out,
            "dropped": st.dropped, "peers": st.peers, "queued_out": st.queued_out,
            "direct_writes": st.direct_writes,
        }

    def fileno(self):
        """The socket's event fd (same as getsockopt(FD))."""
        self._check_open()
        return zc_socket_fd(self._s)

    @property
    def type(self):
        """The socket type, as a SocketType."""
        self._check_open()
        return _SocketType(self._s.pattern.type)


# --- message trackers -------------------------------------------------------

import threading as _threading


def _make_tracker():
    return _threading.Event()


class _MessageTracker:
    """Tells when the core has let go of buffers sent with copy=False."""

    def __init__(self, event, context):
        self._event = event
        self._context = context

    @property
    def done(self):
        if self._event is None:
            return True
        self._context._collect_released()
        return self._event.is_set()

    def wait(self, timeout=-1):
        """Wait until done, up to timeout seconds (-1: forever)."""
        import time
        from zmqcore.error import NotDone
        deadline = None if timeout is None or timeout < 0 else time.monotonic() + timeout
        # The release is queued by whichever thread dropped the message;
        # collecting it needs the GIL, so look again every millisecond.
        while not self.done:
            if deadline is not None and time.monotonic() >= deadline:
                raise NotDone()
            self._event.wait(0.001)


MessageTracker = _MessageTracker
