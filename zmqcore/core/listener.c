/*  tcp/ipc listener; see listener.h. */
#include "zmqcore/listener.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "zmqcore/io_thread.h"
#include "zmqcore/monitor.h"
#include "zmqcore/session.h"
#include "zmqcore/stream.h"

static void listener_term(void *self);

zc_listener_t *zc_listener_new(zc_socket_t *s, zc_io_thread_t *io, const zc_address_t *addr,
                               char *endpoint_out, size_t cap)
{
    zc_listener_t *l = calloc(1, sizeof *l);
    if (!l) {
        errno = ENOMEM;
        return NULL;
    }
    l->socket = s;
    l->options = s->options;
    l->transport = addr->transport;
    int fd = socket(addr->addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        goto fail;
    if (addr->transport == ZC_TRANSPORT_TCP) {
        int one = 1;
        /*  Rebinding right after a close must work (TIME_WAIT). */
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (addr->addr.ss_family == AF_INET6) {
            int v6only = 0;     /*  dual stack, as libzmq with IPV6 */
            setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof v6only);
        }
        zc_stream_set_buffers(fd, &l->options);
    }
    if (addr->transport == ZC_TRANSPORT_IPC) {
        /*  A socket file left by an earlier process is taken over, as
            libzmq does (nothing else can be listening on it by then). */
        const struct sockaddr_un *un = (const struct sockaddr_un *) &addr->addr;
        if (un->sun_path[0] != '\0')
            unlink(un->sun_path);
    }
    if (bind(fd, (const struct sockaddr *) &addr->addr, addr->addrlen) < 0)
        goto fail_fd;
    if (listen(fd, l->options.backlog > 0 ? l->options.backlog : 100) < 0)
        goto fail_fd;
    struct sockaddr_storage bound;
    socklen_t blen = sizeof bound;
    if (getsockname(fd, (struct sockaddr *) &bound, &blen) < 0)
        goto fail_fd;
    if (addr->transport == ZC_TRANSPORT_IPC) {
        /*  getsockname gives the path back; keep it to unlink at close. */
        const struct sockaddr_un *un = (const struct sockaddr_un *) &addr->addr;
        size_t plen = strnlen(un->sun_path, sizeof un->sun_path);
        struct stat st;
        if (un->sun_path[0] != '\0' && plen < sizeof l->ipc_path
            && stat(un->sun_path, &st) == 0) {
            memcpy(l->ipc_path, un->sun_path, plen);
            l->ipc_path[plen] = '\0';
            l->ipc_dev = (unsigned long long) st.st_dev;
            l->ipc_ino = (unsigned long long) st.st_ino;
        }
        zc_address_format((const struct sockaddr *) &addr->addr, addr->addrlen,
                          addr->transport, endpoint_out, cap);
    } else {
        zc_address_format((struct sockaddr *) &bound, blen, addr->transport, endpoint_out, cap);
    }
    l->fd = fd;
    l->child.io = io;
    l->child.term = listener_term;
    l->child.is_listener = 1;
    l->child.endpoint = strdup(endpoint_out);
    if (!l->child.endpoint) {
        errno = ENOMEM;
        goto fail_fd;
    }
    return l;

fail_fd:;
    int err = errno;
    /*  libzmq reports the socket it opened as CLOSED (with no endpoint),
        then BIND_FAILED. */
    zc_monitor_event(s, ZC_EVENT_CLOSED, (uint64_t) fd, "");
    close(fd);
    errno = err;
fail:
    err = errno;
    free(l);
    errno = err;
    return NULL;
}

static void accept_event(void *arg)
{
    zc_listener_t *l = arg;
    /*  Several per wake-up: a burst of connects should not cost a poller
        round each. */
    for (int i = 0; i < 64; i++) {
        int fd = accept4(l->fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (fd < 0) {
            if (errno == EINTR)
                continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK)
                zc_monitor_event(l->socket, ZC_EVENT_ACCEPT_FAILED, (uint64_t) errno,
                                 l->child.endpoint);
            return;
        }
        zc_stream_tune(fd, l->transport, &l->options);
        zc_monitor_event(l->socket, ZC_EVENT_ACCEPTED, (uint64_t) fd, l->child.endpoint);
        if (l->nsessions == l->cap) {
            int ncap = l->cap ? l->cap * 2 : 8;
            zc_session_t **ns = realloc(l->sessions, (size_t) ncap * sizeof *ns);
            if (!ns) {
                close(fd);
                continue;
            }
            l->sessions = ns;
            l->cap = ncap;
        }
        zc_session_t *ss = zc_session_new_accepted(l, fd);
        if (!ss)
            continue;       /*  fd closed by it */
        ss->listener_index = l->nsessions;
        l->sessions[l->nsessions++] = ss;
        zc_session_start(ss);
    }
}

void zc_listener_start(void *self)
{
    zc_listener_t *l = self;
    l->handler.in_event = accept_event;
    l->handler.arg = l;
    l->handle = zc_poller_add_fd(zc_io_thread_poller(l->child.io), l->fd, &l->handler);
    if (l->handle)
        zc_poller_set_pollin(zc_io_thread_poller(l->child.io), l->handle);
}

/*  Reports to the socket and frees, once no session of ours is left. */
static void listener_finish(zc_listener_t *l)
{
    if (l->nsessions > 0)
        return;
    zc_socket_child_terminated(l->socket, &l->child);
    free(l->sessions);
    free(l->child.endpoint);
    free(l);
}

void zc_listener_session_done(zc_listener_t *l, zc_session_t *ss)
{
    int i = ss->listener_index;
    l->sessions[i] = l->sessions[--l->nsessions];
    l->sessions[i]->listener_index = i;
    if (l->terminating)
        listener_finish(l);
}

static void listener_term(void *self)
{
    zc_listener_t *l = self;
    l->terminating = 1;
    if (l->handle)
        zc_poller_rm_fd(zc_io_thread_poller(l->child.io), l->handle);
    close(l->fd);
    /*  Only our own socket file: another socket may have taken the path
        over since (binding takes over stale files). */
    struct stat st;
    if (l->ipc_path[0] && stat(l->ipc_path, &st) == 0
        && (unsigned long long) st.st_dev == l->ipc_dev
        && (unsigned long long) st.st_ino == l->ipc_ino)
        unlink(l->ipc_path);
    zc_monitor_event(l->socket, ZC_EVENT_CLOSED, (uint64_t) l->fd, l->child.endpoint);
    /*  End our sessions with the same linger; the last one to finish (or
        this call, if there are none) finishes us. */
    int n = l->nsessions;
    if (n == 0) {
        listener_finish(l);
        return;
    }
    zc_session_t **copy = malloc((size_t) n * sizeof *copy);
    if (copy) {
        memcpy(copy, l->sessions, (size_t) n * sizeof *copy);
        for (int i = 0; i < n; i++) {
            copy[i]->child.term_linger = l->child.term_linger;
            zc_session_term(copy[i]);
        }
        free(copy);
    }
}
