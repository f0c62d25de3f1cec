/*  Endpoint addresses of the tcp and ipc transports: parsing, resolution,
    and the canonical text LAST_ENDPOINT reports.  Pure functions; called
    on the application thread (bind, connect) and on I/O threads
    (reconnect), never sharing state. */
#ifndef ZMQCORE_ADDRESS_H
#define ZMQCORE_ADDRESS_H

#include <stddef.h>
#include <sys/socket.h>

enum { ZC_TRANSPORT_INPROC = 1, ZC_TRANSPORT_TCP = 2, ZC_TRANSPORT_IPC = 3 };

typedef struct zc_address {
    int transport;                  /*  ZC_TRANSPORT_TCP or _IPC */
    struct sockaddr_storage addr;   /*  where to bind or connect */
    socklen_t addrlen;
    struct sockaddr_storage source; /*  tcp "src;dst" form: bind here first */
    socklen_t sourcelen;            /*  0 when there is no source address */
    int any_port;                   /*  tcp bind to ":*" or ":0" */
} zc_address_t;

/*  Splits "transport://address".  Returns ZC_TRANSPORT_*, with *rest set
    to the address part, or -1 with errno EINVAL (no "://", empty address)
    or EPROTONOSUPPORT (a transport we do not have). */
int zc_address_split(const char *endpoint, const char **rest);

/*  Resolves a tcp address ("host:port", "[v6]:port", "*:port", "iface
    or host:*", "src;dst") for binding (is_bind: "*" means any address, ipv6
    allows v4-mapped dual stack) or connecting.  0, or -1 with errno EINVAL
    (malformed), EADDRNOTAVAIL/EHOSTUNREACH-ish (cannot resolve). */
int zc_address_resolve_tcp(zc_address_t *a, const char *text, int is_bind, int ipv6);

/*  An ipc address: a path, or "@name" for Linux's abstract namespace.
    0, or -1 with errno ENAMETOOLONG or EINVAL. */
int zc_address_resolve_ipc(zc_address_t *a, const char *text);

/*  The endpoint text for a bound or connected socket's address (after
    getsockname for ephemeral ports): "tcp://127.0.0.1:5555",
    "tcp://[::1]:5555", "ipc:///tmp/x", "ipc://@name".  Returns the length
    written (NUL-terminated, truncated to cap). */
size_t zc_address_format(const struct sockaddr *sa, socklen_t len, int transport,
                         char *out, size_t cap);

#endif
