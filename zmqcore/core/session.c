/*  Sessions: a socket's pipe joined to a connection; see session.h. */
#include "zmqcore/session.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "zmqcore/engine.h"
#include "zmqcore/engine_raw.h"
#include "zmqcore/listener.h"
#include "zmqcore/monitor.h"
#include "zmqcore/stream.h"

/*  Timer ids on the session's handler. */
enum { T_RECONNECT = 1, T_CONNECT_TIMEOUT, T_LINGER };

static void on_pipe_command(void *owner, zc_pipe_t *p, const zc_command_t *cmd);
static void session_timer(void *arg, int id);
static void connect_out_event(void *arg);
static void maybe_finish(zc_session_t *ss);

static zc_poller_t *poller_of(zc_session_t *ss)
{
    return zc_io_thread_poller(ss->child.io);
}

/*  `options`: the socket's own on its thread (connect), or the listener's
    copy (accept, on the I/O thread: the socket's may change meanwhile). */
static zc_session_t *session_alloc(zc_socket_t *s, zc_io_thread_t *io, const char *endpoint,
                                   const zc_options_t *options)
{
    zc_session_t *ss = calloc(1, sizeof *ss);
    if (!ss) {
        errno = ENOMEM;
        return NULL;
    }
    ss->child.endpoint = strdup(endpoint);
    if (!ss->child.endpoint) {
        free(ss);
        errno = ENOMEM;
        return NULL;
    }
    ss->child.id = zc_ctx_next_id(s->ctx);
    ss->child.io = io;
    ss->child.term = zc_session_term;
    ss->socket = s;
    ss->options = *options;
    ss->connect_fd = -1;
    ss->accepted_fd = -1;
    ss->pipe_owner.on_command = on_pipe_command;
    ss->pipe_owner.owner = ss;
    ss->handler.out_event = connect_out_event;
    ss->handler.in_event = connect_out_event;   /*  errors come as input */
    ss->handler.timer_event = session_timer;
    ss->handler.arg = ss;
    return ss;
}

/*  A pipe between socket s and this session: the socket's end goes to the
    socket (attached now on its thread, or by a BIND command), ours stays.
    Each side's own HWM limits its own queue (tcp does not add them up). */
static int make_pipe(zc_session_t *ss, zc_pipe_t **socket_end)
{
    zc_socket_t *s = ss->socket;
    zc_pipe_t *ours;
    if (zc_pipe_pair_new(socket_end, &ours, s->mailbox, zc_io_thread_mailbox(ss->child.io),
                         (uint64_t) ss->options.sndhwm, (uint64_t) ss->options.rcvhwm,
                         zc_ctx_next_id(s->ctx), zc_ctx_next_id(s->ctx)) < 0)
        return -1;
    if (zc_pipe_conflate(*socket_end, zc_options_conflate_in(&ss->options),
                         zc_options_conflate_out(&ss->options)) < 0) {
        zc_pipe_terminate(*socket_end);
        zc_pipe_terminate(ours);
        return -1;
    }
    (*socket_end)->endpoint = strdup(ss->child.endpoint);
    /*  A ROUTER learns the peer's Identity from the first message on the
        pipe (see zc_session_engine_ready), unless CONNECT_ROUTING_ID
        named the peer already. */
    if (ss->options.type == ZC_ROUTER) {
        (*socket_end)->rid_by_msg = 1;
        if (ss->connecting && ss->options.connect_routing_id_len > 0) {
            memcpy((*socket_end)->routing_id, ss->options.connect_routing_id,
                   (size_t) ss->options.connect_routing_id_len);
            (*socket_end)->routing_id_len = (unsigned char) ss->options.connect_routing_id_len;
        }
    }
    /*  A STREAM socket makes up ids itself, unless CONNECT_ROUTING_ID. */
    if (ss->options.type == ZC_STREAM && ss->connecting && ss->options.connect_routing_id_len > 0) {
        memcpy((*socket_end)->routing_id, ss->options.connect_routing_id,
               (size_t) ss->options.connect_routing_id_len);
        (*socket_end)->routing_id_len = (unsigned char) ss->options.connect_routing_id_len;
    }
    ss->pipe = ours;
    return 0;
}

/*  Tells a ROUTER socket the peer's Identity: a flagged message ahead of
    any data from this connection.  The socket thread sees it through the
    pipe itself, so it is never late. */
static void write_routing_id(zc_session_t *ss, const unsigned char *id, size_t len)
{
    zc_pipe_t *p = ss->pipe;
    if (ss->options.type != ZC_ROUTER || !p || p->peer_terminated)
        return;
    zc_msg_t msg;
    if (zc_msg_init_size(&msg, len) < 0)
        return;
    if (len)
        memcpy(zc_msg_data(&msg), id, len);
    msg.flags = ZC_MSG_ROUTING_ID;
    if (zc_pipe_write(p, &msg) < 0) {
        zc_msg_close(&msg);
        return;
    }
    zc_pipe_flush(p);
}

zc_session_t *zc_session_new_connecting(zc_socket_t *s, zc_io_thread_t *io,
                                        const zc_address_t *addr, const char *endpoint)
{
    zc_session_t *ss = session_alloc(s, io, endpoint, &s->options);
    if (!ss)
        return NULL;
    ss->connecting = 1;
    ss->address = *addr;
    ss->reconnect_ivl = ss->options.reconnect_ivl;
    if (!ss->options.immediate) {
        /*  Messages may queue before the first connection. */
        zc_pipe_t *socket_end;
        if (make_pipe(ss, &socket_end) < 0) {
            free(ss->child.endpoint);
            free(ss);
            errno = ENOMEM;
            return NULL;
        }
        zc_socket_attach_pipe(s, socket_end, NULL);
    }
    return ss;
}

zc_session_t *zc_session_new_accepted(zc_listener_t *l, int fd)
{
    zc_session_t *ss = session_alloc(l->socket, l->child.io, l->child.endpoint, &l->options);
    if (!ss) {
        close(fd);
        return NULL;
    }
    ss->listener = l;
    ss->accepted_fd = fd;
    return ss;
}

/*  --- connecting -------------------------------------------------------------- */

static void start_engine(zc_session_t *ss, int fd)
{
    if (ss->options.type == ZC_STREAM)
        ss->engine = zc_engine_raw_new(ss, poller_of(ss), fd);     /*  no ZMTP */
    else
        ss->engine = zc_engine_new(ss, poller_of(ss), fd);
    /*  On failure the fd is closed; a connecting session tries again. */
    if (!ss->engine)
        zc_session_engine_error(ss, 0, 0);
}

static void schedule_reconnect(zc_session_t *ss)
{
    if (ss->options.reconnect_ivl < 0 || ss->terminating)
        return;
    int ivl = ss->reconnect_ivl > 0 ? ss->reconnect_ivl : 1;
    /*  Plus a random part below the base interval, as libzmq, so that many
        peers do not reconnect in lock step. */
    int base = ss->options.reconnect_ivl > 0 ? ss->options.reconnect_ivl : 1;
    int delay = ivl + (int) ((unsigned) rand() % (unsigned) base);
    zc_poller_add_timer(poller_of(ss), delay, &ss->handler, T_RECONNECT);
    zc_monitor_event(ss->socket, ZC_EVENT_CONNECT_RETRIED, (uint64_t) delay, ss->child.endpoint);
    int max = ss->options.reconnect_ivl_max;
    if (max > ss->options.reconnect_ivl) {
        ss->reconnect_ivl = ivl * 2 > max ? max : ivl * 2;
    }
}

static void close_connect_fd(zc_session_t *ss)
{
    if (ss->connect_fd < 0)
        return;
    zc_monitor_event(ss->socket, ZC_EVENT_CLOSED, (uint64_t) ss->connect_fd,
                     ss->child.endpoint);
    if (ss->connect_handle)
        zc_poller_rm_fd(poller_of(ss), ss->connect_handle);
    ss->connect_handle = NULL;
    zc_poller_cancel_timer(poller_of(ss), &ss->handler, T_CONNECT_TIMEOUT);
    close(ss->connect_fd);
    ss->connect_fd = -1;
}

static void connected(zc_session_t *ss)
{
    int fd = ss->connect_fd;
    if (ss->connect_handle)
        zc_poller_rm_fd(poller_of(ss), ss->connect_handle);
    ss->connect_handle = NULL;
    zc_poller_cancel_timer(poller_of(ss), &ss->handler, T_CONNECT_TIMEOUT);
    ss->connect_fd = -1;
    zc_monitor_event(ss->socket, ZC_EVENT_CONNECTED, (uint64_t) fd, ss->child.endpoint);
    start_engine(ss, fd);
}

static void start_connecting(zc_session_t *ss)
{
    const zc_address_t *a = &ss->address;
    if (a->transport == 0) {
        /*  Not resolved yet: try now (on this thread, as libzmq). */
        const char *text = strstr(ss->child.endpoint, "://") + 3;
        if (zc_address_resolve_tcp(&ss->address, text, 0, ss->options.ipv6) < 0) {
            ss->address.transport = 0;
            schedule_reconnect(ss);
            return;
        }
    }
    int fd = socket(a->addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        schedule_reconnect(ss);
        return;
    }
    ss->connect_fd = fd;
    zc_stream_tune(fd, a->transport, &ss->options);
    if (a->sourcelen > 0) {
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(fd, (const struct sockaddr *) &a->source, a->sourcelen) < 0) {
            close_connect_fd(ss);
            schedule_reconnect(ss);
            return;
        }
    }
    int rc;
    do
        rc = connect(fd, (const struct sockaddr *) &a->addr, a->addrlen);
    while (rc < 0 && errno == EINTR);
    if (rc == 0) {
        connected(ss);
        return;
    }
    if (errno != EINPROGRESS && errno != EAGAIN) {
        close_connect_fd(ss);
        schedule_reconnect(ss);
        return;
    }
    zc_monitor_event(ss->socket, ZC_EVENT_CONNECT_DELAYED, (uint64_t) errno, ss->child.endpoint);
    ss->connect_handle = zc_poller_add_fd(poller_of(ss), fd, &ss->handler);
    if (!ss->connect_handle) {
        close_connect_fd(ss);
        schedule_reconnect(ss);
        return;
    }
    zc_poller_set_pollout(poller_of(ss), ss->connect_handle);
    if (ss->options.connect_timeout > 0)
        zc_poller_add_timer(poller_of(ss), ss->options.connect_timeout, &ss->handler,
                            T_CONNECT_TIMEOUT);
}

static void connect_out_event(void *arg)
{
    zc_session_t *ss = arg;
    if (ss->connect_fd < 0)
        return;
    int err = 0;
    socklen_t len = sizeof err;
    if (getsockopt(ss->connect_fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
        err = errno;
    if (err) {
        close_connect_fd(ss);
        schedule_reconnect(ss);
        return;
    }
    connected(ss);
}

/*  --- the pipe ---------------------------------------------------------------- */

static void release_pipe(zc_session_t *ss)
{
    if (!ss->pipe)
        return;
    /*  Messages the connection delivered just before it ended are
        complete but maybe not yet published: publish them first, or the
        socket would never see them. */
    if (!ss->pipe->peer_terminated)
        zc_pipe_flush(ss->pipe);
    zc_io_thread_remove_pipe(ss->child.io, ss->pipe);
    zc_pipe_terminate(ss->pipe);
    ss->pipe = NULL;
}

/*  After a connection broke: what it half-received is taken back, and the
    rest of a message it half-sent is dropped, so the next connection
    starts on a message boundary both ways (libzmq does the same). */
static void clean_pipe(zc_session_t *ss)
{
    if (!ss->pipe)
        return;
    zc_pipe_rollback(ss->pipe);
    zc_msg_t msg;
    while (ss->out_more && zc_pipe_read(ss->pipe, &msg)) {
        ss->out_more = zc_msg_more(&msg);
        zc_msg_close(&msg);
    }
    ss->out_more = 0;
}

/*  A REQ's connection carries replies only: an empty delimiter (maybe
    after a 4-byte request id), then the body.  Anything else makes libzmq
    drop the connection, and so do we (the caller's -1 EPROTO). */
enum { REQ_IN_BOTTOM = 0, REQ_IN_REQUEST_ID = 1, REQ_IN_BODY = 2 };

static int check_reply_part(zc_session_t *ss, const zc_msg_t *msg)
{
    int more = zc_msg_more(msg) ? 1 : 0;
    size_t size = zc_msg_size(msg);
    switch (ss->req_in_state) {
    case REQ_IN_BOTTOM:
        if (more && size == 4) {
            ss->req_in_state = REQ_IN_REQUEST_ID;
            return 0;
        }
        if (more && size == 0) {
            ss->req_in_state = REQ_IN_BODY;
            return 0;
        }
        break;
    case REQ_IN_REQUEST_ID:
        if (more && size == 0) {
            ss->req_in_state = REQ_IN_BODY;
            return 0;
        }
        break;
    default:
        if (!more)
            ss->req_in_state = REQ_IN_BOTTOM;
        return 0;
    }
    errno = EPROTO;
    return -1;
}

int zc_session_push_msg(zc_session_t *ss, zc_msg_t *msg)
{
    zc_pipe_t *p = ss->pipe;
    if (!p || p->peer_terminated) {
        zc_msg_close(msg);      /*  nobody to deliver to */
        return 0;
    }
    /*  HWM is checked on a message's first part only: once begun, a
        message goes in whole. */
    if (!ss->in_more && !zc_pipe_check_write(p)) {
        errno = EAGAIN;
        return -1;
    }
    if (ss->options.type == ZC_REQ && check_reply_part(ss, msg) < 0)
        return -1;
    ss->in_more = zc_msg_more(msg) ? 1 : 0;
    if (zc_pipe_write(p, msg) < 0) {
        zc_msg_close(msg);
        return 0;
    }
    return 0;
}

void zc_session_flush(zc_session_t *ss)
{
    if (ss->pipe && !ss->pipe->peer_terminated)
        zc_pipe_flush(ss->pipe);
}

int zc_session_pull_msg(zc_session_t *ss, zc_msg_t *msg)
{
    zc_pipe_t *p = ss->pipe;
    while (p && zc_pipe_read(p, msg)) {
        if (ZC_UNLIKELY(ss->hiccups_pending > 0 || (msg->flags & ZC_MSG_HICCUP))) {
            /*  Stale, or the marker that ends the stale part. */
            if ((msg->flags & ZC_MSG_HICCUP) && ss->hiccups_pending > 0)
                ss->hiccups_pending--;
            zc_msg_close(msg);
            continue;
        }
        ss->out_more = zc_msg_more(msg) ? 1 : 0;
        return 0;
    }
    if (p && p->peer_terminated) {
        release_pipe(ss);       /*  drained: the socket's side is gone */
        if (!ss->connecting && !ss->keep_open)
            ss->terminating = 1;
    }
    errno = EAGAIN;
    return -1;
}

static void on_pipe_command(void *owner, zc_pipe_t *p, const zc_command_t *cmd)
{
    zc_session_t *ss = owner;
    switch (cmd->type) {
    case ZC_CMD_ACTIVATE_READ:
        if (ss->engine)
            zc_engine_restart_output(ss->engine);
        break;
    case ZC_CMD_ACTIVATE_WRITE:
        if (zc_pipe_process_activate_write(p, cmd->arg) && ss->engine)
            zc_engine_restart_input(ss->engine);
        break;
    case ZC_CMD_HWM:
        /*  Under the direct lock: a direct write reads lwm (direct.h). */
        pthread_mutex_lock(&p->direct->lock);
        zc_pipe_set_hwms(p, cmd->arg >> 32, cmd->arg & 0xffffffffu);
        pthread_mutex_unlock(&p->direct->lock);
        break;
    case ZC_CMD_HICCUP:
        /*  The socket could not write its marker: stop dropping.  (A
            direct write reads the count too.) */
        pthread_mutex_lock(&p->direct->lock);
        if (ss->hiccups_pending > 0)
            ss->hiccups_pending--;
        pthread_mutex_unlock(&p->direct->lock);
        if (ss->engine)
            zc_engine_restart_output(ss->engine);
        break;
    case ZC_CMD_PIPE_TERM:
        /*  The socket wrote its last: no more direct writes, and the
            engine stops locking a pipe that may go below. */
        if (ss->engine)
            zc_engine_stop_direct(ss->engine);
        p->peer_terminated = 1;
        p->out_active = 0;
        /*  An accepted connection nobody reads any more ends once what the
            socket sent before letting go has gone out (this is where LINGER
            is honoured); an empty pipe goes at once.  Both calls below may
            free the session: nothing may touch it afterwards.  Unless the
            socket asked to keep the connection (arg 1): then it stays until
            it breaks or the listener ends, its input dropped (libzmq keeps
            such a connection open too, and never reads it). */
        if (cmd->arg)
            ss->keep_open = 1;
        if (!ss->connecting && !ss->keep_open)
            ss->terminating = 1;
        if (!zc_pipe_check_read(p)) {
            release_pipe(ss);
            /*  A STREAM connection ends with its pipe: tell the engine. */
            if (ss->connecting && !ss->terminating && ss->engine
                && ss->options.type == ZC_STREAM)
                zc_engine_restart_output(ss->engine);
            maybe_finish(ss);
        } else if (ss->engine) {
            zc_engine_restart_output(ss->engine);
        }
        break;
    default:
        break;
    }
}

/*  --- engine events ------------------------------------------------------------ */

void zc_session_engine_ready(zc_session_t *ss, const unsigned char *peer_id, size_t peer_id_len)
{
    if (ss->options.type != ZC_STREAM)     /*  raw: no handshake (libzmq) */
        zc_monitor_event(ss->socket, ZC_EVENT_HANDSHAKE_SUCCEEDED, 0, ss->child.endpoint);
    ss->reconnect_ivl = ss->options.reconnect_ivl;
    int again = ss->handshakes++ > 0;
    if (ss->pipe) {
        write_routing_id(ss, peer_id, peer_id_len);
        /*  A new publisher behind the same pipe knows none of our
            subscriptions: the socket sends them all again, after a marker
            up to which we drop what it wrote before (libzmq's hiccup), so
            each goes once. */
        if (again && (ss->options.type == ZC_SUB || ss->options.type == ZC_XSUB)
            && !ss->pipe->peer_terminated) {
            ss->hiccups_pending++;
            zc_pipe_send_to_peer(ss->pipe, ZC_CMD_HICCUP, 0);
        }
        return;
    }
    if (ss->terminating)
        return;
    zc_pipe_t *socket_end;
    if (make_pipe(ss, &socket_end) < 0)
        return;
    zc_io_thread_add_pipe(ss->child.io, ss->pipe, &ss->pipe_owner);
    write_routing_id(ss, peer_id, peer_id_len);
    /*  The socket takes its end when it reads this command; a closing
        socket takes it only to let it go. */
    zc_command_t bind = {.type = ZC_CMD_BIND, .pipe = socket_end, .pipe_id = socket_end->id};
    zc_mailbox_send(ss->socket->mailbox, &bind);
}

void zc_session_engine_error(zc_session_t *ss, int handshake_done, int protocol_error)
{
    (void) handshake_done;
    zc_engine_t *e = ss->engine;
    if (e) {
        int fd = zc_engine_fd(e);
        ss->engine = NULL;
        zc_engine_destroy(e);
        /*  libzmq reports every connection that ends, handshake or not. */
        zc_monitor_event(ss->socket, ZC_EVENT_DISCONNECTED, (uint64_t) fd,
                         ss->child.endpoint);
    }
    ss->in_more = 0;
    ss->req_in_state = 0;
    clean_pipe(ss);
    zc_session_flush(ss);
    /*  With IMMEDIATE the pipe exists only while connected: messages are
        not queued for a peer that is not there.  A peer that broke the
        protocol is not tried again (libzmq): its pipe goes too. */
    if (ss->connecting && (ss->options.immediate || protocol_error))
        release_pipe(ss);
    if (ss->connecting && !ss->terminating) {
        if (!protocol_error)
            schedule_reconnect(ss);
        return;
    }
    /*  An accepted connection ends with its connection. */
    ss->terminating = 1;
    release_pipe(ss);
    maybe_finish(ss);
}

void zc_session_engine_idle(zc_session_t *ss)
{
    maybe_finish(ss);
}

/*  --- life cycle --------------------------------------------------------------- */

void zc_session_start(void *self)
{
    zc_session_t *ss = self;
    if (ss->pipe)
        zc_io_thread_add_pipe(ss->child.io, ss->pipe, &ss->pipe_owner);
    if (ss->connecting) {
        start_connecting(ss);
    } else {
        int fd = ss->accepted_fd;
        ss->accepted_fd = -1;
        start_engine(ss, fd);
    }
}

static void session_free(zc_session_t *ss)
{
    zc_poller_t *poller = poller_of(ss);
    zc_poller_cancel_timer(poller, &ss->handler, T_RECONNECT);
    zc_poller_cancel_timer(poller, &ss->handler, T_LINGER);
    close_connect_fd(ss);
    if (ss->engine) {
        zc_engine_t *e = ss->engine;
        ss->engine = NULL;
        zc_engine_destroy(e);
    }
    release_pipe(ss);
    if (ss->listener)
        zc_listener_session_done(ss->listener, ss);
    else
        zc_socket_child_terminated(ss->socket, &ss->child);
    free(ss->child.endpoint);
    free(ss);
}

/*  A terminating session ends once its pipe is drained and its engine has
    handed everything to the kernel (or there is no engine to wait for). */
static void maybe_finish(zc_session_t *ss)
{
    if (!ss->terminating || ss->pipe)
        return;
    if (ss->engine && !zc_engine_output_done(ss->engine))
        return;
    session_free(ss);
}

void zc_session_term(void *self)
{
    zc_session_t *ss = self;
    if (ss->terminating && ss->pipe == NULL) {
        maybe_finish(ss);
        return;
    }
    ss->terminating = 1;
    int linger = ss->child.term_linger;
    if (linger == 0 || (!ss->engine && !ss->connecting)) {
        session_free(ss);
        return;
    }
    if (linger > 0)
        zc_poller_add_timer(poller_of(ss), linger, &ss->handler, T_LINGER);
    maybe_finish(ss);
}

static void session_timer(void *arg, int id)
{
    zc_session_t *ss = arg;
    switch (id) {
    case T_RECONNECT:
        if (!ss->engine && ss->connect_fd < 0)
            start_connecting(ss);
        break;
    case T_CONNECT_TIMEOUT:
        close_connect_fd(ss);
        schedule_reconnect(ss);
        break;
    case T_LINGER:
        session_free(ss);       /*  LINGER is up: what is left is dropped */
        break;
    default:
        break;
    }
}
