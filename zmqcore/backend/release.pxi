# Buffers lent to the core with copy=False, released under the GIL.

cdef extern from "release_queue.h" nogil:
    ctypedef struct zcb_release_queue_t:
        pass
    ctypedef struct zcb_buffer_t:
        zcb_buffer_t *next
        zcb_release_queue_t *queue
        Py_buffer view
        PyObject *tracker
    zcb_release_queue_t *zcb_queue_new()
    void zcb_queue_ref(zcb_release_queue_t *q)
    void zcb_queue_unref(zcb_release_queue_t *q)
    void zcb_release(void *data, void *hint) noexcept
    zcb_buffer_t *zcb_queue_take(zcb_release_queue_t *q)


cdef void _drain_release_queue(zcb_release_queue_t *q) noexcept:
    """Release every buffer the core has let go of.  Holds the GIL."""
    cdef zcb_buffer_t *b = zcb_queue_take(q)
    cdef zcb_buffer_t *nxt
    while b != NULL:
        nxt = b.next
        PyBuffer_Release(&b.view)
        if b.tracker != NULL:
            try:
                (<object> b.tracker).set()
            except Exception:
                pass
            Py_DECREF(<object> b.tracker)
        zcb_queue_unref(b.queue)
        free(b)
        b = nxt


cdef int _msg_over_buffer(zc_msg_t *msg, object data, zcb_release_queue_t *q,
                          object tracker) except -1:
    """Make msg point into data's buffer without copying; the buffer is held
    until the core releases the message."""
    cdef zcb_buffer_t *b = <zcb_buffer_t *> malloc(sizeof(zcb_buffer_t))
    if b == NULL:
        raise MemoryError()
    try:
        PyObject_GetBuffer(data, &b.view, PyBUF_ANY_CONTIGUOUS)
    except BaseException:
        free(b)
        raise
    b.queue = q
    b.next = NULL
    b.tracker = NULL
    if tracker is not None:
        b.tracker = <PyObject *> tracker
        Py_INCREF(tracker)
    if zc_msg_init_external(msg, b.view.buf, <size_t> b.view.len, zcb_release, b) < 0:
        PyBuffer_Release(&b.view)
        if b.tracker != NULL:
            Py_DECREF(tracker)
        free(b)
        raise MemoryError()
    zcb_queue_ref(q)
    return 0
