"""lca.calc.seeds gives the PCG64 seeds of numpy's SeedSequence, word for word."""

from __future__ import annotations

import random

import numpy as np
import pytest

from lca.calc.seeds import generator, int_words, pcg64_seeds

SEEDS = [0, 1, 7, 2**32 - 1, 2**32, 2**64 + 5, 2**128 - 1, 2**128, 2**200 + 3]
PREFIXES = [(), (0,), (1,), (2**32 - 1,), (2**32,), (7, 2**40)]


def _lasts() -> list[int]:
    rng = random.Random(3)
    return [0, 1, 2**32 - 1, 2**32, 2**63 - 1, 2**64 + 1] + [
        rng.randrange(0, 2**63) for _ in range(40)
    ] + [rng.randrange(0, 2**31) for _ in range(10)]


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("prefix", PREFIXES)
def test_seeds_equal_seed_sequence(seed, prefix):
    lasts = _lasts()
    got = pcg64_seeds(seed, prefix, lasts)
    assert got.dtype == np.uint64 and got.shape == (len(lasts), 4)
    for last, words in zip(lasts, got, strict=True):
        ss = np.random.SeedSequence(entropy=seed, spawn_key=(*prefix, last))
        assert np.array_equal(words, ss.generate_state(4, np.uint64)), (seed, prefix, last)


def test_generator_draws_the_seed_sequence_stream():
    ss = np.random.SeedSequence(entropy=5, spawn_key=(9, 2**62 + 11))
    expected = np.random.Generator(np.random.PCG64(ss))
    got = generator(pcg64_seeds(5, (9,), [2**62 + 11])[0])
    assert np.array_equal(got.random(1000, dtype=np.float32), expected.random(1000, np.float32))
    assert np.array_equal(got.random(1000), expected.random(1000))


def test_int_words_and_negative_keys():
    assert int_words(0) == [0]
    assert int_words(2**32 + 3) == [3, 1]
    with pytest.raises(ValueError):
        pcg64_seeds(0, (1,), [-1])
