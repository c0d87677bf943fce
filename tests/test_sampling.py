"""The random draws of Monte Carlo (lca.calc.sampling, lca.calc.uncertain): Box-Muller normals in
single precision, their distribution, and the batched block equal to each input drawn alone."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lca.calc.sampling import BLOCK, block_generator, draw, draw_block
from lca.calc.uncertain import NORMAL_LIMIT, UncertainInput, standard_normals


def _normal_cdf(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.vectorize(math.erf)(x / math.sqrt(2.0)))


def test_standard_normals_have_the_normal_distribution():
    z = standard_normals(np.random.default_rng(123), 1_000_000).astype(np.float64)
    n = z.size
    assert z.dtype == np.float64 and n == 1_000_000
    # moments within 5 standard errors: mean 1/sqrt(n), variance sqrt(2/n), skew, kurtosis
    assert abs(z.mean()) < 5 / math.sqrt(n)
    assert abs(z.var() - 1.0) < 5 * math.sqrt(2 / n)
    assert abs(np.mean(z**3)) < 5 * math.sqrt(15 / n)
    assert abs(np.mean(z**4) - 3.0) < 5 * math.sqrt(96 / n)
    # Kolmogorov-Smirnov distance to the normal CDF: critical value at 1e-6 is about 2.6/sqrt(n)
    grid = np.linspace(-4, 4, 161)
    empirical = np.searchsorted(np.sort(z), grid, side="right") / n
    assert np.max(np.abs(empirical - _normal_cdf(grid))) < 2.6 / math.sqrt(n)
    # the tails hold their probability: P(z < -1.96) = 0.025 and P(|z| > 3) = 0.0027
    assert abs(np.mean(z < -1.96) - 0.0249979) < 5 * math.sqrt(0.025 / n)
    assert abs(np.mean(np.abs(z) > 3) - 0.0026998) < 5 * math.sqrt(0.0027 / n)
    assert np.max(np.abs(z)) <= NORMAL_LIMIT * (1 + 1e-6)  # to single-precision rounding


def test_normal_limit_is_the_largest_deviate_single_precision_uniforms_give():
    assert NORMAL_LIMIT == pytest.approx(5.7681, abs=1e-4)
    # 1 - u is never 0 (u < 1), so the logarithm is finite; an odd size is handled
    z = standard_normals(np.random.default_rng(0), 7)
    assert z.shape == (7,) and np.all(np.isfinite(z))


def _inputs() -> tuple[UncertainInput, ...]:
    def inp(key: str, kind: str, params: tuple[float, ...], **kw) -> UncertainInput:  # noqa: ANN003
        return UncertainInput(key, key, "parameter", key, kind, params, 1.0, **kw)

    return (
        inp("a", "lognormal", (1.0, math.log(1.2))),
        inp("b", "normal", (20.0, 1.5)),
        inp("c", "lognormal", (3.5, math.log(1.5))),
        inp("d", "triangular", (0.5, 1.0, 2.0)),
        inp("e", "uniform", (10.0, 12.0)),
        inp("f", "discrete", (0.25, 1.0), values=(1.0, 2.0)),
    )


def test_a_block_equals_each_input_drawn_alone_bit_for_bit():
    inputs = _inputs()
    block = draw_block(inputs, 7, 3)
    for j, inp in enumerate(inputs):
        alone = inp.draw(block_generator(7, 3, inp), BLOCK)
        assert np.array_equal(block[:, j], alone), inp.key
    # and a system with fewer inputs draws the same numbers for the ones it shares
    fewer = draw_block(inputs[2:5], 7, 3)
    assert np.array_equal(fewer, block[:, 2:5])
    # a partial slice across a block boundary is the same as the full blocks
    full = draw(inputs, 7, 0, 3 * BLOCK)
    assert np.array_equal(
        draw(inputs, 7, BLOCK - 5, 2 * BLOCK + 9), full[BLOCK - 5 : 2 * BLOCK + 9]
    )


def test_lognormal_and_normal_inputs_have_their_parameters():
    inputs = _inputs()
    x = draw(inputs, 1, 0, 40 * BLOCK)
    n = x.shape[0]
    log_c = np.log(x[:, 2])
    # lognormal: median 3.5, sd of the log ln 1.5
    assert abs(np.median(x[:, 2]) / 3.5 - 1) < 5 * 1.2533 * math.log(1.5) / math.sqrt(n)
    assert abs(log_c.std() / math.log(1.5) - 1) < 5 / math.sqrt(2 * n)
    # normal: mean 20, sd 1.5
    assert abs(x[:, 1].mean() - 20.0) < 5 * 1.5 / math.sqrt(n)
    assert abs(x[:, 1].std() / 1.5 - 1) < 5 / math.sqrt(2 * n)
    assert x.dtype == np.float64
