"""Stage labels and colours shared by tables and charts. One colour per life-cycle stage
(Okabe-Ito colour-blind-safe palette, Okabe and Ito 2008, "Color Universal Design"), so every
chart shows a stage in the same colour."""

from __future__ import annotations

STAGE_COLOURS = {
    "materials": "#E69F00",  # orange
    "battery": "#56B4E9",  # sky blue
    "manufacturing": "#009E73",  # bluish green
    "logistics": "#F0E442",  # yellow
    "use": "#0072B2",  # blue
    "maintenance": "#D55E00",  # vermillion
    "end_of_life": "#CC79A7",  # reddish purple
}
STAGE_NAMES = {
    "materials": "Materials and parts",
    "battery": "Traction battery",
    "manufacturing": "Manufacturing",
    "logistics": "Logistics",
    "use": "Use (energy)",
    "maintenance": "Maintenance",
    "end_of_life": "End of life",
}
# long labels for tables (the CLI summary and the report)
STAGE_LABELS = {
    "materials": "Materials and parts (excl. battery)",
    "battery": "Traction battery",
    "manufacturing": "Vehicle manufacturing",
    "logistics": "Logistics (delivery)",
    "use": "Use (energy, with upstream and losses)",
    "maintenance": "Maintenance",
    "end_of_life": "End of life",
}
TOTAL_COLOUR = "#333333"
LOW_COLOUR = "#0072B2"  # an input at its low value (tornado)
HIGH_COLOUR = "#D55E00"  # an input at its high value (tornado)

# lines past the 7 Okabe-Ito colours: each colour again with another dash pattern, and every line
# labelled directly at its end (so no series is told apart by colour alone)
LINE_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#999999")
LINE_STYLES = ("-", "--", ":", "-.")
REFERENCE_COLOUR = "#000000"

# words of scenario and file names written as a reader expects them
_WORDS = {
    "bev": "BEV",
    "phev": "PHEV",
    "hev": "HEV",
    "suv": "SUV",
    "eu": "EU",
    "cn": "CN",
    "pl": "PL",
    "no": "NO",
    "us": "US",
    "de": "DE",
    "fr": "FR",
    "lfp": "LFP",
    "nmc": "NMC",
    "nmc811": "NMC811",
    "si": "Si",
    "sic": "SiC",
    "co2": "CO2",
}


def humanise(slug: str) -> str:
    """A readable label for a slug: ``compact-suv-bev-eu-2025-2038`` -> ``Compact SUV BEV EU
    2025–2038``, ``lifetime_distance`` -> ``Lifetime distance``, ``250k`` -> ``250k km``."""
    words = [w for w in slug.replace("_", "-").split("-") if w]
    out: list[str] = []
    for i, w in enumerate(words):
        low = w.lower()
        if low == "no" and i + 1 < len(words) and not words[i + 1][:1].isdigit():
            out.append("without")  # "no-recycled": without recycled content, not Norway
        elif out and low.isdigit() and len(low) == 4 and out[-1].isdigit() and len(out[-1]) == 4:
            out[-1] = f"{out[-1]}–{low}"  # a year range
        elif low.endswith("k") and low[:-1].isdigit():
            out.append(f"{low} km")
        else:
            out.append(_WORDS.get(low, w))
    text = " ".join(out)
    return text[:1].upper() + text[1:] if text else slug


def short_names(names: list[str]) -> tuple[dict[str, str], str]:
    """Labels for a set of scenario names without the words they all share, and that shared
    prefix as a readable phrase (``({"a-bev-eu": "EU", ...}, "A BEV")``)."""
    split = [n.split("-") for n in names]
    common = 0
    if len(names) > 1:
        while all(len(s) > common + 1 and s[common] == split[0][common] for s in split):
            common += 1
    prefix = "-".join(split[0][:common]) if common else ""
    return {n: humanise("-".join(s[common:])) for n, s in zip(names, split, strict=True)}, (
        humanise(prefix) if prefix else ""
    )


def input_label(row: dict) -> str:
    """A reader's label for an uncertain input of ``vlca sensitivity`` (record names and
    parameter words instead of ids): ``parameter:lifetime_distance`` -> ``Lifetime distance``,
    ``record:grid:EU-27`` -> the record's name."""
    key = str(row.get("key", ""))
    kind, _, rest = key.partition(":")
    if kind == "parameter":
        return humanise(rest)
    if kind == "record":
        return "Factor: " + str(row.get("description") or rest)
    if kind == "chemistry":
        chem, _, field = rest.partition(":")
        return f"{humanise(chem)} battery: {field.replace('_', ' ')}"
    if kind == "choice":
        return "Use-phase electricity supply (grid choice)"
    return str(row.get("label", key))


def plain(text: object) -> str:
    """User text drawn as plain text by matplotlib: a ``$`` never starts mathtext."""
    return str(text).replace("$", r"\$")
