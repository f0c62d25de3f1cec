/*  The registry of socket types and hooks several patterns share. */
#include "zmqcore/patterns.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

const zc_pattern_t *zc_pattern_for(int type)
{
    switch (type) {
    case ZC_PAIR: return &zc_pair_pattern;
    case ZC_PUSH: return &zc_push_pattern;
    case ZC_PULL: return &zc_pull_pattern;
    case ZC_DEALER: return &zc_dealer_pattern;
    case ZC_ROUTER: return &zc_router_pattern;
    case ZC_REQ: return &zc_req_pattern;
    case ZC_REP: return &zc_rep_pattern;
    case ZC_PUB: return &zc_pub_pattern;
    case ZC_SUB: return &zc_sub_pattern;
    case ZC_XPUB: return &zc_xpub_pattern;
    case ZC_XSUB: return &zc_xsub_pattern;
    case ZC_STREAM: return &zc_stream_pattern;
    default: return NULL;
    }
}

int zc_pattern_send_unsupported(zc_socket_t *s, zc_msg_t *msg)
{
    (void) s;
    (void) msg;
    errno = ENOTSUP;
    return -1;
}

int zc_pattern_recv_unsupported(zc_socket_t *s, zc_msg_t *msg)
{
    (void) s;
    (void) msg;
    errno = ENOTSUP;
    return -1;
}

int zc_pattern_never(zc_socket_t *s)
{
    (void) s;
    return 0;
}

void zc_pattern_ignore_pipe(zc_socket_t *s, zc_pipe_t *p)
{
    (void) s;
    (void) p;
}

int zc_subscription_msg(zc_msg_t *m, int subscribe, const void *prefix, size_t len)
{
    if (zc_msg_init_size(m, len + 1) < 0)
        return -1;
    unsigned char *d = zc_msg_data(m);
    d[0] = subscribe ? 1 : 0;
    if (len > 0)
        memcpy(d + 1, prefix, len);
    return 0;
}

typedef struct {
    const unsigned char *id;
    size_t len;
} id_key_t;

static int id_matches(const void *elem, const void *key)
{
    const zc_pipe_t *p = elem;
    const id_key_t *k = key;
    return p->routing_id_len == k->len && memcmp(p->routing_id, k->id, k->len) == 0;
}

static uint64_t id_hash(const zc_pipe_t *p)
{
    return zc_hash_bytes(p->routing_id, p->routing_id_len);
}

zc_pipe_t *zc_pattern_find_by_id(zc_socket_t *s, const unsigned char *id, size_t len)
{
    id_key_t key = {id, len};
    return zc_hashmap_get(&s->ids, zc_hash_bytes(id, len), id_matches, &key);
}

int zc_pattern_identify(zc_socket_t *s, zc_pipe_t *p)
{
    if (p->identified)
        return 0;
    if (zc_hashmap_put(&s->ids, p, p, id_hash(p)) < 0)
        return -1;
    p->identified = 1;
    return 0;
}

void zc_pattern_unidentify(zc_socket_t *s, zc_pipe_t *p)
{
    if (!p->identified)
        return;
    zc_hashmap_del(&s->ids, p, id_hash(p));
    p->identified = 0;
}

void zc_pattern_generate_id(zc_socket_t *s, zc_pipe_t *p)
{
    int was = p->identified;
    zc_pattern_unidentify(s, p);
    if (s->next_rid == 0)
        s->next_rid = (uint32_t) rand() | 1u;
    uint32_t n = s->next_rid++;
    p->routing_id[0] = 0;
    p->routing_id[1] = (unsigned char) (n >> 24);
    p->routing_id[2] = (unsigned char) (n >> 16);
    p->routing_id[3] = (unsigned char) (n >> 8);
    p->routing_id[4] = (unsigned char) n;
    p->routing_id_len = 5;
    /*  Re-entered under the new id; a lost entry (ENOMEM) leaves the pipe
        unroutable, which is what its owner wants of it anyway (handover). */
    if (was)
        zc_pattern_identify(s, p);
}

int zc_pattern_prefetch_behind_id(zc_socket_t *s, zc_msg_t *msg, const zc_pipe_t *from)
{
    s->prefetched = *msg;
    if (zc_msg_init_size(msg, from->routing_id_len) < 0) {
        zc_msg_close(&s->prefetched);
        zc_msg_init(msg);
        errno = ENOMEM;
        return -1;
    }
    memcpy(zc_msg_data(msg), from->routing_id, from->routing_id_len);
    msg->flags = ZC_MSG_MORE;
    s->has_prefetched = 1;
    return 0;
}

int zc_pattern_routed_has_in(zc_socket_t *s)
{
    return s->has_prefetched || zc_dealer_has_in(s);
}
