"""The PCG64 seeds numpy's ``SeedSequence(entropy=seed, spawn_key=key)`` gives, for many spawn
keys at once.

Monte Carlo gives every (block of samples, input) pair its own stream (:mod:`lca.calc.sampling`);
creating a ``SeedSequence`` and seeding ``PCG64`` from it costs about 10 microseconds in Python,
which is 8 % of the engine's time at 52 inputs. This module runs the same algorithm (numpy's
``bit_generator.pyx``: ``mix_entropy`` then ``generate_state(4, uint64)``, whose output numpy
keeps stable across versions for reproducibility) as array operations over all the keys of a
block; ``PCG64`` is then seeded from the words directly. ``tests/test_seeds.py`` compares the
states with ``SeedSequence`` itself on random and edge-case seeds and keys.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

_INIT_A = 0x43B0D7E5
_MULT_A = 0x931E8875
_INIT_B = 0x8B51F9DD
_MULT_B = 0x58F38DED
_MIX_MULT_L = np.uint32(0xCA01F9DD)
_MIX_MULT_R = np.uint32(0x4973F715)
_XSHIFT = np.uint32(16)
_MASK = 0xFFFFFFFF
POOL_SIZE = 4  # numpy's DEFAULT_POOL_SIZE


def int_words(n: int) -> list[int]:
    """The 32-bit words of a non-negative int, least significant first; ``[0]`` for 0 (as
    numpy's ``_int_to_uint32_array``)."""
    if n < 0:
        raise ValueError("seeds and spawn keys are non-negative")
    words = [n & _MASK] if n == 0 else []
    while n > 0:
        words.append(n & _MASK)
        n >>= 32
    return words


def _hashmix(value, h: list[int]):  # noqa: ANN001, ANN202 - an int or a uint32 array
    """numpy's ``hashmix``: ``h`` is the running hash constant [value, multiplier]."""
    value = value ^ (h[0] if isinstance(value, int) else np.uint32(h[0]))
    h[0] = (h[0] * h[1]) & _MASK
    if isinstance(value, int):
        value = (value * h[0]) & _MASK
        return value ^ (value >> 16)
    value = value * np.uint32(h[0])
    return value ^ (value >> _XSHIFT)


def _mix(x, y):  # noqa: ANN001, ANN202 - ints or uint32 arrays
    if isinstance(x, int) and isinstance(y, int):
        result = (int(_MIX_MULT_L) * x - int(_MIX_MULT_R) * y) & _MASK
        return result ^ (result >> 16)
    result = _MIX_MULT_L * x - _MIX_MULT_R * y
    return result ^ (result >> _XSHIFT)


def pcg64_seeds(seed: int, key: Sequence[int], last: Sequence[int]) -> np.ndarray:
    """``SeedSequence(entropy=seed, spawn_key=(*key, l)).generate_state(4, np.uint64)`` for
    every ``l`` of ``last`` (all non-negative ints): a (len(last) x 4) uint64 array. The
    common part (seed and ``key``) is mixed once, on Python ints; the last key element as
    arrays, grouped by its number of 32-bit words."""
    run = int_words(seed)
    run += [0] * (POOL_SIZE - len(run))  # a spawn key is never empty here
    prefix = run + [w for part in key for w in int_words(part)]
    h = [_INIT_A, _MULT_A]
    pool: list = [_hashmix(prefix[i], h) for i in range(POOL_SIZE)]
    for src in range(POOL_SIZE):
        for dst in range(POOL_SIZE):
            if src != dst:
                pool[dst] = _mix(pool[dst], _hashmix(pool[src], h))
    for w in prefix[POOL_SIZE:]:
        for dst in range(POOL_SIZE):
            pool[dst] = _mix(pool[dst], _hashmix(w, h))
    words = [int_words(v) for v in last]
    out = np.empty((len(last), 4), dtype=np.uint64)
    by_length: dict[int, list[int]] = {}
    for i, w in enumerate(words):
        by_length.setdefault(len(w), []).append(i)
    for length, rows in by_length.items():
        suffix = np.array([words[i] for i in rows], dtype=np.uint32)
        hh = list(h)
        vec = [np.full(len(rows), p, dtype=np.uint32) for p in pool]
        for k in range(length):
            for dst in range(POOL_SIZE):
                vec[dst] = _mix(vec[dst], _hashmix(suffix[:, k], hh))
        g = [_INIT_B, _MULT_B]
        state = np.stack([_hashmix(vec[i % POOL_SIZE], g) for i in range(8)], axis=1)
        out[rows] = state.astype("<u4").view("<u8")
    return out


class _Seeded(np.random.bit_generator.ISeedSequence):
    """A seed sequence that gives ``PCG64`` precomputed words."""

    def __init__(self, words: np.ndarray) -> None:
        self.words = words

    def generate_state(self, n_words: int, dtype: type = np.uint32) -> np.ndarray:
        if n_words != 4 or np.dtype(dtype) != np.uint64:
            raise ValueError("only PCG64's 4 uint64 words are precomputed")
        return self.words


def generator(words: np.ndarray) -> np.random.Generator:
    """A ``Generator`` on ``PCG64`` seeded with one row of :func:`pcg64_seeds`."""
    return np.random.Generator(np.random.PCG64(_Seeded(words)))
