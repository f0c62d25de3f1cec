/*  SUB and XSUB (RFC 29).

    An XSUB application sends its subscriptions as messages: first byte 1
    (subscribe) or 0 (cancel), then the prefix.  They go up to every
    publisher, and the socket keeps them counted in a trie so that a new or
    reconnected publisher gets them all again.  A duplicate subscription
    goes up too (a forwarding device needs it for XPUB_VERBOSE), but a
    cancel goes up only when the last count of that prefix is gone, so one
    publisher-side entry per subscriber stays right.  Other messages an
    XSUB sends go up as they are.

    SUB is XSUB with setsockopt(SUBSCRIBE/UNSUBSCRIBE) instead of sending,
    and with filtering on receipt too: a 3.0 publisher filters for us, but
    a message published just before a cancel arrived may still come.

    Subscription messages skip the HWM: losing one would silence a topic
    for good, and they are few and small. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "zmqcore/dist.h"
#include "zmqcore/patterns.h"
#include "zmqcore/trie.h"

enum { OPT_SUBSCRIBE = 6, OPT_UNSUBSCRIBE = 7 };

typedef struct xsub {
    zc_trie_t subs;
    zc_dist_t dist;         /*  upstream, to every publisher */
    int more_send;          /*  the last part sent had MORE */
    int more_recv;          /*  the last part received had MORE */
    int has_message;        /*  `message` passed the filter, not yet taken */
    zc_msg_t message;
} xsub_t;

static xsub_t *state(zc_socket_t *s)
{
    return s->pstate;
}

static int xsub_init(zc_socket_t *s)
{
    xsub_t *x = calloc(1, sizeof *x);
    if (!x) {
        errno = ENOMEM;
        return -1;
    }
    zc_trie_init(&x->subs);
    zc_dist_init(&x->dist);
    s->pstate = x;
    return 0;
}

static void xsub_destroy(zc_socket_t *s)
{
    xsub_t *x = state(s);
    if (!x)
        return;
    zc_trie_destroy(&x->subs);
    zc_dist_destroy(&x->dist);
    if (x->has_message)
        zc_msg_close(&x->message);
    free(x);
    s->pstate = NULL;
}

/*  --- subscriptions upstream -------------------------------------------------- */

static void resend_one(const unsigned char *prefix, size_t len, void *arg)
{
    zc_msg_t m;
    if (zc_subscription_msg(&m, 1, prefix, len) == 0 && zc_pipe_write(arg, &m) < 0)
        zc_msg_close(&m);
}

/*  Sends p every subscription we hold. */
static void resend_all(zc_socket_t *s, zc_pipe_t *p)
{
    zc_trie_apply(&state(s)->subs, resend_one, p);
    zc_pipe_flush(p);
}

/*  A single-part subscription or cancel: to every publisher, HWM or not. */
static void send_to_every_pipe(xsub_t *x, zc_msg_t *msg)
{
    zc_pipe_array_t *a = &x->dist.pipes;
    for (int i = 0; i < a->n; i++) {
        zc_msg_t part;
        if (i == a->n - 1)
            part = *msg;
        else
            zc_msg_copy(&part, msg);
        if (zc_pipe_write(a->pipes[i], &part) < 0)
            zc_msg_close(&part);
        else
            zc_pipe_flush(a->pipes[i]);
    }
    if (a->n == 0)
        zc_msg_close(msg);
}

static int xsub_send(zc_socket_t *s, zc_msg_t *msg)
{
    xsub_t *x = state(s);
    size_t size = zc_msg_size(msg);
    const unsigned char *d = zc_msg_data(msg);
    int more = zc_msg_more(msg) ? 1 : 0;
    int first_part = !x->more_send;
    x->more_send = more;
    if (first_part && size > 0 && d[0] <= 1) {
        int forward;
        if (d[0] == 1) {
            if (zc_trie_add(&x->subs, d + 1, size - 1) < 0)
                return -1;
            forward = 1;
        } else {
            forward = zc_trie_rm(&x->subs, d + 1, size - 1);
        }
        if (!more) {
            if (forward)
                send_to_every_pipe(x, msg);
            else
                zc_msg_close(msg);
            return 0;
        }
    }
    /*  A message for the publishers' applications (XPUB), lossy at HWM. */
    if (first_part)
        zc_dist_match_all(&x->dist);
    zc_dist_send(&x->dist, msg, &s->stats.dropped);
    return 0;
}

static int xsub_has_out(zc_socket_t *s)
{
    (void) s;
    return 1;
}

/*  --- receiving ---------------------------------------------------------------- */

static int passes(zc_socket_t *s, zc_msg_t *msg)
{
    if (s->pattern->type != ZC_SUB)
        return 1;   /*  XSUB shows everything */
    int match = zc_trie_check(&state(s)->subs, zc_msg_data(msg), zc_msg_size(msg));
    return match != (s->options.invert_matching != 0);
}

/*  Takes the next message that passes the filter into *msg (its first
    part).  0, or -1 EAGAIN. */
static int next_passing(zc_socket_t *s, zc_msg_t *msg)
{
    for (;;) {
        if (zc_pattern_fq_recv(s, msg, NULL) < 0)
            return -1;
        if (passes(s, msg))
            return 0;
        /*  Filtered out: the rest of it goes too (messages are whole in
            the pipe, so the parts are there). */
        while (zc_msg_more(msg)) {
            zc_msg_close(msg);
            zc_msg_init(msg);
            if (zc_pattern_fq_recv(s, msg, NULL) < 0)
                return -1;
        }
        zc_msg_close(msg);
        zc_msg_init(msg);
    }
}

static int xsub_recv(zc_socket_t *s, zc_msg_t *msg)
{
    xsub_t *x = state(s);
    if (x->has_message) {
        *msg = x->message;
        x->has_message = 0;
    } else if (x->more_recv) {
        if (zc_pattern_fq_recv(s, msg, NULL) < 0)
            return -1;
    } else if (next_passing(s, msg) < 0) {
        return -1;
    }
    x->more_recv = zc_msg_more(msg) ? 1 : 0;
    return 0;
}

static int xsub_has_in(zc_socket_t *s)
{
    xsub_t *x = state(s);
    if (x->more_recv || x->has_message)
        return 1;
    zc_msg_init(&x->message);
    if (next_passing(s, &x->message) < 0)
        return 0;
    x->has_message = 1;
    return 1;
}

/*  --- pipes --------------------------------------------------------------------- */

static int xsub_attach(zc_socket_t *s, zc_pipe_t *p)
{
    xsub_t *x = state(s);
    if (zc_fq_attach(&s->fq, p) < 0)
        return -1;
    if (zc_dist_attach(&x->dist, p) < 0) {
        zc_fq_terminated(&s->fq, p);
        return -1;
    }
    resend_all(s, p);
    return 0;
}

static void xsub_write_activated(zc_socket_t *s, zc_pipe_t *p)
{
    zc_dist_activated(&state(s)->dist, p);
}

static void xsub_terminated(zc_socket_t *s, zc_pipe_t *p)
{
    zc_fq_terminated(&s->fq, p);
    zc_dist_terminated(&state(s)->dist, p);
}

/*  The connection behind p was made anew: a marker first, so the session
    drops what we wrote before now (it would go twice), then everything. */
static void xsub_hiccuped(zc_socket_t *s, zc_pipe_t *p)
{
    zc_msg_t marker;
    zc_msg_init(&marker);
    marker.flags = ZC_MSG_HICCUP;
    if (zc_pipe_write(p, &marker) < 0) {
        /*  No memory for the marker: the session must stop waiting for
            it; send the subscriptions anyway (a duplicate beats silence). */
        zc_pipe_send_to_peer(p, ZC_CMD_HICCUP, 0);
        resend_all(s, p);
        return;
    }
    resend_all(s, p);
}

/*  --- SUB ------------------------------------------------------------------------ */

static int sub_setopt(zc_socket_t *s, int option, const void *value, size_t len)
{
    if (option != OPT_SUBSCRIBE && option != OPT_UNSUBSCRIBE)
        return 1;
    zc_msg_t m;
    if (zc_subscription_msg(&m, option == OPT_SUBSCRIBE, value, len) < 0)
        return -1;
    int rc = xsub_send(s, &m);
    if (rc < 0)
        zc_msg_close(&m);
    return rc;
}

const zc_pattern_t zc_xsub_pattern = {
    .type = ZC_XSUB,
    .xinit = xsub_init,
    .xsend = xsub_send,
    .xrecv = xsub_recv,
    .xhas_in = xsub_has_in,
    .xhas_out = xsub_has_out,
    .xattach = xsub_attach,
    .xread_activated = zc_dealer_read_activated,
    .xwrite_activated = xsub_write_activated,
    .xpipe_terminated = xsub_terminated,
    .xhiccuped = xsub_hiccuped,
    .xdestroy = xsub_destroy,
};

const zc_pattern_t zc_sub_pattern = {
    .type = ZC_SUB,
    .xinit = xsub_init,
    .xsend = zc_pattern_send_unsupported,
    .xrecv = xsub_recv,
    .xhas_in = xsub_has_in,
    .xhas_out = zc_pattern_never,
    .xattach = xsub_attach,
    .xread_activated = zc_dealer_read_activated,
    .xwrite_activated = xsub_write_activated,
    .xpipe_terminated = xsub_terminated,
    .xsetopt = sub_setopt,
    .xhiccuped = xsub_hiccuped,
    .xdestroy = xsub_destroy,
};
