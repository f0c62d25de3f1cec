/*  PUB and XPUB (RFC 29): fan-out filtered at the publisher.

    Subscribers' (un)subscriptions come up their pipes as messages whose
    first byte is 1 (subscribe) or 0 (cancel), followed by the prefix;
    the engine turns ZMTP 3.1 SUBSCRIBE/CANCEL commands into that form, so
    every transport looks the same here.  As in libzmq, any incoming part
    with such a first byte counts.  A sent message goes to every pipe
    subscribed to a prefix of its first part (once, however many prefixes
    match); a pipe at HWM loses it (PUB never blocks) unless XPUB_NODROP.

    XPUB also hands the subscriptions to the application (the new ones, or
    all with XPUB_VERBOSE/VERBOSER), and any other message a subscriber
    sent up.  With XPUB_MANUAL the application decides: every subscription
    is shown, and its setsockopt(SUBSCRIBE/UNSUBSCRIBE) acts for the pipe
    of the last one it received. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "zmqcore/dist.h"
#include "zmqcore/patterns.h"
#include "zmqcore/trie.h"

/*  Option numbers only this pattern knows (libzmq's). */
enum {
    OPT_SUBSCRIBE = 6, OPT_UNSUBSCRIBE = 7, OPT_XPUB_VERBOSE = 40,
    OPT_XPUB_NODROP = 69, OPT_XPUB_MANUAL = 71, OPT_XPUB_WELCOME_MSG = 72,
    OPT_XPUB_VERBOSER = 78
};

typedef struct xpub {
    zc_trie_t subs;         /*  prefix -> subscribed pipes */
    zc_trie_t manual_subs;  /*  XPUB_MANUAL: what each pipe asked for */
    zc_dist_t dist;
    int verbose_subs, verbose_unsubs, manual, nodrop;
    int more_send;          /*  the last part sent had MORE */
    zc_msg_t welcome;       /*  XPUB_WELCOME_MSG (size 0: none) */

    /*  What the application will receive, oldest first: a ring of
        messages and, for XPUB_MANUAL, the pipe each came from. */
    zc_msg_t *pending;
    zc_pipe_t **pending_pipes;
    unsigned head, count, cap;
    zc_pipe_t *last_pipe;   /*  XPUB_MANUAL: pipe of the last one received */
} xpub_t;

static xpub_t *state(zc_socket_t *s)
{
    return s->pstate;
}

static int xpub_init(zc_socket_t *s)
{
    xpub_t *x = calloc(1, sizeof *x);
    if (!x) {
        errno = ENOMEM;
        return -1;
    }
    zc_trie_init(&x->subs);
    zc_trie_init(&x->manual_subs);
    zc_dist_init(&x->dist);
    zc_msg_init(&x->welcome);
    s->pstate = x;
    return 0;
}

static void xpub_destroy(zc_socket_t *s)
{
    xpub_t *x = state(s);
    if (!x)
        return;
    zc_trie_destroy(&x->subs);
    zc_trie_destroy(&x->manual_subs);
    zc_dist_destroy(&x->dist);
    zc_msg_close(&x->welcome);
    for (unsigned i = 0; i < x->count; i++)
        zc_msg_close(&x->pending[(x->head + i) % x->cap]);
    free(x->pending);
    free(x->pending_pipes);
    free(x);
    s->pstate = NULL;
}

/*  --- what the application receives --------------------------------------- */

/*  Queues *msg (taken) for the application.  Under memory pressure the
    notification is lost rather than the socket. */
static void push_pending(xpub_t *x, zc_msg_t *msg, zc_pipe_t *from)
{
    if (x->count == x->cap) {
        unsigned ncap = x->cap ? x->cap * 2 : 16;
        zc_msg_t *np = malloc(ncap * sizeof *np);
        zc_pipe_t **npp = malloc(ncap * sizeof *npp);
        if (!np || !npp) {
            free(np);
            free(npp);
            zc_msg_close(msg);
            return;
        }
        for (unsigned i = 0; i < x->count; i++) {
            np[i] = x->pending[(x->head + i) % x->cap];
            npp[i] = x->pending_pipes[(x->head + i) % x->cap];
        }
        free(x->pending);
        free(x->pending_pipes);
        x->pending = np;
        x->pending_pipes = npp;
        x->cap = ncap;
        x->head = 0;
    }
    unsigned at = (x->head + x->count) % x->cap;
    x->pending[at] = *msg;
    x->pending_pipes[at] = from;
    x->count++;
}

/*  A subscriber went: its prefixes that nobody else has are reported to
    an XPUB application as unsubscriptions. */
static void report_unsubscribe(const unsigned char *prefix, size_t len, void *arg)
{
    zc_socket_t *s = arg;
    xpub_t *x = state(s);
    if (s->pattern->type != ZC_XPUB)
        return;
    zc_msg_t m;
    if (zc_subscription_msg(&m, 0, prefix, len) == 0)
        push_pending(x, &m, NULL);
    if (x->manual)
        x->last_pipe = NULL;
}

static int xpub_recv(zc_socket_t *s, zc_msg_t *msg)
{
    xpub_t *x = state(s);
    if (x->count == 0) {
        errno = EAGAIN;
        return -1;
    }
    if (x->manual)
        x->last_pipe = x->pending_pipes[x->head];
    *msg = x->pending[x->head];
    x->head = (x->head + 1) % x->cap;
    x->count--;
    return 0;
}

static int xpub_has_in(zc_socket_t *s)
{
    return state(s)->count > 0;
}

/*  --- what subscribers send up --------------------------------------------- */

/*  Reads everything p has: subscriptions, and messages for an XPUB. */
static void drain(zc_socket_t *s, zc_pipe_t *p)
{
    xpub_t *x = state(s);
    int is_xpub = s->pattern->type == ZC_XPUB;
    zc_msg_t m;
    while (zc_pipe_read(p, &m)) {
        size_t size = zc_msg_size(&m);
        const unsigned char *d = zc_msg_data(&m);
        if (size == 0 || d[0] > 1) {
            /*  Not a subscription: an XPUB passes it on as it came. */
            if (is_xpub)
                push_pending(x, &m, p);
            else
                zc_msg_close(&m);
            continue;
        }
        int subscribe = d[0] == 1;
        int notify;
        if (x->manual) {
            if (subscribe)
                zc_trie_add_pipe(&x->manual_subs, d + 1, size - 1, p);
            else
                zc_trie_rm_pipe(&x->manual_subs, d + 1, size - 1, p);
            notify = 1;
        } else if (subscribe) {
            int first = zc_trie_add_pipe(&x->subs, d + 1, size - 1, p);
            notify = first == 1 || x->verbose_subs;
        } else {
            /*  libzmq also reports a cancel of something never
                subscribed (its "not found" is not "values remain"). */
            int rc = zc_trie_rm_pipe(&x->subs, d + 1, size - 1, p);
            notify = rc != ZC_TRIE_VALUES_REMAIN || x->verbose_unsubs;
        }
        if (is_xpub && notify) {
            m.flags = 0;    /*  the message is the notification */
            push_pending(x, &m, p);
        } else {
            zc_msg_close(&m);
        }
    }
}

static void xpub_read_activated(zc_socket_t *s, zc_pipe_t *p)
{
    drain(s, p);
    /*  A subscriber that left is let go once what it sent is read (no
        receive call will come to find it drained, as for other types). */
    if (p->peer_terminated)
        zc_socket_detach_pipe(s, p);
}

/*  --- pipes -------------------------------------------------------------------- */

static int xpub_attach(zc_socket_t *s, zc_pipe_t *p)
{
    xpub_t *x = state(s);
    if (zc_dist_attach(&x->dist, p) < 0)
        return -1;
    if (zc_msg_size(&x->welcome) > 0) {
        zc_msg_t copy;
        zc_msg_copy(&copy, &x->welcome);
        if (zc_pipe_write(p, &copy) < 0)
            zc_msg_close(&copy);
        zc_pipe_flush(p);
    }
    /*  Subscriptions may be waiting already (inproc). */
    drain(s, p);
    return 0;
}

static void xpub_write_activated(zc_socket_t *s, zc_pipe_t *p)
{
    zc_dist_activated(&state(s)->dist, p);
}

static void xpub_terminated(zc_socket_t *s, zc_pipe_t *p)
{
    xpub_t *x = state(s);
    if (x->manual) {
        zc_trie_rm_pipe_all(&x->manual_subs, p, report_unsubscribe, s, 0);
        zc_trie_rm_pipe_all(&x->subs, p, NULL, NULL, 0);
        if (x->last_pipe == p)
            x->last_pipe = NULL;
    } else {
        zc_trie_rm_pipe_all(&x->subs, p, report_unsubscribe, s, !x->verbose_unsubs);
    }
    /*  Queued notifications must not name a pipe that is gone. */
    for (unsigned i = 0; i < x->count; i++)
        if (x->pending_pipes[(x->head + i) % x->cap] == p)
            x->pending_pipes[(x->head + i) % x->cap] = NULL;
    zc_dist_terminated(&x->dist, p);
}

/*  --- sending ------------------------------------------------------------------- */

static void mark_matching(zc_pipe_t *p, void *arg)
{
    zc_dist_match(arg, p);
}

static int xpub_send(zc_socket_t *s, zc_msg_t *msg)
{
    xpub_t *x = state(s);
    if (!x->more_send) {
        /*  A new message: its first part picks the pipes. */
        zc_dist_unmatch(&x->dist);
        zc_trie_match(&x->subs, zc_msg_data(msg), zc_msg_size(msg), mark_matching, &x->dist);
        if (s->options.invert_matching)
            zc_dist_reverse_match(&x->dist);
        if (x->nodrop && !zc_dist_check_hwm(&x->dist)) {
            /*  Leave no match behind: pipes may come, go or get room
                before the retry, which matches afresh. */
            zc_dist_unmatch(&x->dist);
            errno = EAGAIN;
            return -1;
        }
    }
    x->more_send = zc_msg_more(msg) ? 1 : 0;
    zc_dist_send(&x->dist, msg, &s->stats.dropped);
    return 0;
}

static int xpub_has_out(zc_socket_t *s)
{
    (void) s;
    return 1;   /*  a publisher can always send: it drops what it cannot */
}

/*  --- options -------------------------------------------------------------------- */

static int xpub_setopt(zc_socket_t *s, int option, const void *value, size_t len)
{
    xpub_t *x = state(s);
    int v = 0;
    switch (option) {
    case OPT_XPUB_VERBOSE: case OPT_XPUB_VERBOSER: case OPT_XPUB_MANUAL: case OPT_XPUB_NODROP:
        if (len != sizeof v)
            break;
        memcpy(&v, value, sizeof v);
        if (v < 0)
            break;
        if (option == OPT_XPUB_VERBOSE) {
            x->verbose_subs = v != 0;
            x->verbose_unsubs = 0;      /*  libzmq: VERBOSE undoes VERBOSER's half */
        }
        else if (option == OPT_XPUB_VERBOSER)
            x->verbose_subs = x->verbose_unsubs = v != 0;
        else if (option == OPT_XPUB_MANUAL)
            x->manual = v != 0;
        else
            x->nodrop = v != 0;
        return 0;
    case OPT_XPUB_WELCOME_MSG: {
        zc_msg_t m;
        if (zc_msg_init_size(&m, len) < 0)
            return -1;
        if (len > 0)
            memcpy(zc_msg_data(&m), value, len);
        zc_msg_close(&x->welcome);
        x->welcome = m;
        return 0;
    }
    case OPT_SUBSCRIBE: case OPT_UNSUBSCRIBE:
        if (!x->manual)
            break;
        /*  For the subscriber whose subscription was received last. */
        if (x->last_pipe) {
            if (option == OPT_SUBSCRIBE) {
                if (zc_trie_add_pipe(&x->subs, value, len, x->last_pipe) < 0)
                    return -1;
            } else {
                zc_trie_rm_pipe(&x->subs, value, len, x->last_pipe);
            }
        }
        return 0;
    default:
        return 1;   /*  not ours */
    }
    errno = EINVAL;
    return -1;
}

const zc_pattern_t zc_xpub_pattern = {
    .type = ZC_XPUB,
    .xinit = xpub_init,
    .xsend = xpub_send,
    .xrecv = xpub_recv,
    .xhas_in = xpub_has_in,
    .xhas_out = xpub_has_out,
    .xattach = xpub_attach,
    .xread_activated = xpub_read_activated,
    .xwrite_activated = xpub_write_activated,
    .xpipe_terminated = xpub_terminated,
    .xsetopt = xpub_setopt,
    .xdestroy = xpub_destroy,
};

const zc_pattern_t zc_pub_pattern = {
    .type = ZC_PUB,
    .xinit = xpub_init,
    .xsend = xpub_send,
    .xrecv = zc_pattern_recv_unsupported,
    .xhas_in = zc_pattern_never,
    .xhas_out = xpub_has_out,
    .xattach = xpub_attach,
    .xread_activated = xpub_read_activated,
    .xwrite_activated = xpub_write_activated,
    .xpipe_terminated = xpub_terminated,
    .xsetopt = xpub_setopt,
    .xdestroy = xpub_destroy,
};
