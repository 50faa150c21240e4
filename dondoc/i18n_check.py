"""Keep the translation catalogues in step with the code.

    python -m dondoc.i18n_check           # fail if a catalogue is stale or a vi string is untranslated
    python -m dondoc.i18n_check --update  # re-extract messages.pot and merge it into every .po

Message ids are English and extracted from ``_()``, ``N_()`` and ``ngettext()`` calls in the
package. The check is the same as ``pybabel update --check`` plus "every vi message translated".
"""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from dondoc.i18n import DOMAIN, LANGUAGES, LOCALES_DIR

PACKAGE = Path(__file__).parent
KEYWORDS = {"_": None, "N_": None, "gettext": None, "ngettext": (1, 2)}


def extract() -> Catalog:
    """Every translatable message of the package, as a template catalogue."""
    template = Catalog(project="dondoc", version="0.1", charset="utf-8")
    template.header_comment = "# Translations for dondoc."
    for filename, lineno, message, comments, context in extract_from_dir(
        str(PACKAGE),
        method_map=[("**.py", "python")],
        keywords=KEYWORDS,
        comment_tags=("TRANSLATORS:",),
    ):
        template.add(message, None, [(f"dondoc/{filename}", lineno)], auto_comments=comments, context=context)
    return template


def _po_bytes(catalog: Catalog) -> bytes:
    buffer = io.BytesIO()
    write_po(
        buffer,
        catalog,
        omit_header=False,
        sort_output=True,
        width=100,
        ignore_obsolete=True,
        include_previous=False,
        include_lineno=False,  # a moved line of code does not make the catalogue stale
    )
    return _stable(buffer.getvalue())


def _stable(data: bytes) -> bytes:
    """Drop the header dates so that an unchanged catalogue is byte-for-byte unchanged."""
    lines = [line for line in data.split(b"\n") if not line.startswith((b'"POT-Creation-Date', b'"PO-Revision-Date'))]
    return b"\n".join(lines)


def _catalog_path(language: str) -> Path:
    return LOCALES_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def merged(language: str, template: Catalog) -> Catalog:
    path = _catalog_path(language)
    if path.exists():
        with path.open("rb") as fh:
            catalog = read_po(fh, locale=language)
    else:
        catalog = Catalog(locale=language, project="dondoc", version="0.1", charset="utf-8")
    catalog.update(template, no_fuzzy_matching=True)
    return catalog


def update() -> None:
    template = extract()
    (LOCALES_DIR / f"{DOMAIN}.pot").write_bytes(_po_bytes(template))
    for language in LANGUAGES:
        path = _catalog_path(language)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(_po_bytes(merged(language, template)))


def check() -> list[str]:
    """Problems with the catalogues, empty when they are in step and vi is complete."""
    problems: list[str] = []
    template = extract()
    pot = LOCALES_DIR / f"{DOMAIN}.pot"
    if not pot.exists() or _stable(pot.read_bytes()) != _po_bytes(template):
        problems.append(f"{pot} is stale: run `python -m dondoc.i18n_check --update`")
    for language in LANGUAGES:
        path = _catalog_path(language)
        if not path.exists() or _stable(path.read_bytes()) != _po_bytes(merged(language, template)):
            problems.append(f"{path} is stale: run `python -m dondoc.i18n_check --update`")
    with _catalog_path("vi").open("rb") as fh:
        vi = read_po(fh, locale="vi")
    for message in vi:
        if not message.id:
            continue
        if not message.string or (isinstance(message.string, tuple) and not all(message.string)):
            problems.append(f"vi: untranslated: {message.id!r}")
        elif message.fuzzy:
            problems.append(f"vi: fuzzy: {message.id!r}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--update", action="store_true", help="re-extract and merge the catalogues")
    args = parser.parse_args(argv)
    if args.update:
        update()
    problems = check()
    for problem in problems:
        print(problem, file=sys.stderr)
    if not problems:
        print("translation catalogues are up to date; vi is complete")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
