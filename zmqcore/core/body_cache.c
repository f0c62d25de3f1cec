/*  Large-body cache; see body_cache.h. */
#include "zmqcore/body_cache.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

/*  A handful of bodies, at most this many bytes in all: enough for the
    bodies in flight between an I/O thread and a reader keeping up. */
#define SLOTS 16
#define MAX_BYTES (32u * 1024 * 1024)

struct zc_body_cache {
    pthread_mutex_t lock;
    zc_msg_content_t *free[SLOTS];
    int n;
    size_t bytes;
    int released;           /*  the owner let go: cache nothing more */
    atomic_uint refs;       /*  the owner's, plus one per body out there */
};

zc_body_cache_t *zc_body_cache_new(void)
{
    zc_body_cache_t *cache = calloc(1, sizeof *cache);
    if (!cache) {
        errno = ENOMEM;
        return NULL;
    }
    pthread_mutex_init(&cache->lock, NULL);
    atomic_init(&cache->refs, 1);
    return cache;
}

static void unref(zc_body_cache_t *cache)
{
    if (atomic_fetch_sub_explicit(&cache->refs, 1, memory_order_acq_rel) != 1)
        return;
    pthread_mutex_destroy(&cache->lock);
    free(cache);
}

void zc_body_cache_release(zc_body_cache_t *cache)
{
    if (!cache)
        return;
    pthread_mutex_lock(&cache->lock);
    int n = cache->n;
    zc_msg_content_t *bodies[SLOTS];
    for (int i = 0; i < n; i++)
        bodies[i] = cache->free[i];
    cache->n = 0;
    cache->bytes = 0;
    cache->released = 1;
    pthread_mutex_unlock(&cache->lock);
    for (int i = 0; i < n; i++) {
        free(bodies[i]);
        unref(cache);
    }
    unref(cache);
}

/*  Takes the smallest cached body with room for size and at most twice
    that (a small message must not pin a huge body), or NULL.  Among equals
    the one put back last: free[] is kept in the order bodies came back, and
    the newest is the likeliest still in the CPU's cache (the kernel copies
    the next message into it). */
static zc_msg_content_t *take(zc_body_cache_t *cache, size_t size)
{
    pthread_mutex_lock(&cache->lock);
    int best = -1;
    for (int i = cache->n - 1; i >= 0; i--) {
        size_t cap = cache->free[i]->capacity;
        if (cap >= size && cap / 2 <= size
            && (best < 0 || cap < cache->free[best]->capacity))
            best = i;
    }
    zc_msg_content_t *c = NULL;
    if (best >= 0) {
        c = cache->free[best];
        cache->n--;
        for (int i = best; i < cache->n; i++)
            cache->free[i] = cache->free[i + 1];
        cache->bytes -= c->capacity;
    }
    pthread_mutex_unlock(&cache->lock);
    return c;
}

int zc_msg_init_size_cached(zc_msg_t *m, size_t size, zc_body_cache_t *cache)
{
    if (!cache || size < ZC_BODY_CACHE_MIN)
        return zc_msg_init_size(m, size);
    zc_msg_content_t *c = take(cache, size);
    if (!c) {
        if (zc_msg_init_size_slow(m, size) < 0)
            return -1;
        c = m->u.ref.content;
        c->cache = cache;
        atomic_fetch_add_explicit(&cache->refs, 1, memory_order_relaxed);
        return 0;
    }
    zc_msg_init_content(m, c, size);
    return 0;
}

void zc_body_cache_put(zc_body_cache_t *cache, zc_msg_content_t *c)
{
    pthread_mutex_lock(&cache->lock);
    int keep = !cache->released && cache->n < SLOTS
               && cache->bytes + c->capacity <= MAX_BYTES;
    if (keep) {
        cache->free[cache->n++] = c;    /*  it keeps its reference */
        cache->bytes += c->capacity;
    }
    pthread_mutex_unlock(&cache->lock);
    if (!keep) {
        free(c);
        unref(cache);
    }
}
