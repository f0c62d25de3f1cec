# proxy(), proxy_steerable(), device() and monitored_queue(): the loop runs
# in the core (proxy.c) with the GIL released; a signal (EINTR) comes back
# here so that Python handlers run, then the same run goes on.

from libc.errno cimport EFAULT


cdef zc_socket_t *_proxy_optional(Socket s):
    # pyzmq hands libzmq a NULL for a closed optional socket, which then
    # simply is not used.
    if s is None:
        return NULL
    return s._s


cdef class _ProxyRun:
    """What a socket's close() calls while a proxy on another thread uses
    it: the close is done by that thread once the run has stopped."""

    cdef zc_proxy_t *p          # NULL once the run is over
    cdef list pending           # [(socket, linger)]

    def close_request(self, Socket sock, linger):
        self.pending.append((sock, linger))
        if self.p != NULL:
            zc_proxy_stop(self.p)


cdef object _run_proxy(Socket frontend, Socket backend, Socket capture, Socket control,
                       object in_prefix=None, object out_prefix=None):
    cdef zc_proxy_t p
    cdef int rc = 0
    cdef int err = 0
    cdef const unsigned char[::1] in_view
    cdef const unsigned char[::1] out_view
    cdef _ProxyRun run
    cdef Socket s
    if frontend._s == NULL or backend._s == NULL:
        raise ZMQError(EFAULT)     # libzmq's answer for a closed socket here
    if in_prefix is not None:
        in_view = _prefix_view(in_prefix)
        out_view = _prefix_view(out_prefix)
    zc_proxy_init(&p, frontend._s, backend._s, _proxy_optional(capture),
                  _proxy_optional(control))
    run = _ProxyRun()
    run.p = &p
    run.pending = []
    used = [x for x in (frontend, backend, capture, control)
            if x is not None and (<Socket> x)._s != NULL]
    for s in used:
        s._in_proxy = run.close_request
    try:
        if in_prefix is not None:
            if zc_proxy_set_prefixes(&p, &in_view[0] if in_view.shape[0] else NULL,
                                     in_view.shape[0],
                                     &out_view[0] if out_view.shape[0] else NULL,
                                     out_view.shape[0]) < 0:
                raise MemoryError()
        while True:
            with nogil:
                rc = zc_proxy_run(&p)
                err = errno
            if rc == 0:
                return 0
            if err != EINTR:
                _raise_errno(err)
            # A handler that raises (KeyboardInterrupt) ends the proxy;
            # otherwise it goes on where it stopped.
            PyErr_CheckSignals()
    finally:
        run.p = NULL
        for s in used:
            s._in_proxy = None
        zc_proxy_fini(&p)
        for sock, linger in run.pending:
            sock.close(linger)


cdef const unsigned char[::1] _prefix_view(obj) except *:
    if isinstance(obj, str):
        raise TypeError("prefixes must be bytes, not str")
    return memoryview(obj).cast("B")


def proxy(Socket frontend not None, Socket backend not None, Socket capture=None):
    """Start a zeromq proxy (replacement for device).

    Moves whole messages between frontend and backend, both ways, copying
    every part to capture if given.  Returns only by raising: ZMQError
    (ContextTerminated when the context is terminated).

    Parameters
    ----------
    frontend : Socket
        The Socket instance for the incoming traffic.
    backend : Socket
        The Socket instance for the outbound traffic.
    capture : Socket (optional)
        The Socket instance for capturing traffic.
    """
    return _run_proxy(frontend, backend, capture, None)


def proxy_steerable(Socket frontend not None, Socket backend not None,
                    Socket capture=None, Socket control=None):
    """Start a zeromq proxy with control flow.

    Commands read from control (one frame each): PAUSE, RESUME,
    TERMINATE (the proxy returns 0), STATISTICS (answered with eight
    uint64 frames).  See zmqcore/core/proxy.h for the details.

    Parameters
    ----------
    frontend : Socket
        The Socket instance for the incoming traffic.
    backend : Socket
        The Socket instance for the outbound traffic.
    capture : Socket (optional)
        The Socket instance for capturing traffic.
    control : Socket (optional)
        The Socket instance for control flow.
    """
    return _run_proxy(frontend, backend, capture, control)


def device(device_type, frontend, backend):
    """Deprecated alias for zmq.proxy (device_type is ignored)."""
    return proxy(frontend, backend)


def monitored_queue(Socket in_socket not None, Socket out_socket not None,
                    Socket mon_socket not None,
                    in_prefix=b"in", out_prefix=b"out"):
    """Start a monitored queue device.

    Like proxy(), but every message is also sent to mon_socket behind a
    prefix frame naming its direction (in_prefix for messages read from
    in_socket, out_prefix for the others), and two ROUTERs may face each
    other: the first two frames (routing ids) are swapped on the way.

    Parameters
    ----------
    in_socket : Socket
        One side of the queue; its messages are prefixed with in_prefix.
    out_socket : Socket
        The other side; its messages are prefixed with out_prefix.
    mon_socket : Socket
        Gets a copy of every message, behind its prefix.
    in_prefix, out_prefix : bytes
        The prefix frames.
    """
    if mon_socket._s == NULL:
        raise ZMQError(EFAULT)
    return _run_proxy(in_socket, out_socket, mon_socket, None, in_prefix, out_prefix)
