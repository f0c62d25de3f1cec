/*  The raw engine of STREAM sockets; see engine_raw.h. */
#include "zmqcore/engine_raw.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "zmqcore/config.h"
#include "zmqcore/monitor.h"
#include "zmqcore/session.h"

/*  Messages queued for one writev().  Each costs an iovec and nothing is
    copied, so a burst of small sends still leaves in one system call. */
#define RAW_OUT_MAX 64

typedef struct zc_raw_engine {
    const zc_engine_ops_t *ops;     /*  first: see engine.h */
    zc_session_t *session;
    zc_poller_t *poller;
    int fd;
    zc_poll_handle_t handle;        /*  NULL while a hung-up fd is out of
                                        the poller (see read_input) */
    zc_poll_handler_t handler;
    int pollout;

    int failed;             /*  over: finish() hands us back to the session */
    int closed_locally;     /*  ...because the socket let go of us */
    int eof;                /*  the peer is gone, but the note saying so
                               waits for room (in_pending) */
    int err;                /*  errno of the end, for the monitor */
    int input_stopped;      /*  waiting for room in the pipe */
    int output_idle;        /*  the session had nothing more */
    int has_in_pending;
    zc_msg_t in_pending;    /*  what the pipe had no room for */
    unsigned char *in_buf;  /*  ZC_IN_BATCH_SIZE bytes */

    zc_msg_t out[RAW_OUT_MAX];  /*  ring of bodies to write, in order */
    int out_head, out_n;
    size_t out_off;         /*  bytes of out[out_head] already written */
} zc_raw_engine_t;

static const zc_engine_ops_t raw_ops;

static void set_pollout(zc_raw_engine_t *e, int on)
{
    zc_poller_switch_pollout(e->poller, e->handle, &e->pollout, on);
}

static void stop_input(zc_raw_engine_t *e)
{
    if (!e->input_stopped) {
        e->input_stopped = 1;
        if (e->handle)
            zc_poller_reset_pollin(e->poller, e->handle);
    }
}

static void fail(zc_raw_engine_t *e, int closed_locally)
{
    if (e->failed)
        return;
    e->failed = 1;
    e->closed_locally = closed_locally;
    /*  libzmq reports every raw connection that breaks as a handshake that
        failed (it never had one that succeeded). */
    if (!closed_locally)
        zc_monitor_event(e->session->socket, ZC_EVENT_HANDSHAKE_FAILED_NO_DETAIL,
                         (uint64_t) e->err, e->session->child.endpoint);
}

/*  Hands msg to the session.  1 done, 0 kept in in_pending (the pipe is at
    its HWM; input stops until the session makes room). */
static int push(zc_raw_engine_t *e, zc_msg_t *msg)
{
    if (zc_session_push_msg(e->session, msg) == 0)
        return 1;
    if (errno != EAGAIN) {
        zc_msg_close(msg);      /*  the session refuses it: nothing to do */
        return 1;
    }
    e->in_pending = *msg;
    e->has_in_pending = 1;
    stop_input(e);
    return 0;
}

/*  The peer closed the connection (EPIPE, as libzmq) or it broke.  With
    STREAM_NOTIFY the socket hears of it by an empty message first. */
static void connection_lost(zc_raw_engine_t *e, int err)
{
    e->err = err;
    if (e->session->options.stream_notify) {
        zc_msg_t note;
        zc_msg_init(&note);
        if (!push(e, &note)) {
            e->eof = 1;         /*  resume_input() ends the connection */
            return;
        }
        zc_session_flush(e->session);
    }
    fail(e, 0);
}

/*  --- output ---------------------------------------------------------------- */

static void fill(zc_raw_engine_t *e)
{
    while (e->out_n < RAW_OUT_MAX) {
        zc_msg_t msg;
        if (zc_session_pull_msg(e->session, &msg) < 0) {
            e->output_idle = 1;
            return;
        }
        if (zc_msg_size(&msg) == 0) {
            zc_msg_close(&msg);     /*  nothing to write */
            continue;
        }
        e->out[(e->out_head + e->out_n) % RAW_OUT_MAX] = msg;
        e->out_n++;
    }
}

/*  Drops n written bytes from the front of the queue. */
static void advance(zc_raw_engine_t *e, size_t n)
{
    while (n > 0 && e->out_n > 0) {
        zc_msg_t *m = &e->out[e->out_head];
        size_t left = zc_msg_size(m) - e->out_off;
        if (n < left) {
            e->out_off += n;
            return;
        }
        n -= left;
        zc_msg_close(m);
        e->out_head = (e->out_head + 1) % RAW_OUT_MAX;
        e->out_n--;
        e->out_off = 0;
    }
}

/*  Writes as much as the kernel takes. */
static void do_write(zc_raw_engine_t *e)
{
    while (!e->failed && !e->eof) {
        if (e->out_n == 0) {
            fill(e);
            if (e->out_n == 0) {
                set_pollout(e, 0);
                return;
            }
        }
        struct iovec iov[RAW_OUT_MAX];
        for (int i = 0; i < e->out_n; i++) {
            zc_msg_t *m = &e->out[(e->out_head + i) % RAW_OUT_MAX];
            size_t off = i == 0 ? e->out_off : 0;
            iov[i].iov_base = zc_msg_data(m) + off;
            iov[i].iov_len = zc_msg_size(m) - off;
        }
        ssize_t w = writev(e->fd, iov, e->out_n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                set_pollout(e, 1);
                return;
            }
            connection_lost(e, errno);
            return;
        }
        advance(e, (size_t) w);
    }
}

/*  --- input ----------------------------------------------------------------- */

static void read_input(zc_raw_engine_t *e)
{
    if (e->failed)
        return;
    if (e->input_stopped) {
        /*  Called with pollin off: the peer hung up or the fd failed.  What
            it sent before is read once the pipe has room again; until then
            a level-triggered hang-up would fire on every poll, so the fd
            leaves the poller (as in engine.c). */
        if (e->handle) {
            zc_poller_rm_fd(e->poller, e->handle);
            e->handle = NULL;
            e->pollout = 0;
        }
        return;
    }
    /*  A bounded number of reads per event, so that one busy peer does not
        starve the others on this thread. */
    for (int round = 0; round < ZC_ENGINE_READS_PER_EVENT; round++) {
        ssize_t n = read(e->fd, e->in_buf, ZC_IN_BATCH_SIZE);
        if (n == 0) {
            connection_lost(e, EPIPE);
            break;
        }
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK)
                connection_lost(e, errno);
            break;
        }
        zc_msg_t msg;
        if (zc_msg_init_size(&msg, (size_t) n) < 0) {
            connection_lost(e, ENOMEM);
            break;
        }
        memcpy(zc_msg_data(&msg), e->in_buf, (size_t) n);
        if (!push(e, &msg))
            break;
        if (n < ZC_IN_BATCH_SIZE)
            break;      /*  the kernel had no more for now */
    }
    zc_session_flush(e->session);
}

static void resume_input(zc_raw_engine_t *e)
{
    if (!e->input_stopped || e->failed)
        return;
    if (e->has_in_pending) {
        if (zc_session_push_msg(e->session, &e->in_pending) < 0) {
            if (errno == EAGAIN)
                return;
            zc_msg_close(&e->in_pending);
        }
        e->has_in_pending = 0;
        zc_session_flush(e->session);
    }
    if (e->eof) {
        e->eof = 0;
        fail(e, 0);
        return;
    }
    /*  The poller is level-triggered: what waits in the kernel is reported
        again once pollin is back. */
    if (!e->handle) {
        e->handle = zc_poller_add_fd(e->poller, e->fd, &e->handler);
        if (!e->handle) {
            e->err = ENOMEM;
            fail(e, 0);
            return;
        }
        if (e->out_n > 0)
            set_pollout(e, 1);
    }
    e->input_stopped = 0;
    zc_poller_set_pollin(e->poller, e->handle);
}

/*  --- life cycle -------------------------------------------------------------- */

/*  Every entry point ends here: hands a finished engine back to the
    session, which destroys it (and maybe itself). */
static void finish(zc_raw_engine_t *e)
{
    zc_session_t *ss = e->session;
    /*  No pipe: the socket let go of this connection (or never took it).
        Once what it sent before is written, the connection closes; the
        session does not make it again (closed_locally, which it takes as
        it takes a protocol error). */
    if (!e->failed && !e->eof && !ss->pipe && e->output_idle && e->out_n == 0)
        fail(e, 1);
    if (e->failed)
        zc_session_engine_error(ss, 1, e->closed_locally);
}

static void in_event(void *arg)
{
    read_input(arg);
    finish(arg);
}

static void out_event(void *arg)
{
    do_write(arg);
    finish(arg);
}

zc_engine_t *zc_engine_raw_new(zc_session_t *ss, zc_poller_t *poller, int fd)
{
    zc_raw_engine_t *e = calloc(1, sizeof *e);
    if (e)
        e->in_buf = malloc(ZC_IN_BATCH_SIZE);
    if (!e || !e->in_buf) {
        free(e);
        close(fd);
        errno = ENOMEM;
        return NULL;
    }
    e->ops = &raw_ops;
    e->session = ss;
    e->poller = poller;
    e->fd = fd;
    e->handler.in_event = in_event;
    e->handler.out_event = out_event;
    e->handler.arg = e;
    e->handle = zc_poller_add_fd(poller, fd, &e->handler);
    if (!e->handle) {
        int err = errno;
        free(e->in_buf);
        free(e);
        close(fd);
        errno = err;
        return NULL;
    }
    zc_poller_set_pollin(poller, e->handle);
    /*  The first out_event pulls what the socket queued before we existed
        (or finds there is no pipe and closes, see finish). */
    set_pollout(e, 1);
    /*  A connecting session keeps its pipe across reconnects (without
        IMMEDIATE): if it has none, the socket closed this connection while
        it was down, and libzmq would not have connected again.  Otherwise
        the connection is ready at once. */
    if (ss->connecting && !ss->options.immediate && !ss->pipe)
        return (zc_engine_t *) e;
    zc_session_engine_ready(ss, NULL, 0);
    if (ss->options.stream_notify) {
        zc_msg_t note;
        zc_msg_init(&note);
        push(e, &note);
        zc_session_flush(ss);
    }
    return (zc_engine_t *) e;
}

static void raw_destroy(zc_engine_t *base)
{
    zc_raw_engine_t *e = (zc_raw_engine_t *) base;
    if (e->handle)
        zc_poller_rm_fd(e->poller, e->handle);
    close(e->fd);
    if (e->has_in_pending)
        zc_msg_close(&e->in_pending);
    while (e->out_n > 0) {
        zc_msg_close(&e->out[e->out_head]);
        e->out_head = (e->out_head + 1) % RAW_OUT_MAX;
        e->out_n--;
    }
    free(e->in_buf);
    free(e);
}

static void raw_restart_output(zc_engine_t *base)
{
    zc_raw_engine_t *e = (zc_raw_engine_t *) base;
    e->output_idle = 0;
    do_write(e);
    finish(e);
}

static void raw_restart_input(zc_engine_t *base)
{
    zc_raw_engine_t *e = (zc_raw_engine_t *) base;
    resume_input(e);
    finish(e);
}

static int raw_output_done(const zc_engine_t *base)
{
    const zc_raw_engine_t *e = (const zc_raw_engine_t *) base;
    return !e->failed && e->out_n == 0;
}

static int raw_fd(const zc_engine_t *base)
{
    return ((const zc_raw_engine_t *) base)->fd;
}

static const zc_engine_ops_t raw_ops = {
    .destroy = raw_destroy,
    .restart_output = raw_restart_output,
    .restart_input = raw_restart_input,
    .output_done = raw_output_done,
    .fd = raw_fd,
};
