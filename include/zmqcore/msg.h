/*  zc_msg_t: one message part (a frame), 64 bytes, moved by value.

    Three storage kinds:
    - INLINE: bodies up to ZC_MSG_MAX_INLINE bytes live in the struct, so a
      small message costs no allocation at all;
    - SHARED: a malloc'ed block (header + body) with an atomic reference
      count, so copies (fan-out, Frame objects) never copy the body;
    - EXTERNAL: the body is the caller's memory; when the last reference
      goes, `ffn(data, hint)` is called on whatever thread that is.  The
      Python layer's ffn only queues the buffer for release under the GIL.

    A zc_msg_t has one owner at a time; moving it is a memcpy, and the
    source must then be treated as uninitialised (or re-initialised). */
#ifndef ZMQCORE_MSG_H
#define ZMQCORE_MSG_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "zmqcore/config.h"

typedef void (zc_free_fn) (void *data, void *hint);

struct zc_body_cache;

typedef struct zc_msg_content {
    atomic_uint refs;
    zc_free_fn *ffn;        /*  EXTERNAL only: releases `data` */
    void *hint;
    unsigned char *data;    /*  SHARED: points just past this header */
    struct zc_body_cache *cache;    /*  SHARED: where the block goes back
                                        to when released (body_cache.h), or
                                        NULL: freed */
    size_t capacity;        /*  SHARED: bytes of body the block holds */
} zc_msg_content_t;

enum { ZC_MSG_INLINE = 0, ZC_MSG_SHARED = 1, ZC_MSG_EXTERNAL = 2 };

/*  Flags travel with the part. */
/*  ROUTING_ID: a session's note to a ROUTER socket, never sent or
    returned: the body is the peer's Identity (see zc_pipe_t.rid_by_msg).
    HICCUP: a SUB/XSUB socket's note to its session, never sent: what the
    socket wrote before it is stale (written before it knew of the new
    connection, and sent again after it). */
enum { ZC_MSG_MORE = 1, ZC_MSG_COMMAND = 2, ZC_MSG_ROUTING_ID = 4, ZC_MSG_HICCUP = 8 };

typedef struct zc_msg {
    union {
        unsigned char buf[ZC_MSG_MAX_INLINE];
        struct {
            zc_msg_content_t *content;
            unsigned char *data;
        } ref;
    } u;
    size_t size;
    uint8_t kind;
    uint8_t flags;
    uint8_t pad_[6];
} zc_msg_t;

_Static_assert(sizeof(zc_msg_t) == 64, "zc_msg_t must be one cache line");

/*  An empty part. */
static inline void zc_msg_init(zc_msg_t *m)
{
    m->size = 0;
    m->kind = ZC_MSG_INLINE;
    m->flags = 0;
}

/*  *m becomes a SHARED part of `size` bytes over content block c (data
    just past its header), holding c's one reference. */
static inline void zc_msg_init_content(zc_msg_t *m, zc_msg_content_t *c, size_t size)
{
    atomic_init(&c->refs, 1);
    m->u.ref.content = c;
    m->u.ref.data = c->data;
    m->size = size;
    m->kind = ZC_MSG_SHARED;
    m->flags = 0;
}

/*  A part with room for `size` bytes (uninitialised).  0 or -1 (ENOMEM). */
int zc_msg_init_size_slow(zc_msg_t *m, size_t size);
static inline int zc_msg_init_size(zc_msg_t *m, size_t size)
{
    if (size <= ZC_MSG_MAX_INLINE) {
        m->size = size;
        m->kind = ZC_MSG_INLINE;
        m->flags = 0;
        return 0;
    }
    return zc_msg_init_size_slow(m, size);
}

/*  A part over the caller's memory; ffn(data, hint) runs when the last
    reference is dropped (maybe on another thread).  0 or -1 (ENOMEM; then
    ffn has not been called and the caller still owns data). */
int zc_msg_init_external(zc_msg_t *m, void *data, size_t size,
                         zc_free_fn *ffn, void *hint);

static inline unsigned char *zc_msg_data(zc_msg_t *m)
{
    return m->kind == ZC_MSG_INLINE ? m->u.buf : m->u.ref.data;
}

static inline size_t zc_msg_size(const zc_msg_t *m) { return m->size; }
static inline int zc_msg_more(const zc_msg_t *m) { return m->flags & ZC_MSG_MORE; }

/*  Changes the size of a body nobody else references (a decoder filling
    a large frame), keeping its bytes.  0, or -1 (ENOMEM; unchanged). */
int zc_msg_resize(zc_msg_t *m, size_t size);

/*  Drops this reference; releases the body when it was the last. */
void zc_msg_release_content(zc_msg_content_t *c);
static inline void zc_msg_close(zc_msg_t *m)
{
    if (m->kind != ZC_MSG_INLINE)
        zc_msg_release_content(m->u.ref.content);
    m->kind = ZC_MSG_INLINE;
    m->size = 0;
}

/*  dst becomes another reference to src's body (no body copy).  dst must
    not hold a body. */
static inline void zc_msg_copy(zc_msg_t *dst, const zc_msg_t *src)
{
    *dst = *src;
    if (src->kind != ZC_MSG_INLINE)
        atomic_fetch_add_explicit(&src->u.ref.content->refs, 1, memory_order_relaxed);
}

#endif
