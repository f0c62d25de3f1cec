/*  Socket monitors; see monitor.h. */
#include "zmqcore/monitor.h"

#include <errno.h>
#include <string.h>

#include "zmqcore/address.h"
#include "zmqcore/socket.h"

/*  Sends one event.  Called with monitor_lock held and a monitor set.
    Never blocks: an event that finds the monitor's queue full is dropped
    (an I/O thread must not wait for the application). */
static void send_event(zc_socket_t *s, int event, uint64_t value, const char *endpoint)
{
    zc_socket_t *m = s->monitor;
    zc_msg_t head, addr;
    if (zc_msg_init_size(&head, 6) < 0)
        return;
    uint16_t ev16 = (uint16_t) event;
    uint32_t v32 = (uint32_t) value;
    memcpy(zc_msg_data(&head), &ev16, 2);
    memcpy(zc_msg_data(&head) + 2, &v32, 4);
    size_t n = endpoint ? strlen(endpoint) : 0;
    if (zc_msg_init_size(&addr, n) < 0) {
        zc_msg_close(&head);
        return;
    }
    if (n)
        memcpy(zc_msg_data(&addr), endpoint, n);
    if (zc_socket_send(m, &head, ZC_SNDMORE | ZC_DONTWAIT, 0) < 0) {
        zc_msg_close(&head);
        zc_msg_close(&addr);
        return;
    }
    /*  The first part went in, so the pipe takes the second. */
    if (zc_socket_send(m, &addr, ZC_DONTWAIT, 0) < 0)
        zc_msg_close(&addr);
    zc_socket_flush_wake(m);
}

void zc_monitor_event(zc_socket_t *s, int event, uint64_t value, const char *endpoint)
{
    pthread_mutex_lock(&s->monitor_lock);
    if (s->monitor && (s->monitor_events & event))
        send_event(s, event, value, endpoint);
    pthread_mutex_unlock(&s->monitor_lock);
}

int zc_socket_monitor(zc_socket_t *s, const char *addr, int events)
{
    pthread_mutex_lock(&s->monitor_lock);
    if (s->monitor) {
        if (s->monitor_events & ZC_EVENT_MONITOR_STOPPED)
            send_event(s, ZC_EVENT_MONITOR_STOPPED, 0, "");
        zc_socket_close(s->monitor);
        s->monitor = NULL;
        s->monitor_events = 0;
    }
    if (!addr) {
        pthread_mutex_unlock(&s->monitor_lock);
        return 0;
    }
    const char *rest;
    int t = zc_address_split(addr, &rest);
    if (t != ZC_TRANSPORT_INPROC) {
        pthread_mutex_unlock(&s->monitor_lock);
        if (t > 0)
            errno = EPROTONOSUPPORT;
        return -1;
    }
    zc_socket_t *m = zc_socket_new(s->ctx, ZC_PAIR);
    if (!m) {
        pthread_mutex_unlock(&s->monitor_lock);
        return -1;
    }
    /*  Events are dropped rather than block an I/O thread, and never kept
        back at close. */
    m->options.linger = 0;
    if (zc_socket_bind(m, addr) < 0) {
        int err = errno;
        zc_socket_close(m);
        pthread_mutex_unlock(&s->monitor_lock);
        errno = err;
        return -1;
    }
    s->monitor = m;
    s->monitor_events = events;
    pthread_mutex_unlock(&s->monitor_lock);
    return 0;
}
