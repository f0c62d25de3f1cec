/*  A cache of large message bodies, per context.

    Why: an I/O thread allocates each large received body, and the
    application frees it on its own thread.  glibc then hands that memory
    back to the kernel (a fresh mmap per body, or a trimmed arena), and the
    next body is page-faulted in again, 4 KiB at a time, inside the kernel's
    copy from the socket: at 1 MiB per message that halved receive
    throughput.  Keeping a few freed bodies for reuse keeps their pages
    mapped.

    A body from the cache holds a reference on it, so a message that
    outlives its context still has somewhere to go (the cache frees itself
    with its last reference).  Any thread; one lock per large body. */
#ifndef ZMQCORE_BODY_CACHE_H
#define ZMQCORE_BODY_CACHE_H

#include <stddef.h>

#include "zmqcore/msg.h"

/*  Bodies at least this big come from the cache. */
#define ZC_BODY_CACHE_MIN (64 * 1024)

typedef struct zc_body_cache zc_body_cache_t;

/*  NULL with errno ENOMEM. */
zc_body_cache_t *zc_body_cache_new(void);

/*  The owner (the context) lets go: cached bodies are freed now, bodies
    still in use when their messages close. */
void zc_body_cache_release(zc_body_cache_t *cache);

/*  Like zc_msg_init_size, reusing a cached body when one fits.  cache may
    be NULL (plain allocation).  0, or -1 ENOMEM. */
int zc_msg_init_size_cached(zc_msg_t *m, size_t size, zc_body_cache_t *cache);

/*  A cached body's last reference went (msg.c calls it). */
void zc_body_cache_put(zc_body_cache_t *cache, zc_msg_content_t *c);

#endif
