/*  The subscription trie: binary prefixes, compressed (radix) so that a
    long topic is one node, not one node per byte, and looked up in
    O(topic length) whatever the number of subscriptions.

    A node carries one of two kinds of value, as its user needs:
    - a count (SUB/XSUB: how many times the application subscribed the
      prefix; duplicates count, so each needs its own unsubscribe);
    - a set of pipes (PUB/XPUB: which peers subscribed the prefix; a peer
      is in the set once however often it subscribed, as in libzmq, since
      its own SUB counts the duplicates and cancels only the last).

    Every walk is iterative: a hostile peer may nest subscriptions as deep
    as it likes without growing the C stack.  Owner thread only. */
#ifndef ZMQCORE_TRIE_H
#define ZMQCORE_TRIE_H

#include <stddef.h>
#include <stdint.h>

#include "zmqcore/pipe.h"

typedef struct zc_trie_node zc_trie_node_t;

typedef struct zc_trie {
    zc_trie_node_t *root;   /*  the empty prefix; allocated on first use */
} zc_trie_t;

/*  Results of zc_trie_rm_pipe. */
enum { ZC_TRIE_NOT_FOUND = 0, ZC_TRIE_LAST_REMOVED = 1, ZC_TRIE_VALUES_REMAIN = 2 };

void zc_trie_init(zc_trie_t *t);
void zc_trie_destroy(zc_trie_t *t);

/*  --- counts (SUB/XSUB) --------------------------------------------------- */

/*  1 if the prefix is new, 0 if it was there (count raised), -1 ENOMEM. */
int zc_trie_add(zc_trie_t *t, const unsigned char *prefix, size_t len);
/*  1 if this removed the prefix's last count, 0 if counts remain or it
    was not there. */
int zc_trie_rm(zc_trie_t *t, const unsigned char *prefix, size_t len);
/*  1 if some subscribed prefix is a prefix of data. */
int zc_trie_check(const zc_trie_t *t, const unsigned char *data, size_t len);

/*  --- pipe sets (PUB/XPUB) ------------------------------------------------ */

/*  1 if p is the prefix's first pipe, 0 otherwise, -1 ENOMEM. */
int zc_trie_add_pipe(zc_trie_t *t, const unsigned char *prefix, size_t len, zc_pipe_t *p);
/*  ZC_TRIE_NOT_FOUND, ZC_TRIE_LAST_REMOVED or ZC_TRIE_VALUES_REMAIN. */
int zc_trie_rm_pipe(zc_trie_t *t, const unsigned char *prefix, size_t len, zc_pipe_t *p);
/*  Calls fn for every pipe subscribed to a prefix of data (a pipe may
    come more than once: once per matching prefix). */
void zc_trie_match(const zc_trie_t *t, const unsigned char *data, size_t len,
                   void (*fn) (zc_pipe_t *p, void *arg), void *arg);

/*  --- walks ------------------------------------------------------------------ */

typedef void (zc_trie_prefix_fn) (const unsigned char *prefix, size_t len, void *arg);

/*  Calls fn once for every prefix with a count (XSUB resends them all). */
void zc_trie_apply(zc_trie_t *t, zc_trie_prefix_fn *fn, void *arg);
/*  Takes p out of every set.  Calls fn for each prefix p was in that has
    no pipe left, or (only_last 0) for each prefix p was in. */
void zc_trie_rm_pipe_all(zc_trie_t *t, zc_pipe_t *p, zc_trie_prefix_fn *fn, void *arg,
                         int only_last);

#endif
