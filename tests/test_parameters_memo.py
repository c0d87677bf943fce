"""Parameter sets are remembered across a run's alternatives: the same texts give the same
set, values evaluated once; other texts, and texts that fail, are evaluated afresh."""

from __future__ import annotations

import pytest

from lca.errors import InputError
from lca.model.parameters import build_parameters


def _err(msg, kp):  # noqa: ANN001, ANN202
    return InputError(f"{'.'.join(map(str, kp))}: {msg}")


def test_the_same_texts_give_the_same_set_and_values():
    texts = {
        "dist": ("150000 km", ("parameters", "dist")),
        "twice": ("2 * dist", ("parameters", "twice")),
    }
    a = build_parameters(texts, _err)
    b = build_parameters(dict(texts), _err)
    assert a is b
    va, vb = a.evaluate(), b.evaluate()
    assert va is not vb and va == vb  # a fresh dict each time
    assert va["twice"].to("km").magnitude == 300000.0
    fixed = a.evaluate({"dist": va["dist"] * 2})  # fixed values are still evaluated through
    assert fixed["twice"].to("km").magnitude == 600000.0


def test_other_texts_or_key_paths_are_another_set():
    base = {"dist": ("150000 km", ("parameters", "dist"))}
    a = build_parameters(base, _err)
    assert build_parameters({"dist": ("150001 km", ("parameters", "dist"))}, _err) is not a
    assert build_parameters({"dist": ("150000 km", ("parameters", "x"))}, _err) is not a
    assert build_parameters({"dist": (150000, ("parameters", "dist"))}, _err) is not a


def test_a_failing_set_fails_every_time():
    bad = {"dist": ("1 km + 1 kg", ("parameters", "dist"))}
    for _ in range(2):
        with pytest.raises(InputError, match="parameters.dist"):
            build_parameters(bad, _err)


def test_scalar_evaluations_are_remembered_by_text_and_values():
    from lca.model.expressions import parse_expression
    from lca.model.units import registry

    q = registry().Quantity
    expr = parse_expression("2 * dist + 3 km")
    first = expr.evaluate({"dist": q(5.0, "km")})
    assert expr.evaluate({"dist": q(5.0, "km")}) is first  # the same evaluation, remembered
    assert expr.evaluate({"dist": q(5.0, "m")}).to("km").magnitude == pytest.approx(3.01)
    assert expr.evaluate({"dist": q(6.0, "km")}).to("km").magnitude == 15.0
    # a parameter the expression does not use does not matter
    assert expr.evaluate({"dist": q(5.0, "km"), "other": q(1.0, "kg")}) is first


def test_the_sign_of_zero_and_arrays_are_not_mixed_up():
    import math

    import numpy as np

    from lca.model.expressions import parse_expression
    from lca.model.units import registry

    q = registry().Quantity
    expr = parse_expression("x * 2")
    assert math.copysign(1.0, expr.evaluate({"x": q(0.0, "kg")}).magnitude) == 1.0
    assert math.copysign(1.0, expr.evaluate({"x": q(-0.0, "kg")}).magnitude) == -1.0
    arr = expr.evaluate({"x": q(np.array([1.0, 2.0]), "kg")})
    assert list(arr.magnitude) == [2.0, 4.0]
    assert list(expr.evaluate({"x": q(np.array([3.0, 4.0]), "kg")}).magnitude) == [6.0, 8.0]


def test_a_failing_evaluation_fails_every_time():
    from lca.model.expressions import parse_expression
    from lca.model.units import registry

    q = registry().Quantity
    expr = parse_expression("x + 1 kg")
    for _ in range(2):
        with pytest.raises(InputError, match="cannot add or subtract"):
            expr.evaluate({"x": q(1.0, "km")})
