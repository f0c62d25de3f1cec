/*  What every mechanism shares: metadata and command messages. */
#include "zmqcore/mechanism.h"

#include <errno.h>
#include <string.h>

#include "zmqcore/metadata.h"

size_t zc_mechanism_build_metadata(const zc_mechanism_t *m, unsigned char *out, size_t cap)
{
    const zc_options_t *o = m->options;
    /*  libzmq sends an Identity only from REQ, DEALER and ROUTER. */
    int with_id = o->type == 3 || o->type == 5 || o->type == 6;
    int n = zc_metadata_build(out, cap, zc_socket_type_name(o->type), o->routing_id,
                              (size_t) o->routing_id_len, with_id);
    return n < 0 ? (size_t) -1 : (size_t) n;
}

int zc_mechanism_check_metadata(zc_mechanism_t *m, const unsigned char *data, size_t len)
{
    zc_metadata_t md;
    if (zc_metadata_parse(data, len, &md) < 0 || !md.socket_type) {
        errno = EPROTO;
        return -1;
    }
    int peer = zc_socket_type_from_name(md.socket_type, md.socket_type_len);
    if (peer < 0 || !zc_socket_types_compatible(m->options->type, peer)) {
        errno = ECONNREFUSED;
        return -1;
    }
    m->peer_type = peer;
    if (md.has_identity && md.identity_len <= sizeof m->peer_identity) {
        if (md.identity_len)    /*  an empty value may have no pointer */
            memcpy(m->peer_identity, md.identity, md.identity_len);
        m->peer_identity_len = md.identity_len;
    }
    return 0;
}

int zc_mechanism_command_msg(zc_msg_t *msg, const char *name, const unsigned char *body,
                             size_t len)
{
    size_t need = zc_command_build(NULL, 0, name, body, len);
    if (zc_msg_init_size(msg, need) < 0)
        return -1;
    zc_command_build(zc_msg_data(msg), need, name, body, len);
    msg->flags = ZC_MSG_COMMAND;
    return 0;
}
