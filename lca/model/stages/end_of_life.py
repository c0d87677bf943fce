"""Stage "end_of_life": treatments, and recovered materials under the chosen recycling approach
(CFF terms inside the total; avoided-burden and cut-off credits reported apart)."""

from __future__ import annotations

from lca.model.stages.builder import Builder, paren


def add_exchanges(b: Builder) -> None:
    """The end of life exchanges of the inventory, in order."""
    eol = b.inv.end_of_life
    for i, item in enumerate(eol.treatments):
        kp = ("end_of_life", "treatments", i)
        b.add(
            "end_of_life",
            None,
            item.record,
            paren(item.amount),
            f"end of life: {item.description or item.id}",
            (*kp, "amount"),
            kind="eol-treatment",
            rec_kp=(*kp, "record"),
        )
    for i, rec in enumerate(eol.recovered):
        recovered(b, i, rec)


def recovered(b: Builder, i: int, rec) -> None:  # noqa: ANN001
    """Exchanges of recovered material ``i``: the CFF end-of-life terms, or the avoided-burden
    (or cut-off, as information) credit and the recycling route charged against it."""
    eol = b.inv.end_of_life
    kp = ("end_of_life", "recovered", i)
    fam = b.db.materials.get(rec.material)
    if fam is None or fam.secondary is None:
        raise b.err(
            f"recovered material {rec.material!r} needs a material family "
            "with a primary and a secondary record",
            (*kp, "material"),
        )
    if eol.approach == "cff":
        # CFF end-of-life term (1 - A) R2 (ErecEoL - E*v Qsout/Qp), inside the total
        params = b.cff(rec.material, (*kp, "material"))
        share = 1.0 - params.a
        if share == 0.0:
            return
        b.add(
            "end_of_life",
            None,
            fam.secondary,
            f"{paren(rec.mass)} * {share!r}",
            f"end of life: {fam.name} recovered, (1 - A) x recycling route (CFF)",
            (*kp, "mass"),
            kind="cff-eol-recycling",
        )
        b.add(
            "end_of_life",
            None,
            fam.primary,
            f"-1 * {paren(rec.mass)} * {share!r} * {params.qsout_qp!r}",
            f"end of life: {fam.name} recovered, (1 - A) x Qsout/Qp x avoided primary (CFF)",
            (*kp, "mass"),
            kind="cff-eol-avoided-virgin",
        )
        return
    # avoided burden: recovered scrap displaces primary material; the recycling route's
    # own burden is charged against it. Reported apart from the total, never netted.
    # Under cut-off the same credit is shown as information (like EN 15804 module D).
    q = ""
    if eol.approach == "avoided-burden":
        q = f" * {b.cff(rec.material, (*kp, 'material')).qsout_qp!r}"
    b.add(
        "end_of_life",
        None,
        fam.primary,
        f"-1 * {paren(rec.mass)}{q}",
        f"credit: {fam.name} recovered, avoided primary",
        (*kp, "mass"),
        credit=True,
        kind="credit-avoided-primary",
    )
    b.add(
        "end_of_life",
        None,
        fam.secondary,
        paren(rec.mass),
        f"credit: {fam.name} recovered, recycling route",
        (*kp, "mass"),
        credit=True,
        kind="credit-recycling-route",
    )
