/*  The cold parts of the ypipe: setup, teardown, chunk allocation. */
#include "zmqcore/ypipe.h"

#include <string.h>

int zc_ypipe_init(zc_ypipe_t *y)
{
    memset(y, 0, sizeof *y);
    zc_ychunk_t *first = malloc(sizeof *first);
    if (!first) {
        errno = ENOMEM;
        return -1;
    }
    first->next = NULL;
    y->r_chunk = y->w_chunk = first;
    y->r_pos = y->w_pos = 0;
    zc_msg_t *start = &first->values[0];
    y->r_limit = start;
    y->w_flushed = y->w_complete = start;
    y->w_complete_chunk = first;
    /*  The reader starts awake: the first flush needs no wake-up, and the
        reader's first check finds the data. */
    atomic_init(&y->c, start);
    atomic_init(&y->spare, NULL);
    return 0;
}

zc_ychunk_t *zc_ypipe_new_chunk(zc_ypipe_t *y)
{
    zc_ychunk_t *n = atomic_exchange_explicit(&y->spare, NULL, memory_order_acq_rel);
    if (!n) {
        n = malloc(sizeof *n);
        if (!n) {
            errno = ENOMEM;
            return NULL;
        }
    }
    n->next = NULL;
    return n;
}

void zc_ypipe_destroy(zc_ypipe_t *y)
{
    zc_ychunk_t *chunk = y->r_chunk;
    int pos = y->r_pos;
    while (chunk != y->w_chunk || pos != y->w_pos) {
        zc_msg_close(&chunk->values[pos]);
        if (++pos == ZC_PIPE_GRANULARITY) {
            zc_ychunk_t *done = chunk;
            chunk = chunk->next;
            pos = 0;
            free(done);
        }
    }
    free(chunk);
    free(atomic_load(&y->spare));
    y->r_chunk = y->w_chunk = NULL;
}

void zc_ypipe_rollback(zc_ypipe_t *y)
{
    zc_ychunk_t *chunk = y->w_complete_chunk;
    int pos = (int) (y->w_complete - &chunk->values[0]);
    if (chunk == y->w_chunk && pos == y->w_pos)
        return;
    /*  Close the unpublished parts, then free the chunks they spilled into
        (the reader never reached them: they were never published). */
    zc_ychunk_t *c = chunk;
    int i = pos;
    while (c != y->w_chunk || i != y->w_pos) {
        zc_msg_close(&c->values[i]);
        if (++i == ZC_PIPE_GRANULARITY) {
            c = c->next;
            i = 0;
        }
    }
    zc_ychunk_t *extra = chunk->next;
    if (chunk != y->w_chunk) {
        while (extra) {
            zc_ychunk_t *next = extra == y->w_chunk ? NULL : extra->next;
            free(extra);
            extra = next;
        }
        chunk->next = NULL;
    }
    y->w_chunk = chunk;
    y->w_pos = pos;
}
