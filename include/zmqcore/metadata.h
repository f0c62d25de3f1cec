/*  ZMTP commands and metadata (ZMTP-NOTES §3-§6): building and parsing
    command frame bodies.  Pure functions over byte buffers, any thread.

    A command frame body is   name-len(1) name(1..255) data.
    Builders write whole bodies; the caller puts them in a zc_msg_t with
    flags ZC_MSG_COMMAND and the encoder adds the frame header.  Parsers of
    a particular command take its *data* (what zc_command_name returns after
    the name), so the engine splits once and dispatches on the name.

    Builders follow snprintf: they return the size the body needs; the body
    is complete in out only when that size is ≤ cap (otherwise out holds an
    unspecified prefix).  out may be NULL to ask for the size.

    Parsers return pointers into the caller's buffer (nothing is copied or
    allocated): the results live as long as that buffer does.  Every length
    is checked against what is left before it is used. */
#ifndef ZMQCORE_METADATA_H
#define ZMQCORE_METADATA_H

#include <stddef.h>
#include <stdint.h>

#include "zmqcore/msg.h"

enum {
    ZC_PING_MAX_CONTEXT = 16,       /*  libzmq truncates longer contexts */
    ZC_ERROR_MAX_REASON = 255,
    ZC_PROPERTY_MAX_NAME = 255,
    ZC_IDENTITY_MAX = 255
};

/* ---- commands in general ------------------------------------------- */

/*  name-len + name + body.  Returns the size needed, or 0 if name is empty
    or longer than 255 (nothing written). */
size_t zc_command_build(unsigned char *out, size_t cap, const char *name,
                        const unsigned char *body, size_t body_len);

/*  A zc_msg_t holding that command, flags ZC_MSG_COMMAND.  0, or -1 with
    errno EINVAL (bad name) or ENOMEM. */
int zc_command_msg(zc_msg_t *msg, const char *name,
                   const unsigned char *body, size_t body_len);

/*  Splits a command frame body into its name and data.  0, or -1 EPROTO
    when the body is empty, the name is empty, or the name overruns. */
int zc_command_name(const unsigned char *body, size_t len,
                    const unsigned char **name, size_t *name_len,
                    const unsigned char **data, size_t *data_len);

/*  1 if (name, name_len) is exactly `expected` (case-sensitive, as libzmq
    compares command names), else 0. */
int zc_command_is(const unsigned char *name, size_t name_len, const char *expected);

/* ---- metadata (READY, INITIATE, ZAP replies) ------------------------- */

/*  One property: name-len(1) name value-len(4, BE) value.  Returns the
    size needed, or 0 (nothing written) if name is empty or longer than 255
    or value_len does not fit in 31 bits. */
size_t zc_property_build(unsigned char *out, size_t cap, const char *name,
                         const unsigned char *value, size_t value_len);

/*  The properties libzmq sends: "Socket-Type" = socket_type, then, when
    with_identity (libzmq: REQ, DEALER, ROUTER), "Identity" = identity
    (identity_len may be 0).  Exactly that case.  Returns the size needed,
    or -1 EINVAL (socket_type NULL, identity_len > 255). */
int zc_metadata_build(unsigned char *out, size_t cap, const char *socket_type,
                      const unsigned char *identity, size_t identity_len,
                      int with_identity);

/*  Walks properties: *pos starts at 0.  1 with the next property (and *pos
    advanced), 0 at the clean end, -1 EPROTO when a property is truncated or
    overruns (a leftover byte that cannot start a property is an overrun).
    Zero-length names are accepted, as libzmq does. */
int zc_metadata_next(const unsigned char *data, size_t len, size_t *pos,
                     const unsigned char **name, size_t *name_len,
                     const unsigned char **value, size_t *value_len);

/*  Case-insensitive ASCII comparison of a property name. */
int zc_property_name_is(const unsigned char *name, size_t name_len,
                        const char *expected);

typedef struct {
    const unsigned char *socket_type;   /*  NULL if absent */
    size_t socket_type_len;
    const unsigned char *identity;      /*  NULL if absent (or empty) */
    size_t identity_len;                /*  not checked against 255 */
    int has_identity;                   /*  the property was present */
    size_t properties;                  /*  how many properties in all */
} zc_metadata_t;

/*  Parses a whole metadata block (READY's data).  Socket-Type and Identity
    are found whatever their case; when one appears twice the first counts.
    Other properties (X-*, Resource, ...) are skipped: use zc_metadata_next
    to see them.  0, or -1 EPROTO on any truncation, overrun or leftover. */
int zc_metadata_parse(const unsigned char *data, size_t len, zc_metadata_t *out);

/* ---- socket types --------------------------------------------------- */

/*  "PAIR".."STREAM" (and the draft types "SERVER".."CHANNEL") to libzmq's
    numbers (PAIR 0 PUB 1 SUB 2 REQ 3 REP 4 DEALER 5 ROUTER 6 PULL 7 PUSH 8
    XPUB 9 XSUB 10 STREAM 11 SERVER 12 CLIENT 13 RADIO 14 DISH 15 GATHER 16
    SCATTER 17 DGRAM 18 PEER 19 CHANNEL 20).  Exact case, as libzmq
    compares the value.  -1 if unknown. */
int zc_socket_type_from_name(const unsigned char *name, size_t len);

/*  The name of a type number, or NULL. */
const char *zc_socket_type_name(int type);

/*  1 if a socket of type `ours` may talk to a peer of type `theirs` (RFC 37
    table, ZMTP-NOTES §4), else 0 (unknown types and STREAM included). */
int zc_socket_types_compatible(int ours, int theirs);

/* ---- heartbeats ------------------------------------------------------ */

/*  PING body: 04 "PING" ttl(2, BE, deciseconds) context.  A context longer
    than 16 bytes is cut to 16.  Returns the size needed. */
size_t zc_ping_build(unsigned char *out, size_t cap, uint16_t ttl_ds,
                     const unsigned char *context, size_t context_len);

/*  PING data (after the name): ttl then context.  A context above 16 bytes
    is truncated to 16 (libzmq does).  0, or -1 EPROTO if shorter than the
    ttl. */
int zc_ping_parse(const unsigned char *data, size_t len, uint16_t *ttl_ds,
                  const unsigned char **context, size_t *context_len);

/*  PONG body: 04 "PONG" context (cut to 16).  Returns the size needed. */
size_t zc_pong_build(unsigned char *out, size_t cap,
                     const unsigned char *context, size_t context_len);

/*  PONG data is the context itself (any length is accepted); no parser. */

/* ---- ERROR ------------------------------------------------------------ */

/*  ERROR body: 05 "ERROR" reason-len(1) reason (cut to 255 bytes).
    Returns the size needed. */
size_t zc_error_build(unsigned char *out, size_t cap, const char *reason);

/*  ERROR data: reason-len reason.  0, or -1 EPROTO when empty or the
    reason overruns.  Trailing bytes after the reason are ignored (libzmq
    does). */
int zc_error_parse(const unsigned char *data, size_t len,
                   const unsigned char **reason, size_t *reason_len);

/* ---- subscriptions (ZMTP 3.1 command form) ---------------------------- */

/*  SUBSCRIBE (subscribe != 0) or CANCEL body: name then the topic.
    Returns the size needed. */
size_t zc_subscribe_build(unsigned char *out, size_t cap, int subscribe,
                          const unsigned char *topic, size_t topic_len);

/*  SUBSCRIBE/CANCEL data is the topic itself (any length, also 0). */

#endif
