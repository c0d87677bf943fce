"""Uncertain inputs of a product system and their seeded, chunk-independent sampling.

An input is one of:

- a **parameter** of the inventory with an ``uncertainty`` (bounds are quantities whose dimension
  must match the parameter's value; values are kept as SI base-unit magnitudes);
- a **battery-chemistry constant** (``chem_<id>_<field>`` built-in parameter) whose background
  ``uncertainty`` is a multiplier of the constant (median or mean 1);
- a **background or inventory record** whose ``uncertainty`` multiplies all its direct emissions
  (lognormal: median 1; normal: mean 1; uniform/triangular: bounds are multipliers);
- a **supply choice** (``use.electricity.uncertainty``, discrete): the charging grid is one of
  several records with given weights (a mixture over supply records).

Sampling is reproducible bit for bit: sample ``i`` depends only on the seed, ``i`` and the
input's key, never on the chunk size or on where the chunk runs. Samples are drawn in fixed
blocks of :data:`BLOCK` samples; each (block, input) pair has its own PCG64 stream derived from
``SeedSequence(seed, spawn_key=(block, hash(key)))`` (a block's seeds are computed together,
word for word the same, by :mod:`lca.calc.seeds`). Normal and lognormal inputs take standard
normals by the Box-Muller transform in single precision
(:func:`lca.calc.uncertain.standard_normals`). Because the stream belongs to the input's
key, two systems that share an input (paired comparisons) draw the same numbers for it
(common random numbers).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from lca.calc.seeds import generator, pcg64_seeds
from lca.calc.uncertain import (
    NORMAL_KINDS,
    NORMAL_LIMIT,
    UncertainInput,
    box_muller,
    multiplier_params,
    uncertain_inputs,
)

__all__ = ["UncertainInput", "multiplier_params", "uncertain_inputs"]

#: the seed of every sampling command when --seed is not given (vlca uncertainty, sensitivity,
#: report): the same seed and number of samples give the same samples, bit for bit
DEFAULT_SEED = 0
#: samples per random-number block (an implementation constant: chunks are whole blocks)
BLOCK = 1 << 14
#: Morris and other unit-hypercube designs put their extreme levels at these quantiles, because
#: the 0 and 1 quantiles of a normal or lognormal distribution are infinite
DESIGN_QUANTILES = (0.01, 0.99)


#: normal and lognormal inputs transformed together (Box-Muller) in draw_block: a group's
#: arrays (8 x 64 KB each) stay in the processor's cache, and numpy is called a few times a
#: block rather than once per input. Measured on one core of the 2-core VM, 524,288 samples of
#: the reference BEV, interleaved: 0.179-0.184 s against 0.191-0.198 s with all 44 at once;
#: groups of 4 and 16 were no better
NORMAL_GROUP = 8

#: how the samples are drawn, as result files state it
SAMPLING = (
    f"numpy PCG64; stream per (block of {BLOCK} samples, input key) from SeedSequence(seed): "
    "sample i depends only on the seed, i and the input; standard normals by the Box-Muller "
    f"transform of single-precision uniforms (|z| <= {NORMAL_LIMIT:.2f})"
)


def block_generator(seed: int, block: int, inp: UncertainInput) -> np.random.Generator:
    """The PCG64 generator of one (block, input) pair."""
    ss = np.random.SeedSequence(entropy=seed, spawn_key=(block, inp.stream))
    return np.random.Generator(np.random.PCG64(ss))


def draw(inputs: Sequence[UncertainInput], seed: int, start: int, stop: int) -> np.ndarray:
    """Samples ``start`` to ``stop`` (exclusive) of every input: an (n x inputs) array.

    Sample ``i`` is the same whatever ``start`` and ``stop`` are (it depends only on ``seed``,
    ``i`` and the input's key).
    """
    n = stop - start
    out = np.empty((n, len(inputs)), dtype=np.float64, order="F")
    if n <= 0:
        return out
    first, last = start // BLOCK, (stop - 1) // BLOCK
    for b in range(first, last + 1):
        lo = max(start, b * BLOCK)
        hi = min(stop, (b + 1) * BLOCK)
        out[lo - start : hi - start, :] = draw_block(inputs, seed, b)[
            lo - b * BLOCK : hi - b * BLOCK
        ]
    return out


def draw_block(inputs: Sequence[UncertainInput], seed: int, block: int) -> np.ndarray:
    """The :data:`BLOCK` samples of one block (BLOCK x inputs), each column equal bit for bit
    to ``inputs[j].draw(block_generator(seed, block, inputs[j]), BLOCK)``.

    The normal and lognormal columns go through the Box-Muller transform in groups of
    :data:`NORMAL_GROUP` (each row's numbers depend only on its own uniforms).
    """
    out = np.empty((BLOCK, len(inputs)), dtype=np.float64, order="F")
    # the generators of block_generator, seeded in one go (lca.calc.seeds)
    words = pcg64_seeds(seed, (block,), [inp.stream for inp in inputs])
    normal = [j for j, inp in enumerate(inputs) if inp.kind in NORMAL_KINDS]
    for lo in range(0, len(normal), NORMAL_GROUP):
        group = normal[lo : lo + NORMAL_GROUP]
        u = np.empty((len(group), BLOCK), dtype=np.float32)
        for row, j in enumerate(group):
            generator(words[j]).random(out=u[row], dtype=np.float32)
        z = box_muller(u)
        for row, j in enumerate(group):
            out[:, j] = inputs[j].from_standard_normal(z[row])
    for j, inp in enumerate(inputs):
        if inp.kind not in NORMAL_KINDS:
            out[:, j] = inp.draw(generator(words[j]), BLOCK)
    return out


def deterministic_row(inputs: Sequence[UncertainInput]) -> np.ndarray:
    """The inputs at their deterministic values (a 1 x inputs array)."""
    return np.array([[inp.deterministic for inp in inputs]], dtype=np.float64)


def from_unit_hypercube(
    inputs: Sequence[UncertainInput],
    u: np.ndarray,
    quantiles: tuple[float, float] | None = None,
) -> np.ndarray:
    """Map a design on [0, 1]^d (Sobol, Morris) to input values through each quantile function.

    With ``quantiles`` (for example :data:`DESIGN_QUANTILES`, for Morris grids that include 0
    and 1) the design is rescaled to that probability range; without, points are only kept off
    exactly 0 and 1 (whose normal quantiles are infinite).
    """
    u = np.asarray(u, dtype=np.float64)
    if quantiles is not None:
        lo, hi = quantiles
        u = lo + (hi - lo) * u
    else:
        tiny = np.finfo(np.float64).eps
        u = np.clip(u, tiny, 1.0 - tiny)
    u = np.asfortranarray(u)
    out = np.empty(u.shape, dtype=np.float64, order="F")

    def column(j: int) -> None:
        out[:, j] = inputs[j].ppf(u[:, j])

    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor() as pool:
        list(pool.map(column, range(len(inputs))))
    return out
