# The pointer hash set (hashset.h), included from _testing.pyx, for
# tests/core/test_hashset.py.  Elements are fake addresses made from
# integers (the set never dereferences them); the test picks the hashes,
# so it can force collisions, clusters and wrap-around.
#
# Private names start with _hs.

from libc.stdint cimport uint64_t as _hs_u64, uintptr_t as _hs_uptr


cdef extern from "zmqcore/hashset.h" nogil:
    ctypedef struct _hs_set "zc_hashset_t":
        size_t cap
        size_t n
    ctypedef int (*_hs_match "zc_hashset_match_fn")(const void *elem, const void *key)
    void _hs_init "zc_hashset_init" (_hs_set *h)
    void _hs_fini "zc_hashset_fini" (_hs_set *h)
    int _hs_insert "zc_hashset_insert" (_hs_set *h, void *elem, _hs_u64 hash)
    void _hs_remove "zc_hashset_remove" (_hs_set *h, const void *elem, _hs_u64 hash)
    void *_hs_find "zc_hashset_find" (const _hs_set *h, _hs_u64 hash, _hs_match match,
                                      const void *key)
    _hs_u64 _hs_hash_bytes "zc_hash_bytes" (const void *data, size_t len)


cdef int _hs_same_parity(const void *elem, const void *key) noexcept nogil:
    return ((<_hs_uptr> elem) >> 4) % 2 == ((<_hs_uptr> key) >> 4) % 2


cdef class HashSet:
    """zc_hashset_t over fake elements: element k is the address 16*k+16."""
    cdef _hs_set h

    def __cinit__(self):
        _hs_init(&self.h)

    def __dealloc__(self):
        _hs_fini(&self.h)

    @staticmethod
    cdef void *_elem(k):
        return <void *> <_hs_uptr> (16 * k + 16)

    def insert(self, k, hash):
        if _hs_insert(&self.h, HashSet._elem(k), hash) < 0:
            raise MemoryError()

    def remove(self, k, hash):
        _hs_remove(&self.h, HashSet._elem(k), hash)

    def find(self, k, hash):
        """True if element k is in under this hash (looked up by address)."""
        return _hs_find(&self.h, hash, NULL, HashSet._elem(k)) != NULL

    def find_parity(self, k, hash):
        """The element found under hash by a match function (same parity as
        k), as its integer, or None."""
        cdef void *e = _hs_find(&self.h, hash, _hs_same_parity, HashSet._elem(k))
        if e == NULL:
            return None
        return (<_hs_uptr> e - 16) // 16

    @property
    def n(self):
        return self.h.n

    @property
    def cap(self):
        return self.h.cap


def hash_bytes(bytes data):
    return _hs_hash_bytes(<const char *> data, len(data))
