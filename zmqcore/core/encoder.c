/*  ZMTP 3.x frame encoder.  See encoder.h for the contract. */
#include "zmqcore/encoder.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "zmqcore/decoder.h"    /*  ZC_WIRE_* flag bits */

int zc_encoder_init(zc_encoder_t *e, size_t batch_size)
{
    memset(e, 0, sizeof *e);
    if (batch_size < ZC_ENCODER_HEADER_MAX) {
        errno = EINVAL;
        return -1;
    }
    e->batch = malloc(batch_size);
    if (!e->batch) {
        errno = ENOMEM;
        return -1;
    }
    e->cap = batch_size;
    e->copy_max = ZC_ENCODER_COPY_MAX;
    zc_msg_init(&e->large);
    return 0;
}

void zc_encoder_fini(zc_encoder_t *e)
{
    if (e->has_large)
        zc_msg_close(&e->large);
    e->has_large = 0;
    free(e->batch);
    e->batch = NULL;
}

void zc_encoder_set_copy_max(zc_encoder_t *e, size_t copy_max)
{
    e->copy_max = copy_max;
}

int zc_encoder_has_room(const zc_encoder_t *e)
{
    return !e->has_large && e->cap - e->tail >= ZC_ENCODER_HEADER_MAX;
}

static void put_header(zc_encoder_t *e, uint8_t msg_flags, size_t size)
{
    unsigned char flags = 0;
    unsigned char *p = e->batch + e->tail;
    if (msg_flags & ZC_MSG_COMMAND)
        flags |= ZC_WIRE_COMMAND;
    else if (msg_flags & ZC_MSG_MORE)
        flags |= ZC_WIRE_MORE;
    if (size <= 255) {
        p[0] = flags;
        p[1] = (unsigned char) size;
        e->tail += 2;
    } else {
        uint64_t s = (uint64_t) size;
        p[0] = flags | ZC_WIRE_LONG;
        for (int i = 8; i >= 1; i--) {
            p[i] = (unsigned char) (s & 0xff);
            s >>= 8;
        }
        e->tail += 9;
    }
}

void zc_encoder_add(zc_encoder_t *e, zc_msg_t *msg)
{
    size_t size = zc_msg_size(msg);
    /*  Contract: has_room() was 1.  Defend anyway: a frame nobody can
        encode is dropped rather than corrupting the stream. */
    if (!zc_encoder_has_room(e)) {
        zc_msg_close(msg);
        return;
    }
    put_header(e, msg->flags, size);
    if (size < e->copy_max && size <= e->cap - e->tail) {
        if (size)
            memcpy(e->batch + e->tail, zc_msg_data(msg), size);
        e->tail += size;
        zc_msg_close(msg);
        return;
    }
    /*  By reference: written after the batch, closed once written.  This
        also takes bodies below copy_max that do not fit in the rest of the
        batch: an iovec costs less than splitting them. */
    e->large = *msg;
    e->large_off = 0;
    e->has_large = 1;
}

int zc_encoder_add_raw(zc_encoder_t *e, const void *data, size_t len)
{
    if (len > e->cap) {
        errno = EMSGSIZE;
        return -1;
    }
    if (e->has_large || e->cap - e->tail < len) {
        errno = EAGAIN;
        return -1;
    }
    if (len)
        memcpy(e->batch + e->tail, data, len);
    e->tail += len;
    return 0;
}

int zc_encoder_iov(zc_encoder_t *e, struct iovec *iov, int max)
{
    int n = 0;
    if (n < max && e->tail > e->head) {
        iov[n].iov_base = e->batch + e->head;
        iov[n].iov_len = e->tail - e->head;
        n++;
    }
    if (n < max && e->has_large && zc_msg_size(&e->large) > e->large_off) {
        iov[n].iov_base = zc_msg_data(&e->large) + e->large_off;
        iov[n].iov_len = zc_msg_size(&e->large) - e->large_off;
        n++;
    }
    return n;
}

void zc_encoder_advance(zc_encoder_t *e, size_t n)
{
    size_t in_batch = e->tail - e->head;
    if (n <= in_batch) {
        e->head += n;
        n = 0;
    } else {
        e->head = e->tail;
        n -= in_batch;
    }
    if (e->head == e->tail)
        e->head = e->tail = 0;
    if (n && e->has_large) {
        size_t left = zc_msg_size(&e->large) - e->large_off;
        if (n > left)
            n = left;   /*  contract breach; never run past the body */
        e->large_off += n;
    }
    if (e->has_large && e->large_off == zc_msg_size(&e->large)
        && e->head == e->tail) {
        zc_msg_close(&e->large);
        e->has_large = 0;
        e->large_off = 0;
    }
}

int zc_encoder_empty(const zc_encoder_t *e)
{
    return e->head == e->tail && !e->has_large;
}

size_t zc_encoder_pending(const zc_encoder_t *e)
{
    size_t n = e->tail - e->head;
    if (e->has_large)
        n += zc_msg_size(&e->large) - e->large_off;
    return n;
}
