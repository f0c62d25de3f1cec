/*  Message bodies that do not fit inline. */
#include "zmqcore/msg.h"

#include "zmqcore/body_cache.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int zc_msg_init_size_slow(zc_msg_t *m, size_t size)
{
    /*  One allocation for header and body; refuse sizes that would wrap. */
    if (size > SIZE_MAX - sizeof(zc_msg_content_t)) {
        errno = ENOMEM;
        return -1;
    }
    zc_msg_content_t *c = malloc(sizeof *c + size);
    if (!c) {
        errno = ENOMEM;
        return -1;
    }
    c->ffn = NULL;
    c->hint = NULL;
    c->data = (unsigned char *) (c + 1);
    c->cache = NULL;
    c->capacity = size;
    zc_msg_init_content(m, c, size);
    return 0;
}

int zc_msg_init_external(zc_msg_t *m, void *data, size_t size,
                         zc_free_fn *ffn, void *hint)
{
    zc_msg_content_t *c = malloc(sizeof *c);
    if (!c) {
        errno = ENOMEM;
        return -1;
    }
    atomic_init(&c->refs, 1);
    c->ffn = ffn;
    c->hint = hint;
    c->data = data;
    c->cache = NULL;
    c->capacity = 0;
    m->u.ref.content = c;
    m->u.ref.data = data;
    m->size = size;
    m->kind = ZC_MSG_EXTERNAL;
    m->flags = 0;
    return 0;
}

void zc_msg_release_content(zc_msg_content_t *c)
{
    if (atomic_fetch_sub_explicit(&c->refs, 1, memory_order_acq_rel) != 1)
        return;
    if (c->ffn)
        c->ffn(c->data, c->hint);
    else if (c->cache) {
        zc_body_cache_put(c->cache, c);
        return;
    }
    free(c);
}

int zc_msg_resize(zc_msg_t *m, size_t size)
{
    if (m->kind == ZC_MSG_SHARED && size > ZC_MSG_MAX_INLINE) {
        if (size > SIZE_MAX - sizeof(zc_msg_content_t)) {
            errno = ENOMEM;
            return -1;
        }
        zc_msg_content_t *c = realloc(m->u.ref.content, sizeof *c + size);
        if (!c) {
            errno = ENOMEM;
            return -1;
        }
        c->data = (unsigned char *) (c + 1);
        c->capacity = size;
        m->u.ref.content = c;
        m->u.ref.data = c->data;
        m->size = size;
        return 0;
    }
    /*  Inline, or shrinking to inline size: make a fresh body and copy. */
    zc_msg_t fresh;
    if (zc_msg_init_size(&fresh, size) < 0)
        return -1;
    memcpy(zc_msg_data(&fresh), zc_msg_data(m), size < m->size ? size : m->size);
    fresh.flags = m->flags;
    zc_msg_close(m);
    *m = fresh;
    return 0;
}
