/*  The context: I/O threads, the list of live sockets, the inproc endpoint
    registry and termination.  All mutable state shared by a context's
    sockets lives here, behind `lock`; there is no global state. */
#ifndef ZMQCORE_CTX_H
#define ZMQCORE_CTX_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "zmqcore/mailbox.h"

struct zc_socket;
struct zc_pipe;
struct zc_io_thread;

/*  An inproc connect that found no binder yet: the pipe is made at connect
    time and its far end waits here for the bind. */
typedef struct zc_pending {
    char *name;
    struct zc_socket *connecter;
    struct zc_pipe *end;            /*  the end the binder will own */
    int sndhwm, rcvhwm;             /*  the connecter's, at connect time */
    int send_rid;                   /*  the connecter (a ROUTER) learns the
                                       binder's ROUTING_ID from a message
                                       the binder writes at bind */
    struct zc_pending *next;
} zc_pending_t;

/*  A bound inproc name. */
typedef struct zc_inproc_ep {
    char *name;
    struct zc_socket *socket;
    struct zc_inproc_ep *next;
} zc_inproc_ep_t;

typedef struct zc_ctx {
    pthread_mutex_t lock;           /*  guards everything below it */
    struct zc_socket **sockets;     /*  live sockets, for STOP at term */
    int nsockets, cap;
    int terminating;
    zc_inproc_ep_t *endpoints;
    zc_pending_t *pending;

    zc_mailbox_t *term_mailbox;     /*  closing sockets post REAPED here */
    atomic_uint_fast64_t next_id;   /*  pipe end ids */
    struct zc_io_thread **io_threads;
    int n_io_threads;
    int max_sockets;
    struct zc_body_cache *body_cache;   /*  large received bodies, reused */
} zc_ctx_t;

/*  NULL with errno on failure. */
zc_ctx_t *zc_ctx_new(int io_threads);

/*  Stops every socket's blocking calls with ETERM, waits until all are
    closed, stops the I/O threads.  Returns 0, or -1 with EINTR (call again
    to keep waiting).  Any thread but the ones owning open sockets. */
int zc_ctx_term(zc_ctx_t *ctx);

/*  Frees a context after zc_ctx_term returned 0. */
void zc_ctx_destroy(zc_ctx_t *ctx);

static inline uint64_t zc_ctx_next_id(zc_ctx_t *ctx)
{
    return atomic_fetch_add_explicit(&ctx->next_id, 1, memory_order_relaxed);
}

/*  Used by sockets, under no lock of their own. */
int zc_ctx_register_socket(zc_ctx_t *ctx, struct zc_socket *s);
void zc_ctx_unregister_socket(zc_ctx_t *ctx, struct zc_socket *s);

int zc_ctx_inproc_bind(zc_ctx_t *ctx, struct zc_socket *s, const char *name);
int zc_ctx_inproc_unbind(zc_ctx_t *ctx, struct zc_socket *s, const char *name);
int zc_ctx_inproc_connect(zc_ctx_t *ctx, struct zc_socket *s, const char *name);
/*  Drops s's pending connects to `name`; 1 if there were any. */
int zc_ctx_inproc_cancel_pending(zc_ctx_t *ctx, struct zc_socket *s, const char *name);
/*  Drops a socket's bound names and its own pending connects. */
void zc_ctx_inproc_forget(zc_ctx_t *ctx, struct zc_socket *s);

#endif
