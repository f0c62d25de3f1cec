/*  REQ (RFC 28): a DEALER that alternates send and receive.  A request
    goes out behind an empty delimiter frame; only a reply that starts with
    the delimiter and comes from the pipe the request took is accepted, and
    the delimiter is not shown. */
#include <errno.h>

#include "zmqcore/patterns.h"

/*  s->req_state */
enum {
    REQ_SEND_FIRST = 0,     /*  next send begins a request */
    REQ_SEND_MORE = 1,      /*  a request is under way */
    REQ_RECV_FIRST = 2,     /*  waiting for a reply's delimiter */
    REQ_RECV_MORE = 3       /*  a reply is under way */
};

static void req_terminated(zc_socket_t *s, zc_pipe_t *p)
{
    if (s->req_pipe == p)
        s->req_pipe = NULL;     /*  the reply cannot come any more */
    zc_dealer_terminated(s, p);
}

static int req_send(zc_socket_t *s, zc_msg_t *msg)
{
    if (s->req_state >= REQ_RECV_FIRST) {
        errno = EFSM;
        return -1;
    }
    if (s->req_state == REQ_SEND_FIRST) {
        zc_msg_t delim;
        zc_msg_init(&delim);
        delim.flags = ZC_MSG_MORE;
        if (zc_lb_send(&s->lb, &delim) < 0)
            return -1;      /*  EAGAIN: nothing went out */
        s->req_pipe = s->lb.sending;
        s->req_state = REQ_SEND_MORE;
    }
    int more = zc_msg_more(msg);
    if (zc_lb_send(&s->lb, msg) < 0)
        return -1;
    if (!more)
        s->req_state = REQ_RECV_FIRST;
    return 0;
}

/*  Reads and drops the rest of a message whose first part was `msg`. */
static void drop_rest(zc_socket_t *s, zc_msg_t *msg)
{
    int more = zc_msg_more(msg);
    zc_msg_close(msg);
    zc_msg_init(msg);
    while (more && zc_pattern_fq_recv(s, msg, NULL) == 0) {
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
    for (;;) {
        zc_pipe_t *from;
        if (zc_pattern_fq_recv(s, msg, &from) < 0)
            return -1;
        if (s->req_state == REQ_RECV_FIRST) {
            if (from != s->req_pipe || zc_msg_size(msg) != 0 || !zc_msg_more(msg)) {
                drop_rest(s, msg);  /*  not the reply we wait for */
                continue;
            }
            zc_msg_close(msg);
            zc_msg_init(msg);
            s->req_state = REQ_RECV_MORE;
            continue;
        }
        if (!zc_msg_more(msg)) {
            s->req_state = REQ_SEND_FIRST;
            s->req_pipe = NULL;
        }
        return 0;
    }
}

static int req_has_in(zc_socket_t *s)
{
    return s->req_state >= REQ_RECV_FIRST && zc_dealer_has_in(s);
}

static int req_has_out(zc_socket_t *s)
{
    return s->req_state < REQ_RECV_FIRST && zc_lb_has_out(&s->lb);
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
