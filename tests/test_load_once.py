"""A scenario and its base inventory are each read and parsed once per load (the scenario file
was parsed twice, and a base outside the scenario's folder twice more)."""

from __future__ import annotations

from pathlib import Path

import lca.inputs.loader as loader

ROOT = Path(__file__).resolve().parent.parent


def test_each_file_is_read_once(monkeypatch):
    calls: list[Path] = []
    real = loader.load_yaml

    def counted(path):  # noqa: ANN001, ANN202
        calls.append(Path(path).resolve())
        return real(path)

    monkeypatch.setattr(loader, "load_yaml", counted)
    [item] = loader.load_scenarios(ROOT / "scenarios" / "compact-suv-bev-eu.yaml")
    assert sorted(calls) == sorted(set(calls))
    assert len(calls) == 2  # the scenario and its base inventory (outside its folder)
    # the same input as through load_input
    monkeypatch.setattr(loader, "load_yaml", real)
    again = loader.load_input(ROOT / "scenarios" / "compact-suv-bev-eu.yaml")
    assert item.data == again.data and item.files == again.files and item.name == again.name
