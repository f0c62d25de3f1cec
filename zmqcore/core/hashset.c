/*  Hash set of pointers; see hashset.h. */
#include "zmqcore/hashset.h"

#include <errno.h>
#include <stdlib.h>

void zc_hashset_init(zc_hashset_t *h)
{
    h->slots = NULL;
    h->cap = 0;
    h->n = 0;
}

void zc_hashset_fini(zc_hashset_t *h)
{
    free(h->slots);
    zc_hashset_init(h);
}

static void place(zc_hashset_slot_t *slots, size_t cap, void *elem, uint64_t hash)
{
    size_t i = (size_t) hash & (cap - 1);
    while (slots[i].elem)
        i = (i + 1) & (cap - 1);
    slots[i].elem = elem;
    slots[i].hash = hash;
}

static int grow(zc_hashset_t *h)
{
    size_t cap = h->cap ? h->cap * 2 : 16;
    if (cap < h->cap || cap > SIZE_MAX / sizeof *h->slots) {
        errno = ENOMEM;
        return -1;
    }
    zc_hashset_slot_t *slots = calloc(cap, sizeof *slots);
    if (!slots) {
        errno = ENOMEM;
        return -1;
    }
    for (size_t i = 0; i < h->cap; i++)
        if (h->slots[i].elem)
            place(slots, cap, h->slots[i].elem, h->slots[i].hash);
    free(h->slots);
    h->slots = slots;
    h->cap = cap;
    return 0;
}

int zc_hashset_insert(zc_hashset_t *h, void *elem, uint64_t hash)
{
    if ((h->n + 1) * 2 > h->cap && grow(h) < 0)
        return -1;
    place(h->slots, h->cap, elem, hash);
    h->n++;
    return 0;
}

void zc_hashset_remove(zc_hashset_t *h, const void *elem, uint64_t hash)
{
    if (!h->cap)
        return;
    size_t mask = h->cap - 1;
    size_t i = (size_t) hash & mask;
    while (h->slots[i].elem != elem) {
        if (!h->slots[i].elem)
            return;
        i = (i + 1) & mask;
    }
    /*  Backward shift: move up every following entry that the hole now
        sits between its home slot and its place. */
    size_t hole = i;
    for (size_t j = (hole + 1) & mask; h->slots[j].elem; j = (j + 1) & mask) {
        size_t home = (size_t) h->slots[j].hash & mask;
        /*  j may move to hole unless home lies cyclically in (hole, j]. */
        int stays = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
        if (!stays) {
            h->slots[hole] = h->slots[j];
            hole = j;
        }
    }
    h->slots[hole].elem = NULL;
    h->slots[hole].hash = 0;
    h->n--;
}

void *zc_hashset_find(const zc_hashset_t *h, uint64_t hash, zc_hashset_match_fn match,
                      const void *key)
{
    if (!h->cap)
        return NULL;
    size_t mask = h->cap - 1;
    for (size_t i = (size_t) hash & mask; h->slots[i].elem; i = (i + 1) & mask) {
        const zc_hashset_slot_t *s = &h->slots[i];
        if (s->hash != hash)
            continue;
        if (match ? match(s->elem, key) : s->elem == key)
            return s->elem;
    }
    return NULL;
}

/*  FNV-1a, 64 bit: ids are short, and a peer choosing colliding ids only
    slows its own lookups down to a scan. */
uint64_t zc_hash_bytes(const void *data, size_t len)
{
    const unsigned char *p = data;
    uint64_t h = 14695981039346656037ull;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 1099511628211ull;
    }
    return h;
}

uint64_t zc_hash_ptr(const void *p)
{
    uint64_t x = (uint64_t) (uintptr_t) p;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    return x;
}
