"""Where graphkit's own files are: the ontology, the named queries and the shipped data.

The repository keeps one copy of each at its top level (``ontology/``, ``queries/``, ``data/``);
the wheel carries them inside the package (``graphkit/ontology``...; see ``pyproject.toml``), so a
plain ``pip install`` works from any folder. Both are read through :mod:`importlib.resources`.

>>> (shipped("ontology") / "model.yaml").is_file(), (shipped("queries") / "forums-of.rq").is_file()
(True, True)
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

FOLDERS = ("ontology", "queries", "data")


def shipped(name: str) -> Path:
    """The folder ``name`` (one of :data:`FOLDERS`) that came with graphkit; for the ontology,
    the folder ``GRAPHKIT_ONTOLOGY`` names instead, where set (a model of one's own: a copy of
    ``ontology/`` with more kinds, fields or views)."""
    if name not in FOLDERS:
        raise ValueError(f"graphkit ships no folder '{name}'")
    if name == "ontology" and os.environ.get("GRAPHKIT_ONTOLOGY"):
        return Path(os.environ["GRAPHKIT_ONTOLOGY"])
    package = resources.files("graphkit")
    inside = package / name  # an installed wheel
    if inside.is_dir():
        return Path(str(inside))
    return Path(str(package)).resolve().parent / name  # a checkout (editable install)


def data_folder(given: Path | None) -> tuple[Path, str]:
    """The data folder a command reads, and a note saying which when none was ``given``:
    ``./data`` where it exists, otherwise the data shipped with graphkit.

    >>> data_folder(Path("tests/cases/base"))
    (PosixPath('tests/cases/base'), '')
    """
    if given is not None:
        return given, ""
    local = Path("data")
    if local.is_dir():
        return local, ""
    folder = shipped("data")
    if folder.is_dir():
        return folder, (f"using the data shipped with graphkit ({folder}); "
                        "pass --data FOLDER or run from a folder holding data/ to use your own")
    return local, ""


def shown_as(folder: Path) -> str:
    """How problems, the map and the site name the data folder ``folder``: as given, and as
    ``data`` for the data shipped inside an installed graphkit, whose records are then placed
    where graphkit's repository keeps them (``data/relations/...yaml:11``, as a checkout's
    build says), not in a ``site-packages`` folder: an installed graphkit builds the shipped
    data into the same files as the checkout.

    >>> shown_as(Path("tests/cases/base"))
    'tests/cases/base'
    """
    return "data" if installed_copy(folder) else str(folder)


def installed_copy(folder: Path) -> bool:
    """Whether ``folder`` is the data shipped inside an installed graphkit (whose quotes of the
    shared documents were checked before release, and whose documents do not travel with it)."""
    inside = resources.files("graphkit") / "data"
    return inside.is_dir() and folder.resolve() == Path(str(inside)).resolve()
