"""Translations: every user-facing string goes through here.

Message ids are English; ``locales/vi`` holds the Vietnamese catalogue, which is the default
language. The ``.po`` files are read directly (compiled in memory on first use), so there is no
compiled ``.mo`` file that could go stale. The current language lives in a ``ContextVar`` set per
command or per inbound message; background jobs pass the recipient's language explicitly.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from functools import cache, lru_cache
from pathlib import Path

from babel.dates import format_date as babel_format_date
from babel.dates import format_datetime as babel_format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from dondoc.tz import TZ

LOCALES_DIR = Path(__file__).parent / "locales"
DOMAIN = "messages"
DEFAULT_LANGUAGE = "vi"
LANGUAGES = ("vi", "en")

_current: ContextVar[str] = ContextVar("dondoc_language", default=DEFAULT_LANGUAGE)


def normalize_language(code: str | None) -> str:
    """Map a language tag such as ``en-US`` or ``vi`` onto a supported language, else the default."""
    if not code:
        return DEFAULT_LANGUAGE
    base = code.replace("_", "-").split("-")[0].lower()
    return base if base in LANGUAGES else DEFAULT_LANGUAGE


@cache
def translations(language: str) -> NullTranslations:
    """The catalogue for ``language``; English message ids need no catalogue of their own."""
    po_path = LOCALES_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not po_path.exists():
        if language == "en":
            return NullTranslations()
        raise FileNotFoundError(f"translation catalogue missing: {po_path}")
    with po_path.open("rb") as fh:
        catalog = read_po(fh, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


def current_language() -> str:
    return _current.get()


@contextmanager
def use_language(language: str | None) -> Iterator[str]:
    """Run a block in ``language`` (normalised); restores the previous language afterwards."""
    token = _current.set(normalize_language(language))
    try:
        yield _current.get()
    finally:
        _current.reset(token)


def set_language(language: str | None) -> None:
    _current.set(normalize_language(language))


def gettext(message: str) -> str:
    return translations(_current.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(_current.get()).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark a string for extraction without translating it yet (translate at use with ``_``)."""
    return message


_ = gettext


# Vietnamese documents write dates as dd/mm/yyyy; English gets an unambiguous "31 Jan 2022".
_DATE_PATTERNS = {"vi": "dd/MM/yyyy", "en": "d MMM yyyy"}


def format_date(value: date, language: str | None = None) -> str:
    """A date as people read it in the current (or given) language, via Babel."""
    return _format_date(value, language or _current.get())


@lru_cache(maxsize=8192)
def _format_date(value: date, language: str) -> str:
    # Babel parses the pattern and loads the locale on every call; digests format thousands of dates.
    return babel_format_date(value, _DATE_PATTERNS.get(language, "dd/MM/yyyy"), locale=language)


# A day of the current year, shortly: "31/01" in Vietnamese, "31 Jan" in English (never "01/31").
_SHORT_DATE_PATTERNS = {"vi": "dd/MM", "en": "d MMM"}


def format_short_date(value: date, language: str | None = None) -> str:
    """Day and month without the year, as people read it in the current (or given) language."""
    language = language or _current.get()
    return babel_format_date(value, _SHORT_DATE_PATTERNS.get(language, "dd/MM"), locale=language)


def format_datetime(value: datetime, language: str | None = None) -> str:
    """Date and time (Vietnam time), e.g. "31/01/2022 08:00"."""
    language = language or _current.get()
    pattern = _DATE_PATTERNS.get(language, "dd/MM/yyyy") + " HH:mm"
    return babel_format_datetime(value, pattern, tzinfo=TZ, locale=language)
