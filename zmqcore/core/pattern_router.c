/*  ROUTER (RFC 28): every peer has a routing id (its Identity, or one we
    make up: 0x00 + a 32-bit counter).  A received message is shown behind
    a frame with the id of the peer it came from; a sent message's first
    frame names the peer to send the rest to.  Unknown peers and peers at
    HWM lose the message silently, unless ROUTER_MANDATORY.

    The routing id of a tcp/ipc peer arrives as the first message on its
    pipe (zc_pipe_t.rid_by_msg): until that has been read the pipe is
    anonymous, neither read nor routable.

    A newcomer with an id already in use is ignored, unless
    ROUTER_HANDOVER: then it takes the id over.  PROBE_ROUTER sends an
    empty message on every new pipe first. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "zmqcore/patterns.h"

/*  ROUTER_HANDOVER: `old` gives its id up to a newcomer.  It takes a
    generated one, so nothing is routed to it any more, and goes: at once,
    or once the message being read from it is read (libzmq).  Its
    connection stays open (with its input dropped), as libzmq leaves it:
    closing it would make a live peer reconnect and take the id back. */
static void hand_over(zc_socket_t *s, zc_pipe_t *old)
{
    zc_pattern_generate_id(s, old);
    old->keep_open = 1;
    if (s->fq.reading == old) {
        s->term_after_in = old;
        return;
    }
    zc_socket_detach_pipe(s, old);
}

/*  Gives p its routing id.  1 when done, 0 when the peer's Identity has
    not arrived yet, -1 when another peer has the same id and
    ROUTER_HANDOVER is off (libzmq ignores such a peer: we let go of its
    pipe, keeping its connection open). */
static int identify(zc_socket_t *s, zc_pipe_t *p)
{
    if (p->rid_by_msg) {
        zc_msg_t m;
        zc_msg_init(&m);
        if (!zc_pipe_read(p, &m))
            return 0;
        p->rid_by_msg = 0;
        /*  An id set when the pipe was made (CONNECT_ROUTING_ID) wins. */
        if ((m.flags & ZC_MSG_ROUTING_ID) && p->routing_id_len == 0) {
            size_t len = zc_msg_size(&m);
            if (len > sizeof p->routing_id)
                len = sizeof p->routing_id;
            memcpy(p->routing_id, zc_msg_data(&m), len);
            p->routing_id_len = (unsigned char) len;
        }
        zc_msg_close(&m);
    }
    if (p->routing_id_len == 0) {
        zc_pattern_generate_id(s, p);
    } else {
        zc_pipe_t *holder = zc_pattern_find_by_id(s, p->routing_id, p->routing_id_len);
        if (holder) {
            if (!s->options.router_handover) {
                p->keep_open = 1;
                return -1;
            }
            hand_over(s, holder);
        }
    }
    return zc_pattern_identify(s, p) < 0 ? -1 : 1;
}

static int router_attach(zc_socket_t *s, zc_pipe_t *p)
{
    zc_pattern_probe(s, p);
    p->identified = 0;
    int rc = identify(s, p);
    if (rc < 0)
        return -1;
    if (rc == 1 && zc_fq_attach(&s->fq, p) < 0) {
        zc_pattern_unidentify(s, p);
        return -1;
    }
    return 0;
}

static void router_read_activated(zc_socket_t *s, zc_pipe_t *p)
{
    if (p->identified) {
        zc_fq_activated(&s->fq, p);
        return;
    }
    int rc = identify(s, p);
    if (rc < 0 || (rc == 1 && zc_fq_attach(&s->fq, p) < 0))
        zc_socket_detach_pipe(s, p);
}

static void router_terminated(zc_socket_t *s, zc_pipe_t *p)
{
    zc_fq_terminated(&s->fq, p);
    if (s->out_pipe == p)
        s->out_pipe = NULL;     /*  the rest of that message is dropped */
    if (s->term_after_in == p)
        s->term_after_in = NULL;
    zc_pattern_unidentify(s, p);
}

static int router_send(zc_socket_t *s, zc_msg_t *msg)
{
    int more = zc_msg_more(msg);
    if (s->out_more) {
        /*  A body part: to the pipe the first part chose, or nowhere. */
        zc_pipe_t *p = s->out_pipe;
        if (p) {
            if (zc_pipe_write(p, msg) < 0)
                return -1;
            if (!more) {
                zc_pipe_flush(p);
                s->out_pipe = NULL;
            }
        } else {
            zc_msg_close(msg);
        }
        s->out_more = more;
        return 0;
    }
    /*  The first part: the routing id.  Alone it is no message at all. */
    s->out_pipe = NULL;
    if (more) {
        const unsigned char *id = zc_msg_data(msg);
        size_t len = zc_msg_size(msg);
        zc_pipe_t *p = zc_pattern_find_by_id(s, id, len);
        if (!p) {
            /*  A peer whose Identity is in its pipe but not yet read:
                read commands (and with them the pipes' news), look again. */
            zc_socket_process_commands(s, 0);
            p = zc_pattern_find_by_id(s, id, len);
        }
        if (p && !zc_pipe_check_write(p)) {
            if (s->options.router_mandatory) {
                /*  At HWM: try again later; going away: unreachable. */
                int full = p->hwm && p->msgs_written - p->peers_msgs_read >= p->hwm;
                errno = full ? EAGAIN : EHOSTUNREACH;
                return -1;
            }
            p = NULL;
        } else if (!p && s->options.router_mandatory) {
            errno = EHOSTUNREACH;
            return -1;
        }
        if (!p)
            s->stats.dropped++;
        s->out_pipe = p;
    }
    s->out_more = more;
    zc_msg_close(msg);
    return 0;
}

static int router_recv(zc_socket_t *s, zc_msg_t *msg)
{
    if (s->has_prefetched) {
        *msg = s->prefetched;
        s->has_prefetched = 0;
        s->in_more = zc_msg_more(msg);
        return 0;
    }
    for (;;) {
        zc_pipe_t *from;
        if (zc_pattern_fq_recv(s, msg, &from) < 0)
            return -1;
        if (msg->flags & ZC_MSG_ROUTING_ID) {
            /*  A reconnected peer's Identity: taken to be the same. */
            zc_msg_close(msg);
            zc_msg_init(msg);
            continue;
        }
        if (s->in_more) {
            s->in_more = zc_msg_more(msg);
            if (!s->in_more && from == s->term_after_in)
                zc_socket_detach_pipe(s, from);     /*  handed over */
            return 0;
        }
        /*  A new message: its peer's id first, the part itself next. */
        if (zc_pattern_prefetch_behind_id(s, msg, from) < 0)
            return -1;
        s->in_more = 1;
        return 0;
    }
}

static int router_has_out(zc_socket_t *s)
{
    (void) s;
    return 1;       /*  a ROUTER can always send: it drops what it cannot */
}

static void router_destroy(zc_socket_t *s)
{
    if (s->has_prefetched) {
        zc_msg_close(&s->prefetched);
        s->has_prefetched = 0;
    }
}

const zc_pattern_t zc_router_pattern = {
    .type = ZC_ROUTER,
    .xsend = router_send,
    .xrecv = router_recv,
    .xhas_in = zc_pattern_routed_has_in,
    .xhas_out = router_has_out,
    .xattach = router_attach,
    .xread_activated = router_read_activated,
    .xwrite_activated = zc_pattern_ignore_pipe,
    .xpipe_terminated = router_terminated,
    .xdestroy = router_destroy,
};
