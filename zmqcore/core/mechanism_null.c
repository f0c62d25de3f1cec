/*  The NULL mechanism (RFC 23/37): each side sends READY with its
    metadata right after the greeting (libzmq does so in both roles, which
    satisfies 3.0 and 3.1 peers alike) and is ready once it has the peer's
    READY.  An ERROR from the peer ends the handshake. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "zmqcore/mechanism.h"
#include "zmqcore/metadata.h"
#include "zmqcore/monitor.h"

typedef struct null_mechanism {
    zc_mechanism_t base;
    int ready_sent;
    int ready_received;
    int error;
} null_mechanism_t;

static int null_next_command(zc_mechanism_t *m, zc_msg_t *msg)
{
    null_mechanism_t *n = (null_mechanism_t *) m;
    if (n->ready_sent)
        return 0;
    unsigned char props[600];
    size_t len = zc_mechanism_build_metadata(m, props, sizeof props);
    if (len > sizeof props) {
        errno = EINVAL;
        return -1;
    }
    if (zc_mechanism_command_msg(msg, "READY", props, len) < 0)
        return -1;
    n->ready_sent = 1;
    return 1;
}

static int null_process_command(zc_mechanism_t *m, const unsigned char *body, size_t len)
{
    null_mechanism_t *n = (null_mechanism_t *) m;
    const unsigned char *name, *data;
    size_t name_len, data_len;
    if (zc_command_name(body, len, &name, &name_len, &data, &data_len) < 0) {
        n->error = 1;
        m->error_code = ZC_PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND;
        errno = EPROTO;
        return -1;
    }
    if (!n->ready_received && name_len == 5 && memcmp(name, "READY", 5) == 0) {
        if (zc_mechanism_check_metadata(m, data, data_len) < 0) {
            n->error = 1;
            return -1;
        }
        n->ready_received = 1;
        return 0;
    }
    /*  ERROR ends the handshake quietly; anything else is unexpected
        (the monitor codes are libzmq's). */
    n->error = 1;
    if (!(name_len == 5 && memcmp(name, "ERROR", 5) == 0))
        m->error_code = ZC_PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND;
    errno = EPROTO;
    return -1;
}

static int null_status(const zc_mechanism_t *m)
{
    const null_mechanism_t *n = (const null_mechanism_t *) m;
    if (n->error)
        return ZC_MECH_ERROR;
    return n->ready_sent && n->ready_received ? ZC_MECH_READY : ZC_MECH_HANDSHAKING;
}

static void null_destroy(zc_mechanism_t *m)
{
    free(m);
}

static const zc_mechanism_ops_t null_ops = {
    .name = "NULL",
    .next_command = null_next_command,
    .process_command = null_process_command,
    .status = null_status,
    .destroy = null_destroy,
};

zc_mechanism_t *zc_mechanism_null_new(const zc_options_t *options)
{
    null_mechanism_t *n = calloc(1, sizeof *n);
    if (!n) {
        errno = ENOMEM;
        return NULL;
    }
    n->base.ops = &null_ops;
    n->base.options = options;
    n->base.peer_type = -1;
    return &n->base;
}
