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


cdef extern from "zmqcore/command.h" nogil:
    ctypedef enum zc_command_type_t:
        ZC_CMD_NONE
        ZC_CMD_STOP
        ZC_CMD_ACTIVATE_READ
        ZC_CMD_ACTIVATE_WRITE
        ZC_CMD_PIPE_TERM
        ZC_CMD_BIND
        ZC_CMD_HWM
        ZC_CMD_REAPED
        ZC_CMD_CALL

    ctypedef struct zc_command_t:
        zc_command_type_t type
        void *pipe                          # the receiver's pipe end
        uint64_t pipe_id
        uint64_t arg
        void (*fn)(void *) noexcept nogil   # ZC_CMD_CALL: run on the io thread
        void *fn_arg


cdef extern from "zmqcore/mailbox.h" nogil:
    ctypedef struct zc_mailbox_t:
        pass
    zc_mailbox_t *zc_mailbox_new()                       # NULL + errno
    void zc_mailbox_unref(zc_mailbox_t *mb)
    int zc_mailbox_send(zc_mailbox_t *mb, const zc_command_t *cmd)   # any thread
    int zc_mailbox_recv(zc_mailbox_t *mb, zc_command_t *cmd, int timeout_ms)
    int zc_mailbox_fd(const zc_mailbox_t *mb)


cdef extern from "zmqcore/pipe.h" nogil:
    ctypedef struct zc_pipe_t:
        uint64_t id
        uint64_t hwm
        uint64_t lwm
        int peer_terminated
    int zc_pipe_pair_new(zc_pipe_t **a, zc_pipe_t **b,
                         zc_mailbox_t *a_mailbox, zc_mailbox_t *b_mailbox,
                         uint64_t a_hwm, uint64_t b_hwm, uint64_t a_id, uint64_t b_id)
    int zc_pipe_check_read(zc_pipe_t *p)
    int zc_pipe_read(zc_pipe_t *p, zc_msg_t *msg)
    int zc_pipe_check_write(zc_pipe_t *p)
    int zc_pipe_write(zc_pipe_t *p, zc_msg_t *msg)
    void zc_pipe_flush(zc_pipe_t *p)
    int zc_pipe_process_activate_write(zc_pipe_t *p, uint64_t msgs_read)
    void zc_pipe_terminate(zc_pipe_t *p)


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
        unsigned char routing_id[255]
        int routing_id_len

    ctypedef struct zc_socket_stats_t:
        uint64_t msgs_in, bytes_in, msgs_out, bytes_out, dropped, peers, queued_out
        uint64_t direct_writes

    ctypedef struct zc_socket_t:
        const zc_pattern_t *pattern
        zc_options_t options
        int rcvmore
        char last_endpoint[256]
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
    int zc_socket_wake_pending(const zc_socket_t *s)
    int zc_socket_recv(zc_socket_t *s, zc_msg_t *msg, int timeout_ms)
    int zc_socket_events(zc_socket_t *s)
    void zc_socket_get_stats(zc_socket_t *s, zc_socket_stats_t *out)
    int zc_socket_fd(const zc_socket_t *s)
    int zc_poll(zc_pollitem_t *items, int n, long timeout_ms)
    int zc_socket_setopt_int(zc_socket_t *s, int option, int64_t value)
    int zc_socket_getopt_int(zc_socket_t *s, int option, int64_t *value)
    int zc_socket_setopt_bytes(zc_socket_t *s, int option, const void *value, size_t len)


cdef extern from "zmqcore/monitor.h" nogil:
    int zc_socket_monitor(zc_socket_t *s, const char *addr, int events)


cdef extern from "zmqcore/proxy.h" nogil:
    # Run state of one proxy; lives on the caller's stack across EINTR.
    ctypedef struct zc_proxy_t:
        int state
        uint64_t stats[8]
    void zc_proxy_init(zc_proxy_t *p, zc_socket_t *frontend, zc_socket_t *backend,
                       zc_socket_t *capture, zc_socket_t *control)
    int zc_proxy_set_prefixes(zc_proxy_t *p, const void *in_prefix, size_t in_len,
                              const void *out_prefix, size_t out_len)   # -1 ENOMEM
    # 0 after TERMINATE; -1 + errno (ETERM, EINTR: call again to go on, ...).
    int zc_proxy_run(zc_proxy_t *p)
    void zc_proxy_stop(zc_proxy_t *p)      # any thread: run returns ENOTSOCK
    void zc_proxy_fini(zc_proxy_t *p)


cdef extern from "zmqcore/options.h" nogil:
    int zc_options_set(zc_options_t *o, int option, const void *value, size_t len)


# ---------------------------------------------------------------------------
# ZMTP codec: decoder, encoder, greeting, commands/metadata
# (include/zmqcore/{decoder,encoder,greeting,metadata}.h).  One I/O thread
# owns a decoder/encoder; the greeting and metadata functions are pure.
# ---------------------------------------------------------------------------

from libc.stdint cimport uint16_t
from posix.uio cimport iovec

cdef extern from "zmqcore/msg.h" nogil:
    enum:
        ZC_MSG_COMMAND


cdef extern from "zmqcore/config.h" nogil:
    enum:
        ZC_IN_BATCH_SIZE
        ZC_OUT_BATCH_SIZE
        ZC_ENCODER_COPY_MAX


cdef extern from "zmqcore/decoder.h" nogil:
    enum:
        ZC_WIRE_MORE
        ZC_WIRE_LONG
        ZC_WIRE_COMMAND

    ctypedef struct zc_decoder_t:
        unsigned char *buf          # the batch buffer
        size_t bufsize
        int64_t maxmsgsize
        int msg_live                # a partial frame is held
        uint64_t frames             # frames completed
        uint64_t zero_copy_bytes    # body bytes read in place

    int zc_decoder_init(zc_decoder_t *d, size_t bufsize, int64_t maxmsgsize)
    void zc_decoder_fini(zc_decoder_t *d)
    # Where to read next; only after decode consumed all earlier input.
    void zc_decoder_get_buffer(zc_decoder_t *d, unsigned char **data, size_t *size)
    # 1 frame done (*consumed used), 0 all consumed, -1 errno (sticky).
    int zc_decoder_decode(zc_decoder_t *d, const unsigned char *data, size_t size,
                          size_t *consumed)
    # After decode returned 1 the frame is the caller's: move it out.
    zc_msg_t *zc_decoder_msg(zc_decoder_t *d)
    void zc_decoder_msg_taken(zc_decoder_t *d)
    int zc_decoder_idle(const zc_decoder_t *d)


cdef extern from "zmqcore/encoder.h" nogil:
    enum:
        ZC_ENCODER_HEADER_MAX

    ctypedef struct zc_encoder_t:
        unsigned char *batch
        size_t cap
        int has_large               # a body is pending by reference

    int zc_encoder_init(zc_encoder_t *e, size_t batch_size)
    void zc_encoder_fini(zc_encoder_t *e)
    void zc_encoder_set_copy_max(zc_encoder_t *e, size_t copy_max)
    int zc_encoder_has_room(const zc_encoder_t *e)
    void zc_encoder_add(zc_encoder_t *e, zc_msg_t *msg)     # takes msg
    int zc_encoder_add_raw(zc_encoder_t *e, const void *data, size_t len)
    int zc_encoder_iov(zc_encoder_t *e, iovec *iov, int max)
    void zc_encoder_advance(zc_encoder_t *e, size_t n)
    int zc_encoder_empty(const zc_encoder_t *e)
    size_t zc_encoder_pending(const zc_encoder_t *e)


cdef extern from "zmqcore/greeting.h" nogil:
    enum:
        ZC_GREETING_SIZE
        ZC_GREETING_SIGNATURE_SIZE
        ZC_ZMTP_MAJOR
        ZC_ZMTP_MINOR

    ctypedef struct zc_greeting_t:
        int major                   # -1 until seen
        int minor
        char mechanism[21]
        int as_server

    void zc_greeting_build(unsigned char *out, const char *mechanism, int as_server)
    void zc_greeting_build_ex(unsigned char *out, const char *mechanism,
                              int as_server, int minor, size_t identity_len)
    # 1 complete, 0 need more, -1 EPROTO
    int zc_greeting_parse(const unsigned char *buf, size_t len, zc_greeting_t *out)


cdef extern from "zmqcore/metadata.h" nogil:
    enum:
        ZC_PING_MAX_CONTEXT
        ZC_ERROR_MAX_REASON

    ctypedef struct zc_metadata_t:
        const unsigned char *socket_type    # into the parsed buffer; NULL if absent
        size_t socket_type_len
        const unsigned char *identity
        size_t identity_len
        int has_identity
        size_t properties

    # Builders return the size needed (snprintf style).
    size_t zc_command_build(unsigned char *out, size_t cap, const char *name,
                            const unsigned char *body, size_t body_len)
    int zc_command_msg(zc_msg_t *msg, const char *name,
                       const unsigned char *body, size_t body_len)
    int zc_command_name(const unsigned char *body, size_t len,
                        const unsigned char **name, size_t *name_len,
                        const unsigned char **data, size_t *data_len)
    int zc_command_is(const unsigned char *name, size_t name_len, const char *expected)
    size_t zc_property_build(unsigned char *out, size_t cap, const char *name,
                             const unsigned char *value, size_t value_len)
    int zc_metadata_build(unsigned char *out, size_t cap, const char *socket_type,
                          const unsigned char *identity, size_t identity_len,
                          int with_identity)
    int zc_metadata_next(const unsigned char *data, size_t len, size_t *pos,
                         const unsigned char **name, size_t *name_len,
                         const unsigned char **value, size_t *value_len)
    int zc_property_name_is(const unsigned char *name, size_t name_len,
                            const char *expected)
    int zc_metadata_parse(const unsigned char *data, size_t len, zc_metadata_t *out)
    int zc_socket_type_from_name(const unsigned char *name, size_t len)
    const char *zc_socket_type_name(int type)
    int zc_socket_types_compatible(int ours, int theirs)
    size_t zc_ping_build(unsigned char *out, size_t cap, uint16_t ttl_ds,
                         const unsigned char *context, size_t context_len)
    int zc_ping_parse(const unsigned char *data, size_t len, uint16_t *ttl_ds,
                      const unsigned char **context, size_t *context_len)
    size_t zc_pong_build(unsigned char *out, size_t cap,
                         const unsigned char *context, size_t context_len)
    size_t zc_error_build(unsigned char *out, size_t cap, const char *reason)
    int zc_error_parse(const unsigned char *data, size_t len,
                       const unsigned char **reason, size_t *reason_len)
    size_t zc_subscribe_build(unsigned char *out, size_t cap, int subscribe,
                              const unsigned char *topic, size_t topic_len)
