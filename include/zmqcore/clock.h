/*  Monotonic time in milliseconds, for timeouts and timers. */
#ifndef ZMQCORE_CLOCK_H
#define ZMQCORE_CLOCK_H

#include <limits.h>
#include <stdint.h>
#include <time.h>

static inline int64_t zc_clock_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static inline int64_t zc_clock_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/*  Milliseconds from now until `deadline` (a zc_clock_ms() value), as a
    poll() timeout: 0 once it has passed, at most INT_MAX. */
static inline int zc_ms_until(int64_t deadline)
{
    int64_t left = deadline - zc_clock_ms();
    if (left <= 0)
        return 0;
    return left > INT_MAX ? INT_MAX : (int) left;
}

#endif
