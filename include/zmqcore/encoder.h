/*  zc_encoder_t: turns frames (zc_msg_t) into ZMTP 3.x wire bytes for
    writev().

    Headers and small bodies are packed into one batch buffer, so a stream
    of small frames costs one write per ~batch_size bytes.  A body of at
    least `copy_max` bytes (ZC_ENCODER_COPY_MAX), or one that does not fit in
    what is left of the batch, is not copied: the encoder keeps its message
    and hands the body out as a second iovec, then closes the message once
    its last byte has been written.  While such a body is pending the
    encoder takes no more frames (has_room() is 0).

    Header: flags(1) then size, 1 octet when the body is ≤ 255 bytes,
    8 octets big-endian otherwise (as libzmq).  Flag bits: MORE 1, LONG 2,
    COMMAND 4.  A COMMAND frame is never sent with MORE (the bit is dropped).

    The engine's loop (one I/O thread owns an encoder; not thread-safe):

        while (zc_encoder_has_room(e) && pipe has a frame)
            zc_encoder_add(e, &msg);            // msg now belongs to e
        n = zc_encoder_iov(e, iov, 2);
        if (n) { w = writev(fd, iov, n); if (w > 0) zc_encoder_advance(e, w); }

    Bytes handed out by iov stay valid and unchanged until advanced past
    (the batch is never compacted: it restarts at its beginning each time
    everything in it has been written); frames may be added between iov and
    advance, they go after them. */
#ifndef ZMQCORE_ENCODER_H
#define ZMQCORE_ENCODER_H

#include <stddef.h>
#include <sys/uio.h>

#include "zmqcore/config.h"
#include "zmqcore/msg.h"

/*  Longest frame header: flags + 8 size octets. */
enum { ZC_ENCODER_HEADER_MAX = 9 };

typedef struct zc_encoder {
    unsigned char *batch;   /*  cap bytes, malloc'ed */
    size_t cap;
    size_t head;            /*  batch[head, tail) is still to be written */
    size_t tail;
    size_t copy_max;        /*  bodies this large go by reference */
    int has_large;          /*  large holds a body written after the batch */
    size_t large_off;       /*  bytes of large's body already written */
    zc_msg_t large;
} zc_encoder_t;

/*  batch_size: ZC_OUT_BATCH_SIZE normally; at least ZC_ENCODER_HEADER_MAX.
    0, or -1 with errno EINVAL or ENOMEM. */
int zc_encoder_init(zc_encoder_t *e, size_t batch_size);

/*  Frees the batch and closes any message still held (its unwritten bytes
    are lost). */
void zc_encoder_fini(zc_encoder_t *e);

/*  Changes the copy threshold (tests; default ZC_ENCODER_COPY_MAX). */
void zc_encoder_set_copy_max(zc_encoder_t *e, size_t copy_max);

/*  1 if zc_encoder_add may be called now: no large body pending and room
    for at least a header at the end of the batch.  When it is 0, write:
    once everything pending is written it is 1 again. */
int zc_encoder_has_room(const zc_encoder_t *e);

/*  Encodes one frame and takes ownership of msg (the caller must treat it
    as uninitialised afterwards).  Only when has_room() is 1. */
void zc_encoder_add(zc_encoder_t *e, zc_msg_t *msg);

/*  Copies raw bytes (e.g. a greeting) into the batch, after everything
    already added.  0, or -1 with errno EAGAIN when they do not fit now
    (has_room() is 0, or fewer than len bytes free) or EMSGSIZE when they
    never will (len > batch size). */
int zc_encoder_add_raw(zc_encoder_t *e, const void *data, size_t len);

/*  The bytes ready to write, in order, as at most `max` iovecs (2 always
    suffice for everything).  Returns the number filled; 0 when empty. */
int zc_encoder_iov(zc_encoder_t *e, struct iovec *iov, int max);

/*  n bytes from the start of what iov described were written (any n up to
    the total pending, so partial writes may split anything). */
void zc_encoder_advance(zc_encoder_t *e, size_t n);

/*  1 when nothing is left to write. */
int zc_encoder_empty(const zc_encoder_t *e);

/*  Bytes still to write. */
size_t zc_encoder_pending(const zc_encoder_t *e);

#endif
