# Tests of the poller, timers and io threads, included from _testing.pyx.
#
# The loops run in C with the GIL released.  Callbacks are C functions that
# record what happened into C structs (_PtLog) and perform the actions a test
# asks for (_PtObj.flags); the Python-visible functions then return the
# record as plain lists and dicts for tests/core/test_poller.py to check.
#
# Names: public helpers start with poller_ or io_thread_, everything private
# with _pt, and C names from system headers are renamed with a _pt prefix
# too, so this file cannot clash with the other includes of _testing.pyx.

from libc.errno cimport errno, EINTR
from libc.signal cimport SIGINT, SIGTERM
from libc.stdint cimport int64_t
from libc.stdlib cimport calloc, free
from libc.string cimport memset
from posix.fcntl cimport fcntl, F_GETFL, F_SETFL, O_NONBLOCK
from posix.signal cimport sigismember, SIG_BLOCK
from posix.types cimport sigset_t
from posix.unistd cimport close, pipe, read, usleep, write

from zmqcore.backend cimport core as _cio


cdef extern from "zmqcore/clock.h" nogil:
    int64_t _pt_clock_ms "zc_clock_ms" ()

cdef extern from "<pthread.h>" nogil:
    # Opaque to Cython; C sees the real pthread_t.
    ctypedef int _pt_thread_t "pthread_t"
    int _pt_thread_create "pthread_create" (
        _pt_thread_t *t, const void *attr,
        void *(*start)(void *) noexcept nogil, void *arg)
    int _pt_thread_join "pthread_join" (_pt_thread_t t, void **ret)
    _pt_thread_t _pt_thread_self "pthread_self" ()
    int _pt_thread_equal "pthread_equal" (_pt_thread_t a, _pt_thread_t b)
    int _pt_sigmask "pthread_sigmask" (int how, const sigset_t *s, sigset_t *old)

cdef extern from "<poll.h>" nogil:
    ctypedef struct _pt_pollfd "struct pollfd":
        int fd
        short events
        short revents
    enum: _PT_POLLIN "POLLIN"
    int _pt_poll "poll" (_pt_pollfd *fds, unsigned long n, int timeout)

cdef extern from "<sys/socket.h>" nogil:
    enum: _PT_AF_UNIX "AF_UNIX"
    enum: _PT_SOCK_STREAM "SOCK_STREAM"
    int _pt_socketpair "socketpair" (int domain, int type, int proto, int *sv)

cdef extern from *:
    """
    #if defined(ZC_POLLER_EPOLL)
    #define _PT_POLLER_NAME "epoll"
    #elif defined(ZC_POLLER_POLL)
    #define _PT_POLLER_NAME "poll"
    #else
    #define _PT_POLLER_NAME "unknown"
    #endif
    """
    const char *_PT_POLLER_NAME

cdef extern from "zmqcore/config.h":
    enum: _PT_MAX_EVENTS "ZC_POLLER_MAX_EVENTS"


cdef enum:
    _PT_LOG_CAP = 1024

    # event kinds recorded
    _PT_IN = 1
    _PT_OUT = 2
    _PT_TIMER = 3

    # _PtObj.flags: what a callback does besides recording
    _PT_READ = 1            # in_event reads the fd (result in last_read)
    _PT_RM_SELF_IN = 2      # in_event removes its own fd
    _PT_RM_SELF_OUT = 4     # out_event removes its own fd
    _PT_RM_SELF_EOF = 8     # in_event removes its own fd when read gives 0
    _PT_RM_GROUP = 16       # any fd event removes every fd of `group`
    _PT_REPLACE = 32        # ... closes them too, and registers `spare`
    _PT_RESET_OUT = 64      # out_event resets pollout
    _PT_REARM = 128         # timer_event re-adds the same timer, timeout 0
    _PT_CANCEL = 256        # timer `cancel_on` cancels timer `cancel_id`
    _PT_SIGNAL = 512        # every callback ends by writing 1 byte to signal_fd


cdef struct _PtEvent:
    int kind
    int who
    int id
    int64_t t_ms            # zc_clock_ms() when the callback ran

cdef struct _PtLog:
    int n                   # events seen (may exceed _PT_LOG_CAP)
    _PtEvent ev[_PT_LOG_CAP]

cdef struct _PtObj:
    _cio.zc_poll_handler_t h        # h.arg points back to this object
    _cio.zc_poller_t *poller
    _PtLog *log
    int who                         # recorded with each event
    int fd
    _cio.zc_poll_handle_t handle    # NULL while not registered
    int flags
    _PtObj *group                   # _PT_RM_GROUP / _PT_REPLACE
    int ngroup
    _PtObj *spare                   # _PT_REPLACE
    int spare_wfd                   # write end of the spare's pipe
    int cancel_on
    int cancel_id
    int cancel_rc
    int cancel_errno
    int last_read
    int signal_fd
    _pt_thread_t tid                # thread of the last callback


# --- callbacks (run on the poller's thread, no GIL) --------------------------

cdef void _pt_record(_PtObj *o, int kind, int id) noexcept nogil:
    cdef _PtLog *log = o.log
    if log.n < _PT_LOG_CAP:
        log.ev[log.n].kind = kind
        log.ev[log.n].who = o.who
        log.ev[log.n].id = id
        log.ev[log.n].t_ms = _pt_clock_ms()
    log.n += 1
    o.tid = _pt_thread_self()

cdef void _pt_signal(_PtObj *o) noexcept nogil:
    cdef char c = 120
    if o.flags & _PT_SIGNAL:
        write(o.signal_fd, &c, 1)

cdef void _pt_rm(_PtObj *o) noexcept nogil:
    if o.handle != NULL:
        _cio.zc_poller_rm_fd(o.poller, o.handle)
        o.handle = NULL

cdef int _pt_set_nonblock(int fd) noexcept nogil:
    return fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)

cdef void _pt_group_action(_PtObj *o) noexcept nogil:
    cdef int i
    cdef int fds[2]
    cdef char c = 120
    if o.flags & (_PT_RM_GROUP | _PT_REPLACE):
        for i in range(o.ngroup):
            _pt_rm(&o.group[i])
            if o.flags & _PT_REPLACE and o.group[i].fd >= 0:
                # Free the fd number so that the spare's pipe likely reuses
                # it while a stale event for it may still be in the batch.
                close(o.group[i].fd)
                o.group[i].fd = -1
    if o.flags & _PT_REPLACE and o.spare != NULL and o.spare.handle == NULL:
        if pipe(fds) == 0:
            _pt_set_nonblock(fds[0])
            write(fds[1], &c, 1)
            o.spare.fd = fds[0]
            o.spare_wfd = fds[1]
            o.spare.handle = _cio.zc_poller_add_fd(o.poller, fds[0], &o.spare.h)
            if o.spare.handle != NULL:
                _cio.zc_poller_set_pollin(o.poller, o.spare.handle)

cdef void _pt_in_event(void *arg) noexcept nogil:
    cdef _PtObj *o = <_PtObj *> arg
    cdef char buf[256]
    _pt_record(o, _PT_IN, 0)
    if o.flags & _PT_READ:
        o.last_read = <int> read(o.fd, buf, sizeof(buf))
        if o.last_read == 0 and o.flags & _PT_RM_SELF_EOF:
            _pt_rm(o)
    _pt_group_action(o)
    if o.flags & _PT_RM_SELF_IN:
        _pt_rm(o)
    _pt_signal(o)

cdef void _pt_out_event(void *arg) noexcept nogil:
    cdef _PtObj *o = <_PtObj *> arg
    _pt_record(o, _PT_OUT, 0)
    if o.flags & _PT_RESET_OUT:
        _cio.zc_poller_reset_pollout(o.poller, o.handle)
    _pt_group_action(o)
    if o.flags & _PT_RM_SELF_OUT:
        _pt_rm(o)
    _pt_signal(o)

cdef void _pt_timer_event(void *arg, int id) noexcept nogil:
    cdef _PtObj *o = <_PtObj *> arg
    _pt_record(o, _PT_TIMER, id)
    if o.flags & _PT_CANCEL and id == o.cancel_on:
        o.cancel_rc = _cio.zc_poller_cancel_timer(o.poller, &o.h, o.cancel_id)
        o.cancel_errno = errno if o.cancel_rc < 0 else 0
    if o.flags & _PT_REARM:
        _cio.zc_poller_add_timer(o.poller, 0, &o.h, id)
    _pt_signal(o)


# --- plumbing ----------------------------------------------------------------

cdef void _pt_obj_init(_PtObj *o, _cio.zc_poller_t *p, _PtLog *log, int who,
                       int fd, int flags) noexcept nogil:
    memset(o, 0, sizeof(_PtObj))
    o.h.in_event = _pt_in_event
    o.h.out_event = _pt_out_event
    o.h.timer_event = _pt_timer_event
    o.h.arg = o
    o.poller = p
    o.log = log
    o.who = who
    o.fd = fd
    o.flags = flags
    o.spare_wfd = -1
    o.signal_fd = -1

cdef int _pt_register(_PtObj *o, bint pollin, bint pollout) except -1:
    o.handle = _cio.zc_poller_add_fd(o.poller, o.fd, &o.h)
    if o.handle == NULL:
        raise OSError(errno, "zc_poller_add_fd")
    if pollin and _cio.zc_poller_set_pollin(o.poller, o.handle) < 0:
        raise OSError(errno, "zc_poller_set_pollin")
    if pollout and _cio.zc_poller_set_pollout(o.poller, o.handle) < 0:
        raise OSError(errno, "zc_poller_set_pollout")
    return 0

cdef _cio.zc_poller_t *_pt_poller_new() except NULL:
    cdef _cio.zc_poller_t *p = _cio.zc_poller_new()
    if p == NULL:
        raise OSError(errno, "zc_poller_new")
    return p

cdef _PtLog *_pt_log_new() except NULL:
    cdef _PtLog *log = <_PtLog *> calloc(1, sizeof(_PtLog))
    if log == NULL:
        raise MemoryError()
    return log

cdef int _pt_pipe(int fds[2]) except -1:
    if pipe(fds) < 0:
        raise OSError(errno, "pipe")
    _pt_set_nonblock(fds[0])
    return 0

cdef int _pt_wait(_cio.zc_poller_t *p, int max_timeout_ms) except? -2:
    """One zc_poller_wait, retried on EINTR; raises on other errors."""
    cdef int rc
    while True:
        with nogil:
            rc = _cio.zc_poller_wait(p, max_timeout_ms)
        if rc >= 0:
            return rc
        if errno != EINTR:
            raise OSError(errno, "zc_poller_wait")

cdef int _pt_run_until(_cio.zc_poller_t *p, _PtLog *log, int n_events,
                       int64_t deadline) noexcept nogil:
    """Turns the loop until `log` holds n_events or the deadline passes.
    Returns the sum of zc_poller_wait results, or -1 on an error."""
    cdef int64_t left
    cdef int rc, calls = 0
    while log.n < n_events:
        left = deadline - _pt_clock_ms()
        if left <= 0:
            break
        rc = _cio.zc_poller_wait(p, <int> (left if left < 100 else 100))
        if rc < 0:
            if errno == EINTR:
                continue
            return -1
        calls += rc
    return calls

cdef int _pt_wait_byte(int fd, int timeout_ms) noexcept nogil:
    """Waits up to timeout_ms for a byte on fd and eats it: 1, or 0."""
    cdef _pt_pollfd pfd
    cdef char c
    cdef int64_t deadline = _pt_clock_ms() + timeout_ms
    cdef int64_t left
    while True:
        if read(fd, &c, 1) == 1:
            return 1
        left = deadline - _pt_clock_ms()
        if left <= 0:
            return 0
        pfd.fd = fd
        pfd.events = _PT_POLLIN
        pfd.revents = 0
        _pt_poll(&pfd, 1, <int> left)

cdef str _pt_kind_name(int kind):
    return {_PT_IN: "in", _PT_OUT: "out", _PT_TIMER: "timer"}.get(kind, "?")

cdef list _pt_log_list(_PtLog *log, int64_t t0):
    """[(kind, who, id, ms since t0)] in the order the callbacks ran."""
    cdef int i
    return [(_pt_kind_name(log.ev[i].kind), log.ev[i].who, log.ev[i].id,
             log.ev[i].t_ms - t0)
            for i in range(min(log.n, _PT_LOG_CAP))]


# --- poller tests ------------------------------------------------------------

def poller_backend():
    """The poller compiled in ("epoll" or "poll") and ZC_POLLER_MAX_EVENTS."""
    return (<bytes> _PT_POLLER_NAME).decode(), <int> _PT_MAX_EVENTS


def poller_wait_timeout(int timeout_ms, bint with_idle_fd=False):
    """zc_poller_wait(timeout_ms) on a poller with nothing ready (optionally
    one registered, idle fd).  Returns (rc, elapsed ms)."""
    cdef _cio.zc_poller_t *p = _pt_poller_new()
    cdef _PtLog *log = NULL
    cdef _PtObj obj
    cdef int fds[2]
    cdef int64_t t0
    cdef int rc
    fds[0] = fds[1] = -1
    try:
        log = _pt_log_new()
        if with_idle_fd:
            _pt_pipe(fds)
            _pt_obj_init(&obj, p, log, 0, fds[0], _PT_READ)
            _pt_register(&obj, True, False)
        t0 = _pt_clock_ms()
        rc = _pt_wait(p, timeout_ms)
        return rc, _pt_clock_ms() - t0
    finally:
        _cio.zc_poller_destroy(p)
        free(log)
        if fds[0] >= 0:
            close(fds[0])
            close(fds[1])


def poller_timers(timeouts, cancel=(), cancel_on=None):
    """Arms timer i (id i) with timeouts[i] ms on one handler, then cancels
    the ids in `cancel` at once.  cancel_on=(a, b): when timer a fires, its
    callback cancels timer b.  Then turns the loop until every due time has
    passed, plus one last non-blocking turn.

    Returns a dict:
      order      ids in firing order
      elapsed    ms from just before arming to each firing, same order
      cancel_rc  [(rc, errno)] of the up-front cancels
      cancel_cb  (rc, errno) of the cancel made in a callback, or None
      calls      sum of zc_poller_wait() results
    """
    timeouts = [int(t) for t in timeouts]
    cdef _cio.zc_poller_t *p = _pt_poller_new()
    cdef _PtLog *log = NULL
    cdef _PtObj obj
    cdef int64_t t0, end
    cdef int i, rc, calls = 0
    cancel_rc = []
    try:
        log = _pt_log_new()
        flags = _PT_CANCEL if cancel_on is not None else 0
        _pt_obj_init(&obj, p, log, 0, -1, flags)
        if cancel_on is not None:
            obj.cancel_on, obj.cancel_id = cancel_on
        t0 = _pt_clock_ms()
        for i in range(len(timeouts)):
            if _cio.zc_poller_add_timer(p, timeouts[i], &obj.h, i) < 0:
                raise OSError(errno, "zc_poller_add_timer")
        for i in cancel:
            rc = _cio.zc_poller_cancel_timer(p, &obj.h, i)
            cancel_rc.append((rc, errno if rc < 0 else 0))
        end = t0 + (max(timeouts) if timeouts else 0)
        while _pt_clock_ms() < end:
            calls += _pt_wait(p, 100)
        calls += _pt_wait(p, 0)
        events = _pt_log_list(log, t0)
        return {
            "order": [e[2] for e in events],
            "elapsed": [e[3] for e in events],
            "cancel_rc": cancel_rc,
            "cancel_cb": ((obj.cancel_rc, obj.cancel_errno)
                          if cancel_on is not None else None),
            "calls": calls,
        }
    finally:
        _cio.zc_poller_destroy(p)
        free(log)


def poller_timer_rearm(int turns):
    """A timer whose callback re-arms itself with timeout 0.  Returns the
    results of `turns` calls of zc_poller_wait(0): a timer added by a timer
    callback must wait for the next call, so each call fires exactly one."""
    cdef _cio.zc_poller_t *p = _pt_poller_new()
    cdef _PtLog *log = NULL
    cdef _PtObj obj
    try:
        log = _pt_log_new()
        _pt_obj_init(&obj, p, log, 0, -1, _PT_REARM)
        if _cio.zc_poller_add_timer(p, 0, &obj.h, 7) < 0:
            raise OSError(errno, "zc_poller_add_timer")
        results = [_pt_wait(p, 0) for _ in range(turns)]
        return results, [e[2] for e in _pt_log_list(log, 0)]
    finally:
        _cio.zc_poller_destroy(p)
        free(log)


def timers_run(ops):
    """Drives a bare zc_timers_t (no poller, no clock) through `ops`:
      ("add", when, id)    zc_timers_add(when, id)      -> None
      ("cancel", id)       zc_timers_cancel(id)         -> rc
      ("timeout", now)     zc_timers_timeout(now)       -> ms or -1
      ("execute", now)     zc_timers_execute(now)       -> ids fired, in order
    Returns one result per op, for comparison with a model in Python."""
    cdef _cio.zc_timers_t timers
    cdef _PtLog *log = _pt_log_new()
    cdef _PtObj obj
    cdef int before, n
    _pt_obj_init(&obj, NULL, log, 0, -1, 0)
    _cio.zc_timers_init(&timers)
    results = []
    try:
        for op in ops:
            if op[0] == "add":
                if _cio.zc_timers_add(&timers, op[1], &obj.h, op[2]) < 0:
                    raise MemoryError()
                results.append(None)
            elif op[0] == "cancel":
                results.append(_cio.zc_timers_cancel(&timers, &obj.h, op[1]))
            elif op[0] == "timeout":
                results.append(_cio.zc_timers_timeout(&timers, op[1]))
            elif op[0] == "execute":
                before = log.n
                n = _cio.zc_timers_execute(&timers, op[1])
                fired = [e[2] for e in _pt_log_list(log, 0)[before:]]
                if n != len(fired):
                    raise AssertionError("execute returned %d, fired %d" % (n, len(fired)))
                results.append(fired)
            else:
                raise ValueError(op[0])
        return results
    finally:
        _cio.zc_timers_fini(&timers)
        free(log)


cdef struct _PtWriter:
    int fd
    int64_t at_ms           # write once zc_clock_ms() reaches this
    int64_t wrote_ms

cdef void *_pt_writer_main(void *arg) noexcept nogil:
    cdef _PtWriter *w = <_PtWriter *> arg
    cdef char c = 120
    while _pt_clock_ms() < w.at_ms:
        usleep(1000)
    w.wrote_ms = _pt_clock_ms()
    write(w.fd, &c, 1)
    return NULL


def poller_pipe_readable(int delay_ms):
    """Registers a pipe's read end for pollin; another pthread writes one
    byte once delay_ms have passed.  Turns the loop (GIL released) until
    in_event fires or 2 s after that.

    Returns a dict: events [(kind, who, id, ms since start)], wrote (ms since
    start of the write), read (what in_event's read returned),
    same_thread (in_event ran on the thread calling zc_poller_wait),
    after (zc_poller_wait(0) once the byte was read: nothing left)."""
    cdef _cio.zc_poller_t *p = _pt_poller_new()
    cdef _PtLog *log = NULL
    cdef _PtObj obj
    cdef _PtWriter w
    cdef _pt_thread_t th
    cdef int fds[2]
    cdef int64_t t0
    cdef int rc
    cdef bint started = False
    fds[0] = fds[1] = -1
    try:
        log = _pt_log_new()
        _pt_pipe(fds)
        _pt_obj_init(&obj, p, log, 0, fds[0], _PT_READ)
        _pt_register(&obj, True, False)
        t0 = _pt_clock_ms()
        w.fd = fds[1]
        w.at_ms = t0 + delay_ms
        w.wrote_ms = -1
        rc = _pt_thread_create(&th, NULL, _pt_writer_main, &w)
        if rc != 0:
            raise OSError(rc, "pthread_create")
        started = True
        with nogil:
            rc = _pt_run_until(p, log, 1, t0 + delay_ms + 2000)
            _pt_thread_join(th, NULL)
        started = False
        if rc < 0:
            raise OSError(errno, "zc_poller_wait")
        return {
            "events": _pt_log_list(log, t0),
            "wrote": w.wrote_ms - t0,
            "read": obj.last_read,
            "same_thread": bool(log.n and _pt_thread_equal(obj.tid, _pt_thread_self())),
            "after": _pt_wait(p, 0),
        }
    finally:
        if started:
            with nogil:
                _pt_thread_join(th, NULL)
        _cio.zc_poller_destroy(p)
        free(log)
        if fds[0] >= 0:
            close(fds[0])
            close(fds[1])


def poller_hangup(bint pollin):
    """Registers a pipe's read end (pollin set or not), closes the write end
    and turns the loop until in_event fires or 2 s pass.  in_event reads and
    removes the fd at EOF.  Returns (kinds of events, last read, load)."""
    cdef _cio.zc_poller_t *p = _pt_poller_new()
    cdef _PtLog *log = NULL
    cdef _PtObj obj
    cdef int fds[2]
    cdef int rc
    fds[0] = fds[1] = -1
    try:
        log = _pt_log_new()
        _pt_pipe(fds)
        _pt_obj_init(&obj, p, log, 0, fds[0], _PT_READ | _PT_RM_SELF_EOF)
        _pt_register(&obj, pollin, False)
        close(fds[1])
        fds[1] = -1
        with nogil:
            rc = _pt_run_until(p, log, 1, _pt_clock_ms() + 2000)
        if rc < 0:
            raise OSError(errno, "zc_poller_wait")
        return ([e[0] for e in _pt_log_list(log, 0)], obj.last_read,
                _cio.zc_poller_load(p))
    finally:
        _cio.zc_poller_destroy(p)
        free(log)
        for fd in (fds[0], fds[1]):
            if fd >= 0:
                close(fd)


def poller_pollout():
    """Walks one end of a socketpair through interest changes; after each
    step records (step, zc_poller_wait result, kinds of the new events).
    Steps: set_pollout; again (level-triggered); reset_pollout; set_pollin
    with nothing to read; peer writes; again (the byte was read)."""
    cdef _cio.zc_poller_t *p = _pt_poller_new()
    cdef _PtLog *log = NULL
    cdef _PtObj obj
    cdef int sv[2]
    cdef char c = 120
    sv[0] = sv[1] = -1
    steps = []

    def step(name, int timeout):
        cdef int before = log.n
        rc = _pt_wait(p, timeout)
        kinds = [e[0] for e in _pt_log_list(log, 0)[before:]]
        steps.append((name, rc, kinds))

    try:
        log = _pt_log_new()
        if _pt_socketpair(_PT_AF_UNIX, _PT_SOCK_STREAM, 0, sv) < 0:
            raise OSError(errno, "socketpair")
        _pt_set_nonblock(sv[0])
        _pt_obj_init(&obj, p, log, 0, sv[0], _PT_READ)
        _pt_register(&obj, False, False)
        step("none", 0)
        _cio.zc_poller_set_pollout(p, obj.handle)
        step("pollout", 0)
        step("pollout again", 0)
        _cio.zc_poller_reset_pollout(p, obj.handle)
        step("reset pollout", 0)
        _cio.zc_poller_set_pollin(p, obj.handle)
        step("pollin idle", 0)
        write(sv[1], &c, 1)
        step("pollin data", 1000)
        step("pollin drained", 0)
        _cio.zc_poller_reset_pollin(p, obj.handle)
        write(sv[1], &c, 1)
        step("reset pollin, data", 0)
        return steps
    finally:
        _cio.zc_poller_destroy(p)
        free(log)
        for fd in (sv[0], sv[1]):
            if fd >= 0:
                close(fd)


cdef class _PtPipes:
    """n pipes, each with one byte waiting, and an object per read end;
    everything is freed with the Python object."""
    cdef int n
    cdef int *fds           # 2n: read, write
    cdef _PtObj *objs
    cdef _PtLog *log
    cdef _cio.zc_poller_t *p

    def __cinit__(self, int n, int flags):
        cdef int i
        cdef char c = 120
        self.p = _pt_poller_new()
        self.log = _pt_log_new()
        self.fds = <int *> calloc(2 * n, sizeof(int))
        self.objs = <_PtObj *> calloc(n, sizeof(_PtObj))
        if self.fds == NULL or self.objs == NULL:
            raise MemoryError()
        for i in range(2 * n):
            self.fds[i] = -1
        for i in range(n):
            _pt_pipe(&self.fds[2 * i])
            _pt_obj_init(&self.objs[i], self.p, self.log, i, self.fds[2 * i], flags)
            self.n = i + 1      # from here on __dealloc__ closes this pipe
            write(self.fds[2 * i + 1], &c, 1)
            self.objs[i].group = self.objs
            self.objs[i].ngroup = n
            _pt_register(&self.objs[i], True, False)

    def __dealloc__(self):
        cdef int i
        if self.p != NULL:
            _cio.zc_poller_destroy(self.p)
        for i in range(self.n):
            # _PT_REPLACE closes read ends itself and marks them -1.
            if self.objs[i].fd >= 0:
                close(self.objs[i].fd)
            close(self.fds[2 * i + 1])
        free(self.fds)
        free(self.objs)
        free(self.log)


def poller_rm_in_batch(int n):
    """n readable pipes; whichever in_event runs first removes all n fds.
    Returns (first wait result, second wait(0) result, events, load)."""
    cdef _PtPipes pp = _PtPipes(n, _PT_READ | _PT_RM_GROUP)
    first = _pt_wait(pp.p, 1000)
    second = _pt_wait(pp.p, 0)
    return first, second, _pt_log_list(pp.log, 0), _cio.zc_poller_load(pp.p)


def poller_rm_replace_in_batch(int n):
    """n readable pipes; the first in_event removes and closes all of them,
    then registers a new readable pipe (who=1000), which likely reuses a
    closed fd number while stale events for it may sit in the batch.
    Returns the results of three wait calls and the events."""
    cdef _PtPipes pp = _PtPipes(n, _PT_READ | _PT_REPLACE)
    cdef _PtObj spare
    _pt_obj_init(&spare, pp.p, pp.log, 1000, -1, _PT_READ | _PT_RM_SELF_IN)
    for i in range(n):
        pp.objs[i].spare = &spare
    try:
        waits = [_pt_wait(pp.p, 1000), _pt_wait(pp.p, 1000), _pt_wait(pp.p, 0)]
        return waits, _pt_log_list(pp.log, 0), _cio.zc_poller_load(pp.p)
    finally:
        # Whichever object ran the replacement owns the spare's write end.
        _pt_rm(&spare)
        for i in range(n):
            if pp.objs[i].spare_wfd >= 0:
                close(pp.objs[i].spare_wfd)
        if spare.fd >= 0:
            close(spare.fd)


def poller_rm_self_in_out():
    """One end of a socketpair, readable and writable, with pollin and
    pollout set; each callback removes the fd.  Returns (wait result,
    kinds of events, wait(0) result afterwards, load)."""
    cdef _cio.zc_poller_t *p = _pt_poller_new()
    cdef _PtLog *log = NULL
    cdef _PtObj obj
    cdef int sv[2]
    cdef char c = 120
    sv[0] = sv[1] = -1
    try:
        log = _pt_log_new()
        if _pt_socketpair(_PT_AF_UNIX, _PT_SOCK_STREAM, 0, sv) < 0:
            raise OSError(errno, "socketpair")
        _pt_set_nonblock(sv[0])
        write(sv[1], &c, 1)
        _pt_obj_init(&obj, p, log, 0, sv[0],
                     _PT_READ | _PT_RM_SELF_IN | _PT_RM_SELF_OUT)
        _pt_register(&obj, True, True)
        first = _pt_wait(p, 1000)
        kinds = [e[0] for e in _pt_log_list(log, 0)]
        return first, kinds, _pt_wait(p, 0), _cio.zc_poller_load(p)
    finally:
        _cio.zc_poller_destroy(p)
        free(log)
        for fd in (sv[0], sv[1]):
            if fd >= 0:
                close(fd)


def poller_many(int n):
    """n readable pipes, each in_event reads and removes its own fd.  Turns
    zc_poller_wait(0) until all fired (at most n + 10 turns).
    Returns (results of each wait, distinct `who`s that fired, events, load)."""
    cdef _PtPipes pp = _PtPipes(n, _PT_READ | _PT_RM_SELF_IN)
    waits = []
    while pp.log.n < n and len(waits) < n + 10:
        waits.append(_pt_wait(pp.p, 1000))
    events = _pt_log_list(pp.log, 0)
    return waits, len({e[1] for e in events}), len(events), _cio.zc_poller_load(pp.p)


def poller_load_and_errors():
    """Returns (loads after: new, 3 adds, 1 removal, 2 more removals;
    errno of add_fd(-1); (rc, errno) of cancelling a timer never added)."""
    cdef _cio.zc_poller_t *p = _pt_poller_new()
    cdef _PtLog *log = NULL
    cdef _PtObj objs[3]
    cdef _PtObj bad
    cdef int fds[6]
    cdef int i, rc
    for i in range(6):
        fds[i] = -1
    try:
        log = _pt_log_new()
        loads = [_cio.zc_poller_load(p)]
        for i in range(3):
            _pt_pipe(&fds[2 * i])
            _pt_obj_init(&objs[i], p, log, i, fds[2 * i], 0)
            _pt_register(&objs[i], True, False)
        loads.append(_cio.zc_poller_load(p))
        _pt_rm(&objs[1])
        loads.append(_cio.zc_poller_load(p))
        _pt_rm(&objs[0])
        _pt_rm(&objs[2])
        loads.append(_cio.zc_poller_load(p))
        _pt_obj_init(&bad, p, log, 9, -1, 0)
        errno_bad = 0
        if _cio.zc_poller_add_fd(p, -1, &bad.h) == NULL:
            errno_bad = errno
        rc = _cio.zc_poller_cancel_timer(p, &bad.h, 1)
        return loads, errno_bad, (rc, errno if rc < 0 else 0)
    finally:
        _cio.zc_poller_destroy(p)
        free(log)
        for i in range(6):
            if fds[i] >= 0:
                close(fds[i])


# --- io thread tests ---------------------------------------------------------

cdef enum:
    _PT_CALL_RECORD = 0     # record only
    _PT_CALL_ADD_FD = 1     # register ctx.obj's fd for pollin in the io poller
    _PT_CALL_RM_FD = 2      # remove it
    _PT_CALL_TIMER = 3      # add a timer of `seq` ms on ctx.obj

cdef struct _PtIo:
    _cio.zc_io_thread_t *io
    int done_r, done_w      # CALLs with `notify` write a byte to done_w
    _pt_thread_t io_tid
    int calls               # CALLs run (written by the io thread only)
    int nseq
    int seq[_PT_LOG_CAP]    # `seq` of each CALL, in the order run
    int sig_blocked         # SIGINT and SIGTERM blocked on the io thread
    int add_rc
    _PtObj obj
    _PtLog log

cdef struct _PtCall:
    _PtIo *ctx
    int seq
    int notify
    int action

cdef void _pt_io_call(void *arg) noexcept nogil:
    cdef _PtCall *a = <_PtCall *> arg
    cdef _PtIo *c = a.ctx
    cdef sigset_t s
    cdef char b = 120
    c.io_tid = _pt_thread_self()
    c.calls += 1
    if c.nseq < _PT_LOG_CAP:
        c.seq[c.nseq] = a.seq
    c.nseq += 1
    if _pt_sigmask(SIG_BLOCK, NULL, &s) == 0:
        c.sig_blocked = sigismember(&s, SIGINT) == 1 and sigismember(&s, SIGTERM) == 1
    if a.action == _PT_CALL_ADD_FD:
        c.obj.handle = _cio.zc_poller_add_fd(c.obj.poller, c.obj.fd, &c.obj.h)
        c.add_rc = -1 if c.obj.handle == NULL else 0
        if c.obj.handle != NULL:
            _cio.zc_poller_set_pollin(c.obj.poller, c.obj.handle)
    elif a.action == _PT_CALL_RM_FD:
        _pt_rm(&c.obj)
    elif a.action == _PT_CALL_TIMER:
        c.add_rc = _cio.zc_poller_add_timer(c.obj.poller, a.seq, &c.obj.h, 5)
    if a.notify:
        write(c.done_w, &b, 1)

cdef int _pt_post(_PtIo *c, _PtCall *a) noexcept nogil:
    cdef _cio.zc_command_t cmd
    memset(&cmd, 0, sizeof(cmd))
    cmd.type = _cio.ZC_CMD_CALL
    cmd.fn = _pt_io_call
    cmd.fn_arg = a
    return _cio.zc_mailbox_send(_cio.zc_io_thread_mailbox(c.io), &cmd)


cdef class _PtIoThread:
    """An io thread plus the context its CALLs record into."""
    cdef _PtIo *c
    cdef _PtCall *calls
    cdef int ncalls

    def __cinit__(self, int ncalls, bint start=True):
        cdef int fds[2]
        self.c = <_PtIo *> calloc(1, sizeof(_PtIo))
        self.calls = <_PtCall *> calloc(ncalls if ncalls > 0 else 1, sizeof(_PtCall))
        if self.c == NULL or self.calls == NULL:
            raise MemoryError()
        self.ncalls = ncalls
        self.c.done_r = self.c.done_w = -1
        self.c.obj.fd = -1
        _pt_pipe(fds)
        self.c.done_r, self.c.done_w = fds[0], fds[1]
        self.c.io = _cio.zc_io_thread_new()
        if self.c.io == NULL:
            raise OSError(errno, "zc_io_thread_new")
        for i in range(ncalls):
            self.calls[i].ctx = self.c
            self.calls[i].seq = i
        if start and _cio.zc_io_thread_start(self.c.io) < 0:
            raise OSError(errno, "zc_io_thread_start")

    def __dealloc__(self):
        if self.c != NULL:
            # Stops and joins the thread before anything it uses is freed.
            _cio.zc_io_thread_destroy(self.c.io)
            if self.c.done_r >= 0:
                close(self.c.done_r)
                close(self.c.done_w)
            if self.c.obj.fd >= 0:
                close(self.c.obj.fd)
            free(self.c)
        free(self.calls)

    cdef int post(self, int i, int notify, int action) except -1:
        self.calls[i].notify = notify
        self.calls[i].action = action
        if _pt_post(self.c, &self.calls[i]) < 0:
            raise OSError(errno, "zc_mailbox_send")
        return 0

    cdef bint wait_done(self, int timeout_ms):
        cdef int got
        with nogil:
            got = _pt_wait_byte(self.c.done_r, timeout_ms)
        return got == 1

    cdef list seqs(self):
        return [self.c.seq[i] for i in range(min(self.c.nseq, _PT_LOG_CAP))]


def io_thread_roundtrip():
    """Start an io thread, post one CALL and wait for it, then stop twice and
    try to start again.  Returns a dict of what was observed."""
    cdef _PtIoThread t
    cdef sigset_t before, after
    _pt_sigmask(SIG_BLOCK, NULL, &before)
    t = _PtIoThread(1)
    _pt_sigmask(SIG_BLOCK, NULL, &after)
    load = _cio.zc_io_thread_load(t.c.io)
    t.post(0, 1, _PT_CALL_RECORD)
    done = t.wait_done(2000)
    cdef int rc1, rc2, rc3
    with nogil:
        rc1 = _cio.zc_io_thread_stop(t.c.io)
        rc2 = _cio.zc_io_thread_stop(t.c.io)
    rc3 = _cio.zc_io_thread_start(t.c.io)
    start_again = (rc3, errno if rc3 < 0 else 0)
    return {
        "done": done,
        "calls": t.c.calls,
        "other_thread": bool(t.c.calls and not _pt_thread_equal(t.c.io_tid, _pt_thread_self())),
        "signals_blocked": bool(t.c.sig_blocked),
        "caller_mask_kept": (sigismember(&before, SIGINT) == sigismember(&after, SIGINT)
                             and sigismember(&before, SIGTERM) == sigismember(&after, SIGTERM)),
        "load": load,
        "stop": (rc1, rc2),
        "start_again": start_again,
    }


def io_thread_wakeups(int n, int gap_ms, bint sync=True):
    """Posts n CALLs.  sync: wait for each to run (then sleep gap_ms, so the
    io thread is idle in its poller when the next one is posted).  Otherwise
    post them all at once and wait for the last.  Then stop.
    Returns (all waits succeeded, CALL seqs in the order they ran)."""
    cdef _PtIoThread t = _PtIoThread(n)
    cdef int i
    ok = True
    for i in range(n):
        t.post(i, 1 if (sync or i == n - 1) else 0, _PT_CALL_RECORD)
        if sync:
            ok = t.wait_done(2000) and ok
            if gap_ms:
                with nogil:
                    usleep(gap_ms * 1000)
    if not sync and n:
        ok = t.wait_done(2000)
    with nogil:
        _cio.zc_io_thread_stop(t.c.io)
    return ok, t.seqs()


cdef struct _PtPoster:
    _PtIo *ctx
    _PtCall *calls
    int n
    int failures

cdef void *_pt_poster_main(void *arg) noexcept nogil:
    cdef _PtPoster *ps = <_PtPoster *> arg
    cdef int i
    for i in range(ps.n):
        if _pt_post(ps.ctx, &ps.calls[i]) < 0:
            ps.failures += 1
    return NULL


def io_thread_posters(int nthreads, int per_thread):
    """nthreads pthreads post per_thread CALLs each, concurrently (CALL k of
    poster j has seq j * per_thread + k).  After joining them, stop the io
    thread (which runs every command posted before STOP).
    Returns (post failures, CALL seqs in the order they ran)."""
    if nthreads * per_thread > _PT_LOG_CAP or nthreads > 64:
        raise ValueError("too many calls")
    cdef _PtIoThread t = _PtIoThread(nthreads * per_thread)
    cdef _PtPoster posters[64]
    cdef _pt_thread_t ths[64]
    cdef int j, started = 0, failures = 0
    for j in range(nthreads):
        posters[j].ctx = t.c
        posters[j].calls = &t.calls[j * per_thread]
        posters[j].n = per_thread
        posters[j].failures = 0
    with nogil:
        for j in range(nthreads):
            if _pt_thread_create(&ths[j], NULL, _pt_poster_main, &posters[j]) != 0:
                break
            started += 1
        for j in range(started):
            _pt_thread_join(ths[j], NULL)
        _cio.zc_io_thread_stop(t.c.io)
    if started != nthreads:
        raise OSError("pthread_create failed")
    for j in range(nthreads):
        failures += posters[j].failures
    return failures, t.seqs()


def io_thread_fd_and_timer(int timer_ms):
    """On a running io thread: a CALL registers a pipe's read end in the io
    thread's poller; the caller writes to the pipe; in_event (on the io
    thread) reads and signals back.  Then a CALL arms a timer of timer_ms,
    and a CALL removes the fd.  Returns a dict of what was observed."""
    cdef _PtIoThread t = _PtIoThread(3)
    cdef int fds[2]
    cdef char c = 120
    cdef int64_t t0
    _pt_pipe(fds)
    t.c.obj.fd = fds[0]
    _pt_obj_init(&t.c.obj, _cio.zc_io_thread_poller(t.c.io), &t.c.log, 3,
                 fds[0], _PT_READ | _PT_SIGNAL)
    t.c.obj.signal_fd = t.c.done_w
    try:
        t.post(0, 1, _PT_CALL_ADD_FD)
        added = t.wait_done(2000)
        load_added = _cio.zc_io_thread_load(t.c.io)
        write(fds[1], &c, 1)
        readable = t.wait_done(2000)
        read_result = t.c.obj.last_read
        in_on_io = bool(t.c.log.n and _pt_thread_equal(t.c.obj.tid, t.c.io_tid))
        t0 = _pt_clock_ms()
        t.calls[1].seq = timer_ms
        t.post(1, 1, _PT_CALL_TIMER)
        armed = t.wait_done(2000)
        fired = t.wait_done(timer_ms + 2000)
        timer_elapsed = _pt_clock_ms() - t0
        t.post(2, 1, _PT_CALL_RM_FD)
        removed = t.wait_done(2000)
        load_removed = _cio.zc_io_thread_load(t.c.io)
        with nogil:
            _cio.zc_io_thread_stop(t.c.io)
        events = _pt_log_list(&t.c.log, t0)
        return {
            "added": added and t.c.add_rc == 0,
            "load_added": load_added,
            "readable": readable,
            "read": read_result,
            "in_on_io_thread": in_on_io,
            "armed": armed,
            "fired": fired,
            "timer_elapsed": timer_elapsed,
            "timer_event": [e for e in events if e[0] == "timer"],
            "removed": removed,
            "load_removed": load_removed,
        }
    finally:
        close(fds[1])
        # fds[0] is closed with t (t.c.obj.fd), after the thread is joined.


def io_thread_lifecycle():
    """Creating and destroying io threads in each state must not hang or
    leak.  Returns (stop rc without start, stop rc twice after start)."""
    cdef _cio.zc_io_thread_t *io
    io = _cio.zc_io_thread_new()
    if io == NULL:
        raise OSError(errno, "zc_io_thread_new")
    _cio.zc_io_thread_destroy(io)                # never started
    io = _cio.zc_io_thread_new()
    if io == NULL:
        raise OSError(errno, "zc_io_thread_new")
    no_start = _cio.zc_io_thread_stop(io)
    _cio.zc_io_thread_destroy(io)
    io = _cio.zc_io_thread_new()
    if io == NULL:
        raise OSError(errno, "zc_io_thread_new")
    if _cio.zc_io_thread_start(io) < 0:
        _cio.zc_io_thread_destroy(io)
        raise OSError(errno, "zc_io_thread_start")
    with nogil:
        _cio.zc_io_thread_destroy(io)            # destroy stops and joins
    return no_start
