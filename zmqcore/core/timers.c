/*  Timers: a binary min-heap of (when, seq).  See timers.h. */
#include "zmqcore/timers.h"

#include <errno.h>
#include <stdlib.h>

/*  Heap order: due first, then added first. */
static inline int before(const zc_timer_t *a, const zc_timer_t *b)
{
    return a->when < b->when || (a->when == b->when && a->seq < b->seq);
}

static void sift_up(zc_timer_t *heap, size_t i)
{
    zc_timer_t moving = heap[i];
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!before(&moving, &heap[parent]))
            break;
        heap[i] = heap[parent];
        i = parent;
    }
    heap[i] = moving;
}

static void sift_down(zc_timer_t *heap, size_t count, size_t i)
{
    zc_timer_t moving = heap[i];
    for (;;) {
        size_t child = 2 * i + 1;
        if (child >= count)
            break;
        if (child + 1 < count && before(&heap[child + 1], &heap[child]))
            child++;
        if (!before(&heap[child], &moving))
            break;
        heap[i] = heap[child];
        i = child;
    }
    heap[i] = moving;
}

/*  Removes heap[i], keeping the heap ordered. */
static void remove_at(zc_timers_t *t, size_t i)
{
    t->count--;
    if (i == t->count)
        return;
    t->heap[i] = t->heap[t->count];
    /*  The element moved in may belong either above or below slot i. */
    if (i > 0 && before(&t->heap[i], &t->heap[(i - 1) / 2]))
        sift_up(t->heap, i);
    else
        sift_down(t->heap, t->count, i);
}

void zc_timers_init(zc_timers_t *t)
{
    t->heap = NULL;
    t->count = t->cap = 0;
    t->next_seq = 0;
}

void zc_timers_fini(zc_timers_t *t)
{
    free(t->heap);
    zc_timers_init(t);
}

int zc_timers_add(zc_timers_t *t, int64_t when, zc_poll_handler_t *h, int id)
{
    if (t->count == t->cap) {
        size_t ncap = t->cap ? t->cap * 2 : 16;
        zc_timer_t *nheap = realloc(t->heap, ncap * sizeof *nheap);
        if (!nheap) {
            errno = ENOMEM;
            return -1;
        }
        t->heap = nheap;
        t->cap = ncap;
    }
    t->heap[t->count] = (zc_timer_t) {
        .when = when, .seq = t->next_seq++, .handler = h, .id = id};
    sift_up(t->heap, t->count);
    t->count++;
    return 0;
}

int zc_timers_cancel(zc_timers_t *t, zc_poll_handler_t *h, int id)
{
    size_t found = t->count;
    for (size_t i = 0; i < t->count; i++) {
        const zc_timer_t *tm = &t->heap[i];
        if (tm->handler == h && tm->id == id
            && (found == t->count || before(tm, &t->heap[found])))
            found = i;
    }
    if (found == t->count) {
        errno = ENOENT;
        return -1;
    }
    remove_at(t, found);
    return 0;
}

int zc_timers_timeout(const zc_timers_t *t, int64_t now)
{
    if (t->count == 0)
        return -1;
    int64_t left = t->heap[0].when - now;
    if (left <= 0)
        return 0;
    return left > INT32_MAX ? INT32_MAX : (int) left;
}

int zc_timers_execute(zc_timers_t *t, int64_t now)
{
    /*  Timers added from now on have seq >= limit.  Their due time is at
        least `now`, so while an older due timer is left it sorts first:
        meeting a new one at the top means no older due timer remains. */
    uint64_t limit = t->next_seq;
    int fired = 0;
    while (t->count > 0) {
        zc_timer_t top = t->heap[0];
        if (top.when > now || top.seq >= limit)
            break;
        /*  Pop before the call: the callback may add or cancel timers. */
        remove_at(t, 0);
        top.handler->timer_event(top.handler->arg, top.id);
        fired++;
    }
    return fired;
}
