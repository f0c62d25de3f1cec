"""The pointer hash set behind a socket's pipe lookups (include/zmqcore/hashset.h),
through zmqcore._testing, checked against a Python model.

Tiny hash spaces force long collision clusters, removals in the middle of a
cluster (the backward shift) and clusters that wrap around the end of the table.
"""

import random

import pytest

t = pytest.importorskip("zmqcore._testing")


def test_empty_set_finds_nothing():
    h = t.HashSet()
    assert h.n == 0 and not h.find(1, 1)
    h.remove(1, 1)                 # absent: nothing happens
    assert h.n == 0


def test_insert_find_remove_one():
    h = t.HashSet()
    h.insert(5, 123)
    assert h.find(5, 123) and h.n == 1
    assert not h.find(5, 124)      # another hash: another place
    assert not h.find(6, 123)
    h.remove(5, 123)
    assert not h.find(5, 123) and h.n == 0


@pytest.mark.parametrize("hash_space", [1, 3, 16, 1 << 64])
@pytest.mark.parametrize("seed", range(6))
def test_random_operations_match_a_model(hash_space, seed):
    rng = random.Random(seed * 1000 + hash_space % 997)
    h = t.HashSet()
    model = {}                     # element -> hash
    for step in range(3000):
        k = rng.randrange(300)
        op = rng.random()
        if k not in model and op < 0.55:
            hv = rng.randrange(hash_space) if hash_space > 16 else (k * 7 + 3) % hash_space
            h.insert(k, hv)
            model[k] = hv
        elif k in model and op < 0.9:
            h.remove(k, model.pop(k))
        else:
            hv = model.get(k, rng.randrange(min(hash_space, 1 << 32)))
            assert h.find(k, hv) == (k in model), (step, k)
        assert h.n == len(model)
        assert h.cap == 0 or h.n * 2 <= h.cap
    # Everything still there is found; nothing removed is.
    for k in range(300):
        if k in model:
            assert h.find(k, model[k]), k
    for k, hv in list(model.items()):
        h.remove(k, hv)
    assert h.n == 0


def test_wrap_around_cluster_survives_removals():
    """Hashes near the end of the table make a cluster that wraps to slot 0;
    removing its head must shift the wrapped entries back correctly."""
    h = t.HashSet()
    for k in range(7):
        h.insert(k, 15 - (k % 2))  # homes 15 and 14 in a 16-slot table
    assert h.cap == 16
    for k in (0, 1, 2):
        h.remove(k, 15 - (k % 2))
        for j in range(k + 1, 7):
            assert h.find(j, 15 - (j % 2)), (k, j)


def test_match_function_picks_by_key():
    h = t.HashSet()
    h.insert(2, 9)
    h.insert(3, 9)
    assert h.find_parity(4, 9) == 2
    assert h.find_parity(5, 9) == 3
    assert h.find_parity(5, 10) is None


def test_grows_and_keeps_everything():
    h = t.HashSet()
    for k in range(5000):
        h.insert(k, k * 2654435761 % (1 << 64))
    assert h.n == 5000 and h.cap >= 10000
    assert all(h.find(k, k * 2654435761 % (1 << 64)) for k in range(5000))


def test_hash_bytes_is_fnv1a():
    assert t.hash_bytes(b"") == 14695981039346656037
    assert t.hash_bytes(b"a") == 0xAF63DC4C8601EC8C
