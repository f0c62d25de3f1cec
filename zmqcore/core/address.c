/*  tcp and ipc endpoint addresses; see address.h. */
#include "zmqcore/address.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

int zc_address_split(const char *endpoint, const char **rest)
{
    const char *sep = strstr(endpoint, "://");
    if (!sep) {
        errno = EINVAL;
        return -1;
    }
    size_t n = (size_t) (sep - endpoint);
    *rest = sep + 3;
    int transport;
    if (n == 6 && memcmp(endpoint, "inproc", 6) == 0)
        transport = ZC_TRANSPORT_INPROC;
    else if (n == 3 && memcmp(endpoint, "tcp", 3) == 0)
        transport = ZC_TRANSPORT_TCP;
    else if (n == 3 && memcmp(endpoint, "ipc", 3) == 0)
        transport = ZC_TRANSPORT_IPC;
    else {
        errno = EPROTONOSUPPORT;
        return -1;
    }
    if (**rest == '\0') {
        errno = EINVAL;
        return -1;
    }
    return transport;
}

/*  Parses a decimal port, "*" or "0" (any).  -1 on garbage. */
static int parse_port(const char *s, int *any)
{
    *any = 0;
    if (strcmp(s, "*") == 0 || strcmp(s, "0") == 0) {
        *any = 1;
        return 0;
    }
    if (!*s)
        return -1;
    long v = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9')
            return -1;
        v = v * 10 + (*p - '0');
        if (v > 65535)
            return -1;
    }
    return v == 0 ? -1 : (int) v;
}

static void set_port(struct sockaddr_storage *ss, int port)
{
    if (ss->ss_family == AF_INET)
        ((struct sockaddr_in *) ss)->sin_port = htons((uint16_t) port);
    else if (ss->ss_family == AF_INET6)
        ((struct sockaddr_in6 *) ss)->sin6_port = htons((uint16_t) port);
}

/*  The address of a network interface by name ("lo", "eth0"), as libzmq
    accepts for bind.  0, or -1. */
static int interface_address(const char *name, int ipv6, struct sockaddr_storage *ss,
                             socklen_t *len)
{
    struct ifaddrs *ifa = NULL;
    if (getifaddrs(&ifa) < 0)
        return -1;
    int found = -1;
    for (struct ifaddrs *i = ifa; i && found < 0; i = i->ifa_next) {
        if (!i->ifa_addr || strcmp(i->ifa_name, name) != 0)
            continue;
        int fam = i->ifa_addr->sa_family;
        if (fam == AF_INET || (ipv6 && fam == AF_INET6)) {
            *len = fam == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
            memset(ss, 0, sizeof *ss);
            memcpy(ss, i->ifa_addr, *len);
            found = 0;
        }
    }
    freeifaddrs(ifa);
    return found;
}

/*  Resolves "host:port" (host may be "[v6]" or "*") into *ss. */
static int resolve_host_port(const char *text, int is_bind, int ipv6,
                             struct sockaddr_storage *ss, socklen_t *len, int *any_port)
{
    const char *colon = strrchr(text, ':');
    if (!colon) {
        errno = EINVAL;
        return -1;
    }
    if (colon == text) {
        errno = is_bind ? ENODEV : EINVAL;  /*  no host: libzmq's answers */
        return -1;
    }
    size_t hostlen = (size_t) (colon - text);
    char host[256];
    if (hostlen >= sizeof host) {
        errno = EINVAL;
        return -1;
    }
    memcpy(host, text, hostlen);
    host[hostlen] = '\0';
    int port = parse_port(colon + 1, any_port);
    if (port < 0) {
        errno = EINVAL;
        return -1;
    }
    if (!is_bind && *any_port) {
        errno = EINVAL;     /*  cannot connect to "any port" */
        return -1;
    }
    /*  "[::1]" -> "::1" */
    char *h = host;
    if (host[0] == '[') {
        size_t hl = strlen(host);
        if (hl < 2 || host[hl - 1] != ']') {
            errno = EINVAL;
            return -1;
        }
        host[hl - 1] = '\0';
        h = host + 1;
    }
    memset(ss, 0, sizeof *ss);
    if (strcmp(h, "*") == 0) {
        if (!is_bind) {
            errno = EINVAL;
            return -1;
        }
        if (ipv6) {
            struct sockaddr_in6 *s6 = (struct sockaddr_in6 *) ss;
            s6->sin6_family = AF_INET6;
            s6->sin6_addr = in6addr_any;
            s6->sin6_port = htons((uint16_t) port);
            *len = sizeof *s6;
        } else {
            struct sockaddr_in *s4 = (struct sockaddr_in *) ss;
            s4->sin_family = AF_INET;
            s4->sin_addr.s_addr = htonl(INADDR_ANY);
            s4->sin_port = htons((uint16_t) port);
            *len = sizeof *s4;
        }
        return 0;
    }
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = ipv6 ? AF_UNSPEC : AF_INET;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = is_bind ? AI_PASSIVE : 0;
    int rc = getaddrinfo(h, NULL, &hints, &res);
    if ((rc != 0 || !res) && is_bind && interface_address(h, ipv6, ss, len) == 0) {
        set_port(ss, port);
        return 0;
    }
    if (rc != 0 || !res) {
        /*  A bind to a name that is neither a host nor an interface of
            ours: ENODEV, as libzmq.  For connect, EHOSTUNREACH tells the
            caller to try again later (names may resolve later). */
        errno = is_bind ? ENODEV : EHOSTUNREACH;
        return -1;
    }
    /*  Prefer IPv4 unless only IPv6 is there (libzmq does the same unless
        IPV6 is set, when it takes what the resolver gives first). */
    struct addrinfo *pick = res;
    if (ipv6) {
        pick = res;
    } else {
        for (struct addrinfo *ai = res; ai; ai = ai->ai_next)
            if (ai->ai_family == AF_INET) {
                pick = ai;
                break;
            }
    }
    if ((size_t) pick->ai_addrlen > sizeof *ss) {
        freeaddrinfo(res);
        errno = EINVAL;
        return -1;
    }
    memcpy(ss, pick->ai_addr, pick->ai_addrlen);
    *len = (socklen_t) pick->ai_addrlen;
    freeaddrinfo(res);
    set_port(ss, port);
    return 0;
}

int zc_address_resolve_tcp(zc_address_t *a, const char *text, int is_bind, int ipv6)
{
    memset(a, 0, sizeof *a);
    a->transport = ZC_TRANSPORT_TCP;
    const char *semi = strchr(text, ';');
    if (semi && !is_bind) {
        char src[300];
        size_t n = (size_t) (semi - text);
        if (n >= sizeof src) {
            errno = EINVAL;
            return -1;
        }
        memcpy(src, text, n);
        src[n] = '\0';
        int any;
        /*  A source "host:0" / "host:*" lets the kernel pick the port. */
        if (resolve_host_port(src, 1, ipv6, &a->source, &a->sourcelen, &any) < 0)
            return -1;
        text = semi + 1;
    }
    return resolve_host_port(text, is_bind, ipv6, &a->addr, &a->addrlen, &a->any_port);
}

int zc_address_resolve_ipc(zc_address_t *a, const char *text)
{
    memset(a, 0, sizeof *a);
    a->transport = ZC_TRANSPORT_IPC;
    struct sockaddr_un *un = (struct sockaddr_un *) &a->addr;
    un->sun_family = AF_UNIX;
    size_t n = strlen(text);
    if (n == 0) {
        errno = EINVAL;
        return -1;
    }
    char wild[64];
    if (strcmp(text, "*") == 0) {
        /*  A "*" path: a fresh private directory, as libzmq. */
        const char *tmp = getenv("TMPDIR");
        snprintf(wild, sizeof wild, "%s/tmpXXXXXX", tmp && strlen(tmp) < 40 ? tmp : "/tmp");
        if (!mkdtemp(wild)) {
            return -1;
        }
        strcat(wild, "/socket");
        text = wild;
        n = strlen(text);
    }
    if (n >= sizeof un->sun_path) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(un->sun_path, text, n);
    if (text[0] == '@') {
        /*  Abstract namespace: leading NUL, no terminator counted. */
        un->sun_path[0] = '\0';
        a->addrlen = (socklen_t) (offsetof(struct sockaddr_un, sun_path) + n);
    } else {
        un->sun_path[n] = '\0';
        a->addrlen = (socklen_t) (offsetof(struct sockaddr_un, sun_path) + n + 1);
    }
    return 0;
}

size_t zc_address_format(const struct sockaddr *sa, socklen_t len, int transport,
                         char *out, size_t cap)
{
    char host[INET6_ADDRSTRLEN];
    int n = 0;
    if (transport == ZC_TRANSPORT_TCP && sa->sa_family == AF_INET) {
        const struct sockaddr_in *s4 = (const struct sockaddr_in *) sa;
        inet_ntop(AF_INET, &s4->sin_addr, host, sizeof host);
        n = snprintf(out, cap, "tcp://%s:%u", host, (unsigned) ntohs(s4->sin_port));
    } else if (transport == ZC_TRANSPORT_TCP && sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *) sa;
        inet_ntop(AF_INET6, &s6->sin6_addr, host, sizeof host);
        n = snprintf(out, cap, "tcp://[%s]:%u", host, (unsigned) ntohs(s6->sin6_port));
    } else if (transport == ZC_TRANSPORT_IPC && sa->sa_family == AF_UNIX) {
        const struct sockaddr_un *un = (const struct sockaddr_un *) sa;
        size_t plen = len > offsetof(struct sockaddr_un, sun_path)
                          ? len - offsetof(struct sockaddr_un, sun_path) : 0;
        if (plen > 0 && un->sun_path[0] == '\0')
            n = snprintf(out, cap, "ipc://@%.*s", (int) (plen - 1), un->sun_path + 1);
        else
            n = snprintf(out, cap, "ipc://%s", un->sun_path);
    } else if (cap) {
        out[0] = '\0';
    }
    return n < 0 ? 0 : (size_t) n;
}
