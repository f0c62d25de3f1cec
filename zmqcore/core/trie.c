/*  The subscription trie; see trie.h.

    Shape: each node hangs below its parent by an edge `label` (one or more
    bytes; the root's is empty); a node's prefix is the labels from the
    root down.  A node's kids are sorted by the first byte of their labels
    (no two share it), so finding the way down is a binary search.  Nodes
    without a value keep at least two kids (else they are merged away), so
    the tree never has more nodes than twice the subscriptions.

    Whole-tree walks (apply, rm_pipe_all, destroy) use parent pointers
    instead of a stack: no recursion, and no allocation that could fail
    half way through taking a pipe out. */
#include "zmqcore/trie.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct zc_trie_node {
    unsigned char *label;
    size_t label_len;
    zc_trie_node_t *parent;
    zc_trie_node_t **kids;
    uint32_t nkids, kids_cap;
    uint32_t count;
    uint32_t npipes, pipes_cap;
    zc_pipe_t **pipes;
};

void zc_trie_init(zc_trie_t *t)
{
    t->root = NULL;
}

static int has_value(const zc_trie_node_t *n)
{
    return n->count > 0 || n->npipes > 0;
}

static zc_trie_node_t *node_new(const unsigned char *label, size_t len)
{
    zc_trie_node_t *n = calloc(1, sizeof *n);
    if (!n)
        return NULL;
    if (len > 0) {
        n->label = malloc(len);
        if (!n->label) {
            free(n);
            return NULL;
        }
        memcpy(n->label, label, len);
        n->label_len = len;
    }
    return n;
}

static void node_free(zc_trie_node_t *n)
{
    free(n->label);
    free(n->kids);
    free(n->pipes);
    free(n);
}

void zc_trie_destroy(zc_trie_t *t)
{
    zc_trie_node_t *n = t->root;
    while (n) {
        if (n->nkids > 0) {
            n = n->kids[--n->nkids];
            continue;
        }
        zc_trie_node_t *parent = n->parent;
        node_free(n);
        n = parent;
    }
    t->root = NULL;
}

/*  The index of n's kid whose label starts with c, or -(where it would
    go) - 1. */
static int find_kid(const zc_trie_node_t *n, unsigned char c)
{
    uint32_t lo = 0, hi = n->nkids;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        unsigned char b = n->kids[mid]->label[0];
        if (b < c)
            lo = mid + 1;
        else if (b > c)
            hi = mid;
        else
            return (int) mid;
    }
    return -(int) lo - 1;
}

static int insert_kid(zc_trie_node_t *n, uint32_t at, zc_trie_node_t *kid)
{
    if (n->nkids == n->kids_cap) {
        uint32_t ncap = n->kids_cap ? n->kids_cap * 2 : 2;
        zc_trie_node_t **nk = realloc(n->kids, ncap * sizeof *nk);
        if (!nk)
            return -1;
        n->kids = nk;
        n->kids_cap = ncap;
    }
    memmove(n->kids + at + 1, n->kids + at, (n->nkids - at) * sizeof *n->kids);
    n->kids[at] = kid;
    n->nkids++;
    kid->parent = n;
    return 0;
}

/*  The node for `prefix`, made if missing; NULL (ENOMEM) leaves the tree
    valid, maybe with one valueless node more than needed. */
static zc_trie_node_t *make(zc_trie_t *t, const unsigned char *prefix, size_t len)
{
    if (!t->root && !(t->root = node_new(NULL, 0)))
        return NULL;
    zc_trie_node_t *n = t->root;
    size_t pos = 0;
    while (pos < len) {
        int i = find_kid(n, prefix[pos]);
        if (i < 0) {
            zc_trie_node_t *leaf = node_new(prefix + pos, len - pos);
            if (!leaf)
                return NULL;
            if (insert_kid(n, (uint32_t) (-i - 1), leaf) < 0) {
                node_free(leaf);
                return NULL;
            }
            return leaf;
        }
        zc_trie_node_t *kid = n->kids[i];
        size_t rest = len - pos;
        size_t max = kid->label_len < rest ? kid->label_len : rest;
        size_t common = 1;      /*  the first byte matched */
        while (common < max && kid->label[common] == prefix[pos + common])
            common++;
        if (common < kid->label_len) {
            /*  The prefix ends or leaves inside kid's label: split it. */
            zc_trie_node_t *mid = node_new(kid->label, common);
            if (!mid)
                return NULL;
            if (insert_kid(mid, 0, kid) < 0) {
                node_free(mid);
                return NULL;
            }
            memmove(kid->label, kid->label + common, kid->label_len - common);
            kid->label_len -= common;
            mid->parent = n;
            n->kids[i] = mid;
            kid = mid;
        }
        n = kid;
        pos += common;
    }
    return n;
}

/*  The node whose prefix is exactly `prefix`, or NULL. */
static zc_trie_node_t *find(const zc_trie_t *t, const unsigned char *prefix, size_t len)
{
    zc_trie_node_t *n = t->root;
    size_t pos = 0;
    while (n && pos < len) {
        int i = find_kid(n, prefix[pos]);
        if (i < 0)
            return NULL;
        zc_trie_node_t *kid = n->kids[i];
        if (kid->label_len > len - pos || memcmp(kid->label, prefix + pos, kid->label_len) != 0)
            return NULL;
        n = kid;
        pos += kid->label_len;
    }
    return n;
}

/*  n (valueless, one kid, not the root) absorbs its kid.  Left as it is
    if memory is short: a spare node is harmless. */
static void merge_with_kid(zc_trie_node_t *n)
{
    zc_trie_node_t *kid = n->kids[0];
    unsigned char *label = realloc(n->label, n->label_len + kid->label_len);
    if (!label)
        return;
    memcpy(label + n->label_len, kid->label, kid->label_len);
    n->label = label;
    n->label_len += kid->label_len;
    free(n->kids);
    free(n->pipes);
    n->kids = kid->kids;
    n->nkids = kid->nkids;
    n->kids_cap = kid->kids_cap;
    n->count = kid->count;
    n->pipes = kid->pipes;
    n->npipes = kid->npipes;
    n->pipes_cap = kid->pipes_cap;
    for (uint32_t i = 0; i < n->nkids; i++)
        n->kids[i]->parent = n;
    kid->kids = NULL;
    kid->pipes = NULL;
    node_free(kid);
}

/*  Tidies kid i of n after it lost its value or a kid. */
static void compact_kid(zc_trie_node_t *n, uint32_t i)
{
    zc_trie_node_t *kid = n->kids[i];
    if (has_value(kid))
        return;
    if (kid->nkids == 0) {
        memmove(n->kids + i, n->kids + i + 1, (n->nkids - i - 1) * sizeof *n->kids);
        n->nkids--;
        node_free(kid);
    } else if (kid->nkids == 1) {
        merge_with_kid(kid);
    }
}

/*  Tidies around n after it lost its value. */
static void compact_at(zc_trie_node_t *n)
{
    zc_trie_node_t *parent = n->parent;
    if (!parent)
        return;     /*  the root stays */
    compact_kid(parent, (uint32_t) find_kid(parent, n->label[0]));
    /*  n may be gone: look only at the parent, which may now be a
        valueless node with one kid. */
    if (parent->parent && !has_value(parent) && parent->nkids == 1)
        merge_with_kid(parent);
}

/*  --- counts ------------------------------------------------------------- */

int zc_trie_add(zc_trie_t *t, const unsigned char *prefix, size_t len)
{
    zc_trie_node_t *n = make(t, prefix, len);
    if (!n) {
        errno = ENOMEM;
        return -1;
    }
    return n->count++ == 0;
}

int zc_trie_rm(zc_trie_t *t, const unsigned char *prefix, size_t len)
{
    zc_trie_node_t *n = find(t, prefix, len);
    if (!n || n->count == 0)
        return 0;
    if (--n->count > 0)
        return 0;
    compact_at(n);
    return 1;
}

int zc_trie_check(const zc_trie_t *t, const unsigned char *data, size_t len)
{
    const zc_trie_node_t *n = t->root;
    size_t pos = 0;
    while (n) {
        if (n->count > 0)
            return 1;
        if (pos == len)
            return 0;
        int i = find_kid(n, data[pos]);
        if (i < 0)
            return 0;
        const zc_trie_node_t *kid = n->kids[i];
        if (kid->label_len > len - pos || memcmp(kid->label, data + pos, kid->label_len) != 0)
            return 0;
        n = kid;
        pos += kid->label_len;
    }
    return 0;
}

/*  --- pipe sets ----------------------------------------------------------- */

/*  1 if p left n's set, 0 if it was not in it. */
static int set_rm(zc_trie_node_t *n, zc_pipe_t *p)
{
    for (uint32_t i = 0; i < n->npipes; i++) {
        if (n->pipes[i] == p) {
            n->pipes[i] = n->pipes[--n->npipes];
            return 1;
        }
    }
    return 0;
}

int zc_trie_add_pipe(zc_trie_t *t, const unsigned char *prefix, size_t len, zc_pipe_t *p)
{
    zc_trie_node_t *n = make(t, prefix, len);
    if (!n) {
        errno = ENOMEM;
        return -1;
    }
    for (uint32_t i = 0; i < n->npipes; i++)
        if (n->pipes[i] == p)
            return 0;
    if (n->npipes == n->pipes_cap) {
        uint32_t ncap = n->pipes_cap ? n->pipes_cap * 2 : 1;
        zc_pipe_t **np = realloc(n->pipes, ncap * sizeof *np);
        if (!np) {
            if (!has_value(n))
                compact_at(n);
            errno = ENOMEM;
            return -1;
        }
        n->pipes = np;
        n->pipes_cap = ncap;
    }
    n->pipes[n->npipes++] = p;
    return n->npipes == 1;
}

int zc_trie_rm_pipe(zc_trie_t *t, const unsigned char *prefix, size_t len, zc_pipe_t *p)
{
    zc_trie_node_t *n = find(t, prefix, len);
    if (!n || !set_rm(n, p))
        return ZC_TRIE_NOT_FOUND;
    if (n->npipes > 0)
        return ZC_TRIE_VALUES_REMAIN;
    compact_at(n);
    return ZC_TRIE_LAST_REMOVED;
}

void zc_trie_match(const zc_trie_t *t, const unsigned char *data, size_t len,
                   void (*fn) (zc_pipe_t *p, void *arg), void *arg)
{
    const zc_trie_node_t *n = t->root;
    size_t pos = 0;
    while (n) {
        for (uint32_t i = 0; i < n->npipes; i++)
            fn(n->pipes[i], arg);
        if (pos == len)
            return;
        int i = find_kid(n, data[pos]);
        if (i < 0)
            return;
        const zc_trie_node_t *kid = n->kids[i];
        if (kid->label_len > len - pos || memcmp(kid->label, data + pos, kid->label_len) != 0)
            return;
        n = kid;
        pos += kid->label_len;
    }
}

/*  --- walks -------------------------------------------------------------------- */

/*  The prefix of the node being visited.  If it cannot grow, callbacks
    stop (the walk itself goes on: a pipe must leave the tree whatever). */
typedef struct prefix_buf {
    unsigned char *data;
    size_t len, cap;
    int broken;
} prefix_buf_t;

static void prefix_push(prefix_buf_t *b, const unsigned char *label, size_t len)
{
    if (!b->broken && b->len + len > b->cap) {
        size_t ncap = b->cap ? b->cap : 64;
        while (ncap < b->len + len)
            ncap *= 2;
        unsigned char *nd = realloc(b->data, ncap);
        if (!nd)
            b->broken = 1;
        else {
            b->data = nd;
            b->cap = ncap;
        }
    }
    if (!b->broken && len > 0)
        memcpy(b->data + b->len, label, len);
    b->len += len;
}

typedef void (visit_fn) (zc_trie_node_t *n, prefix_buf_t *prefix, void *arg);

/*  Depth-first over every node: visit on the way down; on the way up, if
    `compact`, tidy the kids of the node being left. */
static void walk(zc_trie_t *t, visit_fn *visit, void *arg, int compact)
{
    zc_trie_node_t *n = t->root;
    if (!n)
        return;
    prefix_buf_t prefix = {0};
    visit(n, &prefix, arg);
    uint32_t next = 0;
    for (;;) {
        if (next < n->nkids) {
            n = n->kids[next];
            prefix_push(&prefix, n->label, n->label_len);
            visit(n, &prefix, arg);
            next = 0;
            continue;
        }
        if (compact)
            for (uint32_t j = n->nkids; j-- > 0;)
                compact_kid(n, j);
        zc_trie_node_t *parent = n->parent;
        if (!parent)
            break;
        prefix.len -= n->label_len;
        /*  n is still parent's kid (only its own kids were tidied). */
        next = (uint32_t) find_kid(parent, n->label[0]) + 1;
        n = parent;
    }
    free(prefix.data);
}

typedef struct apply_arg {
    zc_trie_prefix_fn *fn;
    void *arg;
    zc_pipe_t *pipe;
    int only_last;
} apply_arg_t;

static void apply_visit(zc_trie_node_t *n, prefix_buf_t *prefix, void *arg)
{
    apply_arg_t *a = arg;
    if (n->count > 0 && !prefix->broken)
        a->fn(prefix->data, prefix->len, a->arg);
}

void zc_trie_apply(zc_trie_t *t, zc_trie_prefix_fn *fn, void *arg)
{
    apply_arg_t a = {.fn = fn, .arg = arg};
    walk(t, apply_visit, &a, 0);
}

static void rm_pipe_visit(zc_trie_node_t *n, prefix_buf_t *prefix, void *arg)
{
    apply_arg_t *a = arg;
    if (!set_rm(n, a->pipe))
        return;
    if (a->fn && !prefix->broken && (n->npipes == 0 || !a->only_last))
        a->fn(prefix->data, prefix->len, a->arg);
}

void zc_trie_rm_pipe_all(zc_trie_t *t, zc_pipe_t *p, zc_trie_prefix_fn *fn, void *arg,
                         int only_last)
{
    apply_arg_t a = {.fn = fn, .arg = arg, .pipe = p, .only_last = only_last};
    walk(t, rm_pipe_visit, &a, 1);
}
