# Declarations of the core's poller, timers and io threads, to be merged into
# core.pxd.  Contracts and owning threads are in the headers; the comments
# here only say what a Cython caller needs to know.

from libc.stdint cimport int64_t, uint64_t


cdef extern from "zmqcore/poller.h" nogil:

    # Callbacks run on the poller's thread, inside zc_poller_wait(), without
    # the GIL: implement them as `cdef void f(void*) noexcept nogil`.
    ctypedef struct zc_poll_handler_t:
        void (*in_event)(void *arg) noexcept nogil
        void (*out_event)(void *arg) noexcept nogil
        void (*timer_event)(void *arg, int id) noexcept nogil
        void *arg                   # passed back to every callback

    ctypedef struct zc_poller_t:
        pass

    # Opaque; valid from add_fd until rm_fd.
    cdef struct zc_poll_entry:
        pass
    ctypedef zc_poll_entry *zc_poll_handle_t

    zc_poller_t *zc_poller_new()                        # NULL + errno
    void zc_poller_destroy(zc_poller_t *p)
    zc_poll_handle_t zc_poller_add_fd(zc_poller_t *p, int fd,
                                      zc_poll_handler_t *h)  # NULL + errno
    int zc_poller_rm_fd(zc_poller_t *p, zc_poll_handle_t handle)
    int zc_poller_set_pollin(zc_poller_t *p, zc_poll_handle_t handle)
    int zc_poller_reset_pollin(zc_poller_t *p, zc_poll_handle_t handle)
    int zc_poller_set_pollout(zc_poller_t *p, zc_poll_handle_t handle)
    int zc_poller_reset_pollout(zc_poller_t *p, zc_poll_handle_t handle)
    int zc_poller_add_timer(zc_poller_t *p, int timeout_ms,
                            zc_poll_handler_t *h, int id)   # -1 ENOMEM
    int zc_poller_cancel_timer(zc_poller_t *p, zc_poll_handler_t *h,
                               int id)                      # -1 ENOENT
    # Callbacks made, or -1 + errno (EINTR).  -1 = no limit but timers.
    int zc_poller_wait(zc_poller_t *p, int max_timeout_ms)
    int zc_poller_load(const zc_poller_t *p)            # any thread


cdef extern from "zmqcore/timers.h" nogil:

    ctypedef struct zc_timer_t:
        int64_t when                # due at this zc_clock_ms()
        uint64_t seq                # insertion order, breaks ties
        zc_poll_handler_t *handler
        int id

    ctypedef struct zc_timers_t:
        zc_timer_t *heap
        size_t count
        size_t cap
        uint64_t next_seq

    void zc_timers_init(zc_timers_t *t)
    void zc_timers_fini(zc_timers_t *t)
    int zc_timers_add(zc_timers_t *t, int64_t when, zc_poll_handler_t *h, int id)
    int zc_timers_cancel(zc_timers_t *t, zc_poll_handler_t *h, int id)
    int zc_timers_timeout(const zc_timers_t *t, int64_t now)   # -1: none
    int zc_timers_execute(zc_timers_t *t, int64_t now)         # number fired
    size_t zc_timers_count(const zc_timers_t *t)


cdef extern from "zmqcore/io_thread.h" nogil:

    ctypedef struct zc_io_thread_t:
        pass

    zc_io_thread_t *zc_io_thread_new()                  # NULL + errno
    int zc_io_thread_start(zc_io_thread_t *t)
    int zc_io_thread_stop(zc_io_thread_t *t)            # posts STOP, joins
    void zc_io_thread_destroy(zc_io_thread_t *t)
    zc_mailbox_t *zc_io_thread_mailbox(zc_io_thread_t *t)   # any thread
    zc_poller_t *zc_io_thread_poller(zc_io_thread_t *t)
    int zc_io_thread_load(const zc_io_thread_t *t)      # any thread


# The subset of command.h / mailbox.h that talking to an io thread needs.
# When merging into core.pxd, keep a single declaration of these names.
cdef extern from "zmqcore/command.h" nogil:

    ctypedef enum zc_command_type_t:
        ZC_CMD_NONE
        ZC_CMD_STOP
        ZC_CMD_CALL

    ctypedef struct zc_command_t:
        zc_command_type_t type
        uint64_t arg
        void (*fn)(void *) noexcept nogil   # ZC_CMD_CALL: run on the io thread
        void *fn_arg


cdef extern from "zmqcore/mailbox.h" nogil:

    ctypedef struct zc_mailbox_t:
        pass

    int zc_mailbox_send(zc_mailbox_t *mb, const zc_command_t *cmd)  # any thread
