/*  The proxy loop; see proxy.h.

    One loop, no threads: read every socket's commands (zc_socket_events),
    do what can be done without waiting (control first, then a burst each
    way), and when nothing can, sleep in poll() on the sockets' mailbox
    fds.  Any change that could let the loop go on (a message arriving,
    HWM credit coming back, a peer leaving, the context ending) arrives as
    a command in one of those mailboxes, so the sleep never misses it.

    Sends never block inside the core: a part a socket will not take now
    stays in the zc_proxy_t, and the loop waits for the socket's mailbox
    like for anything else.  That keeps the run resumable after EINTR.

    A signal that arrives while the loop is busy, not in poll(), interrupts
    nothing, and with traffic flowing poll() may never be interrupted
    again: so the run also hands back with EINTR every
    ZC_PROXY_SIGNAL_CHECK_MS, busy or not, for the caller to look. */
#include "zmqcore/proxy.h"

#include <errno.h>
#include <poll.h>
#include <string.h>

#include "zmqcore/clock.h"
#include "zmqcore/config.h"
#include "zmqcore/err.h"

void zc_proxy_init(zc_proxy_t *p, zc_socket_t *frontend, zc_socket_t *backend,
                   zc_socket_t *capture, zc_socket_t *control)
{
    memset(p, 0, sizeof *p);
    p->frontend = frontend;
    p->backend = backend;
    p->capture = capture;
    p->control = control;
    p->state = ZC_PROXY_ACTIVE;
    p->dir = -1;
    atomic_init(&p->stop, 0);
    zc_msg_init(&p->prefix[0]);
    zc_msg_init(&p->prefix[1]);
    zc_msg_init(&p->held[0]);
    zc_msg_init(&p->held[1]);
}

static int set_prefix(zc_msg_t *m, const void *data, size_t len)
{
    if (zc_msg_init_size(m, len) < 0)
        return -1;
    if (len)
        memcpy(zc_msg_data(m), data, len);
    return 0;
}

int zc_proxy_set_prefixes(zc_proxy_t *p, const void *in_prefix, size_t in_len,
                          const void *out_prefix, size_t out_len)
{
    zc_msg_close(&p->prefix[0]);
    zc_msg_close(&p->prefix[1]);
    p->has_prefix = 0;
    if (set_prefix(&p->prefix[0], in_prefix, in_len) < 0)
        return -1;
    if (set_prefix(&p->prefix[1], out_prefix, out_len) < 0) {
        zc_msg_close(&p->prefix[0]);
        return -1;
    }
    p->has_prefix = 1;
    p->swap_ids = p->frontend->pattern->type == ZC_ROUTER
                  && p->backend->pattern->type == ZC_ROUTER;
    return 0;
}

void zc_proxy_fini(zc_proxy_t *p)
{
    for (int i = 0; i < p->nheld; i++)
        zc_msg_close(&p->held[i]);
    p->nheld = 0;
    p->dir = -1;
    zc_msg_close(&p->prefix[0]);
    zc_msg_close(&p->prefix[1]);
    p->has_prefix = 0;
}

/*  --- moving one message ---------------------------------------------------- */

static inline zc_socket_t *from_of(const zc_proxy_t *p)
{
    return p->dir == 0 ? p->frontend : p->backend;
}

static inline zc_socket_t *to_of(const zc_proxy_t *p)
{
    return p->dir == 0 ? p->backend : p->frontend;
}

/*  Reads the next part of the message under way into held[nheld].
    1, 0 (nothing yet: wait), -1 (errno). */
static int read_part(zc_proxy_t *p)
{
    zc_socket_t *from = from_of(p);
    zc_msg_t *m = &p->held[p->nheld];
    zc_msg_init(m);
    if (zc_socket_recv(from, m, 0) < 0)
        return errno == EAGAIN ? 0 : -1;
    int base = p->dir == 0 ? ZC_PROXY_FRONT_IN_MSGS : ZC_PROXY_BACK_IN_MSGS;
    p->stats[base]++;
    p->stats[base + 1] += zc_msg_size(m);
    p->held_more[p->nheld] = from->rcvmore;
    p->nheld++;
    p->parts++;
    return 1;
}

/*  Sends a copy of *m to capture.  1, 0 (capture full: wait), -1. */
static int capture_copy(zc_proxy_t *p, const zc_msg_t *m, int more)
{
    zc_msg_t copy;
    zc_msg_copy(&copy, m);
    if (zc_socket_send(p->capture, &copy, more ? ZC_SNDMORE : 0, 0) < 0) {
        zc_msg_close(&copy);
        return errno == EAGAIN ? 0 : -1;
    }
    return 1;
}

/*  Carries the message under way as far as the sockets let it.
    1 when it is all forwarded, 0 when a socket must be waited for,
    -1 (errno). */
static int pump(zc_proxy_t *p)
{
    zc_socket_t *to = to_of(p);
    int rc;
    for (;;) {
        if (p->has_prefix && !p->prefix_sent) {
            if ((rc = capture_copy(p, &p->prefix[p->dir], 1)) <= 0)
                return rc;
            p->prefix_sent = 1;
        }
        if (p->nheld == 0 && (rc = read_part(p)) <= 0)
            return rc;
        if (p->swap_ids && p->parts == 1 && p->held_more[0]) {
            /*  ROUTER to ROUTER: the second frame (the id of the peer to
                reach) goes first, the first (the sender's id) after it. */
            if ((rc = read_part(p)) <= 0)
                return rc;
            zc_msg_t first = p->held[0];
            p->held[0] = p->held[1];
            p->held[1] = first;
            p->held_more[1] = p->held_more[0];
            p->held_more[0] = 1;
        }
        zc_msg_t *m = &p->held[0];
        int more = p->held_more[0];
        if (p->capture && !p->captured) {
            if ((rc = capture_copy(p, m, more)) <= 0)
                return rc;
            p->captured = 1;
        }
        size_t size = zc_msg_size(m);
        if (zc_socket_send(to, m, more ? ZC_SNDMORE : 0, 0) < 0)
            return errno == EAGAIN ? 0 : -1;
        int base = p->dir == 0 ? ZC_PROXY_BACK_OUT_MSGS : ZC_PROXY_FRONT_OUT_MSGS;
        p->stats[base]++;
        p->stats[base + 1] += size;
        p->captured = 0;
        p->nheld--;
        if (p->nheld) {
            p->held[0] = p->held[1];
            p->held_more[0] = p->held_more[1];
        }
        zc_msg_init(&p->held[p->nheld]);
        if (!more) {
            p->dir = -1;
            p->parts = 0;
            p->prefix_sent = 0;
            return 1;
        }
    }
}

/*  Up to a burst of messages one way, each begun only while the
    receiving side has room.  Messages moved, or -1 (errno).  A message
    left under way (p->dir >= 0) is finished by the main loop. */
static int forward(zc_proxy_t *p, int dir)
{
    zc_socket_t *to = dir == 0 ? p->backend : p->frontend;
    int n = 0;
    while (n < ZC_PROXY_BURST) {
        if (!to->pattern->xhas_out(to))
            break;
        p->dir = dir;
        p->nheld = 0;
        p->parts = 0;
        int rc = read_part(p);
        if (rc <= 0) {
            p->dir = -1;
            if (rc < 0)
                return -1;
            break;      /*  nothing more to read */
        }
        rc = pump(p);
        if (rc < 0)
            return -1;
        n++;
        if (rc == 0)
            break;      /*  under way; waits for a peer */
    }
    return n;
}

/*  --- control ---------------------------------------------------------------- */

static int is_command(const zc_msg_t *m, const char *name)
{
    size_t len = strlen(name);
    return zc_msg_size(m) == len
           && memcmp(zc_msg_data((zc_msg_t *) m), name, len) == 0;
}

static int reply_stats(zc_proxy_t *p)
{
    for (int i = 0; i < 8; i++) {
        zc_msg_t r;
        zc_msg_init_size(&r, sizeof(uint64_t));     /*  inline: cannot fail */
        memcpy(zc_msg_data(&r), &p->stats[i], sizeof(uint64_t));
        if (zc_socket_send(p->control, &r, i < 7 ? ZC_SNDMORE : 0, 0) < 0) {
            zc_msg_close(&r);
            /*  The asker's queue is full: it gets no answer this time
                (libzmq would wait for it, holding up all traffic). */
            if (i == 0 && errno == EAGAIN)
                return 0;
            return -1;
        }
    }
    return 0;
}

/*  One control frame.  0, or -1 (errno). */
static int handle_control(zc_proxy_t *p)
{
    zc_msg_t m;
    zc_msg_init(&m);
    if (zc_socket_recv(p->control, &m, 0) < 0)
        return errno == EAGAIN ? 0 : -1;
    int rc = 0;
    if (is_command(&m, "STATISTICS")) {
        rc = reply_stats(p);
    } else {
        if (is_command(&m, "PAUSE"))
            p->state = ZC_PROXY_PAUSED;
        else if (is_command(&m, "RESUME"))
            p->state = ZC_PROXY_ACTIVE;
        else if (is_command(&m, "TERMINATE"))
            p->state = ZC_PROXY_TERMINATED;
        zc_msg_t r;
        zc_msg_init(&r);
        if (zc_socket_send(p->control, &r, 0, 0) < 0) {
            zc_msg_close(&r);
            /*  SUB/PULL cannot answer; a full asker goes without. */
            if (errno != ENOTSUP && errno != EAGAIN)
                rc = -1;
        }
    }
    int err = errno;
    zc_msg_close(&m);
    zc_socket_flush_wake(p->control);
    errno = err;
    return rc;
}

void zc_proxy_stop(zc_proxy_t *p)
{
    atomic_store(&p->stop, 1);
    /*  An empty command wakes the loop, which then sees the flag. */
    zc_command_t cmd = {.type = ZC_CMD_NONE};
    zc_mailbox_send(p->frontend->mailbox, &cmd);
}

/*  --- the loop ------------------------------------------------------------------ */

static void flush_wakes(zc_proxy_t *p)
{
    zc_socket_flush_wake(p->frontend);
    zc_socket_flush_wake(p->backend);
    if (p->capture)
        zc_socket_flush_wake(p->capture);
    if (p->control)
        zc_socket_flush_wake(p->control);
}

/*  ZC_POLLIN|ZC_POLLOUT of s now, or -1 with ETERM. */
static int events_of(zc_socket_t *s)
{
    int ev = zc_socket_events(s);
    if (s->ctx_terminated) {
        errno = ETERM;
        return -1;
    }
    return ev;
}

static void add_fd(struct pollfd *fds, int *n, zc_socket_t *s)
{
    if (!s)
        return;
    int fd = zc_socket_fd(s);
    for (int i = 0; i < *n; i++)
        if (fds[i].fd == fd)
            return;
    fds[*n].fd = fd;
    fds[*n].events = POLLIN;
    fds[*n].revents = 0;
    (*n)++;
}

int zc_proxy_run(zc_proxy_t *p)
{
    struct pollfd fds[4];
    int nfds = 0;
    add_fd(fds, &nfds, p->frontend);
    add_fd(fds, &nfds, p->backend);
    add_fd(fds, &nfds, p->control);
    add_fd(fds, &nfds, p->capture);
    int same = p->frontend == p->backend;
    int64_t signal_check = zc_clock_ms() + ZC_PROXY_SIGNAL_CHECK_MS;

    while (p->state != ZC_PROXY_TERMINATED) {
        if (atomic_load(&p->stop)) {
            errno = ENOTSOCK;
            return -1;
        }
        int wait_ms = zc_ms_until(signal_check);
        if (wait_ms == 0) {
            errno = EINTR;
            return -1;
        }
        /*  Reading every socket's commands also re-arms its fd. */
        int fe = events_of(p->frontend);
        if (fe < 0)
            return -1;
        int be = same ? fe : events_of(p->backend);
        if (be < 0)
            return -1;
        int ce = p->control ? events_of(p->control) : 0;
        if (ce < 0)
            return -1;
        zc_socket_t *cap = p->capture;
        if (cap && cap != p->control && cap != p->frontend && cap != p->backend
            && events_of(cap) < 0)
            return -1;

        int progress = 0;
        if (p->dir >= 0) {
            int rc = pump(p);
            if (rc < 0)
                return -1;
            progress = rc;
        }
        if (p->dir < 0) {
            if (ce & ZC_POLLIN) {
                if (handle_control(p) < 0)
                    return -1;
                progress = 1;
                if (p->state == ZC_PROXY_TERMINATED)
                    break;
            }
            if (p->state == ZC_PROXY_ACTIVE) {
                if ((fe & ZC_POLLIN) && (same || (be & ZC_POLLOUT))) {
                    int n = forward(p, 0);
                    if (n < 0)
                        return -1;
                    progress |= n > 0;
                }
                if (!same && p->dir < 0 && (be & ZC_POLLIN) && (fe & ZC_POLLOUT)) {
                    int n = forward(p, 1);
                    if (n < 0)
                        return -1;
                    progress |= n > 0;
                }
            }
        }
        /*  Peers we wrote to are woken now, not when we next sleep. */
        flush_wakes(p);
        if (progress)
            continue;
        if (poll(fds, (nfds_t) nfds, wait_ms) < 0)
            return -1;  /*  EINTR: the caller checks signals, calls again */
        /*  A request through a broker: forwarded lock-step. */
        zc_socket_waited(p->frontend);
        zc_socket_waited(p->backend);
    }
    flush_wakes(p);
    return 0;
}
