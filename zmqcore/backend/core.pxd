# Declarations of the native core (include/zmqcore/*.h) for the Cython
# layer.  The headers hold the contracts and which thread owns what; these
# comments only add what a Cython caller must know.  Every function here
# may run without the GIL.

from libc.stdint cimport int64_t, uint8_t, uint64_t


cdef extern from "zmqcore/err.h" nogil:
    enum:
        ENOTSUP         # plain errno.h, missing from Cython's libc.errno
        EFSM
        ENOCOMPATPROTO
        ETERM
        EMTHREAD


cdef extern from "zmqcore/msg.h" nogil:
    ctypedef void (*zc_free_fn_ptr "zc_free_fn *")(void *data, void *hint) noexcept nogil

    ctypedef struct zc_msg_t:
        size_t size
        uint8_t kind
        uint8_t flags

    enum:
        ZC_MSG_MORE
        ZC_MSG_MAX_INLINE

    void zc_msg_init(zc_msg_t *m)
    int zc_msg_init_size(zc_msg_t *m, size_t size)       # -1: ENOMEM
    int zc_msg_init_external(zc_msg_t *m, void *data, size_t size,
                             zc_free_fn_ptr ffn, void *hint)
    unsigned char *zc_msg_data(zc_msg_t *m)
    size_t zc_msg_size(const zc_msg_t *m)
    int zc_msg_more(const zc_msg_t *m)
    void zc_msg_close(zc_msg_t *m)
    void zc_msg_copy(zc_msg_t *dst, const zc_msg_t *src)


cdef extern from "zmqcore/ctx.h" nogil:
    ctypedef struct zc_ctx_t:
        int max_sockets
    zc_ctx_t *zc_ctx_new(int io_threads)                 # NULL + errno
    int zc_ctx_term(zc_ctx_t *ctx)                       # -1: EINTR, call again
    void zc_ctx_destroy(zc_ctx_t *ctx)


cdef extern from "zmqcore/socket.h" nogil:
    ctypedef struct zc_pattern_t:
        int type

    ctypedef struct zc_options_t:
        int sndhwm, rcvhwm, linger, rcvtimeo, sndtimeo

    ctypedef struct zc_socket_t:
        const zc_pattern_t *pattern
        zc_options_t options
        int rcvmore
        void *deferred_wake
        int ctx_terminated

    enum:
        ZC_DONTWAIT
        ZC_SNDMORE
        ZC_POLLIN
        ZC_POLLOUT
        ZC_POLLERR

    ctypedef struct zc_pollitem_t:
        zc_socket_t *socket
        int fd
        short events
        short revents

    zc_socket_t *zc_socket_new(zc_ctx_t *ctx, int type)  # NULL + errno
    void zc_socket_close(zc_socket_t *s)
    int zc_socket_bind(zc_socket_t *s, const char *endpoint)
    int zc_socket_connect(zc_socket_t *s, const char *endpoint)
    int zc_socket_unbind(zc_socket_t *s, const char *endpoint)
    int zc_socket_disconnect(zc_socket_t *s, const char *endpoint)
    # On failure the message is still ours to close.
    int zc_socket_send(zc_socket_t *s, zc_msg_t *msg, int flags, int timeout_ms)
    void zc_socket_flush_wake(zc_socket_t *s)
    int zc_socket_recv(zc_socket_t *s, zc_msg_t *msg, int timeout_ms)
    int zc_socket_events(zc_socket_t *s)
    int zc_socket_fd(const zc_socket_t *s)
    int zc_poll(zc_pollitem_t *items, int n, long timeout_ms)
