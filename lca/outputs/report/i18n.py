"""Languages of the report: a gettext catalogue per language (``locale/<lang>/LC_MESSAGES/
messages.po``, extracted from the templates with Babel, see ``docs/report.md``), compiled in
memory when a report is made, and numbers and dates formatted by Babel for the locale."""

from __future__ import annotations

import datetime as dt
import gettext
import io
import math
from functools import lru_cache
from pathlib import Path
from typing import Any

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LANGUAGES = {"en": "en_GB", "zh": "zh_Hans_CN"}  # report language -> Babel locale
HTML_LANG = {"en": "en", "zh": "zh-Hans"}


def check_language(lang: str) -> str:
    if lang not in LANGUAGES:
        raise ValueError(f"unknown report language {lang!r}; choose one of {', '.join(LANGUAGES)}")
    return lang


@lru_cache(maxsize=4)
def translations(lang: str) -> gettext.NullTranslations:
    """The catalogue of ``lang`` (English needs none: the templates are written in English)."""
    check_language(lang)
    po = LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"
    if lang == "en" or not po.exists():
        return gettext.NullTranslations()
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as fh:
        catalog = read_po(fh, locale=LANGUAGES[lang])
    buf = io.BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return gettext.GNUTranslations(buf)


class Formats:
    """Number, percentage and date formatting of one locale (Babel)."""

    def __init__(self, lang: str) -> None:
        self.locale = LANGUAGES[check_language(lang)]

    def fmt(self, value: Any, digits: int = 0) -> str:
        from babel.numbers import format_decimal

        if value is None or (isinstance(value, float) and not math.isfinite(value)):
            return "–"
        pattern = "#,##0" + ("." + "0" * digits if digits else "")
        return format_decimal(value, format=pattern, locale=self.locale)

    def num(self, value: Any, significant: int = 4) -> str:
        """About ``significant`` significant digits (200,000 rather than 200,000.000)."""
        from babel.numbers import format_decimal

        if value is None or (isinstance(value, float) and not math.isfinite(value)):
            return "–"
        v = float(value)
        if v == 0 or abs(v) >= 10 ** (significant - 1):
            return self.fmt(v)
        digits = max(0, significant - 1 - math.floor(math.log10(abs(v))))
        return format_decimal(v, format="#,##0." + "#" * digits, locale=self.locale)

    def pct(self, value: float | None, digits: int = 1) -> str:
        if value is None or not math.isfinite(value):
            return "–"
        return f"{self.fmt(100.0 * value, digits)} %"

    def signed_pct(self, value: float | None, digits: int = 1) -> str:
        if value is None or not math.isfinite(value):
            return "–"
        sign = "+" if value > 0 else ("−" if value < 0 else "±")
        return f"{sign}{self.fmt(abs(100.0 * value), digits)} %"

    def date(self, iso: str | None) -> str:
        """A timestamp (ISO 8601) as a date and time of the locale, UTC."""
        from babel.dates import format_datetime

        if not iso:
            return "–"
        try:
            when = dt.datetime.fromisoformat(iso)
        except ValueError:
            return iso
        return format_datetime(when, "medium", tzinfo=dt.UTC, locale=self.locale) + " UTC"
