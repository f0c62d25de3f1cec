/*  zc_decoder_t: a streaming ZMTP 3.x frame decoder.

    Wire format (ZMTP-NOTES §3):  flags(1) size(1 | 8 big-endian) body.
    Flags: bit0 MORE, bit1 LONG (8-byte size), bit2 COMMAND; bits 3-7 are
    reserved and ignored, as libzmq does.  A long header with a small size is
    accepted (libzmq too).  COMMAND with MORE is refused (EPROTO): no
    implementation sends it and the RFC forbids it.

    Memory: each frame becomes one zc_msg_t.  Bodies up to ZC_MSG_MAX_INLINE
    bytes live inside the message (no allocation); larger ones get one
    allocation of exactly their size, made only after the size has passed the
    MAXMSGSIZE and size_t/ssize_t checks.  Small bodies are copied out of the
    read buffer; while the unread remainder of a body is at least the batch
    size, zc_decoder_get_buffer() hands out the body itself so the kernel
    writes straight into the message (no copy at all).

    The engine's loop (one I/O thread owns a decoder; not thread-safe):

        zc_decoder_get_buffer(d, &buf, &cap);
        n = read(fd, buf, cap);                 // 0 < n <= cap
        data = buf;
        for (;;) {
            rc = zc_decoder_decode(d, data, n, &used);
            if (rc < 0) -> close the connection (errno: EMSGSIZE, EPROTO,
                           ENOMEM)
            data += used; n -= used;
            if (rc == 0) break;                 // all of data consumed
            msg = *zc_decoder_msg(d);           // the frame is now ours
            ... push msg ...
        }

    The engine may stop between frames (e.g. its pipe is full) and later
    resume feeding the rest of the same read; it must not call get_buffer
    again until decode has consumed everything it read (returned 0): the
    bytes not yet decoded still live in the region get_buffer handed out. */
#ifndef ZMQCORE_DECODER_H
#define ZMQCORE_DECODER_H

#include <stddef.h>
#include <stdint.h>

#include "zmqcore/config.h"
#include "zmqcore/msg.h"

/*  Wire flag bits (shared with the encoder). */
enum {
    ZC_WIRE_MORE = 0x01,
    ZC_WIRE_LONG = 0x02,
    ZC_WIRE_COMMAND = 0x04
};

typedef struct zc_decoder {
    unsigned char *buf;     /*  the batch buffer (bufsize bytes, malloc'ed) */
    size_t bufsize;
    int64_t maxmsgsize;     /*  per frame body; < 0: no limit */
    struct zc_body_cache *cache;    /*  large bodies come from here (the
                                       context's), or NULL (set after init) */

    /*  Frame being decoded. */
    int state;              /*  private: flags, size, body, or failed */
    int error;              /*  errno of the failure (state failed) */
    unsigned char flags;    /*  wire flags of the current frame */
    unsigned char sizebuf[8];   /*  size octets collected so far */
    unsigned sizebuf_have;
    size_t body_have;       /*  body bytes already in msg */
    uint64_t body_size;     /*  the frame's size; msg.size is what is
                               allocated so far (see ZC_DECODER_EAGER_MAX) */
    int msg_live;           /*  msg holds a body that the decoder owns */
    zc_msg_t msg;           /*  the frame (partial while msg_live) */

    /*  Statistics, for tests and monitoring. */
    uint64_t frames;        /*  frames completed */
    uint64_t zero_copy_bytes;   /*  body bytes that arrived in place */
} zc_decoder_t;

/*  bufsize: ZC_IN_BATCH_SIZE normally (≥ 1).  maxmsgsize: largest body
    accepted per frame, -1 (any negative) = no limit.  0, or -1 with errno
    EINVAL (bufsize 0) or ENOMEM. */
int zc_decoder_init(zc_decoder_t *d, size_t bufsize, int64_t maxmsgsize);

/*  Frees the buffer and a partially received frame.  A frame already
    returned by decode belongs to the caller and is not touched. */
void zc_decoder_fini(zc_decoder_t *d);

/*  Where to read() next and how much at most: the batch buffer, or, when a
    body with at least bufsize bytes still to come is being received, the
    rest of that body.  Call only when all earlier input has been consumed
    (see the loop above).  *size is never 0. */
void zc_decoder_get_buffer(zc_decoder_t *d, unsigned char **data, size_t *size);

/*  Feeds `size` bytes.  data may be the region get_buffer returned (bytes
    read in place are then not copied) or any other memory.
      1   a frame is complete: *consumed bytes of data were used (≤ size),
          and zc_decoder_msg(d) holds the frame.  Feed the rest afterwards.
      0   all `size` bytes were consumed (*consumed == size); more needed.
     -1   protocol violation, errno: EMSGSIZE (body larger than maxmsgsize,
          or not representable in size_t/ssize_t: a long size ≥ 2^63 is
          always refused), EPROTO (COMMAND with MORE), ENOMEM.  The decoder
          stays failed: every later call returns -1 with the same errno.
          *consumed is then unspecified. */
int zc_decoder_decode(zc_decoder_t *d, const unsigned char *data, size_t size,
                      size_t *consumed);

/*  The frame completed by the last decode that returned 1.  Its flags are
    ZC_MSG_MORE and/or ZC_MSG_COMMAND from the wire; nothing else is set.
    Ownership passes to the caller as soon as decode returns 1: move it out
    (`*out = *zc_decoder_msg(d)`) before the next decode call.  The decoder
    forgets it by itself; it never closes it, not even in fini. */
static inline zc_msg_t *zc_decoder_msg(zc_decoder_t *d)
{
    return &d->msg;
}

/*  Optional: marks the frame as moved out (resets the decoder's copy to an
    empty message).  Not needed for correctness. */
static inline void zc_decoder_msg_taken(zc_decoder_t *d)
{
    zc_msg_init(&d->msg);
}

/*  1 while the decoder is between frames (nothing partial held): the
    engine may use it to check a peer did not close mid-frame. */
int zc_decoder_idle(const zc_decoder_t *d);

#endif
