/*  REQ (RFC 28): a DEALER that alternates send and receive.  A request
    goes out behind an empty delimiter frame; only a reply that starts with
    the delimiter and comes from the pipe the request took is accepted, and
    the delimiter is not shown.

    As libzmq 4.3.5:
    - Starting a request throws away every message already received, so a
      stale or duplicate reply is never taken for the new request's.
    - REQ_RELAXED: a send while a reply is due abandons that request and
      starts a new one.  Without REQ_CORRELATE a late reply to the
      abandoned request, coming by the pipe the new one took, is taken as
      its reply (libzmq documents this).
    - REQ_CORRELATE: each request goes out as [id, "", body...], id a
      4-byte counter (host byte order, +1 per request, random start); a
      reply must start with the current id.
    - If the request's pipe goes away, replies are taken from any pipe. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "zmqcore/patterns.h"

/*  s->req_state */
enum {
    REQ_SEND_FIRST = 0,     /*  next send begins a request */
    REQ_SEND_MORE = 1,      /*  a request is under way */
    REQ_RECV_FIRST = 2,     /*  waiting for a reply's first frames */
    REQ_RECV_MORE = 3       /*  a reply is under way */
};

static void req_terminated(zc_socket_t *s, zc_pipe_t *p)
{
    if (s->req_pipe == p)
        s->req_pipe = NULL;     /*  replies are taken from any pipe now */
    zc_dealer_terminated(s, p);
}

/*  Sends an empty delimiter, or the request id, as a part with MORE. */
static int send_frame(zc_socket_t *s, const void *data, size_t size)
{
    zc_msg_t m;
    if (zc_msg_init_size(&m, size) < 0) {
        errno = ENOMEM;
        return -1;
    }
    if (size)
        memcpy(zc_msg_data(&m), data, size);
    m.flags = ZC_MSG_MORE;
    if (zc_lb_send(&s->lb, &m) < 0) {
        zc_msg_close(&m);
        return -1;
    }
    return 0;
}

/*  Puts the frames that begin a request on the next pipe.  0, or -1
    (EAGAIN: nothing went out). */
static int begin_request(zc_socket_t *s)
{
    s->req_pipe = NULL;
    if (s->options.req_correlate) {
        if (!s->request_id_set) {
            s->request_id = (uint32_t) rand();
            s->request_id_set = 1;
        }
        s->request_id++;
        if (send_frame(s, &s->request_id, sizeof s->request_id) < 0)
            return -1;
    }
    /*  After an id frame the delimiter goes to the same pipe, and a pipe
        takes every part of a message it has begun. */
    if (send_frame(s, NULL, 0) < 0)
        return -1;
    s->req_pipe = s->lb.sending;
    /*  Whatever has come in so far answers no request of ours. */
    zc_msg_t drop;
    zc_msg_init(&drop);
    while (zc_pattern_fq_recv(s, &drop, NULL) == 0) {
        zc_msg_close(&drop);
        zc_msg_init(&drop);
    }
    return 0;
}

static int req_send(zc_socket_t *s, zc_msg_t *msg)
{
    if (s->req_state >= REQ_RECV_FIRST) {
        if (!s->options.req_relaxed) {
            errno = EFSM;
            return -1;
        }
        /*  The reply due is no longer awaited, even if this send fails. */
        s->req_state = REQ_SEND_FIRST;
    }
    if (s->req_state == REQ_SEND_FIRST) {
        if (begin_request(s) < 0)
            return -1;
        s->req_state = REQ_SEND_MORE;
    }
    int more = zc_msg_more(msg);
    if (zc_lb_send(&s->lb, msg) < 0)
        return -1;
    if (!more)
        s->req_state = REQ_RECV_FIRST;
    return 0;
}

/*  Receives one part from the request's pipe (any, if that has gone);
    parts from other pipes are dropped. */
static int recv_reply_part(zc_socket_t *s, zc_msg_t *msg)
{
    for (;;) {
        zc_pipe_t *from;
        if (zc_pattern_fq_recv(s, msg, &from) < 0)
            return -1;
        if (!s->req_pipe || from == s->req_pipe)
            return 0;
        zc_msg_close(msg);
        zc_msg_init(msg);
    }
}

/*  Drops the rest of a reply whose part `msg` did not fit. */
static void drop_rest(zc_socket_t *s, zc_msg_t *msg)
{
    int more = zc_msg_more(msg);
    zc_msg_close(msg);
    zc_msg_init(msg);
    while (more && recv_reply_part(s, msg) == 0) {
        more = zc_msg_more(msg);
        zc_msg_close(msg);
        zc_msg_init(msg);
    }
}

static int req_recv(zc_socket_t *s, zc_msg_t *msg)
{
    if (s->req_state < REQ_RECV_FIRST) {
        errno = EFSM;
        return -1;
    }
    /*  The parts of a message are published together: once its first
        part is here the rest is, so nothing below waits mid-message. */
    while (s->req_state == REQ_RECV_FIRST) {
        if (s->options.req_correlate) {
            if (recv_reply_part(s, msg) < 0)
                return -1;
            if (!zc_msg_more(msg) || zc_msg_size(msg) != sizeof s->request_id
                || memcmp(zc_msg_data(msg), &s->request_id, sizeof s->request_id) != 0) {
                drop_rest(s, msg);      /*  not the current request's */
                continue;
            }
            zc_msg_close(msg);
            zc_msg_init(msg);
        }
        if (recv_reply_part(s, msg) < 0)
            return -1;
        if (!zc_msg_more(msg) || zc_msg_size(msg) != 0) {
            drop_rest(s, msg);          /*  no delimiter */
            continue;
        }
        zc_msg_close(msg);
        zc_msg_init(msg);
        s->req_state = REQ_RECV_MORE;
    }
    if (recv_reply_part(s, msg) < 0)
        return -1;
    if (!zc_msg_more(msg))
        s->req_state = REQ_SEND_FIRST;
    return 0;
}

static int req_has_in(zc_socket_t *s)
{
    return s->req_state >= REQ_RECV_FIRST && zc_dealer_has_in(s);
}

static int req_has_out(zc_socket_t *s)
{
    return (s->req_state < REQ_RECV_FIRST || s->options.req_relaxed)
           && zc_lb_has_out(&s->lb);
}

const zc_pattern_t zc_req_pattern = {
    .type = ZC_REQ,
    .xsend = req_send,
    .xrecv = req_recv,
    .xhas_in = req_has_in,
    .xhas_out = req_has_out,
    .xattach = zc_dealer_attach,
    .xread_activated = zc_dealer_read_activated,
    .xwrite_activated = zc_dealer_write_activated,
    .xpipe_terminated = req_terminated,
};
