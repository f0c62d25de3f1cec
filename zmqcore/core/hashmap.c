/*  Hash map of pointers; see hashmap.h. */
#include "zmqcore/hashmap.h"

#include <errno.h>
#include <stdlib.h>

void zc_hashmap_init(zc_hashmap_t *m)
{
    m->slots = NULL;
    m->cap = 0;
    m->n = 0;
}

void zc_hashmap_fini(zc_hashmap_t *m)
{
    free(m->slots);
    zc_hashmap_init(m);
}

/*  The slot of key, or the empty slot ending its probe run. */
static size_t slot_of(const zc_hashmap_t *m, const void *key, uint64_t hash)
{
    size_t mask = m->cap - 1;
    size_t i = (size_t) hash & mask;
    while (m->slots[i].key && m->slots[i].key != key)
        i = (i + 1) & mask;
    return i;
}

static int grow(zc_hashmap_t *m)
{
    size_t cap = m->cap ? m->cap * 2 : 16;
    if (cap < m->cap || cap > SIZE_MAX / sizeof *m->slots) {
        errno = ENOMEM;
        return -1;
    }
    zc_hashmap_slot_t *slots = calloc(cap, sizeof *slots);
    if (!slots) {
        errno = ENOMEM;
        return -1;
    }
    zc_hashmap_t bigger = {slots, cap, 0};
    for (size_t i = 0; i < m->cap; i++)
        if (m->slots[i].key)
            bigger.slots[slot_of(&bigger, m->slots[i].key, m->slots[i].hash)] = m->slots[i];
    bigger.n = m->n;
    free(m->slots);
    *m = bigger;
    return 0;
}

int zc_hashmap_put(zc_hashmap_t *m, const void *key, void *value, uint64_t hash)
{
    if ((m->n + 1) * 2 > m->cap && grow(m) < 0)
        return -1;
    size_t i = slot_of(m, key, hash);
    if (!m->slots[i].key)
        m->n++;
    m->slots[i].key = key;
    m->slots[i].value = value;
    m->slots[i].hash = hash;
    return 0;
}

void zc_hashmap_del(zc_hashmap_t *m, const void *key, uint64_t hash)
{
    if (!m->n)
        return;
    size_t mask = m->cap - 1;
    size_t hole = slot_of(m, key, hash);
    if (!m->slots[hole].key)
        return;
    /*  Backward shift: every following entry of the run moves into the
        hole unless its home slot lies cyclically in (hole, j]. */
    for (size_t j = (hole + 1) & mask; m->slots[j].key; j = (j + 1) & mask) {
        size_t home = (size_t) m->slots[j].hash & mask;
        int stays = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
        if (!stays) {
            m->slots[hole] = m->slots[j];
            hole = j;
        }
    }
    m->slots[hole].key = NULL;
    m->slots[hole].value = NULL;
    m->slots[hole].hash = 0;
    m->n--;
}

void *zc_hashmap_get(const zc_hashmap_t *m, uint64_t hash, zc_hashmap_match_fn match,
                     const void *probe)
{
    if (!m->n)
        return NULL;
    size_t mask = m->cap - 1;
    for (size_t i = (size_t) hash & mask; m->slots[i].key; i = (i + 1) & mask) {
        const zc_hashmap_slot_t *s = &m->slots[i];
        if (s->hash == hash && (match ? match(s->key, probe) : s->key == probe))
            return s->value;
    }
    return NULL;
}

/*  FNV-1a, 64 bit.  Not keyed: peers that pick colliding ids make their
    lookups scan a cluster, which is no worse than the scan it replaced. */
uint64_t zc_hash_bytes(const void *data, size_t len)
{
    const unsigned char *p = data;
    uint64_t h = UINT64_C(14695981039346656037);
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= UINT64_C(1099511628211);
    }
    return h;
}

/*  Allocations are aligned, so the low bits of an address alone would
    collide: mix them all in (murmur3's finaliser). */
uint64_t zc_hash_ptr(const void *p)
{
    uint64_t x = (uint64_t) (uintptr_t) p;
    x ^= x >> 33;
    x *= UINT64_C(0xff51afd7ed558ccd);
    x ^= x >> 33;
    return x;
}
