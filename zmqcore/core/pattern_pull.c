/*  PULL (RFC 30): fair-queued from every peer. */
#include "zmqcore/patterns.h"

static int pull_attach(zc_socket_t *s, zc_pipe_t *p)
{
    return zc_fq_attach(&s->fq, p);
}

static void pull_read_activated(zc_socket_t *s, zc_pipe_t *p)
{
    zc_fq_activated(&s->fq, p);
}

static void pull_terminated(zc_socket_t *s, zc_pipe_t *p)
{
    zc_fq_terminated(&s->fq, p);
}

/*  Receiving is the fair queue that DEALER also uses. */
static int pull_recv(zc_socket_t *s, zc_msg_t *msg)
{
    return zc_pattern_fq_recv(s, msg, NULL);
}

const zc_pattern_t zc_pull_pattern = {
    .type = ZC_PULL,
    .xsend = zc_pattern_send_unsupported,
    .xrecv = pull_recv,
    .xhas_in = zc_dealer_has_in,
    .xhas_out = zc_pattern_never,
    .xattach = pull_attach,
    .xread_activated = pull_read_activated,
    .xwrite_activated = zc_pattern_ignore_pipe,
    .xpipe_terminated = pull_terminated,
};
