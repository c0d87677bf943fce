"""Property-based fuzzing (issue 8, item 7): mutated reference inventories, scenarios and
background files either compute or fail with our InputError naming the file; never another
exception. Seeded (derandomized), so a failure reproduces. The 100,000-case run is
tests/fuzz/run_fuzz.py."""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzz.mutate import Chooser, make_case, make_case_with, run_case, unlocated, warm_up


class DrawChooser(Chooser):
    """The mutator's choices drawn by hypothesis (so failing cases shrink)."""

    def __init__(self, data: st.DataObject) -> None:
        super().__init__(random.Random(0))
        self.data = data

    def integer(self, lo: int, hi: int) -> int:
        return self.data.draw(st.integers(lo, hi))


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    warm_up()
    return tmp_path_factory.mktemp("fuzz")


FUZZ = settings(
    max_examples=250,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.function_scoped_fixture],
)


def check(case, folder) -> None:
    outcome, error = run_case(case, folder)
    assert outcome in ("clean", "success")
    if error is not None:
        assert not unlocated(error), unlocated(error)


@FUZZ
@given(data=st.data())
def test_mutated_inputs_compute_or_fail_cleanly(folder, data):
    check(make_case_with(DrawChooser(data)), folder)


@pytest.mark.slow
@pytest.mark.parametrize("start", [0, 1000])
def test_fuzz_seeds(folder, start):
    # the first cases of tests/fuzz/run_fuzz.py, in process
    for seed in range(start, start + 1000):
        check(make_case(seed), folder)
