"""Hostile input (issue 8, item 3): every finite input computes or gets exit 2 naming the file,
line and key path; no OverflowError, no hang, no read of a device or a pipe."""

from __future__ import annotations

import os
import textwrap
import time

import pytest

from tests.conftest import TINY_BACKGROUND, TINY_EV
from tests.test_bad_input import check_error, run_cli, variant

UNCERTAIN = TINY_EV.parent / "tiny-ev-uncertain.yaml"
BIG = "9" * 400  # a YAML integer beyond the range of a float


def uvariant(tmp_path, old: str, new: str):
    text = UNCERTAIN.read_text()
    assert old in text, old
    p = tmp_path / "bad.yaml"
    p.write_text(text.replace(old, new, 1))
    return p


def check_uncertainty_error(tmp_path, file, *fragments):
    out = tmp_path / "mc"
    res = run_cli(
        "uncertainty", str(file), "-n", "50", "--output", str(out),
        "--background", str(TINY_BACKGROUND),
    )
    assert res.exit_code == 2, (res.exit_code, res.output, res.exception)
    assert "Traceback" not in res.output and not out.exists()
    flat = " ".join(res.stderr.split())
    for frag in fragments:
        assert frag in flat, f"{frag!r} not in {flat!r}"


@pytest.mark.parametrize(
    "old, new, where",
    [
        ("mass: 800 kg,", f"mass: {BIG},", "bad.yaml:9 at 'components[0].materials[0].mass'"),
        ("amount: 2 * 30 kg", f"amount: {BIG}", "bad.yaml:23 at 'maintenance[0].amount'"),
        ("value: 100000 km", f"value: {BIG}", "bad.yaml:4 at 'parameters.lifetime_distance.value'"),
        ("curb_mass: 1000 kg}", f"curb_mass: 1000 kg, model_year: {BIG}}}", "vehicle.model_year"),
        ("mass: 800 kg,", f"mass: 0x{'f' * 300},", "components[0].materials[0].mass"),
        ("mass: 800 kg,", f"mass: {'9' * 5000},", "components[0].materials[0].mass"),
        ("mass: 800 kg,", "mass: 1.0e+400,", "components[0].materials[0].mass"),
    ],
)
def test_integer_beyond_float_range(tmp_path, old, new, where):
    p = variant(tmp_path, old, new)
    check_error(tmp_path, p, where, "too large")


@pytest.mark.parametrize(
    "text",
    ["9**9**9 kg", "10**10**10 kg", "2**99999 kg", "2**(3**4) kg", "(2**3)**(3**3) kg"],
)
def test_power_towers_do_not_hang(tmp_path, text):
    p = variant(tmp_path, "mass: 800 kg,", f"mass: {text},")
    start = time.monotonic()
    check_error(tmp_path, p, "bad.yaml:9", "components[0].materials[0].mass", "too large")
    assert time.monotonic() - start < 10


def supplier_record(tmp_path, emissions: str = "co2_fossil: 2 kg/kg", unit: str = "kg",
                    extra: str = ""):
    text = TINY_EV.read_text().replace(
        "components:\n",
        textwrap.dedent(f"""\
        records:
          - id: steel:supplier
            name: Supplier steel
            category: material
            unit: {unit}
            emissions: {{{emissions}}}
            geography: GLO
            reference_year: 2023
            source: {{title: supplier}}
        {extra}components:
        """),
        1,
    )
    p = tmp_path / "bad.yaml"
    p.write_text(text)
    return p


@pytest.mark.parametrize(
    "emissions",
    ["co2_fossil: 9**9**9 kg/kg", "co2_fossil: 10**10**10 kg/kg", "co2_fossil: 2**99999 kg/kg",
     f"co2_fossil: {BIG}"],
)
def test_record_emissions_bounded(tmp_path, emissions):
    p = supplier_record(tmp_path, emissions)
    start = time.monotonic()
    check_error(tmp_path, p, "bad.yaml:", "records[0].emissions.co2_fossil", "too large")
    assert time.monotonic() - start < 10


@pytest.mark.parametrize("unit", ["kg**9**9**9", "m^99", "kg**(9)"])
def test_record_unit_powers_bounded(tmp_path, unit):
    p = supplier_record(tmp_path, unit=unit)
    start = time.monotonic()
    check_error(tmp_path, p, "bad.yaml:", "records[0]", "exponent")
    assert time.monotonic() - start < 10


def test_long_unit_refused(tmp_path):
    p = supplier_record(tmp_path, unit="kg" * 100_000)
    check_error(tmp_path, p, "bad.yaml:", "records[0]", "at most 100 characters")


@pytest.mark.parametrize("field", ["mass", "recycled_mass"])
def test_long_quantity_text_is_refused_quickly(tmp_path, field):
    long = "1 " + "kg*" * 70_000 + "kg"  # 200 kB: pint's parser is quadratic in this
    old = "mass: 800 kg," if field == "mass" else "recycled_mass: 200 kg"
    new = f"mass: {long}," if field == "mass" else f"recycled_mass: {long}"
    p = variant(tmp_path, old, new)
    start = time.monotonic()
    check_error(tmp_path, p, "bad.yaml:9", f"components[0].materials[0].{field}", "at most 500")
    assert time.monotonic() - start < 10


def test_long_emission_text_is_refused_quickly(tmp_path):
    p = supplier_record(tmp_path, "co2_fossil: 1 " + "kg/" * 70_000 + "kg")
    start = time.monotonic()
    check_error(tmp_path, p, "bad.yaml:", "records[0].emissions.co2_fossil", "at most 500")
    assert time.monotonic() - start < 10


def test_record_input_amount_bounded(tmp_path):
    p = supplier_record(tmp_path, extra="")
    text = p.read_text().replace(
        "    source: {title: supplier}\n",
        "    source: {title: supplier}\n    inputs:\n"
        "      - {record: grid:A, amount: 2**99999 kWh}\n",
    )
    p.write_text(text)
    check_error(tmp_path, p, "bad.yaml:", "records[0].inputs[0].amount", "too large")


def test_deep_unary_signs(tmp_path):
    p = variant(tmp_path, "amount: 2 * 30 kg", "amount: " + "-" * 300 + "60 kg")
    check_error(tmp_path, p, "bad.yaml:23", "maintenance[0].amount", "nests more than")


@pytest.mark.parametrize(
    "old, new, fragment",
    [
        ("low: 750 kg", "low: 10**10**10 kg", "too large"),
        ("low: 750 kg", f"low: {BIG}", "too large"),
        ("high: 850 kg", "high: " + "1 " + "kg*" * 70_000 + "kg", "at most 500"),
        ("gsd: 1.2", "gsd: .inf", "not a finite number"),
        ("gsd: 1.2", "gsd: 1e300", "gsd 1e+300 is above 100"),
        ("weights: [1, 2, 1]", "weights: [1, .nan, 1]", "not a finite number"),
        ("weights: [1, 2, 1]", f"weights: [1, {BIG}, 1]", "too large"),
    ],
)
def test_uncertainty_inputs_bounded(tmp_path, old, new, fragment):
    p = uvariant(tmp_path, old, new)
    start = time.monotonic()
    check_uncertainty_error(tmp_path, p, "bad.yaml:", fragment)
    assert time.monotonic() - start < 30


def test_sweep_value_beyond_float_range(tmp_path):
    s = tmp_path / "s.yaml"
    s.write_text(
        textwrap.dedent(f"""\
        scenario: {{name: s, base: {TINY_EV}}}
        variants:
          parameters.lifetime_distance.value: [{BIG}, 1e5 km]
        """)
    )
    check_error(tmp_path, s, "s.yaml:3", "too large")


# -- files: regular files only, read with a byte cap ------------------------------------------


def test_fifo_as_file_does_not_block(tmp_path):
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    check_error(tmp_path, fifo, "pipe.yaml", "named pipe")


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no zero device")
def test_zero_device_as_file(tmp_path):
    check_error(tmp_path, __import__("pathlib").Path("/dev/zero"), "/dev/zero", "character device")


def test_directory_as_file(tmp_path):
    d = tmp_path / "folder.yaml"
    d.mkdir()
    check_error(tmp_path, d, "folder.yaml", "directory")


def test_file_name_too_long(tmp_path):
    check_error(tmp_path, tmp_path / ("x" * 300 + ".yaml"), "name is too long")


LONG = "b" * 300  # a path name over the 255 bytes an operating system allows


@pytest.mark.parametrize(
    ("args", "size"),
    [
        (["run", str(TINY_EV), "--no-charts", "-o", "{out}", "--background", "{long}/bg"], 300),
        (["validate", str(TINY_EV), "--background", "{long}"], 300),
        (["report", str(TINY_EV), "-o", "{out}", "--background", "{long}"], 300),
        (["serve", "{long}.yaml"], 305),
        (["bom", "import", "{long}.csv", "--base", str(TINY_EV), "-o", "{out}/x.yaml"], 304),
        (["compare", str(TINY_EV), "-o", "{out}", "--background", "{long}"], 300),
        (["uncertainty", str(TINY_EV), "-n", "100", "-o", "{out}", "--background", "{long}"], 300),
        (["sensitivity", str(TINY_EV), "-o", "{out}", "--background", "{long}"], 300),
    ],
    ids=[
        "run-background",
        "validate-background",
        "report-background",
        "serve",
        "bom",
        "compare-background",
        "uncertainty-background",
        "sensitivity-background",
    ],
)
def test_path_name_too_long_is_a_clean_error(tmp_path, args, size):
    """A name over 255 bytes (a background folder, an input file) is exit 2 naming the path
    and its over-long part, not the operating system's "File name too long"."""
    long, out = str(tmp_path / LONG), tmp_path / "out"
    res = run_cli(*[a.format(long=long, out=out) for a in args])
    flat = " ".join(res.stderr.split())
    assert res.exit_code == 2, (res.exit_code, res.output, res.exception)
    assert "Traceback" not in res.output and "File name too long" not in flat
    assert "name is too long for the operating system" in flat
    assert f"has {size} bytes, at most 255" in flat
    assert long in flat  # the path is named
    assert not out.exists()


@pytest.mark.parametrize("kind", ["fifo", "zero", "long", "dir"])
def test_base_must_be_a_regular_file(tmp_path, kind):
    if kind == "fifo":
        target = tmp_path / "pipe.yaml"
        os.mkfifo(target)
        fragment = "named pipe"
    elif kind == "zero":
        target, fragment = "/dev/zero", "character device"
    elif kind == "dir":
        target = tmp_path / "d.yaml"
        target.mkdir()
        fragment = "directory"
    else:
        target, fragment = "y" * 300 + ".yaml", "name is too long"
    s = tmp_path / "s.yaml"
    s.write_text(f"scenario: {{name: s, base: {target}}}\n")
    check_error(tmp_path, s, "s.yaml:1", "scenario.base", fragment)


def test_byte_cap_does_not_trust_the_reported_size(tmp_path, monkeypatch):
    from lca.inputs import files

    p = tmp_path / "a.yaml"
    p.write_bytes(b"x" * 11)
    assert files.read_bounded(p, 11) == b"x" * 11

    real_fstat = os.fstat

    class Liar:  # a file system that reports size 0, as /proc files and devices do
        def __init__(self, st):
            self.st_mode, self.st_size = st.st_mode, 0

    monkeypatch.setattr(files.os, "fstat", lambda fd: Liar(real_fstat(fd)))
    with pytest.raises(files.InputError, match="larger than 10 bytes"):
        files.read_bounded(p, 10)


# -- found by tests/fuzz/run_fuzz.py ----------------------------------------------------------


@pytest.mark.parametrize("text", ["a: &x [*x]\n", "a: &x {b: *x}\n", "a: &x [1, [2, *x]]\n"])
def test_recursive_alias(tmp_path, text):
    p = tmp_path / "loop.yaml"
    p.write_text(text)
    check_error(tmp_path, p, "loop.yaml:1", "alias refers to a collection that contains it")


def test_alias_reused_is_fine(tmp_path):
    from lca.inputs.yamlio import parse_yaml_text

    doc = parse_yaml_text("a: &x [1]\nb: [*x, *x]\n", tmp_path / "x.yaml")
    assert doc.data == {"a": [1], "b": [[1], [1]]}


@pytest.mark.parametrize("tagged", ["!!float ", "!!float x", "!!int x", "!!timestamp x"])
def test_explicit_tag_that_pyyaml_cannot_build(tmp_path, tagged):
    p = variant(tmp_path, "mass: 800 kg,", f"mass: {tagged},")
    check_error(tmp_path, p, "bad.yaml:9", "components[0].materials[0].mass", "as YAML type")


def test_long_number_text_is_not_read_back_as_a_number(tmp_path):
    # a text refused for its length must not be coerced to an integer of 4000 digits
    p = variant(tmp_path, "distance: 1000 km", "distance: '" + "9" * 4000 + "'")
    check_error(tmp_path, p, "bad.yaml:", "logistics[0].distance", "at most 500")


def test_unknown_gas_in_inventory_record(tmp_path):
    p = supplier_record(tmp_path, "co2_fossix: 2 kg/kg")
    check_error(tmp_path, p, "bad.yaml:", "records[0].emissions.co2_fossix", "unknown gas")
