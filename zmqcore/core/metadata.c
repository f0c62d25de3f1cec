/*  ZMTP commands and metadata.  See metadata.h. */
#include "zmqcore/metadata.h"

#include <errno.h>
#include <string.h>

static int proto_error(void)
{
    errno = EPROTO;
    return -1;
}

/*  Copies n bytes at *at if they fit below cap; always advances *at.  The
    caller returns *at as the size needed, snprintf style. */
static void put(unsigned char *out, size_t cap, size_t *at,
                const void *src, size_t n)
{
    if (out && *at <= cap && n <= cap - *at && n)
        memcpy(out + *at, src, n);
    *at += n;
}

static void put_byte(unsigned char *out, size_t cap, size_t *at, unsigned char b)
{
    put(out, cap, at, &b, 1);
}

static size_t command_header(unsigned char *out, size_t cap, const char *name)
{
    size_t at = 0, n = strlen(name);
    put_byte(out, cap, &at, (unsigned char) n);
    put(out, cap, &at, name, n);
    return at;
}

size_t zc_command_build(unsigned char *out, size_t cap, const char *name,
                        const unsigned char *body, size_t body_len)
{
    size_t n = name ? strlen(name) : 0;
    if (n == 0 || n > 255)
        return 0;
    size_t at = command_header(out, cap, name);
    put(out, cap, &at, body, body_len);
    return at;
}

int zc_command_msg(zc_msg_t *msg, const char *name,
                   const unsigned char *body, size_t body_len)
{
    size_t need = zc_command_build(NULL, 0, name, body, body_len);
    if (need == 0) {
        errno = EINVAL;
        return -1;
    }
    if (zc_msg_init_size(msg, need) < 0)
        return -1;
    zc_command_build(zc_msg_data(msg), need, name, body, body_len);
    msg->flags = ZC_MSG_COMMAND;
    return 0;
}

int zc_command_name(const unsigned char *body, size_t len,
                    const unsigned char **name, size_t *name_len,
                    const unsigned char **data, size_t *data_len)
{
    if (len < 1)
        return proto_error();
    size_t n = body[0];
    if (n == 0 || n > len - 1)
        return proto_error();
    *name = body + 1;
    *name_len = n;
    *data = body + 1 + n;
    *data_len = len - 1 - n;
    return 0;
}

int zc_command_is(const unsigned char *name, size_t name_len, const char *expected)
{
    size_t n = strlen(expected);
    return n == name_len && memcmp(name, expected, n) == 0;
}

/* ---- metadata --------------------------------------------------------- */

size_t zc_property_build(unsigned char *out, size_t cap, const char *name,
                         const unsigned char *value, size_t value_len)
{
    size_t n = name ? strlen(name) : 0;
    if (n == 0 || n > ZC_PROPERTY_MAX_NAME || value_len > 0x7fffffffu)
        return 0;
    size_t at = 0;
    unsigned char len4[4] = {
        (unsigned char) (value_len >> 24), (unsigned char) (value_len >> 16),
        (unsigned char) (value_len >> 8), (unsigned char) value_len
    };
    put_byte(out, cap, &at, (unsigned char) n);
    put(out, cap, &at, name, n);
    put(out, cap, &at, len4, 4);
    put(out, cap, &at, value, value_len);
    return at;
}

/*  Appends a property at *at (out/cap relative to the whole block). */
static void append_property(unsigned char *out, size_t cap, size_t *at,
                            const char *name, const unsigned char *value,
                            size_t value_len)
{
    size_t room = (out && *at <= cap) ? cap - *at : 0;
    unsigned char *dst = (out && *at <= cap) ? out + *at : NULL;
    size_t need = zc_property_build(NULL, 0, name, value, value_len);
    if (need <= room)
        zc_property_build(dst, room, name, value, value_len);
    *at += need;
}

int zc_metadata_build(unsigned char *out, size_t cap, const char *socket_type,
                      const unsigned char *identity, size_t identity_len,
                      int with_identity)
{
    if (!socket_type || strlen(socket_type) > 255
        || (with_identity && identity_len > ZC_IDENTITY_MAX)) {
        errno = EINVAL;
        return -1;
    }
    size_t at = 0;
    append_property(out, cap, &at, "Socket-Type",
                    (const unsigned char *) socket_type, strlen(socket_type));
    if (with_identity)
        append_property(out, cap, &at, "Identity", identity, identity_len);
    return (int) at;
}

int zc_metadata_next(const unsigned char *data, size_t len, size_t *pos,
                     const unsigned char **name, size_t *name_len,
                     const unsigned char **value, size_t *value_len)
{
    size_t p = *pos;
    if (p >= len)
        return 0;
    size_t left = len - p;
    size_t nlen = data[p];
    if (nlen > left - 1)
        return proto_error();           /*  name overruns */
    p += 1;
    *name = data + p;
    *name_len = nlen;
    p += nlen;
    left = len - p;
    if (left < 4)
        return proto_error();           /*  value-len truncated */
    size_t vlen = ((size_t) data[p] << 24) | ((size_t) data[p + 1] << 16)
                  | ((size_t) data[p + 2] << 8) | (size_t) data[p + 3];
    p += 4;
    left -= 4;
    if (vlen > left)
        return proto_error();           /*  value overruns */
    *value = data + p;
    *value_len = vlen;
    *pos = p + vlen;
    return 1;
}

int zc_property_name_is(const unsigned char *name, size_t name_len,
                        const char *expected)
{
    size_t n = strlen(expected);
    if (n != name_len)
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char a = name[i], b = (unsigned char) expected[i];
        if (a >= 'A' && a <= 'Z')
            a = (unsigned char) (a - 'A' + 'a');
        if (b >= 'A' && b <= 'Z')
            b = (unsigned char) (b - 'A' + 'a');
        if (a != b)
            return 0;
    }
    return 1;
}

int zc_metadata_parse(const unsigned char *data, size_t len, zc_metadata_t *out)
{
    const unsigned char *name, *value;
    size_t name_len, value_len, pos = 0;
    int rc;

    memset(out, 0, sizeof *out);
    while ((rc = zc_metadata_next(data, len, &pos, &name, &name_len,
                                  &value, &value_len)) == 1) {
        out->properties++;
        if (!out->socket_type
            && zc_property_name_is(name, name_len, "Socket-Type")) {
            out->socket_type = value;
            out->socket_type_len = value_len;
        } else if (!out->has_identity
                   && zc_property_name_is(name, name_len, "Identity")) {
            out->has_identity = 1;
            out->identity = value_len ? value : NULL;
            out->identity_len = value_len;
        }
    }
    if (rc < 0) {
        memset(out, 0, sizeof *out);
        return -1;
    }
    return 0;
}

/* ---- socket types ------------------------------------------------------ */

/*  libzmq's numbers; index = type. */
static const char *const type_names[] = {
    "PAIR", "PUB", "SUB", "REQ", "REP", "DEALER", "ROUTER", "PULL", "PUSH",
    "XPUB", "XSUB", "STREAM", "SERVER", "CLIENT", "RADIO", "DISH", "GATHER",
    "SCATTER", "DGRAM", "PEER", "CHANNEL"
};
enum { N_TYPES = (int) (sizeof type_names / sizeof type_names[0]) };

enum {
    T_PAIR = 0, T_PUB, T_SUB, T_REQ, T_REP, T_DEALER, T_ROUTER, T_PULL,
    T_PUSH, T_XPUB, T_XSUB, T_STREAM, T_SERVER, T_CLIENT, T_RADIO, T_DISH,
    T_GATHER, T_SCATTER, T_DGRAM, T_PEER, T_CHANNEL
};

int zc_socket_type_from_name(const unsigned char *name, size_t len)
{
    for (int t = 0; t < N_TYPES; t++) {
        if (zc_command_is(name, len, type_names[t]))
            return t;
    }
    return -1;
}

const char *zc_socket_type_name(int type)
{
    return type >= 0 && type < N_TYPES ? type_names[type] : NULL;
}

#define BIT(t) (1u << (t))

/*  Peers each type accepts (RFC 37, ZMTP-NOTES §4).  STREAM and DGRAM do
    not speak ZMTP, so they accept none. */
static const unsigned compatible[N_TYPES] = {
    [T_PAIR] = BIT(T_PAIR),
    [T_PUB] = BIT(T_SUB) | BIT(T_XSUB),
    [T_SUB] = BIT(T_PUB) | BIT(T_XPUB),
    [T_REQ] = BIT(T_REP) | BIT(T_ROUTER),
    [T_REP] = BIT(T_REQ) | BIT(T_DEALER),
    [T_DEALER] = BIT(T_REP) | BIT(T_DEALER) | BIT(T_ROUTER),
    [T_ROUTER] = BIT(T_REQ) | BIT(T_DEALER) | BIT(T_ROUTER),
    [T_PULL] = BIT(T_PUSH),
    [T_PUSH] = BIT(T_PULL),
    [T_XPUB] = BIT(T_SUB) | BIT(T_XSUB),
    [T_XSUB] = BIT(T_PUB) | BIT(T_XPUB),
    [T_STREAM] = 0,
    [T_SERVER] = BIT(T_CLIENT),
    [T_CLIENT] = BIT(T_SERVER),
    [T_RADIO] = BIT(T_DISH),
    [T_DISH] = BIT(T_RADIO),
    [T_GATHER] = BIT(T_SCATTER),
    [T_SCATTER] = BIT(T_GATHER),
    [T_DGRAM] = 0,
    [T_PEER] = BIT(T_PEER),
    [T_CHANNEL] = BIT(T_CHANNEL),
};

int zc_socket_types_compatible(int ours, int theirs)
{
    if (ours < 0 || ours >= N_TYPES || theirs < 0 || theirs >= N_TYPES)
        return 0;
    return (compatible[ours] & BIT(theirs)) != 0;
}

/* ---- heartbeats ---------------------------------------------------------- */

size_t zc_ping_build(unsigned char *out, size_t cap, uint16_t ttl_ds,
                     const unsigned char *context, size_t context_len)
{
    if (context_len > ZC_PING_MAX_CONTEXT)
        context_len = ZC_PING_MAX_CONTEXT;
    size_t at = command_header(out, cap, "PING");
    put_byte(out, cap, &at, (unsigned char) (ttl_ds >> 8));
    put_byte(out, cap, &at, (unsigned char) (ttl_ds & 0xff));
    put(out, cap, &at, context, context_len);
    return at;
}

int zc_ping_parse(const unsigned char *data, size_t len, uint16_t *ttl_ds,
                  const unsigned char **context, size_t *context_len)
{
    if (len < 2)
        return proto_error();
    *ttl_ds = (uint16_t) ((data[0] << 8) | data[1]);
    *context = data + 2;
    *context_len = len - 2 > ZC_PING_MAX_CONTEXT ? ZC_PING_MAX_CONTEXT : len - 2;
    return 0;
}

size_t zc_pong_build(unsigned char *out, size_t cap,
                     const unsigned char *context, size_t context_len)
{
    if (context_len > ZC_PING_MAX_CONTEXT)
        context_len = ZC_PING_MAX_CONTEXT;
    size_t at = command_header(out, cap, "PONG");
    put(out, cap, &at, context, context_len);
    return at;
}

/* ---- ERROR ----------------------------------------------------------------- */

size_t zc_error_build(unsigned char *out, size_t cap, const char *reason)
{
    size_t n = reason ? strlen(reason) : 0;
    if (n > ZC_ERROR_MAX_REASON)
        n = ZC_ERROR_MAX_REASON;
    size_t at = command_header(out, cap, "ERROR");
    put_byte(out, cap, &at, (unsigned char) n);
    put(out, cap, &at, reason, n);
    return at;
}

int zc_error_parse(const unsigned char *data, size_t len,
                   const unsigned char **reason, size_t *reason_len)
{
    if (len < 1)
        return proto_error();
    size_t n = data[0];
    if (n > len - 1)
        return proto_error();
    *reason = data + 1;
    *reason_len = n;
    return 0;
}

/* ---- subscriptions ------------------------------------------------------- */

size_t zc_subscribe_build(unsigned char *out, size_t cap, int subscribe,
                          const unsigned char *topic, size_t topic_len)
{
    size_t at = command_header(out, cap, subscribe ? "SUBSCRIBE" : "CANCEL");
    put(out, cap, &at, topic, topic_len);
    return at;
}
