/*  Poller over Linux epoll, level-triggered.  See poller.h for the contract.

    Each registered fd has an entry whose address is the epoll user data, so
    an event leads straight to its handler.  Removing an fd marks its entry
    dead (fd = -1) and moves it to the retired list instead of freeing it:
    events already collected in the current batch may still point at it, and
    the dispatch loop skips dead entries.  Retired entries are freed when
    no batch is in flight (start and end of zc_poller_wait). */
#include "zmqcore/poller.h"

#if !defined(ZC_POLLER_EPOLL)
#error "poller_epoll.c is built only with ZC_POLLER_EPOLL (see setup.py)"
#endif

#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "zmqcore/clock.h"
#include "zmqcore/config.h"
#include "zmqcore/timers.h"

struct zc_poll_entry {
    int fd;                         /*  -1 once removed */
    uint32_t events;                /*  EPOLLIN / EPOLLOUT interest */
    zc_poll_handler_t *handler;
    struct zc_poll_entry *prev;     /*  live list; `next` also links retired */
    struct zc_poll_entry *next;
};

struct zc_poller {
    int epfd;
    atomic_int load;                /*  live entries; read by any thread */
    zc_timers_t timers;
    struct zc_poll_entry *live;     /*  every registered entry, for destroy */
    struct zc_poll_entry *retired;  /*  removed, freed at a batch boundary */
    struct epoll_event ev[ZC_POLLER_MAX_EVENTS];
};

zc_poller_t *zc_poller_new(void)
{
    zc_poller_t *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (p->epfd < 0) {
        int err = errno;
        free(p);
        errno = err;
        return NULL;
    }
    atomic_init(&p->load, 0);
    zc_timers_init(&p->timers);
    return p;
}

static void free_list(struct zc_poll_entry *e)
{
    while (e) {
        struct zc_poll_entry *next = e->next;
        free(e);
        e = next;
    }
}

static void reap(zc_poller_t *p)
{
    free_list(p->retired);
    p->retired = NULL;
}

void zc_poller_destroy(zc_poller_t *p)
{
    if (!p)
        return;
    free_list(p->live);
    reap(p);
    zc_timers_fini(&p->timers);
    close(p->epfd);
    free(p);
}

zc_poll_handle_t zc_poller_add_fd(zc_poller_t *p, int fd, zc_poll_handler_t *h)
{
    struct zc_poll_entry *e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    e->fd = fd;
    e->handler = h;
    struct epoll_event ev = {.events = 0, .data.ptr = e};
    if (epoll_ctl(p->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
        int err = errno;
        free(e);
        errno = err;
        return NULL;
    }
    e->next = p->live;
    if (p->live)
        p->live->prev = e;
    p->live = e;
    atomic_fetch_add_explicit(&p->load, 1, memory_order_relaxed);
    return e;
}

int zc_poller_rm_fd(zc_poller_t *p, zc_poll_handle_t e)
{
    /*  Fails only if the fd was closed already, which removed it anyway. */
    struct epoll_event unused = {0};
    (void) epoll_ctl(p->epfd, EPOLL_CTL_DEL, e->fd, &unused);
    if (e->prev)
        e->prev->next = e->next;
    else
        p->live = e->next;
    if (e->next)
        e->next->prev = e->prev;
    e->fd = -1;
    e->prev = NULL;
    e->next = p->retired;
    p->retired = e;
    atomic_fetch_sub_explicit(&p->load, 1, memory_order_relaxed);
    return 0;
}

static int set_events(zc_poller_t *p, zc_poll_handle_t e, uint32_t events)
{
    if (events == e->events)
        return 0;
    struct epoll_event ev = {.events = events, .data.ptr = e};
    if (epoll_ctl(p->epfd, EPOLL_CTL_MOD, e->fd, &ev) < 0)
        return -1;
    e->events = events;
    return 0;
}

int zc_poller_set_pollin(zc_poller_t *p, zc_poll_handle_t e)
{
    return set_events(p, e, e->events | EPOLLIN);
}

int zc_poller_reset_pollin(zc_poller_t *p, zc_poll_handle_t e)
{
    return set_events(p, e, e->events & ~(uint32_t) EPOLLIN);
}

int zc_poller_set_pollout(zc_poller_t *p, zc_poll_handle_t e)
{
    return set_events(p, e, e->events | EPOLLOUT);
}

int zc_poller_reset_pollout(zc_poller_t *p, zc_poll_handle_t e)
{
    return set_events(p, e, e->events & ~(uint32_t) EPOLLOUT);
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

    int n = epoll_wait(p->epfd, p->ev, ZC_POLLER_MAX_EVENTS, timeout);
    if (n < 0)
        return -1;

    int calls = 0;
    for (int i = 0; i < n; i++) {
        struct zc_poll_entry *e = p->ev[i].data.ptr;
        uint32_t revents = p->ev[i].events;
        if (e->fd < 0)
            continue;   /*  removed earlier in this batch */
        if (revents & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
            e->handler->in_event(e->handler->arg);
            calls++;
        }
        if ((revents & EPOLLOUT) && e->fd >= 0) {
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
