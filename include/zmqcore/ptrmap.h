/*  A small open-addressing hash map from pointers to pointers, for finding
    the pipe or object a command names without a linear scan.  Linear
    probing with backward-shift deletion, so there are no tombstones.
    Single-threaded: the owner's thread only. */
#ifndef ZMQCORE_PTRMAP_H
#define ZMQCORE_PTRMAP_H

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

typedef struct zc_ptrmap_entry {
    const void *key;        /*  NULL: empty slot */
    void *value;
} zc_ptrmap_entry_t;

typedef struct zc_ptrmap {
    zc_ptrmap_entry_t *slots;
    size_t cap;             /*  power of two, or 0 */
    size_t count;
} zc_ptrmap_t;

static inline void zc_ptrmap_init(zc_ptrmap_t *m)
{
    m->slots = NULL;
    m->cap = m->count = 0;
}

static inline void zc_ptrmap_fini(zc_ptrmap_t *m)
{
    free(m->slots);
    zc_ptrmap_init(m);
}

static inline size_t zc_ptrmap_hash(const void *key, size_t cap)
{
    /*  Fibonacci hashing of the address; allocations are aligned, so the
        low bits alone would collide. */
    uint64_t h = (uint64_t) (uintptr_t) key * UINT64_C(11400714819323198485);
    return (size_t) (h >> 32) & (cap - 1);
}

static inline void *zc_ptrmap_get(const zc_ptrmap_t *m, const void *key)
{
    if (m->count == 0)
        return NULL;
    for (size_t i = zc_ptrmap_hash(key, m->cap);; i = (i + 1) & (m->cap - 1)) {
        if (m->slots[i].key == key)
            return m->slots[i].value;
        if (!m->slots[i].key)
            return NULL;
    }
}

static inline int zc_ptrmap_put(zc_ptrmap_t *m, const void *key, void *value);

static inline int zc_ptrmap_grow(zc_ptrmap_t *m)
{
    size_t ncap = m->cap ? m->cap * 2 : 16;
    zc_ptrmap_entry_t *old = m->slots;
    size_t ocap = m->cap;
    zc_ptrmap_entry_t *slots = (zc_ptrmap_entry_t *) calloc(ncap, sizeof *slots);
    if (!slots) {
        errno = ENOMEM;
        return -1;
    }
    m->slots = slots;
    m->cap = ncap;
    m->count = 0;
    for (size_t i = 0; i < ocap; i++)
        if (old[i].key)
            zc_ptrmap_put(m, old[i].key, old[i].value);
    free(old);
    return 0;
}

/*  Inserts or replaces.  0, or -1 (ENOMEM). */
static inline int zc_ptrmap_put(zc_ptrmap_t *m, const void *key, void *value)
{
    if ((m->count + 1) * 4 > m->cap * 3 && zc_ptrmap_grow(m) < 0)
        return -1;
    size_t i = zc_ptrmap_hash(key, m->cap);
    while (m->slots[i].key && m->slots[i].key != key)
        i = (i + 1) & (m->cap - 1);
    if (!m->slots[i].key)
        m->count++;
    m->slots[i].key = key;
    m->slots[i].value = value;
    return 0;
}

static inline void zc_ptrmap_del(zc_ptrmap_t *m, const void *key)
{
    if (m->count == 0)
        return;
    size_t mask = m->cap - 1;
    size_t i = zc_ptrmap_hash(key, m->cap);
    while (m->slots[i].key != key) {
        if (!m->slots[i].key)
            return;
        i = (i + 1) & mask;
    }
    /*  Shift later members of the probe run back into the hole. */
    size_t j = i;
    for (;;) {
        j = (j + 1) & mask;
        if (!m->slots[j].key)
            break;
        size_t home = zc_ptrmap_hash(m->slots[j].key, m->cap);
        /*  Move j to i if its home is not in (i, j] cyclically. */
        if ((j > i && (home <= i || home > j)) || (j < i && (home <= i && home > j))) {
            m->slots[i] = m->slots[j];
            i = j;
        }
    }
    m->slots[i].key = NULL;
    m->slots[i].value = NULL;
    m->count--;
}

#endif
