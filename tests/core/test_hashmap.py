"""The pointer hash map behind pipe and routing-id lookups (include/zmqcore/hashmap.h),
through zmqcore._testing, checked against a Python dict.

Tiny hash spaces force long collision clusters, removals in the middle of a
cluster (the backward shift) and clusters that wrap around the end of the table.
"""

import random

import pytest

t = pytest.importorskip("zmqcore._testing")


def test_empty_map_finds_nothing():
    m = t.HashMap()
    assert m.n == 0 and m.get(1, 1) is None
    m.delete(1, 1)                 # absent: nothing happens
    assert m.n == 0


def test_put_get_replace_delete():
    m = t.HashMap()
    m.put(5, 123)
    assert m.get(5, 123) == 6 and m.n == 1
    assert m.get(5, 124) is None   # another hash: another place
    assert m.get(6, 123) is None
    m.put(5, 123, value=77)        # same key: replaced
    assert m.get(5, 123) == 77 and m.n == 1
    m.delete(5, 123)
    assert m.get(5, 123) is None and m.n == 0


@pytest.mark.parametrize("hash_space", [1, 3, 16, 1 << 64])
@pytest.mark.parametrize("seed", range(6))
def test_random_operations_match_a_model(hash_space, seed):
    rng = random.Random(seed * 1000 + hash_space % 997)
    m = t.HashMap()
    model = {}                     # key -> hash
    for step in range(3000):
        k = rng.randrange(300)
        op = rng.random()
        if k not in model and op < 0.55:
            hv = rng.randrange(hash_space) if hash_space > 16 else (k * 7 + 3) % hash_space
            m.put(k, hv)
            model[k] = hv
        elif k in model and op < 0.9:
            m.delete(k, model.pop(k))
        else:
            hv = model.get(k, rng.randrange(min(hash_space, 1 << 32)))
            assert m.get(k, hv) == (k + 1 if k in model else None), (step, k)
        assert m.n == len(model)
        assert m.cap == 0 or m.n * 2 <= m.cap
    for k in range(300):
        if k in model:
            assert m.get(k, model[k]) == k + 1, k
    for k, hv in list(model.items()):
        m.delete(k, hv)
    assert m.n == 0


def test_wrap_around_cluster_survives_removals():
    """Hashes at the end of the table make a cluster that wraps to slot 0;
    removing its head must shift the wrapped entries back correctly."""
    m = t.HashMap()
    for k in range(7):
        m.put(k, 15 - (k % 2))     # homes 15 and 14 in a 16-slot table
    assert m.cap == 16
    for k in (0, 1, 2):
        m.delete(k, 15 - (k % 2))
        for j in range(k + 1, 7):
            assert m.get(j, 15 - (j % 2)) == j + 1, (k, j)


def test_match_function_picks_by_probe():
    m = t.HashMap()
    m.put(2, 9)
    m.put(3, 9)
    assert m.get_parity(4, 9) == 3
    assert m.get_parity(5, 9) == 4
    assert m.get_parity(5, 10) is None


def test_grows_and_keeps_everything():
    m = t.HashMap()
    for k in range(5000):
        m.put(k, k * 2654435761 % (1 << 64))
    assert m.n == 5000 and m.cap >= 10000
    assert all(m.get(k, k * 2654435761 % (1 << 64)) == k + 1 for k in range(5000))


def test_hash_bytes_is_fnv1a():
    assert t.hash_bytes(b"") == 14695981039346656037
    assert t.hash_bytes(b"a") == 0xAF63DC4C8601EC8C
