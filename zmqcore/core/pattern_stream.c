/*  STREAM (libzmq's ZMQ_STREAM): raw tcp or ipc, no ZMTP; the connections
    run the raw engine (engine_raw.h).  Every connection is a pipe with a
    routing id: one we make up (0x00 + a 32-bit counter, as ROUTER) or, for
    a connect, CONNECT_ROUTING_ID.

    recv gives two parts, [routing id][bytes as read].  send takes two,
    [routing id][bytes]; empty bytes close that connection (what was sent
    to it before still goes out first).  An unknown id fails with
    EHOSTUNREACH and a connection at SNDHWM with EAGAIN, always (ROUTER
    does so only with ROUTER_MANDATORY).  As in libzmq, the first part
    sent alone (no MORE) names nobody, so the part after it is dropped, and
    MORE on the data part is ignored.

    With STREAM_NOTIFY (default 1) the engine delivers an empty message
    when a connection opens and when it closes, shown as [id][""].

    Like libzmq, reading ROUTING_ID returns the last id made up.  The
    socket fields this pattern uses are ROUTER's (socket.h): next_rid,
    out_pipe, out_more, has_prefetched, prefetched. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "zmqcore/patterns.h"

static int stream_attach(zc_socket_t *s, zc_pipe_t *p)
{
    p->identified = 0;
    /*  A preset id is CONNECT_ROUTING_ID, or over inproc the peer's
        ROUTING_ID; one starting with 0 was made up by a peer STREAM and
        means nothing here. */
    if (p->routing_id_len > 0 && p->routing_id[0] != 0) {
        if (zc_pattern_find_by_id(s, p->routing_id, p->routing_id_len))
            return -1;      /*  that id is taken: refuse the peer */
    } else {
        do
            zc_pattern_generate_id(s, p);
        while (zc_pattern_find_by_id(s, p->routing_id, 5));
        memcpy(s->options.routing_id, p->routing_id, 5);
        s->options.routing_id_len = 5;
    }
    if (zc_fq_attach(&s->fq, p) < 0)
        return -1;
    if (zc_pattern_identify(s, p) < 0) {
        zc_fq_terminated(&s->fq, p);
        return -1;
    }
    return 0;
}

static void stream_read_activated(zc_socket_t *s, zc_pipe_t *p)
{
    zc_fq_activated(&s->fq, p);
}

static void stream_terminated(zc_socket_t *s, zc_pipe_t *p)
{
    zc_fq_terminated(&s->fq, p);
    if (s->out_pipe == p)
        s->out_pipe = NULL;     /*  the data part is dropped */
    zc_pattern_unidentify(s, p);
}

static int stream_send(zc_socket_t *s, zc_msg_t *msg)
{
    if (!s->out_more) {
        /*  The routing id. */
        s->out_pipe = NULL;
        if (zc_msg_more(msg)) {
            const unsigned char *id = zc_msg_data(msg);
            size_t len = zc_msg_size(msg);
            zc_pipe_t *p = zc_pattern_find_by_id(s, id, len);
            if (!p) {
                /*  Maybe a connection we have not been told of yet. */
                zc_socket_process_commands(s, 0);
                p = zc_pattern_find_by_id(s, id, len);
            }
            if (!p) {
                errno = EHOSTUNREACH;
                return -1;
            }
            if (!zc_pipe_check_write(p)) {
                errno = EAGAIN;
                return -1;
            }
            s->out_pipe = p;
        }
        s->out_more = 1;
        zc_msg_close(msg);
        return 0;
    }
    /*  The data.  Whatever its MORE flag, the next part is an id again. */
    zc_pipe_t *p = s->out_pipe;
    s->out_pipe = NULL;
    s->out_more = 0;
    if (!p) {
        zc_msg_close(msg);
        return 0;
    }
    if (zc_msg_size(msg) == 0) {
        /*  Close the connection: letting go of its pipe does (the session
            still sends what the pipe holds, then closes). */
        zc_msg_close(msg);
        zc_socket_detach_pipe(s, p);
        return 0;
    }
    msg->flags &= (uint8_t) ~ZC_MSG_MORE;
    if (zc_pipe_write(p, msg) < 0) {
        zc_msg_close(msg);
        return 0;       /*  no memory: dropped, as libzmq */
    }
    zc_pipe_flush(p);
    return 0;
}

static int stream_recv(zc_socket_t *s, zc_msg_t *msg)
{
    if (s->has_prefetched) {
        *msg = s->prefetched;
        s->has_prefetched = 0;
        return 0;
    }
    zc_pipe_t *from;
    if (zc_pattern_fq_recv(s, msg, &from) < 0)
        return -1;
    /*  The data goes after its connection's id, as one part. */
    msg->flags = 0;
    return zc_pattern_prefetch_behind_id(s, msg, from);
}

static int stream_has_out(zc_socket_t *s)
{
    (void) s;
    return 1;       /*  whether a send succeeds depends on its peer */
}

static void stream_destroy(zc_socket_t *s)
{
    if (s->has_prefetched) {
        zc_msg_close(&s->prefetched);
        s->has_prefetched = 0;
    }
}

const zc_pattern_t zc_stream_pattern = {
    .type = ZC_STREAM,
    .xsend = stream_send,
    .xrecv = stream_recv,
    .xhas_in = zc_pattern_routed_has_in,
    .xhas_out = stream_has_out,
    .xattach = stream_attach,
    .xread_activated = stream_read_activated,
    .xwrite_activated = zc_pattern_ignore_pipe,
    .xpipe_terminated = stream_terminated,
    .xdestroy = stream_destroy,
};
