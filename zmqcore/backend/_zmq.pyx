# cython: freethreading_compatible = False
"""The compiled backend: Context, Socket, Frame and poll over the core.

One extension module assembled from the .pxi files beside it (as asyncpg's
protocol.pyx and uvloop's loop.pyx are), so cdef calls between them and the
core's inline pipe functions compile into direct calls.
"""

cimport cython
from cpython.buffer cimport (PyBUF_ANY_CONTIGUOUS, PyBUF_SIMPLE, PyBuffer_Release,
                             PyObject_GetBuffer, PyObject_CheckBuffer)
from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_FromStringAndSize, PyBytes_GET_SIZE
from cpython.exc cimport PyErr_CheckSignals
from cpython.ref cimport Py_DECREF, Py_INCREF, PyObject
from libc.errno cimport EAGAIN, EINTR, EINVAL, ENOMEM, ENOTSOCK, errno
from libc.stdlib cimport free, malloc
from libc.string cimport memcpy

from zmqcore.backend.core cimport *

include "errors.pxi"
include "release.pxi"
include "frame.pxi"
include "context.pxi"
include "socket.pxi"
include "poll.pxi"
include "proxy.pxi"
