/*  REP (RFC 28): receives a request, then sends one reply to where it came
    from.  The request's envelope (every frame up to and including the
    empty delimiter) is kept, not shown, and goes back ahead of the reply.
    A reply whose requester has gone is dropped. */
#include <errno.h>
#include <stdlib.h>

#include "zmqcore/patterns.h"

/*  s->req_state */
enum {
    REP_RECV_FIRST = 0,     /*  next recv begins a request */
    REP_RECV_MORE = 1,      /*  a request's body is under way */
    REP_SEND_FIRST = 2,     /*  the request is in: a reply may begin */
    REP_SEND_MORE = 3       /*  a reply is under way */
};

static void clear_envelope(zc_socket_t *s)
{
    for (int i = 0; i < s->envelope_n; i++)
        zc_msg_close(&s->envelope[i]);
    s->envelope_n = 0;
}

static int keep_part(zc_socket_t *s, zc_msg_t *msg)
{
    if (s->envelope_n == s->envelope_cap) {
        int ncap = s->envelope_cap ? s->envelope_cap * 2 : 4;
        zc_msg_t *ne = realloc(s->envelope, (size_t) ncap * sizeof *ne);
        if (!ne) {
            errno = ENOMEM;
            return -1;
        }
        s->envelope = ne;
        s->envelope_cap = ncap;
    }
    s->envelope[s->envelope_n++] = *msg;
    zc_msg_init(msg);
    return 0;
}

static int rep_attach(zc_socket_t *s, zc_pipe_t *p)
{
    zc_pattern_probe(s, p);     /*  libzmq's REP is a ROUTER inside */
    return zc_fq_attach(&s->fq, p);
}

static void rep_read_activated(zc_socket_t *s, zc_pipe_t *p)
{
    zc_fq_activated(&s->fq, p);
}

static void rep_terminated(zc_socket_t *s, zc_pipe_t *p)
{
    zc_fq_terminated(&s->fq, p);
    if (s->req_pipe == p)
        s->req_pipe = NULL;     /*  the requester is gone */
    if (s->out_pipe == p)
        s->out_pipe = NULL;
}

static int rep_recv(zc_socket_t *s, zc_msg_t *msg)
{
    if (s->req_state >= REP_SEND_FIRST) {
        errno = EFSM;
        return -1;
    }
    zc_pipe_t *from;
    while (s->req_state == REP_RECV_FIRST) {
        /*  The parts of a message are published together: once its first
            part is here, the whole envelope is. */
        if (zc_pattern_fq_recv(s, msg, &from) < 0)
            return -1;
        clear_envelope(s);
        s->req_pipe = from;
        for (;;) {
            int more = zc_msg_more(msg);
            int bottom = zc_msg_size(msg) == 0;
            if (keep_part(s, msg) < 0) {
                zc_msg_close(msg);
                zc_msg_init(msg);
                bottom = 0;
                more = 0;   /*  cannot keep it: drop (a half-read
                               message is read to its end below) */
            }
            if (bottom && more) {
                s->req_state = REP_RECV_MORE;
                break;
            }
            if (!more) {
                /*  No delimiter (or nothing after it): malformed, dropped. */
                clear_envelope(s);
                s->req_pipe = NULL;
                break;
            }
            if (zc_pattern_fq_recv(s, msg, &from) < 0) {
                clear_envelope(s);
                s->req_pipe = NULL;
                break;
            }
        }
    }
    if (zc_pattern_fq_recv(s, msg, &from) < 0)
        return -1;      /*  cannot happen: the body came with the envelope */
    if (!zc_msg_more(msg))
        s->req_state = REP_SEND_FIRST;
    return 0;
}

static int rep_send(zc_socket_t *s, zc_msg_t *msg)
{
    if (s->req_state < REP_SEND_FIRST) {
        errno = EFSM;
        return -1;
    }
    int more = zc_msg_more(msg);
    if (s->req_state == REP_SEND_FIRST) {
        zc_pipe_t *p = s->req_pipe;
        /*  At HWM the reply is dropped, as a ROUTER would. */
        if (p && !zc_pipe_check_write(p))
            p = NULL;
        for (int i = 0; i < s->envelope_n; i++) {
            zc_msg_t *part = &s->envelope[i];
            part->flags = ZC_MSG_MORE;
            if (p && zc_pipe_write(p, part) == 0)
                continue;
            zc_msg_close(part);
        }
        s->envelope_n = 0;
        s->out_pipe = p;
        s->req_state = REP_SEND_MORE;
    }
    zc_pipe_t *p = s->out_pipe;
    if (p) {
        if (zc_pipe_write(p, msg) < 0)
            return -1;
        if (!more)
            zc_pipe_flush(p);
    } else {
        zc_msg_close(msg);
    }
    if (!more) {
        s->out_pipe = NULL;
        s->req_pipe = NULL;
        s->req_state = REP_RECV_FIRST;
    }
    return 0;
}

static int rep_has_in(zc_socket_t *s)
{
    return s->req_state < REP_SEND_FIRST && zc_dealer_has_in(s);
}

static int rep_has_out(zc_socket_t *s)
{
    return s->req_state >= REP_SEND_FIRST;
}

static void rep_destroy(zc_socket_t *s)
{
    clear_envelope(s);
    free(s->envelope);
    s->envelope = NULL;
    s->envelope_cap = 0;
}

const zc_pattern_t zc_rep_pattern = {
    .type = ZC_REP,
    .xsend = rep_send,
    .xrecv = rep_recv,
    .xhas_in = rep_has_in,
    .xhas_out = rep_has_out,
    .xattach = rep_attach,
    .xread_activated = rep_read_activated,
    .xwrite_activated = zc_pattern_ignore_pipe,
    .xpipe_terminated = rep_terminated,
    .xdestroy = rep_destroy,
};
