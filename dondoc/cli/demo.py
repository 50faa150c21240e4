"""``dondoc demo``: the sample plan shipped with dondoc (package data), the Long Mỹ 2022 registry and appendix."""

from __future__ import annotations

from importlib.resources import as_file, files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Annotated

import typer

from dondoc.cli.common import fail, global_options
from dondoc.cli.plan import plan_import, plan_show
from dondoc.cli.units import units_import
from dondoc.i18n import _

SAMPLE_PLAN: Traversable = files("dondoc").joinpath("data", "long-my-2022")


@global_options
def demo(
    data: Annotated[
        Path | None,
        typer.Option(
            "--data", help="Folder with units.yaml and the appendix (xlsx, docx or csv); default: the bundled sample."
        ),
    ] = None,
) -> None:
    """Load the bundled sample plan (Long Mỹ 2022) into the store and show it."""
    demo_import(data)
    typer.echo("")
    plan_show()


def demo_import(data: Path | None) -> None:
    """Import the registry and appendix of a sample folder (the xlsx when there are several); None: the
    bundled sample plan."""
    if data is None:
        with as_file(SAMPLE_PLAN) as bundled:
            demo_import(bundled)
        return
    registry = data / "units.yaml"
    appendices = sorted(p for p in data.glob("*") if p.suffix.lower() in (".xlsx", ".docx", ".csv"))
    if not registry.exists() or not appendices:
        fail(_("no sample plan in {path}: give a folder with units.yaml and an appendix").format(path=data))
    preferred = [p for p in appendices if p.suffix.lower() == ".xlsx"] or appendices
    units_import(registry)
    plan_import(preferred[0])
    if (data / "targets.yaml").exists():
        from dondoc.cli.targets import targets_import

        targets_import(data / "targets.yaml")
