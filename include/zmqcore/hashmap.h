/*  A hash map from pointers to pointers, so that nothing looks a pipe or a
    peer up by scanning them all: an I/O thread finds the owner of the pipe
    a command names, a socket the pipe a command names, ROUTER and STREAM
    the peer a routing id names.

    The caller gives each key's hash and, to look one up, optionally a
    function that matches a key against a probe (by default: the same
    address).  The map never dereferences a key itself: a command's pipe
    address may be stale, so it is compared, not followed.  Open addressing
    with linear probing; removal shifts the following entries back, so
    there are no tombstones; the table doubles at half load.  Not
    thread-safe: the owner's thread only. */
#ifndef ZMQCORE_HASHMAP_H
#define ZMQCORE_HASHMAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct zc_hashmap_slot {
    const void *key;                /*  NULL: empty */
    void *value;
    uint64_t hash;
} zc_hashmap_slot_t;

typedef struct zc_hashmap {
    zc_hashmap_slot_t *slots;       /*  cap entries (a power of 2), or NULL */
    size_t cap;
    size_t n;
} zc_hashmap_t;

typedef int (*zc_hashmap_match_fn)(const void *key, const void *probe);

void zc_hashmap_init(zc_hashmap_t *m);
void zc_hashmap_fini(zc_hashmap_t *m);

/*  Maps key (not NULL) to value, replacing what the same key had.  0, or
    -1 with errno ENOMEM. */
int zc_hashmap_put(zc_hashmap_t *m, const void *key, void *value, uint64_t hash);

/*  Removes key itself (found by address among those with this hash);
    nothing if it is not in. */
void zc_hashmap_del(zc_hashmap_t *m, const void *key, uint64_t hash);

/*  The value of the first key with this hash that match() accepts for
    probe (match NULL: the key whose address is probe), or NULL. */
void *zc_hashmap_get(const zc_hashmap_t *m, uint64_t hash, zc_hashmap_match_fn match,
                     const void *probe);

uint64_t zc_hash_bytes(const void *data, size_t len);
uint64_t zc_hash_ptr(const void *p);

#endif
