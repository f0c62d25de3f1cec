/*  Poller over POSIX poll(), the portable fallback.  See poller.h for the
    contract; the behaviour matches poller_epoll.c.

    The pollfd array is handed to poll() as is; entries[i] is the entry of
    fds[i] and each entry knows its index.  Removing an fd sets its slot's
    fd to -1 (poll ignores it) and its entries[] slot to NULL, so a batch in
    flight skips it; the entry goes to the retired list.  Holes are squeezed
    out and retired entries freed only between batches.  Slots added during
    a batch lie beyond the count poll() was given and are not dispatched. */
#include "zmqcore/poller.h"

#if !defined(ZC_POLLER_POLL)
#error "poller_poll.c is built only with ZC_POLLER_POLL (see setup.py)"
#endif

#include <errno.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "zmqcore/clock.h"
#include "zmqcore/timers.h"

struct zc_poll_entry {
    int fd;                         /*  -1 once removed */
    size_t index;                   /*  slot in fds[] / entries[] */
    zc_poll_handler_t *handler;
    struct zc_poll_entry *next;     /*  retired list */
};

struct zc_poller {
    struct pollfd *fds;             /*  what poll() sees */
    struct zc_poll_entry **entries; /*  NULL for a removed slot */
    size_t count, cap;
    int holes;                      /*  removed slots not yet squeezed out */
    atomic_int load;                /*  live entries; read by any thread */
    zc_timers_t timers;
    struct zc_poll_entry *retired;  /*  removed, freed at a batch boundary */
};

zc_poller_t *zc_poller_new(void)
{
    zc_poller_t *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    atomic_init(&p->load, 0);
    zc_timers_init(&p->timers);
    return p;
}

/*  Frees retired entries and squeezes holes out of the arrays.  Only
    between batches: no dispatch loop may hold an index then. */
static void reap(zc_poller_t *p)
{
    while (p->retired) {
        struct zc_poll_entry *next = p->retired->next;
        free(p->retired);
        p->retired = next;
    }
    if (!p->holes)
        return;
    size_t j = 0;
    for (size_t i = 0; i < p->count; i++) {
        if (!p->entries[i])
            continue;
        p->fds[j] = p->fds[i];
        p->entries[j] = p->entries[i];
        p->entries[j]->index = j;
        j++;
    }
    p->count = j;
    p->holes = 0;
}

void zc_poller_destroy(zc_poller_t *p)
{
    if (!p)
        return;
    reap(p);
    for (size_t i = 0; i < p->count; i++)
        free(p->entries[i]);
    free(p->fds);
    free(p->entries);
    zc_timers_fini(&p->timers);
    free(p);
}

static int grow(zc_poller_t *p)
{
    size_t ncap = p->cap ? p->cap * 2 : 16;
    struct pollfd *fds = realloc(p->fds, ncap * sizeof *fds);
    if (!fds)
        return -1;
    p->fds = fds;
    struct zc_poll_entry **entries = realloc(p->entries, ncap * sizeof *entries);
    if (!entries)
        return -1;
    p->entries = entries;
    p->cap = ncap;
    return 0;
}

zc_poll_handle_t zc_poller_add_fd(zc_poller_t *p, int fd, zc_poll_handler_t *h)
{
    if (fd < 0) {
        errno = EBADF;
        return NULL;
    }
    if (p->count == p->cap && grow(p) < 0) {
        errno = ENOMEM;
        return NULL;
    }
    struct zc_poll_entry *e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    e->fd = fd;
    e->index = p->count;
    e->handler = h;
    p->fds[p->count] = (struct pollfd) {.fd = fd, .events = 0, .revents = 0};
    p->entries[p->count] = e;
    p->count++;
    atomic_fetch_add_explicit(&p->load, 1, memory_order_relaxed);
    return e;
}

int zc_poller_rm_fd(zc_poller_t *p, zc_poll_handle_t e)
{
    p->fds[e->index] = (struct pollfd) {.fd = -1, .events = 0, .revents = 0};
    p->entries[e->index] = NULL;
    p->holes = 1;
    e->fd = -1;
    e->next = p->retired;
    p->retired = e;
    atomic_fetch_sub_explicit(&p->load, 1, memory_order_relaxed);
    return 0;
}

int zc_poller_set_pollin(zc_poller_t *p, zc_poll_handle_t e)
{
    p->fds[e->index].events |= POLLIN;
    return 0;
}

int zc_poller_reset_pollin(zc_poller_t *p, zc_poll_handle_t e)
{
    p->fds[e->index].events &= (short) ~POLLIN;
    return 0;
}

int zc_poller_set_pollout(zc_poller_t *p, zc_poll_handle_t e)
{
    p->fds[e->index].events |= POLLOUT;
    return 0;
}

int zc_poller_reset_pollout(zc_poller_t *p, zc_poll_handle_t e)
{
    p->fds[e->index].events &= (short) ~POLLOUT;
    return 0;
}

int zc_poller_add_timer(zc_poller_t *p, int timeout_ms, zc_poll_handler_t *h, int id)
{
    return zc_timers_add_in(&p->timers, timeout_ms, h, id);
}

int zc_poller_cancel_timer(zc_poller_t *p, zc_poll_handler_t *h, int id)
{
    return zc_timers_cancel(&p->timers, h, id);
}

int zc_poller_wait(zc_poller_t *p, int max_timeout_ms)
{
    reap(p);
    int timeout = zc_timers_wait_ms(&p->timers, max_timeout_ms);

    size_t n = p->count;
    int ready = poll(p->fds, (nfds_t) n, timeout);
    if (ready < 0)
        return -1;

    int calls = 0;
    /*  Index afresh on every step: a callback adding an fd may move fds[]. */
    for (size_t i = 0; i < n && ready > 0; i++) {
        short revents = p->fds[i].revents;
        if (!revents)
            continue;
        ready--;
        p->fds[i].revents = 0;
        struct zc_poll_entry *e = p->entries[i];
        if (!e)
            continue;   /*  removed earlier in this batch */
        if (revents & (POLLIN | POLLERR | POLLHUP | POLLNVAL)) {
            e->handler->in_event(e->handler->arg);
            calls++;
        }
        if ((revents & POLLOUT) && e->fd >= 0) {
            e->handler->out_event(e->handler->arg);
            calls++;
        }
    }
    if (zc_timers_count(&p->timers) > 0)
        calls += zc_timers_execute(&p->timers, zc_clock_ms());
    reap(p);
    return calls;
}

int zc_poller_load(const zc_poller_t *p)
{
    return atomic_load_explicit(&p->load, memory_order_relaxed);
}
