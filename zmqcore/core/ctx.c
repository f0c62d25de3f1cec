/*  Context: socket registry, inproc names, termination.  See ctx.h. */
#include "zmqcore/ctx.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "zmqcore/body_cache.h"
#include "zmqcore/err.h"
#include "zmqcore/io_thread.h"
#include "zmqcore/pipe.h"
#include "zmqcore/socket.h"

/*  libzmq's default ZMQ_MAX_SOCKETS. */
#define ZC_DEFAULT_MAX_SOCKETS 1023

zc_ctx_t *zc_ctx_new(int io_threads)
{
    if (io_threads < 0) {
        errno = EINVAL;
        return NULL;
    }
    zc_ctx_t *ctx = calloc(1, sizeof *ctx);
    if (!ctx) {
        errno = ENOMEM;
        return NULL;
    }
    pthread_mutex_init(&ctx->lock, NULL);
    atomic_init(&ctx->next_id, 1);
    ctx->max_sockets = ZC_DEFAULT_MAX_SOCKETS;
    ctx->term_mailbox = zc_mailbox_new();
    if (!ctx->term_mailbox)
        goto fail;
    ctx->body_cache = zc_body_cache_new();
    if (!ctx->body_cache)
        goto fail;
    if (io_threads > 0) {
        ctx->io_threads = calloc((size_t) io_threads, sizeof *ctx->io_threads);
        if (!ctx->io_threads)
            goto fail;
    }
    for (int i = 0; i < io_threads; i++) {
        zc_io_thread_t *t = zc_io_thread_new();
        if (!t)
            goto fail;
        ctx->io_threads[ctx->n_io_threads++] = t;
        if (zc_io_thread_start(t) < 0)
            goto fail;
    }
    return ctx;

fail:;
    int err = errno ? errno : ENOMEM;
    zc_ctx_destroy(ctx);
    errno = err;
    return NULL;
}

static void free_pending(zc_pending_t *pd)
{
    /*  Nobody owns the binder's end yet: we let go of it ourselves. */
    free(pd->end->endpoint);
    pd->end->endpoint = NULL;
    zc_pipe_terminate(pd->end);
    free(pd->name);
    free(pd);
}

void zc_ctx_destroy(zc_ctx_t *ctx)
{
    for (int i = 0; i < ctx->n_io_threads; i++) {
        zc_io_thread_stop(ctx->io_threads[i]);
        zc_io_thread_destroy(ctx->io_threads[i]);
    }
    free(ctx->io_threads);
    while (ctx->pending) {
        zc_pending_t *pd = ctx->pending;
        ctx->pending = pd->next;
        free_pending(pd);
    }
    while (ctx->endpoints) {
        zc_inproc_ep_t *ep = ctx->endpoints;
        ctx->endpoints = ep->next;
        free(ep->name);
        free(ep);
    }
    if (ctx->term_mailbox)
        zc_mailbox_unref(ctx->term_mailbox);
    zc_body_cache_release(ctx->body_cache);
    free(ctx->sockets);
    pthread_mutex_destroy(&ctx->lock);
    free(ctx);
}

int zc_ctx_term(zc_ctx_t *ctx)
{
    pthread_mutex_lock(&ctx->lock);
    if (!ctx->terminating) {
        ctx->terminating = 1;
        zc_command_t stop = {.type = ZC_CMD_STOP};
        for (int i = 0; i < ctx->nsockets; i++)
            zc_mailbox_send(ctx->sockets[i]->mailbox, &stop);
    }
    for (;;) {
        int left = ctx->nsockets;
        pthread_mutex_unlock(&ctx->lock);
        if (left == 0)
            break;
        zc_command_t cmd;
        if (zc_mailbox_recv(ctx->term_mailbox, &cmd, -1) < 0 && errno == EINTR)
            return -1;
        pthread_mutex_lock(&ctx->lock);
    }
    for (int i = 0; i < ctx->n_io_threads; i++)
        zc_io_thread_stop(ctx->io_threads[i]);
    return 0;
}

int zc_ctx_register_socket(zc_ctx_t *ctx, zc_socket_t *s)
{
    pthread_mutex_lock(&ctx->lock);
    int err = 0;
    if (ctx->terminating)
        err = ETERM;
    else if (ctx->nsockets >= ctx->max_sockets)
        err = EMFILE;
    else if (ctx->nsockets == ctx->cap) {
        int ncap = ctx->cap ? ctx->cap * 2 : 16;
        zc_socket_t **ns = realloc(ctx->sockets, (size_t) ncap * sizeof *ns);
        if (!ns)
            err = ENOMEM;
        else {
            ctx->sockets = ns;
            ctx->cap = ncap;
        }
    }
    if (!err)
        ctx->sockets[ctx->nsockets++] = s;
    pthread_mutex_unlock(&ctx->lock);
    if (err) {
        errno = err;
        return -1;
    }
    return 0;
}

void zc_ctx_unregister_socket(zc_ctx_t *ctx, zc_socket_t *s)
{
    pthread_mutex_lock(&ctx->lock);
    for (int i = 0; i < ctx->nsockets; i++) {
        if (ctx->sockets[i] == s) {
            ctx->sockets[i] = ctx->sockets[--ctx->nsockets];
            break;
        }
    }
    int terminating = ctx->terminating;
    pthread_mutex_unlock(&ctx->lock);
    if (terminating) {
        zc_command_t reaped = {.type = ZC_CMD_REAPED};
        zc_mailbox_send(ctx->term_mailbox, &reaped);
    }
}

/*  --- inproc ---------------------------------------------------------------- */

/*  The HWM of a direction through an inproc pipe: the sender's queue and
    the receiver's queue are one queue here, so the limits add up; either
    being unlimited makes it unlimited (as libzmq). */
static uint64_t inproc_hwm(int sndhwm, int rcvhwm)
{
    if (sndhwm <= 0 || rcvhwm <= 0)
        return 0;
    return (uint64_t) sndhwm + (uint64_t) rcvhwm;
}

static zc_inproc_ep_t *find_ep(zc_ctx_t *ctx, const char *name)
{
    for (zc_inproc_ep_t *ep = ctx->endpoints; ep; ep = ep->next)
        if (strcmp(ep->name, name) == 0)
            return ep;
    return NULL;
}

/*  Tells a connecter that came before the bind who we are: our Identity
    as the first message on the pipe, flagged as a session's would be (its
    end reads it as rid_by_msg).  Ahead of anything we write, as libzmq. */
static void send_routing_id(zc_pipe_t *end, const zc_options_t *o)
{
    zc_msg_t msg;
    if (zc_msg_init_size(&msg, (size_t) o->routing_id_len) < 0)
        return;
    if (o->routing_id_len > 0)
        memcpy(zc_msg_data(&msg), o->routing_id, (size_t) o->routing_id_len);
    msg.flags = ZC_MSG_ROUTING_ID;
    if (zc_pipe_write(end, &msg) < 0) {
        zc_msg_close(&msg);
        return;
    }
    zc_pipe_flush(end);
}

int zc_ctx_inproc_bind(zc_ctx_t *ctx, zc_socket_t *s, const char *name)
{
    pthread_mutex_lock(&ctx->lock);
    if (find_ep(ctx, name)) {
        pthread_mutex_unlock(&ctx->lock);
        errno = EADDRINUSE;
        return -1;
    }
    zc_inproc_ep_t *ep = malloc(sizeof *ep);
    char *copy = strdup(name);
    if (!ep || !copy) {
        pthread_mutex_unlock(&ctx->lock);
        free(ep);
        free(copy);
        errno = ENOMEM;
        return -1;
    }
    ep->name = copy;
    ep->socket = s;
    ep->next = ctx->endpoints;
    ctx->endpoints = ep;

    /*  Connects that came first: their far ends become ours now. */
    zc_pending_t *mine = NULL, **link = &ctx->pending;
    while (*link) {
        zc_pending_t *pd = *link;
        if (strcmp(pd->name, name) == 0) {
            *link = pd->next;
            pd->next = mine;
            mine = pd;
            /*  Under the lock, so that a connecter closing right now finds
                our mailbox for its PIPE_TERM (it is read when we attach the
                pipe below, on this thread). */
            zc_pipe_attach_mailbox(pd->end, s->mailbox);
        } else {
            link = &pd->next;
        }
    }
    pthread_mutex_unlock(&ctx->lock);

    /*  Oldest first, so that peers are served in the order they came. */
    zc_pending_t *ordered = NULL;
    while (mine) {
        zc_pending_t *pd = mine;
        mine = pd->next;
        pd->next = ordered;
        ordered = pd;
    }
    while (ordered) {
        zc_pending_t *pd = ordered;
        ordered = pd->next;
        /*  Now that both sides are known the limits add up (as libzmq):
            set ours, and tell the connecter its own. */
        uint64_t to_us = inproc_hwm(pd->sndhwm, s->options.rcvhwm);
        uint64_t to_them = inproc_hwm(s->options.sndhwm, pd->rcvhwm);
        zc_pipe_set_hwms(pd->end, to_them, to_us);
        zc_pipe_send_to_peer(pd->end, ZC_CMD_HWM, (to_us << 32) | to_them);
        if (pd->send_rid)
            send_routing_id(pd->end, &s->options);
        zc_socket_attach_pipe(s, pd->end, name);
        free(pd->name);
        free(pd);
    }
    return 0;
}

int zc_ctx_inproc_unbind(zc_ctx_t *ctx, zc_socket_t *s, const char *name)
{
    pthread_mutex_lock(&ctx->lock);
    zc_inproc_ep_t **link = &ctx->endpoints;
    while (*link && !(strcmp((*link)->name, name) == 0 && (*link)->socket == s))
        link = &(*link)->next;
    zc_inproc_ep_t *ep = *link;
    if (ep)
        *link = ep->next;
    pthread_mutex_unlock(&ctx->lock);
    if (!ep) {
        errno = ENOENT;
        return -1;
    }
    free(ep->name);
    free(ep);
    return 0;
}

int zc_ctx_inproc_connect(zc_ctx_t *ctx, zc_socket_t *s, const char *name)
{
    zc_pipe_t *mine, *theirs;
    pthread_mutex_lock(&ctx->lock);
    zc_inproc_ep_t *ep = find_ep(ctx, name);
    zc_socket_t *peer = ep ? ep->socket : NULL;
    /*  Without a binder yet, our own limits stand for both queues. */
    uint64_t out_hwm = peer ? inproc_hwm(s->options.sndhwm, peer->options.rcvhwm)
                            : (uint64_t) (s->options.sndhwm > 0 ? s->options.sndhwm : 0);
    uint64_t in_hwm = peer ? inproc_hwm(peer->options.sndhwm, s->options.rcvhwm)
                           : (uint64_t) (s->options.rcvhwm > 0 ? s->options.rcvhwm : 0);
    if (zc_pipe_pair_new(&mine, &theirs, s->mailbox, peer ? peer->mailbox : NULL,
                         out_hwm, in_hwm, zc_ctx_next_id(ctx), zc_ctx_next_id(ctx)) < 0) {
        pthread_mutex_unlock(&ctx->lock);
        errno = ENOMEM;
        return -1;
    }
    /*  Each side's CONFLATE (the binder's only if it exists already). */
    zc_pipe_conflate(mine, zc_options_conflate_in(&s->options),
                     zc_options_conflate_out(&s->options));
    if (peer)
        zc_pipe_conflate(theirs, zc_options_conflate_in(&peer->options),
                         zc_options_conflate_out(&peer->options));
    theirs->endpoint = strdup(name);
    /*  Each end learns its peer's Identity (a ROUTER routes by it);
        CONNECT_ROUTING_ID, if set, names the binder for us. */
    memcpy(theirs->routing_id, s->options.routing_id, (size_t) s->options.routing_id_len);
    theirs->routing_id_len = (unsigned char) s->options.routing_id_len;
    if (s->options.connect_routing_id_len > 0) {
        memcpy(mine->routing_id, s->options.connect_routing_id,
               (size_t) s->options.connect_routing_id_len);
        mine->routing_id_len = (unsigned char) s->options.connect_routing_id_len;
    } else if (peer) {
        memcpy(mine->routing_id, peer->options.routing_id, (size_t) peer->options.routing_id_len);
        mine->routing_id_len = (unsigned char) peer->options.routing_id_len;
    }
    if (peer) {
        /*  Under the lock, so the binder cannot close before it has the
            command in its mailbox (it reads its mailbox when closing). */
        zc_command_t bind = {.type = ZC_CMD_BIND, .pipe = theirs, .pipe_id = theirs->id};
        zc_mailbox_send(peer->mailbox, &bind);
    } else {
        zc_pending_t *pd = malloc(sizeof *pd);
        char *copy = strdup(name);
        if (!pd || !copy) {
            pthread_mutex_unlock(&ctx->lock);
            free(pd);
            free(copy);
            free(theirs->endpoint);
            theirs->endpoint = NULL;
            zc_pipe_terminate(theirs);
            zc_pipe_terminate(mine);
            errno = ENOMEM;
            return -1;
        }
        pd->name = copy;
        pd->connecter = s;
        pd->end = theirs;
        pd->sndhwm = s->options.sndhwm;
        pd->rcvhwm = s->options.rcvhwm;
        /*  A ROUTER must know the binder's id to route to it: it waits for
            it (unless CONNECT_ROUTING_ID named the binder already). */
        pd->send_rid = s->options.type == ZC_ROUTER && mine->routing_id_len == 0;
        mine->rid_by_msg = (unsigned char) pd->send_rid;
        pd->next = ctx->pending;
        ctx->pending = pd;
    }
    pthread_mutex_unlock(&ctx->lock);
    zc_socket_attach_pipe(s, mine, name);
    return 0;
}

/*  Unlinks s's pending connects (to `name`, or all if NULL) under the lock
    and returns them. */
static zc_pending_t *take_pending(zc_ctx_t *ctx, zc_socket_t *s, const char *name)
{
    zc_pending_t *taken = NULL, **link = &ctx->pending;
    while (*link) {
        zc_pending_t *pd = *link;
        if (pd->connecter == s && (!name || strcmp(pd->name, name) == 0)) {
            *link = pd->next;
            pd->next = taken;
            taken = pd;
        } else {
            link = &pd->next;
        }
    }
    return taken;
}

static int drop_pending(zc_pending_t *taken)
{
    int n = 0;
    while (taken) {
        zc_pending_t *pd = taken;
        taken = pd->next;
        free_pending(pd);
        n++;
    }
    return n;
}

int zc_ctx_inproc_cancel_pending(zc_ctx_t *ctx, zc_socket_t *s, const char *name)
{
    pthread_mutex_lock(&ctx->lock);
    zc_pending_t *taken = take_pending(ctx, s, name);
    pthread_mutex_unlock(&ctx->lock);
    return drop_pending(taken) > 0;
}

void zc_ctx_inproc_forget(zc_ctx_t *ctx, zc_socket_t *s)
{
    pthread_mutex_lock(&ctx->lock);
    zc_inproc_ep_t **link = &ctx->endpoints;
    while (*link) {
        zc_inproc_ep_t *ep = *link;
        if (ep->socket == s) {
            *link = ep->next;
            free(ep->name);
            free(ep);
        } else {
            link = &ep->next;
        }
    }
    zc_pending_t *taken = take_pending(ctx, s, NULL);
    pthread_mutex_unlock(&ctx->lock);
    drop_pending(taken);
}
