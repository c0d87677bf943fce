"""vlca compare / chart / run with charts, as a user calls them."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from lca.cli.app import app

ROOT = Path(__file__).parent.parent / "scenarios"
runner = CliRunner()


def test_compare_writes_json_csv_results_and_charts(tmp_path):
    out = tmp_path / "cmp"
    files = [str(ROOT / "compact-suv-bev-eu.yaml"), str(ROOT / "compact-suv-petrol.yaml")]
    res = runner.invoke(app, ["compare", *files, "-o", str(out), "--format", "json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data == json.loads((out / "comparison.json").read_text())
    assert [s["name"] for s in data["scenarios"]] == ["compact-suv-bev-eu", "compact-suv-petrol"]
    assert data["baseline"] == "compact-suv-petrol"
    assert data["break_even"][0]["reference"] == "compact-suv-petrol"
    assert (out / "comparison.csv").read_text().count("\n") == 3
    assert (out / "results" / "compact-suv-bev-eu" / "result.json").exists()
    for stem in ("stages", "cumulative", "waterfall-compact-suv-bev-eu"):
        assert (out / "charts" / f"{stem}.png").exists()
        assert (out / "charts" / f"{stem}.svg").exists()
    # charts again from the saved results, without recalculating
    res = runner.invoke(
        app,
        [
            "chart",
            str(out / "results" / "compact-suv-bev-eu" / "result.json"),
            "-o",
            str(tmp_path / "c"),
            "-q",
        ],
    )
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in (tmp_path / "c").glob("*.png")) == [
        "components.png",
        "cumulative.png",
        "hotspots.png",
        "stages.png",
    ]


def test_compare_bad_input_exits_2_and_writes_nothing(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("scenario: {name: bad, base: nope.yaml}\n")
    out = tmp_path / "cmp"
    res = runner.invoke(app, ["compare", str(bad), "-o", str(out)])
    assert res.exit_code == 2
    assert "not found" in res.output
    assert not out.exists()
    res = runner.invoke(
        app, ["compare", str(ROOT / "compact-suv-petrol.yaml"), "--baseline", "x", "-o", str(out)]
    )
    assert res.exit_code == 2 and not out.exists()


def test_chart_rejects_a_file_that_is_not_a_result(tmp_path):
    f = tmp_path / "x.json"
    f.write_text('{"a": 1}')
    res = runner.invoke(app, ["chart", str(f)])
    assert res.exit_code == 2 and "not a result.json" in res.output


def test_compare_with_paired_uncertainty(tmp_path):
    import json

    from typer.testing import CliRunner

    from lca.cli.app import app
    from tests.conftest import ROOT

    files = [ROOT / "scenarios" / f for f in ("compact-suv-bev-eu.yaml", "compact-suv-petrol.yaml")]
    res = CliRunner().invoke(
        app,
        [
            "compare",
            *map(str, files),
            "-o",
            str(tmp_path),
            "--uncertainty",
            "2000",
            "--seed",
            "7",
            "--no-charts",
            "--quiet",
        ],
    )
    assert res.exit_code == 0, res.stderr
    data = json.loads((tmp_path / "comparison.json").read_text())
    unc = data["uncertainty"]
    assert unc["baseline"] == data["baseline"] == "compact-suv-petrol"
    assert unc["n"] == 2000 and unc["seed"] == 7
    bev = unc["systems"]["compact-suv-bev-eu"]
    assert 0.0 <= bev["probability_lower_than_baseline"] <= 1.0
    assert bev["probability_lower_than_baseline"] > 0.95  # the EV is far below the petrol car
    d = bev["difference_kg_co2e"]
    assert d["p2_5"] <= d["p50"] <= d["p97_5"] < 0
    # the baseline against itself: no difference in any sample
    same = unc["systems"]["compact-suv-petrol"]["difference_kg_co2e"]
    assert same["p2_5"] == same["p97_5"] == 0.0
