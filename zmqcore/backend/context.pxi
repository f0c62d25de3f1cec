# Context: owns the core's zc_ctx_t (I/O threads, inproc names, sockets).

from zmqcore.constants import ContextOption as _ContextOption


cdef class Context:
    """The backend context.  zmqcore.Context adds pyzmq's sugar on top."""

    cdef zc_ctx_t *_ctx
    cdef zcb_release_queue_t *_release
    cdef int _io_threads
    cdef object __weakref__

    def __cinit__(self, int io_threads=1, shadow=0, **kwargs):
        if shadow:
            raise NotImplementedError("zmqcore contexts cannot shadow libzmq contexts")
        self._io_threads = io_threads
        self._release = zcb_queue_new()
        if self._release == NULL:
            raise MemoryError()
        self._ctx = zc_ctx_new(io_threads)
        if self._ctx == NULL:
            _raise_errno(errno)

    def __dealloc__(self):
        cdef int rc
        if self._ctx != NULL:
            # Sockets hold a reference to their context, so none is open.
            with nogil:
                rc = zc_ctx_term(self._ctx)
                while rc < 0:
                    rc = zc_ctx_term(self._ctx)
                zc_ctx_destroy(self._ctx)
            self._ctx = NULL
        if self._release != NULL:
            _drain_release_queue(self._release)
            zcb_queue_unref(self._release)
            self._release = NULL

    @property
    def closed(self):
        """True once the context has been terminated."""
        return self._ctx == NULL

    @property
    def underlying(self):
        """The address of the core context, as an int."""
        return <size_t> self._ctx

    def term(self):
        """Terminate the context.

        Blocking calls on its sockets, in any thread, fail with
        ContextTerminated; term() then waits until every socket is closed.
        """
        cdef int rc
        if self._ctx == NULL:
            return
        while True:
            with nogil:
                rc = zc_ctx_term(self._ctx)
            if rc == 0:
                break
            PyErr_CheckSignals()
        _drain_release_queue(self._release)
        zc_ctx_destroy(self._ctx)
        self._ctx = NULL

    def get(self, int option):
        """Context options: IO_THREADS, MAX_SOCKETS, SOCKET_LIMIT."""
        if self._ctx == NULL:
            raise ZMQError(ETERM)
        if option == _ContextOption.IO_THREADS:
            return self._io_threads
        if option == _ContextOption.MAX_SOCKETS:
            return self._ctx.max_sockets
        if option == _ContextOption.SOCKET_LIMIT:
            return 65535
        raise ZMQError(EINVAL)

    def set(self, int option, int value):
        """Set MAX_SOCKETS (IO_THREADS is fixed at construction here)."""
        if self._ctx == NULL:
            raise ZMQError(ETERM)
        if option == _ContextOption.MAX_SOCKETS and value >= 1:
            self._ctx.max_sockets = value
            return
        raise ZMQError(EINVAL)

    def _collect_released(self):
        """Release buffers the core no longer needs (copy=False sends)."""
        self._collect()

    cdef inline void _collect(self) noexcept:
        if self._release != NULL:
            _drain_release_queue(self._release)
