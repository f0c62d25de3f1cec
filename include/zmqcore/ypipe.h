/*  ypipe: a lock-free single-producer single-consumer queue of zc_msg_t.

    Storage is a linked list of chunks of ZC_PIPE_GRANULARITY messages, so
    the writer allocates once per chunk, and the reader hands each drained
    chunk back as the writer's spare, so a steady stream allocates nothing.

    Publication and sleep share one atomic pointer `c`:
    - the writer publishes by moving `c` from its last published end to the
      end of the last complete message (flush);
    - a reader that finds nothing new swaps `c` from "its own position" to
      NULL, meaning "I am asleep";
    - a flush that finds NULL stores the end anyway and returns 0: the
      caller must then wake the reader (a command to its mailbox).
    So the reader is woken only on an empty -> non-empty transition, and
    messages written with `incomplete` set stay invisible until the part
    that completes them is written and flushed: multipart is atomic.

    Thread ownership: fields under "reader" are touched only by the
    reader thread, those under "writer" only by the writer thread. */
#ifndef ZMQCORE_YPIPE_H
#define ZMQCORE_YPIPE_H

#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "zmqcore/atomic.h"
#include "zmqcore/config.h"
#include "zmqcore/msg.h"

typedef struct zc_ychunk {
    zc_msg_t values[ZC_PIPE_GRANULARITY];
    struct zc_ychunk *next;     /*  set by the writer before publishing */
} zc_ychunk_t;

typedef struct zc_ypipe {
    /*  reader */
    zc_ychunk_t *r_chunk;
    int r_pos;                  /*  next message to read */
    zc_msg_t *r_limit;          /*  end of what the reader knows is there */
    char pad1_[64 - 2 * sizeof(void *) - sizeof(int)];

    /*  writer */
    zc_ychunk_t *w_chunk;
    int w_pos;                  /*  next free slot */
    zc_msg_t *w_flushed;        /*  end the writer last published */
    zc_msg_t *w_complete;       /*  end of the last complete message */
    zc_ychunk_t *w_complete_chunk;  /*  the chunk w_complete points into */
    char pad2_[64 - 3 * sizeof(void *) - sizeof(int)];

    /*  shared */
    _Atomic(zc_msg_t *) c;      /*  published end, or NULL: reader asleep */
    _Atomic(zc_ychunk_t *) spare;   /*  one drained chunk for reuse */
} zc_ypipe_t;

/*  0, or -1 (ENOMEM). */
int zc_ypipe_init(zc_ypipe_t *y);

/*  Closes every message still in the queue, published or not, and frees
    the chunks.  Only once neither end can touch the pipe any more. */
void zc_ypipe_destroy(zc_ypipe_t *y);

/*  Writer: a fresh chunk for when the current one fills up. */
zc_ychunk_t *zc_ypipe_new_chunk(zc_ypipe_t *y);

/*  Writer.  Takes ownership of *msg.  `incomplete` keeps it unpublishable
    until a later write completes the message.  0, or -1 (ENOMEM; *msg is
    still the caller's). */
static inline int zc_ypipe_write(zc_ypipe_t *y, zc_msg_t *msg, int incomplete)
{
    if (ZC_UNLIKELY(y->w_pos == ZC_PIPE_GRANULARITY - 1)) {
        /*  The slot after this one lives in the next chunk; it must exist
            before this message can be published. */
        zc_ychunk_t *n = zc_ypipe_new_chunk(y);
        if (!n)
            return -1;
        y->w_chunk->values[y->w_pos] = *msg;
        y->w_chunk->next = n;
        y->w_chunk = n;
        y->w_pos = 0;
    } else {
        y->w_chunk->values[y->w_pos++] = *msg;
    }
    if (!incomplete) {
        y->w_complete = &y->w_chunk->values[y->w_pos];
        y->w_complete_chunk = y->w_chunk;
    }
    return 0;
}

/*  Writer.  Takes back (and closes) the parts of a message that was never
    completed, so the next write starts a fresh message. */
void zc_ypipe_rollback(zc_ypipe_t *y);

/*  Writer.  Publishes complete messages.  Returns 1, or 0 when the reader
    was asleep and must be woken by the caller. */
static inline int zc_ypipe_flush(zc_ypipe_t *y)
{
    if (y->w_flushed == y->w_complete)
        return 1;
    zc_msg_t *expected = y->w_flushed;
    y->w_flushed = y->w_complete;
    if (atomic_compare_exchange_strong_explicit(&y->c, &expected, y->w_complete,
                                                memory_order_acq_rel,
                                                memory_order_acquire))
        return 1;
    /*  c was NULL: the reader went to sleep. */
    zc_store_release(&y->c, y->w_complete);
    return 0;
}

/*  Reader.  1 if a message can be read; otherwise 0, and the reader is
    now marked asleep (the next flush will ask for a wake-up). */
static inline int zc_ypipe_check_read(zc_ypipe_t *y)
{
    zc_msg_t *front = &y->r_chunk->values[y->r_pos];
    if (front != y->r_limit && y->r_limit)
        return 1;
    zc_msg_t *expected = front;
    if (atomic_compare_exchange_strong_explicit(&y->c, &expected, NULL,
                                                memory_order_acq_rel,
                                                memory_order_acquire)) {
        y->r_limit = NULL;
        return 0;
    }
    /*  expected now holds c: NULL (still asleep) or a newer end. */
    y->r_limit = expected;
    return expected != NULL && expected != front;
}

/*  Reader.  1 and *msg filled (caller owns it), or 0 when empty. */
static inline int zc_ypipe_read(zc_ypipe_t *y, zc_msg_t *msg)
{
    if (!zc_ypipe_check_read(y))
        return 0;
    *msg = y->r_chunk->values[y->r_pos];
    if (ZC_UNLIKELY(++y->r_pos == ZC_PIPE_GRANULARITY)) {
        zc_ychunk_t *done = y->r_chunk;
        y->r_chunk = done->next;
        y->r_pos = 0;
        done = atomic_exchange_explicit(&y->spare, done, memory_order_acq_rel);
        free(done);
    }
    return 1;
}

/*  Reader.  The next readable message without taking it, or NULL. */
static inline const zc_msg_t *zc_ypipe_peek(zc_ypipe_t *y)
{
    if (!zc_ypipe_check_read(y))
        return NULL;
    return &y->r_chunk->values[y->r_pos];
}

#endif
