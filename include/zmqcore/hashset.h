/*  A hash set of pointers, so that a socket with thousands of peers finds
    one without scanning them all: commands name their pipe by address,
    ROUTER and STREAM route by id.

    The caller gives each element's hash and, to look one up, a function
    that matches an element against a key; the set never dereferences an
    element itself (a command's pipe address may be stale: it is compared,
    not followed).  Open addressing with linear probing; removal shifts the
    following entries back, so there are no tombstones; the table doubles
    at half load.  Not thread-safe: the owner's thread only. */
#ifndef ZMQCORE_HASHSET_H
#define ZMQCORE_HASHSET_H

#include <stddef.h>
#include <stdint.h>

typedef struct zc_hashset_slot {
    void *elem;                     /*  NULL: empty */
    uint64_t hash;
} zc_hashset_slot_t;

typedef struct zc_hashset {
    zc_hashset_slot_t *slots;       /*  cap entries (a power of 2), or NULL */
    size_t cap;
    size_t n;
} zc_hashset_t;

typedef int (*zc_hashset_match_fn)(const void *elem, const void *key);

void zc_hashset_init(zc_hashset_t *h);
void zc_hashset_fini(zc_hashset_t *h);

/*  Adds elem (not NULL, not already in).  0, or -1 with errno ENOMEM. */
int zc_hashset_insert(zc_hashset_t *h, void *elem, uint64_t hash);

/*  Removes elem itself (found by address among those with this hash);
    nothing if it is not in. */
void zc_hashset_remove(zc_hashset_t *h, const void *elem, uint64_t hash);

/*  The first element with this hash that match() accepts for key, or NULL.
    match NULL: the element whose address is key. */
void *zc_hashset_find(const zc_hashset_t *h, uint64_t hash, zc_hashset_match_fn match,
                      const void *key);

uint64_t zc_hash_bytes(const void *data, size_t len);
uint64_t zc_hash_ptr(const void *p);

#endif
