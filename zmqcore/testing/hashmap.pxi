# The pointer hash map (hashmap.h), included from _testing.pyx, for
# tests/core/test_hashmap.py.  Keys are fake addresses made from integers
# (the map never dereferences them), values the integers themselves; the
# test picks the hashes, so it can force collisions, clusters and
# wrap-around.
#
# Private names start with _hm.

from libc.stdint cimport uint64_t as _hm_u64, uintptr_t as _hm_uptr


cdef extern from "zmqcore/hashmap.h" nogil:
    ctypedef struct _hm_map "zc_hashmap_t":
        size_t cap
        size_t n
    ctypedef int (*_hm_match "zc_hashmap_match_fn")(const void *key, const void *probe)
    void _hm_init "zc_hashmap_init" (_hm_map *m)
    void _hm_fini "zc_hashmap_fini" (_hm_map *m)
    int _hm_put "zc_hashmap_put" (_hm_map *m, const void *key, void *value, _hm_u64 hash)
    void _hm_del "zc_hashmap_del" (_hm_map *m, const void *key, _hm_u64 hash)
    void *_hm_get "zc_hashmap_get" (const _hm_map *m, _hm_u64 hash, _hm_match match,
                                    const void *probe)
    _hm_u64 _hm_hash_bytes "zc_hash_bytes" (const void *data, size_t len)


cdef int _hm_same_parity(const void *key, const void *probe) noexcept nogil:
    return ((<_hm_uptr> key) >> 4) % 2 == ((<_hm_uptr> probe) >> 4) % 2


cdef inline void *_hm_key(k):
    return <void *> <_hm_uptr> (16 * k + 16)


cdef class HashMap:
    """zc_hashmap_t: key k is the address 16*k+16, its value k+1 (so that no
    value is NULL)."""
    cdef _hm_map m

    def __cinit__(self):
        _hm_init(&self.m)

    def __dealloc__(self):
        _hm_fini(&self.m)

    def put(self, k, hash, value=None):
        v = k + 1 if value is None else value
        if _hm_put(&self.m, _hm_key(k), <void *> <_hm_uptr> v, hash) < 0:
            raise MemoryError()

    def delete(self, k, hash):
        _hm_del(&self.m, _hm_key(k), hash)

    def get(self, k, hash):
        """The value of key k under this hash (looked up by address), or None."""
        cdef void *v = _hm_get(&self.m, hash, NULL, _hm_key(k))
        return None if v == NULL else <_hm_uptr> v

    def get_parity(self, k, hash):
        """The value found under hash by a match function (a key of the same
        parity as k), or None."""
        cdef void *v = _hm_get(&self.m, hash, _hm_same_parity, _hm_key(k))
        return None if v == NULL else <_hm_uptr> v

    @property
    def n(self):
        return self.m.n

    @property
    def cap(self):
        return self.m.cap


def hash_bytes(bytes data):
    return _hm_hash_bytes(<const char *> data, len(data))
