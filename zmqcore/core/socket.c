/*  Socket machinery shared by every pattern: pipes, commands, waiting,
    endpoints.  See socket.h. */
#include "zmqcore/socket.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "zmqcore/clock.h"
#include "zmqcore/config.h"
#include "zmqcore/patterns.h"

zc_socket_t *zc_socket_new(zc_ctx_t *ctx, int type)
{
    const zc_pattern_t *pattern = zc_pattern_for(type);
    if (!pattern) {
        errno = EINVAL;
        return NULL;
    }
    zc_socket_t *s = calloc(1, sizeof *s);
    if (!s) {
        errno = ENOMEM;
        return NULL;
    }
    s->ctx = ctx;
    s->pattern = pattern;
    s->options.sndhwm = s->options.rcvhwm = ZC_DEFAULT_HWM;
    s->options.linger = -1;
    s->options.rcvtimeo = s->options.sndtimeo = -1;
    zc_lb_init(&s->lb);
    zc_fq_init(&s->fq);
    s->mailbox = zc_mailbox_new();
    if (!s->mailbox) {
        free(s);
        return NULL;
    }
    if (zc_ctx_register_socket(ctx, s) < 0) {
        int err = errno;
        zc_mailbox_unref(s->mailbox);
        free(s);
        errno = err;
        return NULL;
    }
    return s;
}

/*  --- pipe set ------------------------------------------------------------ */

static zc_pipe_t *find_pipe(zc_socket_t *s, const zc_command_t *cmd)
{
    /*  Compare addresses first: the command's pipe may be freed memory,
        and only a pipe we hold may be dereferenced. */
    for (int i = 0; i < s->npipes; i++)
        if (s->pipes[i] == cmd->pipe)
            return s->pipes[i]->id == cmd->pipe_id ? s->pipes[i] : NULL;
    return NULL;
}

void zc_socket_attach_pipe(zc_socket_t *s, zc_pipe_t *p, const char *endpoint)
{
    if (s->npipes == s->cap) {
        int ncap = s->cap ? s->cap * 2 : 4;
        zc_pipe_t **np = realloc(s->pipes, ncap * sizeof *np);
        if (!np) {
            zc_pipe_terminate(p);   /*  refuse the peer rather than leak */
            return;
        }
        s->pipes = np;
        s->cap = ncap;
    }
    p->set_index = s->npipes;
    s->pipes[s->npipes++] = p;
    p->wake_slot = &s->deferred_wake;
    if (endpoint && !p->endpoint)
        p->endpoint = strdup(endpoint);
    if (s->pattern->xattach(s, p) < 0) {
        /*  Refused (PAIR already has a peer): forget it without telling
            the pattern, which never took it. */
        s->npipes--;
        s->pipes[p->set_index] = s->pipes[s->npipes];
        s->pipes[p->set_index]->set_index = p->set_index;
        free(p->endpoint);
        p->endpoint = NULL;
        zc_pipe_terminate(p);
    }
}

void zc_socket_detach_pipe(zc_socket_t *s, zc_pipe_t *p)
{
    s->pattern->xpipe_terminated(s, p);
    int i = p->set_index;
    s->npipes--;
    s->pipes[i] = s->pipes[s->npipes];
    s->pipes[i]->set_index = i;
    free(p->endpoint);
    p->endpoint = NULL;
    zc_pipe_terminate(p);
}

/*  --- commands ------------------------------------------------------------ */

static void process_pipe_term(zc_socket_t *s, zc_pipe_t *p)
{
    p->peer_terminated = 1;
    p->out_active = 0;
    /*  What the peer sent before leaving is still delivered: keep the pipe
        until it is drained. */
    if (zc_pipe_check_read(p))
        s->pattern->xread_activated(s, p);
    else
        zc_socket_detach_pipe(s, p);
}

static void dispatch(zc_socket_t *s, const zc_command_t *cmd)
{
    zc_pipe_t *p;
    switch (cmd->type) {
    case ZC_CMD_STOP:
        s->ctx_terminated = 1;
        break;
    case ZC_CMD_ACTIVATE_READ:
        if ((p = find_pipe(s, cmd)))
            s->pattern->xread_activated(s, p);
        break;
    case ZC_CMD_ACTIVATE_WRITE:
        if ((p = find_pipe(s, cmd)) && zc_pipe_process_activate_write(p, cmd->arg))
            s->pattern->xwrite_activated(s, p);
        break;
    case ZC_CMD_PIPE_TERM:
        if ((p = find_pipe(s, cmd)))
            process_pipe_term(s, p);
        break;
    case ZC_CMD_HWM:
        if ((p = find_pipe(s, cmd))) {
            zc_pipe_set_hwms(p, cmd->arg >> 32, cmd->arg & 0xffffffffu);
            /*  More room than before: a writer waiting at the old mark
                may go on. */
            if (!p->out_active && !p->peer_terminated) {
                p->out_active = 1;
                s->pattern->xwrite_activated(s, p);
            }
        }
        break;
    case ZC_CMD_BIND:
        zc_socket_attach_pipe(s, cmd->pipe, NULL);
        break;
    default:
        break;
    }
}

int zc_socket_process_commands(zc_socket_t *s, int timeout_ms)
{
    zc_command_t cmd;
    s->ticks = 0;
    if (zc_mailbox_recv(s->mailbox, &cmd, timeout_ms) < 0)
        return errno == EINTR ? -1 : 0;
    do
        dispatch(s, &cmd);
    while (zc_mailbox_recv(s->mailbox, &cmd, 0) == 0);
    return 0;
}

/*  --- send / recv --------------------------------------------------------- */

/*  How many operations may pass without reading commands.  Commands only
    matter for progress (new peers, credit, departures), and each check
    costs a lock; libzmq checks about every millisecond for the same
    reason. */
#define ZC_COMMAND_THROTTLE 64

typedef int (*xop_t) (zc_socket_t *, zc_msg_t *);

/*  The one wait loop behind send and recv: try, read commands, try again,
    sleep on the mailbox until the deadline. */
static int run_op(zc_socket_t *s, xop_t op, zc_msg_t *msg, int timeout_ms)
{
    if (ZC_UNLIKELY(s->ctx_terminated)) {
        errno = ETERM;
        return -1;
    }
    if (ZC_UNLIKELY(++s->ticks >= ZC_COMMAND_THROTTLE)) {
        zc_socket_process_commands(s, 0);
        if (s->ctx_terminated) {
            errno = ETERM;
            return -1;
        }
    }
    if (op(s, msg) == 0)
        return 0;
    if (errno != EAGAIN)
        return -1;
    int64_t deadline = timeout_ms > 0 ? zc_clock_ms() + timeout_ms : 0;
    int wait_ms = 0;
    for (;;) {
        if (wait_ms != 0)
            zc_socket_flush_wake(s);    /*  never sleep on a pending wake */
        if (zc_socket_process_commands(s, wait_ms) < 0)
            return -1;  /*  EINTR */
        if (s->ctx_terminated) {
            errno = ETERM;
            return -1;
        }
        if (op(s, msg) == 0)
            return 0;
        if (errno != EAGAIN)
            return -1;
        wait_ms = timeout_ms > 0 ? zc_ms_until(deadline) : timeout_ms;
        if (wait_ms == 0) {
            errno = EAGAIN;
            return -1;
        }
    }
}

int zc_socket_send(zc_socket_t *s, zc_msg_t *msg, int flags, int timeout_ms)
{
    if (flags & ZC_SNDMORE)
        msg->flags |= ZC_MSG_MORE;
    else
        msg->flags &= ~ZC_MSG_MORE;
    if (flags & ZC_DONTWAIT)
        timeout_ms = 0;
    return run_op(s, s->pattern->xsend, msg, timeout_ms);
}

int zc_socket_recv(zc_socket_t *s, zc_msg_t *msg, int timeout_ms)
{
    if (run_op(s, s->pattern->xrecv, msg, timeout_ms) < 0)
        return -1;
    s->rcvmore = msg->flags & ZC_MSG_MORE ? 1 : 0;
    return 0;
}

int zc_socket_events(zc_socket_t *s)
{
    zc_socket_process_commands(s, 0);
    int ev = 0;
    if (s->pattern->xhas_in(s))
        ev |= ZC_POLLIN;
    if (s->pattern->xhas_out(s))
        ev |= ZC_POLLOUT;
    return ev;
}

/*  --- endpoints ----------------------------------------------------------- */

/*  Splits "transport://address".  Returns the transport's length, or -1
    with EINVAL (no "://") or EPROTONOSUPPORT (transport we lack). */
static int parse_endpoint(const char *endpoint, const char **address)
{
    const char *sep = strstr(endpoint, "://");
    if (!sep) {
        errno = EINVAL;
        return -1;
    }
    size_t n = (size_t) (sep - endpoint);
    *address = sep + 3;
    if (n == 6 && memcmp(endpoint, "inproc", 6) == 0) {
        if (**address == '\0') {
            errno = EINVAL;
            return -1;
        }
        return (int) n;
    }
    errno = EPROTONOSUPPORT;
    return -1;
}

/*  What every endpoint call checks first.  0 and *address set, or -1. */
static int endpoint_call(zc_socket_t *s, const char *endpoint, const char **address)
{
    if (s->ctx_terminated) {
        errno = ETERM;
        return -1;
    }
    return parse_endpoint(endpoint, address) < 0 ? -1 : 0;
}

int zc_socket_bind(zc_socket_t *s, const char *endpoint)
{
    const char *address;
    if (endpoint_call(s, endpoint, &address) < 0)
        return -1;
    return zc_ctx_inproc_bind(s->ctx, s, address);
}

int zc_socket_connect(zc_socket_t *s, const char *endpoint)
{
    const char *address;
    if (endpoint_call(s, endpoint, &address) < 0)
        return -1;
    return zc_ctx_inproc_connect(s->ctx, s, address);
}

int zc_socket_unbind(zc_socket_t *s, const char *endpoint)
{
    const char *address;
    if (endpoint_call(s, endpoint, &address) < 0)
        return -1;
    return zc_ctx_inproc_unbind(s->ctx, s, address);
}

int zc_socket_disconnect(zc_socket_t *s, const char *endpoint)
{
    const char *address;
    if (endpoint_call(s, endpoint, &address) < 0)
        return -1;
    /*  Commands first, so pipes that arrived by this endpoint are known. */
    zc_socket_process_commands(s, 0);
    int found = 0;
    for (int i = s->npipes - 1; i >= 0; i--) {
        zc_pipe_t *p = s->pipes[i];
        if (p->endpoint && strcmp(p->endpoint, address) == 0) {
            zc_socket_detach_pipe(s, p);
            found = 1;
        }
    }
    found |= zc_ctx_inproc_cancel_pending(s->ctx, s, address);
    if (!found) {
        errno = ENOENT;
        return -1;
    }
    return 0;
}

/*  --- close ---------------------------------------------------------------- */

void zc_socket_close(zc_socket_t *s)
{
    zc_ctx_t *ctx = s->ctx;
    zc_socket_flush_wake(s);
    /*  Once our names are gone no new pipe can reach us; then read what
        is already in the mailbox so pipes handed to us are let go too. */
    zc_ctx_inproc_forget(ctx, s);
    zc_socket_process_commands(s, 0);
    while (s->npipes > 0)
        zc_socket_detach_pipe(s, s->pipes[s->npipes - 1]);
    free(s->pipes);
    zc_lb_destroy(&s->lb);
    zc_fq_destroy(&s->fq);
    zc_mailbox_unref(s->mailbox);
    zc_ctx_unregister_socket(ctx, s);
    free(s);
}

/*  --- poll ------------------------------------------------------------------ */

int zc_poll(zc_pollitem_t *items, int n, long timeout_ms)
{
    struct pollfd stack_fds[16];
    struct pollfd *fds = n <= 16 ? stack_fds : malloc(n * sizeof *fds);
    if (!fds) {
        errno = ENOMEM;
        return -1;
    }
    for (int i = 0; i < n; i++) {
        fds[i].fd = items[i].socket ? zc_socket_fd(items[i].socket) : items[i].fd;
        fds[i].events = 0;
        if (items[i].socket)
            fds[i].events = POLLIN;
        else {
            if (items[i].events & ZC_POLLIN)
                fds[i].events |= POLLIN;
            if (items[i].events & ZC_POLLOUT)
                fds[i].events |= POLLOUT;
            if (items[i].events & ZC_POLLERR)
                fds[i].events |= POLLPRI;
        }
    }
    int64_t deadline = timeout_ms > 0 ? zc_clock_ms() + timeout_ms : 0;
    int first = 1;
    int ready = 0;
    for (;;) {
        /*  Plain fds are checked by poll() itself; sockets by asking them
            (which also drains their mailboxes, re-arming their fds). */
        int wait_ms;
        if (first || timeout_ms == 0)
            wait_ms = 0;
        else if (timeout_ms < 0)
            wait_ms = -1;
        else
            wait_ms = zc_ms_until(deadline);
        int rc = poll(fds, (nfds_t) n, wait_ms);
        if (rc < 0) {
            if (fds != stack_fds)
                free(fds);
            return -1;
        }
        ready = 0;
        for (int i = 0; i < n; i++) {
            items[i].revents = 0;
            if (items[i].socket) {
                if (items[i].socket->ctx_terminated) {
                    if (fds != stack_fds)
                        free(fds);
                    errno = ETERM;
                    return -1;
                }
                int ev = zc_socket_events(items[i].socket);
                if (items[i].socket->ctx_terminated) {
                    if (fds != stack_fds)
                        free(fds);
                    errno = ETERM;
                    return -1;
                }
                items[i].revents = (short) (ev & items[i].events);
            } else {
                short r = fds[i].revents;
                if (r & POLLIN)
                    items[i].revents |= ZC_POLLIN;
                if (r & POLLOUT)
                    items[i].revents |= ZC_POLLOUT;
                if (r & (POLLERR | POLLPRI | POLLHUP | POLLNVAL))
                    items[i].revents |= ZC_POLLERR;
                items[i].revents &= (short) (items[i].events | ZC_POLLERR);
            }
            if (items[i].revents)
                ready++;
        }
        if (ready || timeout_ms == 0)
            break;
        if (!first && timeout_ms > 0 && zc_clock_ms() >= deadline)
            break;
        first = 0;
    }
    if (fds != stack_fds)
        free(fds);
    return ready;
}
