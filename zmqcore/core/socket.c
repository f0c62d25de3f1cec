/*  Socket machinery shared by every pattern: pipes, commands, waiting,
    endpoints.  See socket.h. */
#include "zmqcore/socket.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zmqcore/address.h"
#include "zmqcore/clock.h"
#include "zmqcore/config.h"
#include "zmqcore/io_thread.h"
#include "zmqcore/listener.h"
#include "zmqcore/monitor.h"
#include "zmqcore/patterns.h"
#include "zmqcore/session.h"

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
    zc_hashmap_init(&s->pipe_map);
    zc_hashmap_init(&s->ids);
    zc_options_init(&s->options, type);
    pthread_mutex_init(&s->monitor_lock, NULL);
    zc_lb_init(&s->lb);
    zc_fq_init(&s->fq);
    s->mailbox = zc_mailbox_new();
    if (!s->mailbox) {
        free(s);
        return NULL;
    }
    if (pattern->xinit && pattern->xinit(s) < 0) {
        zc_mailbox_unref(s->mailbox);
        free(s);
        return NULL;
    }
    if (zc_ctx_register_socket(ctx, s) < 0) {
        int err = errno;
        if (pattern->xdestroy)
            pattern->xdestroy(s);
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
    /*  Look the address up first: the command's pipe may be freed memory,
        and only a pipe we hold may be dereferenced. */
    zc_pipe_t *p = zc_hashmap_get(&s->pipe_map, zc_hash_ptr(cmd->pipe), NULL, cmd->pipe);
    return p && p->id == cmd->pipe_id ? p : NULL;
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
    if (zc_hashmap_put(&s->pipe_map, p, p, zc_hash_ptr(p)) < 0) {
        zc_pipe_terminate(p);
        return;
    }
    p->set_index = s->npipes;
    s->pipes[s->npipes++] = p;
    p->wake_slot = &s->wake;
    if (endpoint && !p->endpoint)
        p->endpoint = strdup(endpoint);
    if (s->closing) {
        /*  A connection that finished its handshake as we closed. */
        zc_socket_detach_pipe(s, p);
        return;
    }
    if (s->pattern->xattach(s, p) < 0) {
        /*  Refused (PAIR already has a peer): forget it without telling
            the pattern, which never took it. */
        s->npipes--;
        s->pipes[p->set_index] = s->pipes[s->npipes];
        s->pipes[p->set_index]->set_index = p->set_index;
        zc_hashmap_del(&s->pipe_map, p, zc_hash_ptr(p));
        free(p->endpoint);
        p->endpoint = NULL;
        zc_pipe_terminate(p);
    }
}

void zc_socket_detach_pipe(zc_socket_t *s, zc_pipe_t *p)
{
    if (s->wake.direct == p)
        zc_socket_flush_wake(s);    /*  owed to this pipe: pay it first */
    s->pattern->xpipe_terminated(s, p);
    int i = p->set_index;
    s->npipes--;
    s->pipes[i] = s->pipes[s->npipes];
    s->pipes[i]->set_index = i;
    zc_hashmap_del(&s->pipe_map, p, zc_hash_ptr(p));
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
    case ZC_CMD_HICCUP:
        if ((p = find_pipe(s, cmd)) && s->pattern->xhiccuped)
            s->pattern->xhiccuped(s, p);
        break;
    case ZC_CMD_CHILD_TERMINATED:
        for (int i = 0; i < s->nchildren; i++) {
            if (s->children[i] == cmd->fn_arg) {
                s->children[i] = s->children[--s->nchildren];
                break;
            }
        }
        break;
    default:
        break;
    }
}

int zc_socket_process_commands(zc_socket_t *s, int timeout_ms)
{
    zc_command_t cmd;
    if (zc_mailbox_recv(s->mailbox, &cmd, timeout_ms) < 0)
        return errno == EINTR ? -1 : 0;
    do
        dispatch(s, &cmd);
    while (zc_mailbox_recv(s->mailbox, &cmd, 0) == 0);
    /*  A command may have written to a pipe (a new subscriber gets our
        subscriptions): its wake-up cannot wait for a send that may never
        come. */
    zc_socket_flush_wake(s);
    return 0;
}

/*  --- send / recv --------------------------------------------------------- */

typedef int (*xop_t) (zc_socket_t *, zc_msg_t *);

/*  The one wait loop behind send and recv: try, read commands, try again,
    sleep on the mailbox until the deadline. */
static int run_op(zc_socket_t *s, xop_t op, zc_msg_t *msg, int timeout_ms)
{
    if (ZC_UNLIKELY(s->ctx_terminated)) {
        errno = ETERM;
        return -1;
    }
    /*  Commands are read as soon as they are there (a lock-free check):
        a publisher must learn of a subscription before its next send. */
    if (ZC_UNLIKELY(zc_mailbox_pending(s->mailbox))) {
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
        if (op(s, msg) == 0) {
            /*  (A send that waited found its peer busy: not lock-step.) */
            if (wait_ms != 0 && op == s->pattern->xrecv)
                zc_socket_waited(s);
            return 0;
        }
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
    size_t size = zc_msg_size(msg);
    int more = flags & ZC_SNDMORE;
    if (run_op(s, s->pattern->xsend, msg, timeout_ms) < 0)
        return -1;
    s->stats.bytes_out += size;
    s->stats.msgs_out += !more;
    return 0;
}

int zc_socket_recv(zc_socket_t *s, zc_msg_t *msg, int timeout_ms)
{
    if (run_op(s, s->pattern->xrecv, msg, timeout_ms) < 0)
        return -1;
    s->rcvmore = msg->flags & ZC_MSG_MORE ? 1 : 0;
    s->stats.bytes_in += zc_msg_size(msg);
    s->stats.msgs_in += !s->rcvmore;
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

/*  The I/O thread for a new listener or session: the least loaded. */
static zc_io_thread_t *choose_io_thread(zc_socket_t *s)
{
    zc_ctx_t *ctx = s->ctx;
    zc_io_thread_t *best = NULL;
    int best_load = 0;
    for (int i = 0; i < ctx->n_io_threads; i++) {
        int load = zc_io_thread_load(ctx->io_threads[i]);
        if (!best || load < best_load) {
            best = ctx->io_threads[i];
            best_load = load;
        }
    }
    return best;
}

static int add_child(zc_socket_t *s, zc_child_t *c)
{
    if (s->nchildren == s->children_cap) {
        int ncap = s->children_cap ? s->children_cap * 2 : 4;
        zc_child_t **nc = realloc(s->children, (size_t) ncap * sizeof *nc);
        if (!nc) {
            errno = ENOMEM;
            return -1;
        }
        s->children = nc;
        s->children_cap = ncap;
    }
    s->children[s->nchildren++] = c;
    return 0;
}

/*  Asks a child to end (it reports back with CHILD_TERMINATED). */
static void term_child(zc_socket_t *s, zc_child_t *c, int linger)
{
    (void) s;
    if (c->terminating)
        return;
    c->terminating = 1;
    c->term_linger = linger;
    zc_io_thread_call(c->io, c->term, c);
}

void zc_socket_child_terminated(zc_socket_t *s, zc_child_t *child)
{
    zc_command_t cmd = {.type = ZC_CMD_CHILD_TERMINATED, .fn_arg = child, .arg = child->id};
    zc_mailbox_send(s->mailbox, &cmd);
}

/*  What every endpoint call checks first.  The transport, with *address
    set, or -1. */
static int endpoint_call(zc_socket_t *s, const char *endpoint, const char **address)
{
    if (s->ctx_terminated) {
        errno = ETERM;
        return -1;
    }
    int t = zc_address_split(endpoint, address);
    if (t > 0 && t != ZC_TRANSPORT_INPROC && s->ctx->n_io_threads == 0) {
        errno = EMTHREAD;   /*  tcp and ipc need an I/O thread */
        return -1;
    }
    return t;
}

static void set_last_endpoint(zc_socket_t *s, const char *endpoint)
{
    snprintf(s->last_endpoint, sizeof s->last_endpoint, "%s", endpoint);
}

static int resolve(zc_socket_t *s, int transport, const char *address, int is_bind,
                   zc_address_t *a)
{
    if (transport == ZC_TRANSPORT_TCP)
        return zc_address_resolve_tcp(a, address, is_bind, s->options.ipv6);
    return zc_address_resolve_ipc(a, address);
}

int zc_socket_bind(zc_socket_t *s, const char *endpoint)
{
    const char *address;
    int t = endpoint_call(s, endpoint, &address);
    if (t < 0)
        return -1;
    if (t == ZC_TRANSPORT_INPROC) {
        if (zc_ctx_inproc_bind(s->ctx, s, address) < 0)
            return -1;
        set_last_endpoint(s, endpoint);
        return 0;
    }
    zc_address_t a;
    char resolved[256];
    zc_listener_t *l = NULL;
    if (resolve(s, t, address, 1, &a) == 0)
        l = zc_listener_new(s, choose_io_thread(s), &a, resolved, sizeof resolved);
    if (!l) {
        int err = errno;
        /*  libzmq names the address without its transport here. */
        zc_monitor_event(s, ZC_EVENT_BIND_FAILED, (uint64_t) err, address);
        errno = err;
        return -1;
    }
    l->child.id = zc_ctx_next_id(s->ctx);
    if (add_child(s, &l->child) < 0) {
        l->child.term_linger = 0;
        l->child.term(l);   /*  never started: safe on this thread */
        errno = ENOMEM;
        return -1;
    }
    zc_io_thread_call(l->child.io, zc_listener_start, l);
    set_last_endpoint(s, resolved);
    zc_monitor_event(s, ZC_EVENT_LISTENING, (uint64_t) l->fd, resolved);
    return 0;
}

int zc_socket_connect(zc_socket_t *s, const char *endpoint)
{
    const char *address;
    int t = endpoint_call(s, endpoint, &address);
    if (t < 0)
        return -1;
    if (t == ZC_TRANSPORT_INPROC) {
        if (zc_ctx_inproc_connect(s->ctx, s, address) < 0)
            return -1;
        s->options.connect_routing_id_len = 0;  /*  used up */
        set_last_endpoint(s, endpoint);
        return 0;
    }
    zc_address_t a;
    if (resolve(s, t, address, 0, &a) < 0) {
        /*  A name that does not resolve yet is tried again at every
            reconnect, as libzmq; only a malformed address fails here. */
        if (errno != EHOSTUNREACH)
            return -1;
        a.transport = 0;
    }
    zc_session_t *ss = zc_session_new_connecting(s, choose_io_thread(s), &a, endpoint);
    if (!ss)
        return -1;
    if (add_child(s, &ss->child) < 0) {
        ss->child.term_linger = 0;
        zc_io_thread_call(ss->child.io, zc_session_term, ss);
        return 0;
    }
    zc_io_thread_call(ss->child.io, zc_session_start, ss);
    s->options.connect_routing_id_len = 0;  /*  used up */
    set_last_endpoint(s, endpoint);
    return 0;
}

/*  Ends the children made by bind (listeners) or connect (sessions) to
    `endpoint`; 1 if there was one. */
static int term_children(zc_socket_t *s, const char *endpoint, int listeners)
{
    int found = 0;
    for (int i = 0; i < s->nchildren; i++) {
        zc_child_t *c = s->children[i];
        if (c->is_listener == listeners && !c->terminating
            && strcmp(c->endpoint, endpoint) == 0) {
            term_child(s, c, listeners ? 0 : s->options.linger);
            found = 1;
        }
    }
    return found;
}

int zc_socket_unbind(zc_socket_t *s, const char *endpoint)
{
    const char *address;
    int t = endpoint_call(s, endpoint, &address);
    if (t < 0)
        return -1;
    if (t == ZC_TRANSPORT_INPROC)
        return zc_ctx_inproc_unbind(s->ctx, s, address);
    zc_socket_process_commands(s, 0);
    if (!term_children(s, endpoint, 1)) {
        errno = ENOENT;
        return -1;
    }
    return 0;
}

int zc_socket_disconnect(zc_socket_t *s, const char *endpoint)
{
    const char *address;
    int t = endpoint_call(s, endpoint, &address);
    if (t < 0)
        return -1;
    /*  Commands first, so pipes that arrived by this endpoint are known. */
    zc_socket_process_commands(s, 0);
    int found = 0;
    for (int i = s->npipes - 1; i >= 0; i--) {
        zc_pipe_t *p = s->pipes[i];
        if (p->endpoint && strcmp(p->endpoint, t == ZC_TRANSPORT_INPROC ? address : endpoint) == 0) {
            zc_socket_detach_pipe(s, p);
            found = 1;
        }
    }
    if (t == ZC_TRANSPORT_INPROC)
        found |= zc_ctx_inproc_cancel_pending(s->ctx, s, address);
    else
        found |= term_children(s, endpoint, 0);
    if (!found) {
        errno = ENOENT;
        return -1;
    }
    return 0;
}

/*  --- close ---------------------------------------------------------------- */

static void socket_free(zc_socket_t *s)
{
    zc_ctx_t *ctx = s->ctx;
    zc_socket_monitor(s, NULL, 0);
    if (s->pattern->xdestroy)
        s->pattern->xdestroy(s);
    free(s->pipes);
    zc_hashmap_fini(&s->pipe_map);
    zc_hashmap_fini(&s->ids);
    free(s->children);
    zc_lb_destroy(&s->lb);
    zc_fq_destroy(&s->fq);
    pthread_mutex_destroy(&s->monitor_lock);
    /*  Out of the context's list first: zc_ctx_term posts STOP to every
        listed socket's mailbox, which must still be alive then.  After
        this the context may be gone; only our own memory is touched. */
    zc_mailbox_t *mailbox = s->mailbox;
    zc_ctx_unregister_socket(ctx, s);
    zc_mailbox_unref(mailbox);
    free(s);
}

/*  The reaper (an I/O thread) reads a closed socket's mailbox until its
    last child has reported; then the socket is freed. */
static void reap_in_event(void *arg)
{
    zc_socket_t *s = arg;
    zc_socket_process_commands(s, 0);
    while (s->npipes > 0)
        zc_socket_detach_pipe(s, s->pipes[s->npipes - 1]);
    if (s->nchildren > 0)
        return;
    zc_poller_rm_fd(zc_io_thread_poller(s->reaper), s->reap_handle);
    socket_free(s);
}

static void reap_start(void *arg)
{
    zc_socket_t *s = arg;
    s->reap_handler.in_event = reap_in_event;
    s->reap_handler.arg = s;
    zc_poller_t *poller = zc_io_thread_poller(s->reaper);
    s->reap_handle = zc_poller_add_fd(poller, zc_socket_fd(s), &s->reap_handler);
    if (s->reap_handle)
        zc_poller_set_pollin(poller, s->reap_handle);
    reap_in_event(s);
}

void zc_socket_close(zc_socket_t *s)
{
    zc_ctx_t *ctx = s->ctx;
    zc_socket_flush_wake(s);
    /*  Once our names are gone no new pipe can reach us; then read what
        is already in the mailbox so pipes handed to us are let go too. */
    zc_ctx_inproc_forget(ctx, s);
    zc_socket_process_commands(s, 0);
    s->closing = 1;
    while (s->npipes > 0)
        zc_socket_detach_pipe(s, s->pipes[s->npipes - 1]);
    if (s->nchildren == 0) {
        socket_free(s);
        return;
    }
    /*  Listeners and sessions end in their own time (LINGER); the reaper
        keeps the socket until they all have. */
    for (int i = 0; i < s->nchildren; i++)
        term_child(s, s->children[i], s->options.linger);
    s->reaper = ctx->io_threads[0];
    zc_io_thread_call(s->reaper, reap_start, s);
}

int zc_socket_setopt_int(zc_socket_t *s, int option, int64_t value)
{
    if (option == ZC_OPT_MAXMSGSIZE)
        return zc_options_set(&s->options, option, &value, sizeof value);
    if (value < INT32_MIN || value > INT32_MAX) {
        errno = EINVAL;
        return -1;
    }
    int v = (int) value;
    return zc_socket_setopt_bytes(s, option, &v, sizeof v);
}

int zc_socket_setopt_bytes(zc_socket_t *s, int option, const void *value, size_t len)
{
    if (s->pattern->xsetopt) {
        int rc = s->pattern->xsetopt(s, option, value, len);
        zc_socket_flush_wake(s);    /*  a subscription went out */
        if (rc <= 0)
            return rc;
    }
    return zc_options_set(&s->options, option, value, len);
}

void zc_socket_get_stats(zc_socket_t *s, zc_socket_stats_t *out)
{
    zc_socket_process_commands(s, 0);
    *out = s->stats;
    out->peers = (uint64_t) s->npipes;
    out->queued_out = 0;
    for (int i = 0; i < s->npipes; i++) {
        const zc_pipe_t *p = s->pipes[i];
        out->queued_out += p->msgs_written - p->peers_msgs_read;
    }
}

int zc_socket_getopt_int(zc_socket_t *s, int option, int64_t *value)
{
    return zc_options_get_int64(&s->options, option, value);
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
                if (items[i].revents && !first)
                    zc_socket_waited(items[i].socket);
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
