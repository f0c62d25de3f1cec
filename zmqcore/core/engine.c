/*  The ZMTP 3.1 stream engine; see engine.h. */
#include "zmqcore/engine.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "zmqcore/config.h"
#include "zmqcore/greeting.h"
#include "zmqcore/mechanism.h"
#include "zmqcore/metadata.h"
#include "zmqcore/monitor.h"
#include "zmqcore/session.h"

enum { E_GREETING, E_HANDSHAKE, E_ACTIVE, E_FAILED };

/*  Timer ids on the engine's handler. */
enum { T_HANDSHAKE = 1, T_HB_IVL, T_HB_TIMEOUT, T_HB_TTL };

struct zc_engine {
    const zc_engine_ops_t *ops;     /*  first: see engine.h */
    zc_session_t *session;
    zc_poller_t *poller;
    int fd;
    zc_poll_handle_t handle;
    zc_poll_handler_t handler;
    int state;

    unsigned char greeting_in[ZC_GREETING_SIZE];
    size_t greeting_have;
    int peer_minor;
    /*  Subscriptions: a SUB/XSUB sends them to a 3.1 peer as commands
        (subs_out), a PUB/XPUB takes commands in as messages (subs_in). */
    int subs_out, subs_in;
    int out_more;                   /*  the last part encoded had MORE */

    zc_decoder_t decoder;
    zc_encoder_t encoder;
    const unsigned char *in_ptr;    /*  read but not yet decoded */
    size_t in_left;
    zc_msg_t in_pending;            /*  a frame the pipe had no room for */
    int has_in_pending;
    int input_stopped;              /*  waiting for room in the pipe */
    int output_idle;                /*  the session had nothing more */
    int pollout;
    int hb_timeout_armed, hb_ttl_armed;
    int hb_ttl_ms;                  /*  from the peer's PING */
    int was_active;                 /*  E_FAILED: the handshake had ended */
    int protocol_error;             /*  E_FAILED: the peer broke ZMTP */
    zc_mechanism_t *mechanism;      /*  from the greeting until destroy */
    zc_direct_t *direct;            /*  the pipe's, while the socket may
                                       write through us (direct.h) */
};

static void engine_fail(zc_engine_t *e, int protocol_error, uint32_t code);
static void enter(zc_engine_t *e);
static void leave(zc_engine_t *e);
static const zc_engine_ops_t zmtp_ops;

/*  --- output ---------------------------------------------------------------- */

static void set_pollout(zc_engine_t *e, int on)
{
    zc_poller_switch_pollout(e->poller, e->handle, &e->pollout, on);
}

/*  A subscription message ("\1topic" or "\0topic", one part) becomes a
    SUBSCRIBE or CANCEL command for a ZMTP 3.1 peer.  Left as it is if
    memory is short: 3.1 peers accept the message form too. */
static void subscription_to_command(zc_msg_t *msg)
{
    const unsigned char *d = zc_msg_data(msg);
    size_t topic_len = zc_msg_size(msg) - 1;
    int subscribe = d[0] == 1;
    size_t need = zc_subscribe_build(NULL, 0, subscribe, d + 1, topic_len);
    zc_msg_t cmd;
    if (zc_msg_init_size(&cmd, need) < 0)
        return;
    zc_subscribe_build(zc_msg_data(&cmd), need, subscribe, d + 1, topic_len);
    cmd.flags = ZC_MSG_COMMAND;
    zc_msg_close(msg);
    *msg = cmd;
}

/*  Moves messages from the session into the encoder while it has room. */
static void fill_encoder(zc_engine_t *e)
{
    if (e->state != E_ACTIVE)
        return;
    zc_msg_t msg;
    while (zc_encoder_has_room(&e->encoder)) {
        if (zc_session_pull_msg(e->session, &msg) < 0) {
            e->output_idle = 1;
            return;
        }
        int more = zc_msg_more(&msg);
        if (e->subs_out && !e->out_more && !more && zc_msg_size(&msg) > 0
            && zc_msg_data(&msg)[0] <= 1)
            subscription_to_command(&msg);
        e->out_more = more;
        zc_encoder_add(&e->encoder, &msg);
    }
}

/*  Writes what the encoder holds, refilling it from the session, until
    both are empty (1) or the kernel takes no more (0, errno EAGAIN) or the
    write fails (-1, errno).  No poller calls: the socket's thread runs it
    too (direct_write). */
static int write_out(zc_engine_t *e)
{
    for (;;) {
        if (zc_encoder_empty(&e->encoder)) {
            fill_encoder(e);
            if (zc_encoder_empty(&e->encoder))
                return 1;
        }
        struct iovec iov[4];
        int n = zc_encoder_iov(&e->encoder, iov, 4);
        /*  sendmsg, not writev: MSG_NOSIGNAL, since a direct write runs
            on an application thread that may not ignore SIGPIPE. */
        struct msghdr mh = {.msg_iov = iov, .msg_iovlen = (size_t) n};
        ssize_t w = sendmsg(e->fd, &mh, MSG_NOSIGNAL);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EWOULDBLOCK)
                errno = EAGAIN;
            return errno == EAGAIN ? 0 : -1;
        }
        zc_encoder_advance(&e->encoder, (size_t) w);
    }
}

/*  Writes as much as the kernel takes.  0, or -1 when the engine failed
    (and is destroyed). */
static int do_write(zc_engine_t *e)
{
    if (e->state == E_FAILED)
        return -1;
    int rc = write_out(e);
    if (rc < 0) {
        engine_fail(e, 0, (uint32_t) errno);
        return -1;
    }
    set_pollout(e, rc == 0);
    return 0;
}

/*  direct.h: the socket's thread, holding the direct lock, writes what it
    just sent.  Only from idle (nothing half-written, no POLLOUT armed); a
    full kernel buffer or an error is left to the I/O thread, which the
    caller then wakes and which meets the same condition again. */
static int direct_write(void *arg)
{
    zc_engine_t *e = arg;
    if (e->state != E_ACTIVE || e->pollout || !zc_encoder_empty(&e->encoder))
        return ZC_DIRECT_BUSY;
    e->output_idle = 0;
    return write_out(e) == 1 ? ZC_DIRECT_DONE : ZC_DIRECT_PARTIAL;
}

/*  Queues one command frame for the peer.  Commands are small and rare:
    if the batch is full, write first; a peer that reads nothing loses the
    command (only a PONG can be lost that way). */
static void queue_command(zc_engine_t *e, zc_msg_t *msg)
{
    if (!zc_encoder_has_room(&e->encoder))
        do_write(e);
    if (e->state == E_FAILED || !zc_encoder_has_room(&e->encoder)) {
        zc_msg_close(msg);
        return;
    }
    zc_encoder_add(&e->encoder, msg);
    set_pollout(e, 1);
}

static void send_command(zc_engine_t *e, const char *name, const unsigned char *body,
                         size_t len)
{
    zc_msg_t msg;
    if (zc_mechanism_command_msg(&msg, name, body, len) == 0)
        queue_command(e, &msg);
}

/*  Sends what the mechanism has to say.  0, or -1 when it failed. */
static int mechanism_output(zc_engine_t *e)
{
    zc_msg_t msg;
    int rc;
    while ((rc = e->mechanism->ops->next_command(e->mechanism, &msg)) == 1)
        queue_command(e, &msg);
    if (rc < 0) {
        engine_fail(e, 1, 0);
        return -1;
    }
    return 0;
}

/*  --- timers ----------------------------------------------------------------- */

static void arm(zc_engine_t *e, int id, int ms)
{
    zc_poller_add_timer(e->poller, ms, &e->handler, id);
}

static void disarm(zc_engine_t *e, int id)
{
    zc_poller_cancel_timer(e->poller, &e->handler, id);
}

static void send_ping(zc_engine_t *e)
{
    const zc_options_t *o = &e->session->options;
    unsigned ttl = (unsigned) (o->heartbeat_ttl / 100);     /*  deciseconds */
    unsigned char body[2] = {(unsigned char) (ttl >> 8), (unsigned char) ttl};
    send_command(e, "PING", body, 2);
    if (!e->hb_timeout_armed) {
        int t = o->heartbeat_timeout >= 0 ? o->heartbeat_timeout : o->heartbeat_ivl;
        arm(e, T_HB_TIMEOUT, t);
        e->hb_timeout_armed = 1;
    }
}

static void timer_event(void *arg, int id)
{
    zc_engine_t *e = arg;
    enter(e);
    switch (id) {
    case T_HANDSHAKE:
        if (e->state != E_ACTIVE)
            engine_fail(e, 0, EAGAIN);
        break;
    case T_HB_IVL:
        send_ping(e);
        arm(e, T_HB_IVL, e->session->options.heartbeat_ivl);
        break;
    case T_HB_TIMEOUT:
    case T_HB_TTL:
        /*  Silence for too long: drop the connection (a connecting
            session will reconnect). */
        engine_fail(e, 0, EAGAIN);
        break;
    default:
        break;
    }
    leave(e);
}

/*  Any complete frame is a sign of life. */
static void frame_seen(zc_engine_t *e)
{
    if (e->hb_timeout_armed) {
        disarm(e, T_HB_TIMEOUT);
        e->hb_timeout_armed = 0;
    }
    if (e->hb_ttl_armed) {
        disarm(e, T_HB_TTL);
        arm(e, T_HB_TTL, e->hb_ttl_ms);
    }
}

/*  --- input ------------------------------------------------------------------ */

static int handshake_done(zc_engine_t *e)
{
    e->state = E_ACTIVE;
    int type = e->session->options.type;
    e->subs_out = e->peer_minor >= 1 && (type == ZC_SUB || type == ZC_XSUB);
    e->subs_in = type == ZC_PUB || type == ZC_XPUB;
    disarm(e, T_HANDSHAKE);
    const zc_options_t *o = &e->session->options;
    if (o->heartbeat_ivl > 0)
        arm(e, T_HB_IVL, o->heartbeat_ivl);
    zc_session_engine_ready(e->session, e->mechanism->peer_identity,
                            e->mechanism->peer_identity_len);
    /*  From now on the socket may write through us: take the pipe's lock
        as every entry point would have (leave() lets it go). */
    zc_pipe_t *p = e->session->pipe;
    if (p && !p->peer_terminated) {
        zc_direct_t *d = p->direct;
        pthread_mutex_lock(&d->lock);
        d->write = direct_write;
        atomic_store_explicit(&d->target, e, memory_order_relaxed);
        e->direct = d;
    }
    e->output_idle = 0;
    return do_write(e);
}

/*  A command frame.  0, or -1 when the engine failed. */
static int process_command(zc_engine_t *e, zc_msg_t *msg)
{
    const unsigned char *name, *data;
    size_t name_len, data_len;
    int rc = zc_command_name(zc_msg_data(msg), zc_msg_size(msg), &name, &name_len,
                             &data, &data_len);
    if (rc < 0) {
        zc_msg_close(msg);
        engine_fail(e, 1, e->state == E_HANDSHAKE ? ZC_PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND : 0);
        return -1;
    }
    if (e->state == E_HANDSHAKE) {
        zc_mechanism_t *m = e->mechanism;
        rc = m->ops->process_command(m, zc_msg_data(msg), zc_msg_size(msg));
        zc_msg_close(msg);
        if (rc < 0 || mechanism_output(e) < 0) {
            engine_fail(e, 1, m->error_code);
            return -1;
        }
        if (m->ops->status(m) == ZC_MECH_READY)
            return handshake_done(e);
        return 0;
    }
    if (name_len == 4 && memcmp(name, "PING", 4) == 0 && data_len >= 2) {
        unsigned ttl = ((unsigned) data[0] << 8) | data[1];
        size_t ctx_len = data_len - 2 > 16 ? 16 : data_len - 2;
        unsigned char ctx[16];
        memcpy(ctx, data + 2, ctx_len);
        zc_msg_close(msg);
        send_command(e, "PONG", ctx, ctx_len);
        if (ttl > 0) {
            e->hb_ttl_ms = (int) ttl * 100;
            if (e->hb_ttl_armed)
                disarm(e, T_HB_TTL);
            arm(e, T_HB_TTL, e->hb_ttl_ms);
            e->hb_ttl_armed = 1;
        }
        return do_write(e);
    }
    /*  PONG is only a sign of life; unknown commands are ignored (libzmq). */
    zc_msg_close(msg);
    return 0;
}

/*  1 if msg is a SUBSCRIBE or CANCEL command, which is then rewritten in
    place as the message form "\1topic" / "\0topic". */
static int command_to_subscription(zc_msg_t *msg)
{
    const unsigned char *name, *data;
    size_t name_len, data_len;
    if (zc_command_name(zc_msg_data(msg), zc_msg_size(msg), &name, &name_len, &data,
                        &data_len) < 0)
        return 0;
    unsigned char first;
    if (name_len == 9 && memcmp(name, "SUBSCRIBE", 9) == 0)
        first = 1;
    else if (name_len == 6 && memcmp(name, "CANCEL", 6) == 0)
        first = 0;
    else
        return 0;
    /*  The topic moves down over the name: body = first + topic. */
    unsigned char *body = zc_msg_data(msg);
    memmove(body + 1, data, data_len);
    body[0] = first;
    msg->size = data_len + 1;
    msg->flags = 0;
    return 1;
}

/*  One decoded frame.  1 go on, 0 stop (pipe full), -1 engine failed. */
static int process_frame(zc_engine_t *e, zc_msg_t *msg)
{
    frame_seen(e);
    if (msg->flags & ZC_MSG_COMMAND) {
        if (!(e->state == E_ACTIVE && e->subs_in && command_to_subscription(msg)))
            return process_command(e, msg) < 0 ? -1 : 1;
    }
    if (e->state != E_ACTIVE) {
        /*  A message before the handshake finished. */
        zc_msg_close(msg);
        engine_fail(e, 1, ZC_PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND);
        return -1;
    }
    if (zc_session_push_msg(e->session, msg) < 0) {
        if (errno != EAGAIN) {
            /*  The message breaks the socket's pattern (a REQ's reply
                without its delimiter): the connection goes (libzmq). */
            zc_msg_close(msg);
            engine_fail(e, 1, 0);
            return -1;
        }
        e->in_pending = *msg;
        e->has_in_pending = 1;
        return 0;
    }
    return 1;
}

/*  Decodes what is in in_ptr/in_left.  1 all consumed, 0 stopped at HWM,
    -1 failed. */
static int decode_input(zc_engine_t *e)
{
    while (e->in_left > 0) {
        size_t used = 0;
        int rc = zc_decoder_decode(&e->decoder, e->in_ptr, e->in_left, &used);
        if (rc < 0) {
            engine_fail(e, 1, 0);
            return -1;
        }
        e->in_ptr += used;
        e->in_left -= used;
        if (rc == 0)
            break;
        zc_msg_t msg = *zc_decoder_msg(&e->decoder);
        zc_decoder_msg_taken(&e->decoder);
        int r = process_frame(e, &msg);
        if (r <= 0)
            return r;
    }
    return 1;
}

static void stop_input(zc_engine_t *e)
{
    if (!e->input_stopped) {
        e->input_stopped = 1;
        zc_poller_reset_pollin(e->poller, e->handle);
    }
}

/*  Reads the peer's greeting, a byte range at a time so that no frame
    byte is taken with it.  1 done, 0 need more, -1 failed. */
static int read_greeting(zc_engine_t *e)
{
    while (e->greeting_have < ZC_GREETING_SIZE) {
        ssize_t n = read(e->fd, e->greeting_in + e->greeting_have,
                         ZC_GREETING_SIZE - e->greeting_have);
        if (n == 0) {
            engine_fail(e, 0, ECONNRESET);
            return -1;
        }
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return 0;
            engine_fail(e, 0, (uint32_t) errno);
            return -1;
        }
        e->greeting_have += (size_t) n;
        zc_greeting_t g;
        int rc = zc_greeting_parse(e->greeting_in, e->greeting_have, &g);
        if (rc < 0) {
            engine_fail(e, 1, 0);
            return -1;
        }
        if (rc == 1) {
            /*  Both sides must name the same mechanism. */
            if (strcmp(g.mechanism, e->mechanism->ops->name) != 0) {
                engine_fail(e, 1, ZC_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH);
                return -1;
            }
            e->peer_minor = g.major > 3 ? 1 : g.minor;
            e->greeting_have = ZC_GREETING_SIZE;
            return 1;
        }
    }
    return 1;
}

static void read_input(zc_engine_t *e);

static void in_event(void *arg)
{
    zc_engine_t *e = arg;
    enter(e);
    read_input(e);
    leave(e);
}

static void read_input(zc_engine_t *e)
{
    if (e->state == E_GREETING) {
        int rc = read_greeting(e);
        if (rc <= 0)
            return;
        e->state = E_HANDSHAKE;
        if (mechanism_output(e) < 0 || do_write(e) < 0)
            return;
    }
    if (e->state == E_FAILED)
        return;
    if (e->input_stopped) {
        /*  Called with pollin off: the peer hung up (or the fd failed).
            What it sent before is still in the kernel and must be read
            once the pipe has room again, so the connection stays; but a
            level-triggered hang-up would fire on every poll.  Take the fd
            out of the poller until input resumes. */
        if (e->handle) {
            zc_poller_rm_fd(e->poller, e->handle);
            e->handle = NULL;
            e->pollout = 0;
        }
        return;
    }
    /*  A bounded number of reads per event keeps one busy peer from
        starving the others on this thread. */
    for (int round = 0; round < ZC_ENGINE_READS_PER_EVENT; round++) {
        unsigned char *buf;
        size_t size;
        zc_decoder_get_buffer(&e->decoder, &buf, &size);
        ssize_t n = read(e->fd, buf, size);
        if (n == 0) {
            engine_fail(e, 0, ECONNRESET);
            return;
        }
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                break;
            engine_fail(e, 0, (uint32_t) errno);
            return;
        }
        e->in_ptr = buf;
        e->in_left = (size_t) n;
        int rc = decode_input(e);
        if (rc < 0)
            return;
        if (rc == 0) {
            stop_input(e);
            break;
        }
        if ((size_t) n < size)
            break;      /*  the kernel had no more for now */
    }
    if (e->state == E_ACTIVE)
        zc_session_flush(e->session);
}

static void out_event(void *arg)
{
    enter(arg);
    do_write(arg);
    leave(arg);
}

/*  --- life cycle -------------------------------------------------------------- */

zc_engine_t *zc_engine_new(zc_session_t *ss, zc_poller_t *poller, int fd)
{
    zc_engine_t *e = calloc(1, sizeof *e);
    if (!e) {
        close(fd);
        errno = ENOMEM;
        return NULL;
    }
    e->ops = &zmtp_ops;
    e->session = ss;
    e->poller = poller;
    e->fd = fd;
    e->state = E_GREETING;
    if (zc_decoder_init(&e->decoder, ZC_IN_BATCH_SIZE, ss->options.maxmsgsize) < 0)
        goto fail;
    e->decoder.cache = ss->socket->ctx->body_cache;
    if (zc_encoder_init(&e->encoder, ZC_OUT_BATCH_SIZE) < 0) {
        zc_decoder_fini(&e->decoder);
        goto fail;
    }
    e->handler.in_event = in_event;
    e->handler.out_event = out_event;
    e->handler.timer_event = timer_event;
    e->handler.arg = e;
    e->handle = zc_poller_add_fd(poller, fd, &e->handler);
    if (!e->handle) {
        zc_encoder_fini(&e->encoder);
        zc_decoder_fini(&e->decoder);
        goto fail;
    }
    zc_poller_set_pollin(poller, e->handle);
    e->mechanism = zc_mechanism_null_new(&ss->options);
    if (!e->mechanism) {
        zc_poller_rm_fd(poller, e->handle);
        zc_encoder_fini(&e->encoder);
        zc_decoder_fini(&e->decoder);
        goto fail;
    }
    unsigned char greeting[ZC_GREETING_SIZE];
    zc_greeting_build(greeting, e->mechanism->ops->name, 0);
    zc_encoder_add_raw(&e->encoder, greeting, sizeof greeting);
    if (ss->options.handshake_ivl > 0)
        arm(e, T_HANDSHAKE, ss->options.handshake_ivl);
    set_pollout(e, 1);
    return e;

fail:;
    int err = errno;
    close(fd);
    free(e);
    errno = err;
    return NULL;
}

static void engine_stop_direct(zc_engine_t *e)
{
    zc_direct_t *d = e->direct;
    if (!d)
        return;
    pthread_mutex_lock(&d->lock);
    atomic_store_explicit(&d->target, NULL, memory_order_relaxed);
    pthread_mutex_unlock(&d->lock);
    e->direct = NULL;
}

static void engine_destroy(zc_engine_t *e)
{
    engine_stop_direct(e);
    disarm(e, T_HANDSHAKE);
    disarm(e, T_HB_IVL);
    disarm(e, T_HB_TIMEOUT);
    disarm(e, T_HB_TTL);
    if (e->handle)
        zc_poller_rm_fd(e->poller, e->handle);
    close(e->fd);
    if (e->has_in_pending)
        zc_msg_close(&e->in_pending);
    zc_decoder_fini(&e->decoder);
    zc_encoder_fini(&e->encoder);
    e->mechanism->ops->destroy(e->mechanism);
    free(e);
}

/*  The connection is over.  Only marks it: every entry point ends with
    leave(), which hands the engine back to the session (who destroys it)
    once nothing on the stack uses it any more.
    protocol_error: the peer broke ZMTP, and `code` is the libzmq protocol
    error for HANDSHAKE_FAILED_PROTOCOL (0: libzmq reports none for it);
    otherwise the connection failed and `code` is the errno that
    HANDSHAKE_FAILED_NO_DETAIL carries (as libzmq: ECONNRESET for a peer
    that closed, EAGAIN for a handshake that timed out). */
static void engine_fail(zc_engine_t *e, int protocol_error, uint32_t code)
{
    if (e->state == E_FAILED)
        return;
    e->was_active = e->state == E_ACTIVE;
    e->protocol_error = protocol_error;
    e->state = E_FAILED;
    if (e->was_active)
        return;
    if (protocol_error && code)
        zc_monitor_event(e->session->socket, ZC_EVENT_HANDSHAKE_FAILED_PROTOCOL,
                         code, e->session->child.endpoint);
    else if (!protocol_error)
        zc_monitor_event(e->session->socket, ZC_EVENT_HANDSHAKE_FAILED_NO_DETAIL,
                         code, e->session->child.endpoint);
}

/*  Every entry point (poller events, timers, the session's calls) runs
    between enter() and leave().  While the socket may write through us,
    they hold the direct lock: output state and the pipe's read side are
    then shared with the socket's thread (direct.h). */
static void enter(zc_engine_t *e)
{
    if (e->direct)
        pthread_mutex_lock(&e->direct->lock);
}

static void leave(zc_engine_t *e)
{
    int failed = e->state == E_FAILED;
    int idle = e->state == E_ACTIVE && e->output_idle && zc_encoder_empty(&e->encoder);
    zc_direct_t *d = e->direct;
    if (d) {
        if (failed) {
            atomic_store_explicit(&d->target, NULL, memory_order_relaxed);
            e->direct = NULL;
        }
        pthread_mutex_unlock(&d->lock);
    }
    if (failed)
        zc_session_engine_error(e->session, e->was_active, e->protocol_error);
    else if (idle)
        zc_session_engine_idle(e->session);     /*  a lingering session may end */
}

static void engine_restart_output(zc_engine_t *e)
{
    enter(e);
    e->output_idle = 0;
    if (e->state == E_ACTIVE)
        do_write(e);
    leave(e);
}

static void resume_input(zc_engine_t *e)
{
    if (!e->input_stopped || e->state == E_FAILED)
        return;
    if (e->has_in_pending) {
        if (zc_session_push_msg(e->session, &e->in_pending) < 0) {
            if (errno != EAGAIN) {
                zc_msg_close(&e->in_pending);
                e->has_in_pending = 0;
                engine_fail(e, 1, 0);
            }
            return;
        }
        e->has_in_pending = 0;
    }
    int rc = decode_input(e);
    if (rc < 0)
        return;
    zc_session_flush(e->session);
    if (rc == 0)
        return;
    /*  The poller is level-triggered: what waits in the kernel is reported
        again once pollin is back. */
    if (!e->handle) {
        e->handle = zc_poller_add_fd(e->poller, e->fd, &e->handler);
        if (!e->handle) {
            engine_fail(e, 0, ENOMEM);
            return;
        }
    }
    e->input_stopped = 0;
    zc_poller_set_pollin(e->poller, e->handle);
}

static void engine_restart_input(zc_engine_t *e)
{
    enter(e);
    resume_input(e);
    leave(e);
}

static int engine_output_done(const zc_engine_t *e)
{
    return e->state == E_ACTIVE && zc_encoder_empty(&e->encoder);
}

static int engine_fd(const zc_engine_t *e)
{
    return e->fd;
}

static const zc_engine_ops_t zmtp_ops = {
    .destroy = engine_destroy,
    .restart_output = engine_restart_output,
    .restart_input = engine_restart_input,
    .output_done = engine_output_done,
    .fd = engine_fd,
    .stop_direct = engine_stop_direct,
};
