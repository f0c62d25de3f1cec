/*  A socket: its mailbox, the set of pipes attached to it, its options, and
    the pattern (socket type) that decides where messages go.  Every
    function here runs on the thread that currently uses the socket (one at
    a time, as in libzmq), except where noted; the blocking ones are meant
    to be called without the GIL.

    The pattern is a table of hooks (libzmq's x* methods) over the shared
    load-balancer and fair-queue helpers in lb.h / fq.h.  Patterns live in
    C, not Cython, so that a send is one call with no Python object per
    message, a blocking wait never holds the GIL, and proxies can run
    whole loops in C. */
#ifndef ZMQCORE_SOCKET_H
#define ZMQCORE_SOCKET_H

#include <stdint.h>

#include <pthread.h>

#include "zmqcore/hashmap.h"
#include "zmqcore/child.h"
#include "zmqcore/ctx.h"
#include "zmqcore/err.h"
#include "zmqcore/fq.h"
#include "zmqcore/lb.h"
#include "zmqcore/mailbox.h"
#include "zmqcore/msg.h"
#include "zmqcore/pipe.h"
#include "zmqcore/poller.h"

/*  Socket types, with libzmq's numbers. */
enum {
    ZC_PAIR = 0, ZC_PUB = 1, ZC_SUB = 2, ZC_REQ = 3, ZC_REP = 4,
    ZC_DEALER = 5, ZC_ROUTER = 6, ZC_PULL = 7, ZC_PUSH = 8,
    ZC_XPUB = 9, ZC_XSUB = 10, ZC_STREAM = 11
};

/*  send/recv flags, libzmq's numbers. */
enum { ZC_DONTWAIT = 1, ZC_SNDMORE = 2 };

/*  poll events, libzmq's numbers. */
enum { ZC_POLLIN = 1, ZC_POLLOUT = 2, ZC_POLLERR = 4 };

typedef struct zc_socket zc_socket_t;

typedef struct zc_pattern {
    int type;
    /*  0, or -1 with errno (EAGAIN: nothing can be done now). */
    int (*xsend) (zc_socket_t *s, zc_msg_t *msg);
    int (*xrecv) (zc_socket_t *s, zc_msg_t *msg);
    int (*xhas_in) (zc_socket_t *s);
    int (*xhas_out) (zc_socket_t *s);
    /*  A pipe joined; the pattern may refuse it by returning -1. */
    int (*xattach) (zc_socket_t *s, zc_pipe_t *p);
    void (*xread_activated) (zc_socket_t *s, zc_pipe_t *p);
    void (*xwrite_activated) (zc_socket_t *s, zc_pipe_t *p);
    void (*xpipe_terminated) (zc_socket_t *s, zc_pipe_t *p);
    /*  Optional (NULL): frees pattern state when the socket goes. */
    void (*xdestroy) (zc_socket_t *s);
    /*  Optional: makes pattern state (s->pstate) for a new socket.  0, or
        -1 with errno. */
    int (*xinit) (zc_socket_t *s);
    /*  Optional: options only this pattern knows.  0 done, -1 with errno,
        1 not a pattern option (the common options are tried next). */
    int (*xsetopt) (zc_socket_t *s, int option, const void *value, size_t len);
    /*  Optional: p's connection was made anew (SUB/XSUB resend their
        subscriptions). */
    void (*xhiccuped) (zc_socket_t *s, zc_pipe_t *p);
} zc_pattern_t;

/*  What a socket has done, for zc_socket_stats. */
typedef struct zc_socket_stats {
    uint64_t msgs_in, bytes_in;     /*  whole messages and their parts' bytes */
    uint64_t msgs_out, bytes_out;
    uint64_t dropped;               /*  messages lost at HWM (PUB, XPUB, XSUB
                                        upstream) or to an unknown or full
                                        peer (ROUTER) */
    uint64_t direct_writes;         /*  sends this thread wrote to the
                                        connection itself (direct.h), in
                                        whole or (a large one) in part */
    /*  Filled in by zc_socket_get_stats only: */
    uint64_t peers;                 /*  pipes attached now */
    uint64_t queued_out;            /*  messages written and not yet known
                                        to be read (the peers report reads
                                        in batches: an upper bound) */
} zc_socket_stats_t;

#include "zmqcore/options.h"

struct zc_socket {
    zc_ctx_t *ctx;
    const zc_pattern_t *pattern;
    zc_mailbox_t *mailbox;
    zc_options_t options;

    zc_pipe_t **pipes;      /*  every attached pipe, for commands and close */
    int npipes, cap;
    zc_hashmap_t pipe_map;  /*  the same pipes, by address (commands) */
    zc_hashmap_t ids;       /*  ROUTER, STREAM: identified pipes, by
                               routing id (patterns.c) */

    /*  Pattern state; a pattern uses what it needs. */
    zc_lb_t lb;
    zc_fq_t fq;
    zc_pipe_t *pair;        /*  PAIR's one peer */

    /*  ROUTER, REQ, REP (pattern_router.c, pattern_req.c, pattern_rep.c). */
    uint32_t next_rid;      /*  ROUTER: next generated routing id */
    zc_pipe_t *out_pipe;    /*  ROUTER: pipe of the message being sent */
    int out_more;           /*  ROUTER: the last part sent had MORE */
    int out_dropping;       /*  ROUTER: dropping the rest of a message */
    int in_more;            /*  ROUTER: the last part received had MORE */
    int has_prefetched;     /*  ROUTER: `prefetched` follows the id frame */
    zc_msg_t prefetched;
    zc_pipe_t *req_pipe;    /*  REQ: where the request went; REP: where
                               the request came from (NULL: gone) */
    int req_state;          /*  REQ/REP: see the pattern files */
    zc_msg_t *envelope;     /*  REP: the request's envelope */
    int envelope_n, envelope_cap;
    uint32_t request_id;    /*  REQ_CORRELATE: the current request's id */
    int request_id_set;     /*  REQ: request_id has its random start */
    zc_pipe_t *term_after_in;   /*  ROUTER: a peer that handed its id
                                   over, let go of once the message being
                                   read from it is read */
    void *pstate;           /*  state of patterns with an xinit hook */

    zc_socket_stats_t stats;

    zc_wake_slot_t wake;    /*  wake-ups owed after the call returns
                                (zc_socket_flush_wake) */
    int rcvmore;            /*  last part received had MORE */
    int ctx_terminated;     /*  STOP seen: blocking calls fail with ETERM */

    /*  I/O children (listeners, connecting sessions): see child.h. */
    zc_child_t **children;
    int nchildren, children_cap;
    int closing;            /*  closed by the user; the reaper holds it */
    zc_poll_handle_t reap_handle;
    zc_poll_handler_t reap_handler;
    struct zc_io_thread *reaper;

    char last_endpoint[256];    /*  LAST_ENDPOINT, after bind/connect */

    /*  Monitor (monitor.h); any thread, under monitor_lock. */
    pthread_mutex_t monitor_lock;
    struct zc_socket *monitor;
    int monitor_events;
};

/*  NULL with errno: EINVAL (type), ETERM, EMFILE, ENOMEM. */
zc_socket_t *zc_socket_new(zc_ctx_t *ctx, int type);

/*  Lets go of everything; `s` is freed.  Never blocks. */
void zc_socket_close(zc_socket_t *s);

/*  Transports.  0, or -1 with errno. */
int zc_socket_bind(zc_socket_t *s, const char *endpoint);
int zc_socket_connect(zc_socket_t *s, const char *endpoint);
int zc_socket_unbind(zc_socket_t *s, const char *endpoint);
int zc_socket_disconnect(zc_socket_t *s, const char *endpoint);

/*  Sends one part (flags: ZC_DONTWAIT, ZC_SNDMORE).  Waits at most
    timeout_ms (-1: forever, 0: not at all) for room.  On success the
    message is taken; on failure it is still the caller's.
    -1 with errno: EAGAIN, ETERM, EINTR (check signals, call again), ENOTSUP, EFSM. */
int zc_socket_send(zc_socket_t *s, zc_msg_t *msg, int flags, int timeout_ms);

/*  The socket had to wait for input (a blocking receive, a poll or the
    proxy's sleep), so its peers answer it lock-step: its next send may go
    straight to an idle connection (direct.h).  Once per wait: a burst of
    sends after it is left to the I/O thread to batch. */
static inline void zc_socket_waited(zc_socket_t *s)
{
    s->wake.direct_ok = 1;
}

/*  1 if a send left a wake-up (or a direct write) to make. */
static inline int zc_socket_wake_pending(const zc_socket_t *s)
{
    return s->wake.mailbox != NULL || s->wake.direct != NULL;
}

/*  Makes the wake-up a send left behind (s->wake), if any.  The Python
    layer calls it after zc_socket_send without the GIL, so the peer thread
    that wakes finds the GIL free: a send that must wake a peer costs a
    syscall anyway, one that need not stays GIL-held and cheap.  A direct
    write (direct.h) is made here too, for the same reason. */
static inline void zc_socket_flush_wake(zc_socket_t *s)
{
    zc_pipe_t *p = s->wake.direct;
    if (p) {
        s->wake.direct = NULL;
        s->wake.direct_ok = 0;      /*  once per wait (zc_socket_waited) */
        s->stats.direct_writes += (uint64_t) zc_pipe_write_direct(p);
    }
    zc_mailbox_t *mb = s->wake.mailbox;
    if (mb) {
        s->wake.mailbox = NULL;
        zc_mailbox_wake(mb);
        zc_mailbox_unref(mb);
    }
}

/*  Receives one part into *msg (which must hold no body).  Same waiting
    and errors as zc_socket_send. */
int zc_socket_recv(zc_socket_t *s, zc_msg_t *msg, int timeout_ms);

/*  ZC_POLLIN | ZC_POLLOUT as they stand now (reads pending commands). */
int zc_socket_events(zc_socket_t *s);

/*  Reads commands, waiting up to timeout_ms for the first.  0, or -1 with
    EINTR.  ETERM is reported through s->ctx_terminated. */
int zc_socket_process_commands(zc_socket_t *s, int timeout_ms);

/*  Joins a pipe end to this socket (inproc bind/connect). */
void zc_socket_attach_pipe(zc_socket_t *s, zc_pipe_t *p, const char *endpoint);

/*  Removes and releases one pipe end (pattern told first). */
void zc_socket_detach_pipe(zc_socket_t *s, zc_pipe_t *p);

/*  A child reports that it has ended (any thread: posts a command). */
void zc_socket_child_terminated(zc_socket_t *s, zc_child_t *child);

/*  Integer options.  0, or -1 with errno EINVAL. */
int zc_socket_setopt_int(zc_socket_t *s, int option, int64_t value);
int zc_socket_getopt_int(zc_socket_t *s, int option, int64_t *value);
int zc_socket_setopt_bytes(zc_socket_t *s, int option, const void *value, size_t len);

/*  The counters, with the current peers and queue depth.  Reads pending
    commands first. */
void zc_socket_get_stats(zc_socket_t *s, zc_socket_stats_t *out);

static inline int zc_socket_fd(const zc_socket_t *s) { return zc_mailbox_fd(s->mailbox); }

/*  poll() over sockets and plain fds.  Fills revents; returns how many
    items have any, 0 on timeout, or -1 with errno (EINTR, ETERM, EINVAL). */
typedef struct zc_pollitem {
    zc_socket_t *socket;    /*  or NULL for a plain fd */
    int fd;
    short events;
    short revents;
} zc_pollitem_t;
int zc_poll(zc_pollitem_t *items, int n, long timeout_ms);

#endif
