/*  ZMTP 3.x frame decoder.  See decoder.h for the contract. */
#include "zmqcore/decoder.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "zmqcore/body_cache.h"

enum {
    ST_FLAGS = 0,   /*  next octet is a frame's flags */
    ST_SIZE = 1,    /*  collecting the size octets (1 or 8) */
    ST_BODY = 2,    /*  copying the body into msg */
    ST_FAILED = 3   /*  a protocol error happened; sticky */
};

/*  Largest body any frame may have whatever MAXMSGSIZE says: it must fit a
    size_t (allocation) and an ssize_t (read/write counts). */
#if SIZE_MAX / 2 < UINT64_MAX / 2
#define BODY_HARD_MAX ((uint64_t) (SIZE_MAX / 2))
#else
#define BODY_HARD_MAX ((uint64_t) INT64_MAX)
#endif

int zc_decoder_init(zc_decoder_t *d, size_t bufsize, int64_t maxmsgsize)
{
    memset(d, 0, sizeof *d);
    if (bufsize == 0) {
        errno = EINVAL;
        return -1;
    }
    d->buf = malloc(bufsize);
    if (!d->buf) {
        errno = ENOMEM;
        return -1;
    }
    d->bufsize = bufsize;
    d->maxmsgsize = maxmsgsize < 0 ? -1 : maxmsgsize;
    d->state = ST_FLAGS;
    zc_msg_init(&d->msg);
    return 0;
}

void zc_decoder_fini(zc_decoder_t *d)
{
    if (d->msg_live)
        zc_msg_close(&d->msg);
    d->msg_live = 0;
    free(d->buf);
    d->buf = NULL;
}

int zc_decoder_idle(const zc_decoder_t *d)
{
    return d->state == ST_FLAGS;
}

/*  Makes room for more of a large body once what is allocated is full. */
static int grow_body(zc_decoder_t *d)
{
    uint64_t grown = (uint64_t) d->msg.size * 2;
    if (grown > d->body_size)
        grown = d->body_size;
    return zc_msg_resize(&d->msg, (size_t) grown);
}

void zc_decoder_get_buffer(zc_decoder_t *d, unsigned char **data, size_t *size)
{
    /*  Grow before the allocated part runs short, so large bodies keep
        being read in place.  If growing fails here, decode finds the body
        full and fails. */
    if (d->state == ST_BODY && d->body_size - d->body_have >= d->bufsize
        && d->msg.size - d->body_have < d->bufsize)
        grow_body(d);
    if (d->state == ST_BODY && d->body_have < d->msg.size) {
        size_t remaining = d->msg.size - d->body_have;
        if (remaining >= d->bufsize) {
            *data = zc_msg_data(&d->msg) + d->body_have;
            *size = remaining;
            return;
        }
    }
    *data = d->buf;
    *size = d->bufsize;
}

static int fail(zc_decoder_t *d, int err)
{
    if (d->msg_live)
        zc_msg_close(&d->msg);
    d->msg_live = 0;
    d->state = ST_FAILED;
    d->error = err;
    errno = err;
    return -1;
}

/*  The frame is whole: hand it over and get ready for the next one. */
static int complete(zc_decoder_t *d)
{
    uint8_t f = 0;
    if (d->flags & ZC_WIRE_MORE)
        f |= ZC_MSG_MORE;
    if (d->flags & ZC_WIRE_COMMAND)
        f |= ZC_MSG_COMMAND;
    d->msg.flags = f;
    d->msg_live = 0;        /*  the caller owns it from now on */
    d->state = ST_FLAGS;
    d->frames++;
    return 1;
}

/*  The size is known: check it, then (and only then) allocate. */
static int start_body(zc_decoder_t *d, uint64_t size)
{
    if (size > BODY_HARD_MAX
        || (d->maxmsgsize >= 0 && size > (uint64_t) d->maxmsgsize))
        return fail(d, EMSGSIZE);
    /*  A header alone must not make us allocate: a peer could claim a
        terabyte and send nothing.  Beyond ZC_DECODER_EAGER_MAX the body
        grows (doubling) as its bytes arrive, so memory follows data. */
    size_t first = size > ZC_DECODER_EAGER_MAX ? ZC_DECODER_EAGER_MAX : (size_t) size;
    if (zc_msg_init_size_cached(&d->msg, first, d->cache) < 0)
        return fail(d, ENOMEM);
    d->msg_live = 1;
    d->body_have = 0;
    d->body_size = size;
    if (size == 0)
        return complete(d);
    d->state = ST_BODY;
    return 0;
}

int zc_decoder_decode(zc_decoder_t *d, const unsigned char *data, size_t size,
                      size_t *consumed)
{
    size_t pos = 0;
    int rc;

    if (d->state == ST_FAILED) {
        *consumed = 0;
        errno = d->error;
        return -1;
    }
    while (pos < size) {
        switch (d->state) {
        case ST_FLAGS: {
            unsigned char flags = data[pos++];
            if ((flags & ZC_WIRE_COMMAND) && (flags & ZC_WIRE_MORE)) {
                *consumed = pos;
                return fail(d, EPROTO);
            }
            d->flags = flags;
            d->sizebuf_have = 0;
            d->state = ST_SIZE;
            break;
        }
        case ST_SIZE: {
            unsigned need = (d->flags & ZC_WIRE_LONG) ? 8 : 1;
            size_t n = need - d->sizebuf_have;
            if (n > size - pos)
                n = size - pos;
            memcpy(d->sizebuf + d->sizebuf_have, data + pos, n);
            d->sizebuf_have += (unsigned) n;
            pos += n;
            if (d->sizebuf_have < need)
                break;
            uint64_t body = 0;
            for (unsigned i = 0; i < need; i++)
                body = (body << 8) | d->sizebuf[i];
            rc = start_body(d, body);
            if (rc != 0) {
                *consumed = pos;
                return rc;
            }
            break;
        }
        case ST_BODY: {
            if (d->body_have == d->msg.size) {
                if (grow_body(d) < 0) {
                    *consumed = pos;
                    return fail(d, ENOMEM);
                }
            }
            size_t want = d->msg.size - d->body_have;
            size_t n = size - pos;
            if (n > want)
                n = want;
            unsigned char *dst = zc_msg_data(&d->msg) + d->body_have;
            if (dst == data + pos)
                d->zero_copy_bytes += n;    /*  read in place */
            else
                memcpy(dst, data + pos, n);
            d->body_have += n;
            pos += n;
            if (d->body_have == d->body_size) {
                *consumed = pos;
                return complete(d);
            }
            break;
        }
        default:
            *consumed = pos;
            return fail(d, EPROTO);
        }
    }
    *consumed = pos;
    return 0;
}
