/*  An array of pipes with the active ones at the front, [0, active), so
    that walking the active pipes never touches idle ones (libzmq's
    array_t).  The load balancer and the fair queue each keep one; a pipe
    can sit in both (DEALER), so it remembers its slot per kind of array.
    Owner thread only. */
#ifndef ZMQCORE_PIPE_ARRAY_H
#define ZMQCORE_PIPE_ARRAY_H

#include <errno.h>
#include <stdlib.h>

#include "zmqcore/pipe.h"

typedef struct zc_pipe_array {
    zc_pipe_t **pipes;
    int n, active, cap;
    int kind;           /*  index into zc_pipe_t.slot */
} zc_pipe_array_t;

static inline void zc_pipe_array_init(zc_pipe_array_t *a, int kind)
{
    a->pipes = NULL;
    a->n = a->active = a->cap = 0;
    a->kind = kind;
}

static inline void zc_pipe_array_destroy(zc_pipe_array_t *a)
{
    free(a->pipes);
    zc_pipe_array_init(a, a->kind);
}

static inline int zc_pipe_array_slot(const zc_pipe_array_t *a, const zc_pipe_t *p)
{
    return p->slot[a->kind];
}

static inline void zc_pipe_array_swap(zc_pipe_array_t *a, int i, int j)
{
    zc_pipe_t *t = a->pipes[i];
    a->pipes[i] = a->pipes[j];
    a->pipes[j] = t;
    a->pipes[i]->slot[a->kind] = i;
    a->pipes[j]->slot[a->kind] = j;
}

/*  Appends p as inactive.  0, or -1 (ENOMEM). */
static inline int zc_pipe_array_push(zc_pipe_array_t *a, zc_pipe_t *p)
{
    if (a->n == a->cap) {
        int ncap = a->cap ? a->cap * 2 : 4;
        zc_pipe_t **np = (zc_pipe_t **) realloc(a->pipes, (size_t) ncap * sizeof *np);
        if (!np) {
            errno = ENOMEM;
            return -1;
        }
        a->pipes = np;
        a->cap = ncap;
    }
    p->slot[a->kind] = a->n;
    a->pipes[a->n++] = p;
    return 0;
}

/*  Moves p into the active region (no-op if it is there or not here). */
static inline void zc_pipe_array_activate(zc_pipe_array_t *a, zc_pipe_t *p)
{
    int i = p->slot[a->kind];
    if (i < a->active)
        return;
    zc_pipe_array_swap(a, i, a->active);
    a->active++;
}

/*  Moves the active pipe at slot i out of the active region; the last
    active pipe takes its slot. */
static inline void zc_pipe_array_deactivate_at(zc_pipe_array_t *a, int i)
{
    a->active--;
    zc_pipe_array_swap(a, i, a->active);
}

/*  Takes p out of the array. */
static inline void zc_pipe_array_remove(zc_pipe_array_t *a, zc_pipe_t *p)
{
    int i = p->slot[a->kind];
    if (i < 0)
        return;
    if (i < a->active)
        zc_pipe_array_deactivate_at(a, i);
    a->n--;
    zc_pipe_array_swap(a, p->slot[a->kind], a->n);
    p->slot[a->kind] = -1;
}

#endif
