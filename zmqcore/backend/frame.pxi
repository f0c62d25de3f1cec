# Frame: one message part owned by Python, shared with the core without
# copying its body.

from zmqcore.constants import MessageOption as _MessageOption


cdef int _msg_from_object(zc_msg_t *msg, object data) except -1:
    """Copy data (bytes or any contiguous buffer) into a fresh msg."""
    cdef Py_buffer view
    cdef Py_ssize_t n
    if type(data) is bytes:
        n = PyBytes_GET_SIZE(data)
        if zc_msg_init_size(msg, <size_t> n) < 0:
            raise MemoryError()
        memcpy(zc_msg_data(msg), PyBytes_AS_STRING(data), <size_t> n)
        return 0
    if isinstance(data, str):
        raise TypeError("unicode not allowed, use send_string")
    PyObject_GetBuffer(data, &view, PyBUF_ANY_CONTIGUOUS)
    try:
        if zc_msg_init_size(msg, <size_t> view.len) < 0:
            raise MemoryError()
        memcpy(zc_msg_data(msg), view.buf, <size_t> view.len)
    finally:
        PyBuffer_Release(&view)
    return 0


@cython.final
cdef class Frame:
    """A message part.

    ``Frame(data)`` copies data once; sending a Frame, or receiving one with
    ``recv(copy=False)``, never copies its body again.  ``bytes`` and
    ``buffer`` give the contents; ``more`` tells whether parts follow.
    """

    cdef zc_msg_t msg
    cdef object _bytes
    cdef public bint more
    cdef public object tracker
    cdef int _exports

    def __cinit__(self, data=None, track=False, copy=None, copy_threshold=None, **kwargs):
        zc_msg_init(&self.msg)
        self.more = False
        self.tracker = None
        if data is None:
            return
        _msg_from_object(&self.msg, data)
        if type(data) is bytes:
            self._bytes = data

    def __dealloc__(self):
        zc_msg_close(&self.msg)

    @staticmethod
    cdef Frame _wrap(zc_msg_t *msg):
        """A Frame taking over msg (which must not be used afterwards)."""
        cdef Frame f = Frame.__new__(Frame)
        f.msg = msg[0]
        f.more = zc_msg_more(msg) != 0
        return f

    @property
    def bytes(self):
        """The contents as bytes (made once, then cached)."""
        if self._bytes is None:
            self._bytes = PyBytes_FromStringAndSize(
                <char *> zc_msg_data(&self.msg), <Py_ssize_t> zc_msg_size(&self.msg))
        return self._bytes

    @property
    def buffer(self):
        """A read-only memoryview of the contents, without copying."""
        return memoryview(self)

    def __getbuffer__(self, Py_buffer *view, int flags):
        view.buf = zc_msg_data(&self.msg)
        view.obj = self
        view.len = <Py_ssize_t> zc_msg_size(&self.msg)
        view.readonly = 1
        view.itemsize = 1
        view.format = NULL
        if flags & 0x0004:  # PyBUF_FORMAT
            view.format = b"B"
        view.ndim = 1
        view.shape = &view.len
        view.strides = &view.itemsize
        view.suboffsets = NULL
        view.internal = NULL
        self._exports += 1

    def __releasebuffer__(self, Py_buffer *view):
        self._exports -= 1

    def __len__(self):
        return zc_msg_size(&self.msg)

    def __bytes__(self):
        return self.bytes

    def __eq__(self, other):
        if isinstance(other, Frame):
            return self.bytes == (<Frame> other).bytes
        return self.bytes == other

    def __hash__(self):
        return hash(self.bytes)

    def __repr__(self):
        n = zc_msg_size(&self.msg)
        body = self.bytes[:32]
        return f"<zmqcore.Frame({body!r}{'...' if n > 32 else ''}{' ' + str(n) + 'B' if n > 32 else ''})>"

    def __copy__(self):
        return self.fast_copy()

    def fast_copy(self):
        """Another Frame sharing this body (no copy)."""
        cdef Frame f = Frame.__new__(Frame)
        zc_msg_copy(&f.msg, &self.msg)
        f.more = self.more
        f._bytes = self._bytes
        return f

    def get(self, option):
        """Frame properties: MORE (other options are not supported)."""
        if option == _MessageOption.MORE:
            return int(self.more)
        raise ZMQError(EINVAL)

    def set(self, option, value):
        raise ZMQError(EINVAL)

    def __getitem__(self, key):
        return self.bytes[key]


Message = Frame
