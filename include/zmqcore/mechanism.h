/*  A security mechanism: the handshake that follows the greeting (RFC 23
    "Security Handshake").  The engine knows nothing about any mechanism's
    commands: it asks the mechanism for commands to send, feeds it the
    commands it receives, and moves on to traffic once the mechanism says
    READY.  NULL is mechanism_null.c; PLAIN and CURVE are further
    implementations of the same table.  Io thread only. */
#ifndef ZMQCORE_MECHANISM_H
#define ZMQCORE_MECHANISM_H

#include <stddef.h>
#include <stdint.h>

#include "zmqcore/msg.h"
#include "zmqcore/options.h"

enum { ZC_MECH_HANDSHAKING = 0, ZC_MECH_READY = 1, ZC_MECH_ERROR = 2 };

typedef struct zc_mechanism zc_mechanism_t;

typedef struct zc_mechanism_ops {
    const char *name;   /*  as in the greeting: "NULL", "PLAIN", "CURVE" */
    /*  The next command to send: 1 and *msg filled (a COMMAND frame), 0
        when there is none for now, -1 with errno. */
    int (*next_command)(zc_mechanism_t *m, zc_msg_t *msg);
    /*  A command frame body from the peer: 0, or -1 with errno EPROTO
        (malformed, unexpected) or ECONNREFUSED (incompatible peer). */
    int (*process_command)(zc_mechanism_t *m, const unsigned char *body, size_t len);
    int (*status)(const zc_mechanism_t *m);
    void (*destroy)(zc_mechanism_t *m);
} zc_mechanism_ops_t;

struct zc_mechanism {
    const zc_mechanism_ops_t *ops;
    const zc_options_t *options;    /*  the session's; outlives us */
    int peer_type;                  /*  from the peer's metadata, or -1 */
    uint32_t error_code;            /*  after a failure: the protocol error
                                        to report (monitor.h), 0 = none */
    unsigned char peer_identity[255];
    size_t peer_identity_len;
};

/*  NULL with errno. */
zc_mechanism_t *zc_mechanism_null_new(const zc_options_t *options);

/*  Shared by every mechanism: the metadata properties we announce (our
    Socket-Type, and Identity for REQ/DEALER/ROUTER), and the check of the
    peer's (its type must be compatible with ours).  Build: the size (may
    exceed cap: then nothing useful was written).  Check: 0 or -1 errno. */
size_t zc_mechanism_build_metadata(const zc_mechanism_t *m, unsigned char *out, size_t cap);
int zc_mechanism_check_metadata(zc_mechanism_t *m, const unsigned char *data, size_t len);

/*  A command frame (name + body) in a fresh msg.  0, or -1 (ENOMEM). */
int zc_mechanism_command_msg(zc_msg_t *msg, const char *name, const unsigned char *body,
                             size_t len);

#endif
