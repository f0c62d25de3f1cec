# zmq_poll over sockets and plain file descriptors, waiting without the GIL.

DEF _STACK_ITEMS = 16


cdef int _fd_of(obj) except -1:
    if isinstance(obj, int):
        return obj
    if hasattr(obj, "fileno"):
        return obj.fileno()
    raise TypeError(f"Socket or fd required, got {obj!r}")


def zmq_poll(sockets, long timeout=-1):
    """Poll (socket_or_fd, events) pairs; return [(socket_or_fd, revents)].

    timeout is in milliseconds; -1 waits forever.
    """
    cdef Py_ssize_t n = len(sockets)
    cdef zc_pollitem_t stack_items[_STACK_ITEMS]
    cdef zc_pollitem_t *items = stack_items
    cdef Py_ssize_t i
    cdef int rc, err
    cdef Socket sock
    if n > _STACK_ITEMS:
        items = <zc_pollitem_t *> malloc(n * sizeof(zc_pollitem_t))
        if items == NULL:
            raise MemoryError()
    try:
        for i in range(n):
            obj, events = sockets[i]
            items[i].events = <short> events
            items[i].revents = 0
            if isinstance(obj, Socket):
                sock = <Socket> obj
                if sock._s == NULL:
                    _raise_closed()
                items[i].socket = sock._s
                items[i].fd = -1
            else:
                items[i].socket = NULL
                items[i].fd = _fd_of(obj)
        while True:
            with nogil:
                rc = zc_poll(items, <int> n, timeout)
                err = errno
            if rc >= 0:
                break
            if err != EINTR:
                _raise_errno(err)
            PyErr_CheckSignals()
        # As pyzmq: sockets come back as themselves, anything else as its fd.
        return [(sockets[i][0] if items[i].socket != NULL else items[i].fd, items[i].revents)
                for i in range(n) if items[i].revents]
    finally:
        if items != stack_items:
            free(items)
