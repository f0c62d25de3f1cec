/*  Thin names over C11 atomics so that the memory order of every shared
    access is spelled out where it happens. */
#ifndef ZMQCORE_ATOMIC_H
#define ZMQCORE_ATOMIC_H

#include <stdatomic.h>
#include <stdint.h>

#define zc_load_acquire(p) atomic_load_explicit((p), memory_order_acquire)
#define zc_load_relaxed(p) atomic_load_explicit((p), memory_order_relaxed)
#define zc_store_release(p, v) atomic_store_explicit((p), (v), memory_order_release)
#define zc_store_relaxed(p, v) atomic_store_explicit((p), (v), memory_order_relaxed)

#if defined(__GNUC__)
#define ZC_LIKELY(x) __builtin_expect(!!(x), 1)
#define ZC_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define ZC_EXPORT __attribute__((visibility("default")))
#else
#define ZC_LIKELY(x) (x)
#define ZC_UNLIKELY(x) (x)
#define ZC_EXPORT
#endif

#endif
