"""Several product systems (a run's alternatives) as one model: one registry of background
records over all of them, one set of matrices, each alternative its own root node.

A background record is shared by the alternatives whose databases give it the same matrix
content (emissions, inputs, aircraft flag) and, recursively, the same inputs; a record that
differs between alternatives (a derived use-profile record, say) becomes a node of its own.
The characterisation factor of a flow must be the same for every alternative of one union
(:func:`groups` splits alternatives that differ, such as another GWP set).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from lca.calc.matrices import Entries, registry_for
from lca.model.database import Record
from lca.model.system import ProductSystem


@dataclass(frozen=True)
class Union:
    """Alternatives' product systems over one set of background nodes (matrix order)."""

    labels: tuple[str, ...]  # the alternatives, for messages
    systems: tuple[ProductSystem, ...]
    records: tuple[Record, ...]  # union nodes, in matrix order
    flows: tuple[str, ...]  # union flows (characterisation order)
    factors: np.ndarray  # kg CO2e per kg of each flow
    exchange_nodes: tuple[np.ndarray, ...]  # per alternative: the node of each exchange
    inputs: tuple[tuple[tuple[int, float], ...], ...]  # per node: (input node, amount)

    @property
    def n(self) -> int:
        return len(self.records)


def _signature(rec: Record) -> tuple:
    return (rec.id, tuple(sorted(rec.emissions.items())), rec.inputs, bool(rec.aircraft))


def groups(systems: Sequence[ProductSystem]) -> list[list[int]]:
    """Indices of ``systems`` that can share one union: the same factor for every flow they
    have in common (the same GWP set, in practice), in their order of first appearance."""
    out: list[tuple[dict[str, float], list[int]]] = []
    for k, system in enumerate(systems):
        factors = system.database.gwp_sets[system.gwp_set].factors
        mine = {f: float(factors[f]) for f in system.database.flows}
        for known, members in out:
            if all(known.get(f, v) == v for f, v in mine.items()):
                known.update(mine)
                members.append(k)
                break
        else:
            out.append((dict(mine), [k]))
    return [members for _, members in out]


def build_union(labels: Sequence[str], systems: Sequence[ProductSystem]) -> Union:
    """The union of ``systems`` (one :func:`groups` group): shared nodes where the content is
    the same, a node of its own where a record differs."""
    nodes: list[Record] = []
    node_inputs: list[tuple[tuple[int, float], ...]] = []
    by_signature: dict[tuple, int] = {}
    flows: dict[str, float] = {}
    exchange_nodes = []
    for system in systems:
        db = system.database
        factors = db.gwp_sets[system.gwp_set].factors
        for f in db.flows:
            flows.setdefault(f, float(factors[f]))
        reach = registry_for(system).records
        local = _share(reach, db.records, by_signature, node_inputs)
        fresh = [rid for rid in reach if rid not in local]  # no equal node: a node of its own
        local.update({rid: len(nodes) + j for j, rid in enumerate(fresh)})
        for rid in fresh:
            rec = db.records[rid]
            i = len(nodes)
            nodes.append(rec)
            node_inputs.append(tuple((local[inp], float(a)) for inp, a in rec.inputs))
            by_signature.setdefault(_signature(rec), i)
        exchange_nodes.append(
            np.array([local[ex.record] for ex in system.exchanges], dtype=np.int64)
        )
    return Union(
        labels=tuple(labels),
        systems=tuple(systems),
        records=tuple(nodes),
        flows=tuple(flows),
        factors=np.array(list(flows.values()), dtype=np.float64),
        exchange_nodes=tuple(exchange_nodes),
        inputs=tuple(node_inputs),
    )


def _share(
    reach: Sequence[str],
    records: dict[str, Record],
    by_signature: dict[tuple, int],
    node_inputs: list[tuple[tuple[int, float], ...]],
) -> dict[str, int]:
    """The records of ``reach`` that are an existing node: the same content, and inputs that
    are (recursively) the same nodes as that node's inputs. Fixpoint: a record whose input is
    not shared is not shared either."""
    shared = {}
    for rid in reach:
        i = by_signature.get(_signature(records[rid]))
        if i is not None:
            shared[rid] = i
    changed = True
    while changed:
        changed = False
        for rid, i in list(shared.items()):
            mine = tuple((shared.get(inp, -1), float(a)) for inp, a in records[rid].inputs)
            if mine != node_inputs[i]:
                del shared[rid]
                changed = True
    return shared


# node ids of the union datapackage: per alternative a root and a credits node, then the
# foreground activities of every alternative, then the background nodes
FIRST_ID = 1


@dataclass(frozen=True)
class Layout:
    """Integer ids of the union datapackage's nodes."""

    roots: tuple[int, ...]  # per alternative
    credits: tuple[int, ...]  # per alternative
    activities: tuple[dict[tuple[str, str | None], int], ...]  # per alternative
    first_record: int  # id of node 0; node i is first_record + i


def layout(union: Union) -> Layout:
    k = len(union.systems)
    roots = tuple(FIRST_ID + 2 * i for i in range(k))
    credits = tuple(FIRST_ID + 2 * i + 1 for i in range(k))
    nxt = FIRST_ID + 2 * k
    acts = []
    for system in union.systems:
        mine: dict[tuple[str, str | None], int] = {}
        for ex in system.exchanges:
            if not ex.credit and (ex.stage, ex.component) not in mine:
                mine[(ex.stage, ex.component)] = nxt
                nxt += 1
        acts.append(mine)
    return Layout(roots, credits, tuple(acts), nxt)


def union_entries(union: Union, lay: Layout) -> Entries:
    """Matrix entries of the union in bw_processing's convention (positive data, flip marks
    inputs): each alternative's root consumes one of each of its foreground activities, which
    consume the background nodes; avoided-burden credits go to the alternative's credits node."""
    rows: list[int] = []
    cols: list[int] = []
    data: list[float] = []
    flip: list[bool] = []
    rec = lay.first_record
    diagonal = [*lay.roots, *lay.credits, *(i for a in lay.activities for i in a.values())]
    diagonal += range(rec, rec + union.n)
    rows += diagonal
    cols += diagonal
    data += [1.0] * len(diagonal)
    flip += [False] * len(diagonal)
    for k, system in enumerate(union.systems):
        acts = lay.activities[k]
        for act in acts.values():
            rows.append(act)
            cols.append(lay.roots[k])
        data += [1.0] * len(acts)
        flip += [True] * len(acts)
        for ex, node, amount in zip(
            system.exchanges, union.exchange_nodes[k], system.amounts, strict=True
        ):
            rows.append(rec + int(node))
            cols.append(lay.credits[k] if ex.credit else acts[(ex.stage, ex.component)])
            data.append(float(amount))
            flip.append(True)
    for i, ins in enumerate(union.inputs):
        for node, amount in ins:
            rows.append(rec + node)
            cols.append(rec + i)
            data.append(amount)
            flip.append(True)
    fid = {f: 1 + i for i, f in enumerate(union.flows)}
    b_rows, b_cols, b_data = [], [], []
    for i, r in enumerate(union.records):
        for gas, kg in r.emissions.items():
            b_rows.append(fid[gas])
            b_cols.append(rec + i)
            b_data.append(float(kg))
    return Entries.from_lists(
        (rows, cols, data, flip),
        (b_rows, b_cols, b_data),
        np.arange(1, len(union.flows) + 1, dtype=np.int64),
        union.factors.copy(),
    )


def dense(union: Union) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The union's background as dense arrays: technosphere A (nodes x nodes, identity minus
    inputs), biosphere B (flows x nodes, kg per unit) and the aircraft mask (nodes)."""
    n = union.n
    a = np.eye(n)
    for i, ins in enumerate(union.inputs):
        for node, amount in ins:
            a[node, i] -= amount
    fid = {f: i for i, f in enumerate(union.flows)}
    b = np.zeros((len(union.flows), n))
    for i, r in enumerate(union.records):
        for gas, kg in r.emissions.items():
            b[fid[gas], i] += float(kg)
    air = np.array([r.aircraft for r in union.records], dtype=float)
    return a, b, air
