# Tests of msg, ypipe, pipe pairs (HWM, wake-ups, termination) and the
# mailbox, included from _testing.pyx.  Loops run in C without the GIL;
# the functions return plain numbers for tests/core/test_pipe.py.
#
# Private names start with _pp.

from libc.stdint cimport uint64_t, int64_t
from libc.string cimport memcpy as _pp_memcpy
from libc.stdlib cimport malloc as _pp_malloc, free as _pp_free

from zmqcore.backend.core cimport (zc_msg_t, zc_msg_init, zc_msg_init_size,
                                   zc_msg_data, zc_msg_size, zc_msg_close,
                                   zc_msg_copy, ZC_MSG_MORE, ZC_MSG_MAX_INLINE)


from zmqcore.backend.core cimport (
    ZC_CMD_STOP as _PP_STOP, ZC_CMD_ACTIVATE_READ as _PP_ACTIVATE_READ,
    ZC_CMD_ACTIVATE_WRITE as _PP_ACTIVATE_WRITE, ZC_CMD_PIPE_TERM as _PP_PIPE_TERM,
    zc_command_t as _pp_command, zc_mailbox_t as _pp_mailbox,
    zc_mailbox_new as _pp_mailbox_new, zc_mailbox_unref as _pp_mailbox_unref,
    zc_mailbox_send as _pp_mailbox_send, zc_mailbox_recv as _pp_mailbox_recv,
    zc_mailbox_fd as _pp_mailbox_fd, zc_pipe_t as _pp_pipe,
    zc_pipe_pair_new as _pp_pair_new, zc_pipe_check_read as _pp_check_read,
    zc_pipe_read as _pp_read, zc_pipe_check_write as _pp_check_write,
    zc_pipe_write as _pp_write, zc_pipe_flush as _pp_flush,
    zc_pipe_process_activate_write as _pp_activate_write,
    zc_pipe_terminate as _pp_terminate)


cdef extern from "<pthread.h>" nogil:
    ctypedef int _pp_thread_t "pthread_t"
    int _pp_thread_create "pthread_create" (
        _pp_thread_t *t, const void *attr,
        void *(*start)(void *) noexcept nogil, void *arg)
    int _pp_thread_join "pthread_join" (_pp_thread_t t, void **ret)


cdef struct _PPStress:
    _pp_pipe *w
    _pp_pipe *r
    _pp_mailbox *wmb        # the writer's mailbox: ACTIVATE_WRITE arrives here
    _pp_mailbox *rmb        # the reader's mailbox: ACTIVATE_READ arrives here
    uint64_t n
    size_t size
    int parts
    uint64_t writer_blocks  # times the writer found itself at HWM
    int64_t max_in_flight   # largest written - read the writer saw... (unused)
    int write_errors


cdef void *_pp_writer(void *arg) noexcept nogil:
    cdef _PPStress *st = <_PPStress *> arg
    cdef zc_msg_t msg
    cdef _pp_command cmd
    cdef uint64_t i
    cdef int part
    for i in range(st.n):
        while not _pp_check_write(st.w):
            st.writer_blocks += 1
            if _pp_mailbox_recv(st.wmb, &cmd, -1) == 0 and cmd.type == _PP_ACTIVATE_WRITE:
                _pp_activate_write(st.w, cmd.arg)
        for part in range(st.parts):
            if zc_msg_init_size(&msg, st.size) < 0:
                st.write_errors += 1
                return NULL
            _pp_memcpy(zc_msg_data(&msg), &i, sizeof(uint64_t))
            (<unsigned char *> zc_msg_data(&msg))[8] = <unsigned char> part
            if part < st.parts - 1:
                msg.flags = ZC_MSG_MORE
            if _pp_write(st.w, &msg) < 0:
                st.write_errors += 1
                zc_msg_close(&msg)
                return NULL
        _pp_flush(st.w)
    return NULL


def pipe_stress(uint64_t n, size_t size=64, uint64_t hwm=1000, int parts=1):
    """A writer thread sends n messages of `parts` parts through one pipe
    (HWM `hwm` messages) to the reader (this thread, GIL released).

    Returns a dict: received messages, order errors (sequence or part out of
    place), wake-ups the reader needed, times the writer blocked at HWM.
    """
    if size < 9:
        raise ValueError("size must be at least 9 (counter + part index)")
    cdef _PPStress st
    cdef _pp_thread_t tid
    cdef zc_msg_t msg
    cdef _pp_command cmd
    cdef uint64_t received = 0, order_errors = 0, wakeups = 0, seq
    cdef int part = 0
    st.wmb = _pp_mailbox_new()
    st.rmb = _pp_mailbox_new()
    st.n = n
    st.size = size
    st.parts = parts
    st.writer_blocks = 0
    st.write_errors = 0
    if _pp_pair_new(&st.w, &st.r, st.wmb, st.rmb, hwm, 0, 1, 2) < 0:
        raise MemoryError()
    with nogil:
        _pp_thread_create(&tid, NULL, _pp_writer, &st)
        while received < n:
            if _pp_read(st.r, &msg):
                _pp_memcpy(&seq, zc_msg_data(&msg), sizeof(uint64_t))
                if seq != received or (<unsigned char *> zc_msg_data(&msg))[8] != part \
                        or zc_msg_size(&msg) != size:
                    order_errors += 1
                if (msg.flags & ZC_MSG_MORE) != (part < parts - 1):
                    order_errors += 1
                zc_msg_close(&msg)
                part += 1
                if part == parts:
                    part = 0
                    received += 1
            elif part != 0:
                # A message is published whole: a gap mid-message is a bug.
                order_errors += 1
                break
            else:
                if _pp_mailbox_recv(st.rmb, &cmd, 2000) == 0:
                    wakeups += 1
                elif st.write_errors:
                    break
        _pp_thread_join(tid, NULL)
    _pp_terminate(st.w)
    _pp_terminate(st.r)
    _pp_mailbox_unref(st.wmb)
    _pp_mailbox_unref(st.rmb)
    return {"received": received, "order_errors": order_errors,
            "wakeups": wakeups, "writer_blocks": st.writer_blocks,
            "write_errors": st.write_errors}


def pipe_hwm(uint64_t hwm, uint64_t extra_reads=0):
    """Single thread: write until the pipe refuses, then read until the
    writer gets credit back.  Returns (accepted before refusal, lwm,
    reads until an ACTIVATE_WRITE arrived, writable after processing it)."""
    cdef _pp_mailbox *wmb = _pp_mailbox_new()
    cdef _pp_mailbox *rmb = _pp_mailbox_new()
    cdef _pp_pipe *w
    cdef _pp_pipe *r
    cdef zc_msg_t msg
    cdef _pp_command cmd
    cdef uint64_t accepted = 0, reads = 0
    cdef int writable = 0
    _pp_pair_new(&w, &r, wmb, rmb, hwm, 0, 1, 2)
    while _pp_check_write(w) and accepted < hwm * 4 + 10:
        zc_msg_init_size(&msg, 10)
        _pp_write(w, &msg)
        _pp_flush(w)
        accepted += 1
    while _pp_read(r, &msg):
        zc_msg_close(&msg)
        reads += 1
        if _pp_mailbox_recv(wmb, &cmd, 0) == 0:
            if cmd.type == _PP_ACTIVATE_WRITE:
                _pp_activate_write(w, cmd.arg)
                writable = _pp_check_write(w)
                break
    lwm = r.lwm
    _pp_terminate(w)
    _pp_terminate(r)
    _pp_mailbox_unref(wmb)
    _pp_mailbox_unref(rmb)
    return accepted, lwm, reads, bool(writable)


def pipe_wakeups(int bursts, int per_burst):
    """Single thread: the writer writes bursts; the reader drains each
    burst fully before the next.  Returns the number of ACTIVATE_READ
    commands posted (one per empty -> non-empty transition is expected)."""
    cdef _pp_mailbox *wmb = _pp_mailbox_new()
    cdef _pp_mailbox *rmb = _pp_mailbox_new()
    cdef _pp_pipe *w
    cdef _pp_pipe *r
    cdef zc_msg_t msg
    cdef _pp_command cmd
    cdef int b, i, wakeups = 0, got = 0
    _pp_pair_new(&w, &r, wmb, rmb, 0, 0, 1, 2)
    for b in range(bursts):
        for i in range(per_burst):
            zc_msg_init_size(&msg, 1)
            _pp_write(w, &msg)
            _pp_flush(w)
        while _pp_mailbox_recv(rmb, &cmd, 0) == 0:
            if cmd.type == _PP_ACTIVATE_READ:
                wakeups += 1
        while _pp_read(r, &msg):
            zc_msg_close(&msg)
            got += 1
    _pp_terminate(w)
    _pp_terminate(r)
    _pp_mailbox_unref(wmb)
    _pp_mailbox_unref(rmb)
    return wakeups, got


def pipe_term_keeps_messages(int n):
    """The writer writes n messages and terminates its end; the reader gets
    PIPE_TERM and still reads all n.  Returns (read, saw PIPE_TERM)."""
    cdef _pp_mailbox *wmb = _pp_mailbox_new()
    cdef _pp_mailbox *rmb = _pp_mailbox_new()
    cdef _pp_pipe *w
    cdef _pp_pipe *r
    cdef zc_msg_t msg
    cdef _pp_command cmd
    cdef int i, got = 0, saw_term = 0
    _pp_pair_new(&w, &r, wmb, rmb, 0, 0, 1, 2)
    for i in range(n):
        zc_msg_init_size(&msg, 100)   # shared (heap) bodies: freed on read
        _pp_write(w, &msg)
    # An unfinished multipart tail: must never be seen, and must be freed.
    zc_msg_init_size(&msg, 100)
    msg.flags = ZC_MSG_MORE
    _pp_write(w, &msg)
    _pp_flush(w)
    _pp_terminate(w)
    while _pp_mailbox_recv(rmb, &cmd, 0) == 0:
        if cmd.type == _PP_PIPE_TERM:
            saw_term = 1
    while _pp_read(r, &msg):
        zc_msg_close(&msg)
        got += 1
    _pp_terminate(r)
    _pp_mailbox_unref(wmb)
    _pp_mailbox_unref(rmb)
    return got, bool(saw_term)


cdef struct _PPMail:
    _pp_mailbox *mb
    int n


cdef void *_pp_poster(void *arg) noexcept nogil:
    cdef _PPMail *m = <_PPMail *> arg
    cdef _pp_command cmd
    cdef int i
    for i in range(m.n):
        cmd.type = _PP_ACTIVATE_READ
        cmd.arg = <uint64_t> i
        _pp_mailbox_send(m.mb, &cmd)
    return NULL


def mailbox_two_threads(int n):
    """Another thread posts n commands; this one receives them, sleeping on
    the mailbox when it is empty.  Returns (received, in order)."""
    cdef _PPMail m
    cdef _pp_thread_t tid
    cdef _pp_command cmd
    cdef int got = 0, ordered = 1
    m.mb = _pp_mailbox_new()
    m.n = n
    with nogil:
        _pp_thread_create(&tid, NULL, _pp_poster, &m)
        while got < n:
            if _pp_mailbox_recv(m.mb, &cmd, 2000) < 0:
                break
            if cmd.arg != <uint64_t> got:
                ordered = 0
            got += 1
        _pp_thread_join(tid, NULL)
    _pp_mailbox_unref(m.mb)
    return got, bool(ordered)


def mailbox_fd_edge():
    """The mailbox fd is readable while commands wait and quiet once the
    reader has found the mailbox empty.  Returns the readability seen at
    each step: (after send, after recv+empty check, after second send)."""
    import select as _select
    cdef _pp_mailbox *mb = _pp_mailbox_new()
    cdef _pp_command cmd
    fd = _pp_mailbox_fd(mb)
    readable = lambda: bool(_select.select([fd], [], [], 0)[0])
    cmd.type = _PP_ACTIVATE_READ
    _pp_mailbox_send(mb, &cmd)
    a = readable()
    _pp_mailbox_recv(mb, &cmd, 0)
    _pp_mailbox_recv(mb, &cmd, 0)     # finds it empty: drains the fd
    b = readable()
    _pp_mailbox_send(mb, &cmd)
    c = readable()
    _pp_mailbox_unref(mb)
    return a, b, c


def msg_sizes():
    """(sizeof zc_msg_t, inline limit, kind for 1 byte, kind for 1000 bytes)."""
    cdef zc_msg_t a, b
    zc_msg_init_size(&a, 1)
    zc_msg_init_size(&b, 1000)
    r = (sizeof(zc_msg_t), ZC_MSG_MAX_INLINE, a.kind, b.kind)
    zc_msg_close(&a)
    zc_msg_close(&b)
    return r
