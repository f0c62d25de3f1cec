# errno -> exception, in one place (pyzmq's _check_rc).

from zmqcore.error import ZMQError, _error_for


cdef int _raise_errno(int err) except -1:
    raise _error_for(err)


cdef inline int _check_rc(int rc) except -1:
    """Raise the ZMQError for errno when a core call returned -1."""
    if rc < 0:
        _raise_errno(errno)
    return rc


cdef int _raise_closed() except -1:
    raise ZMQError(ENOTSOCK)
