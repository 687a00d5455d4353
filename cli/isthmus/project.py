"""The project: the folder holding ontology/, data/, shapes/ and queries/.

A working copy (or ``--project DIR``) is used as it is; otherwise the copy bundled in
the installed package is used, so ``isthmus`` works from any folder.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from isthmus.errors import ProjectError
from isthmus.formats import SOURCE_FORMATS

PARTS = ("ontology", "data", "shapes", "queries")
_SOURCE_SUFFIXES = tuple("." + f.extension for f in SOURCE_FORMATS)


def _is_project(folder: Path) -> bool:
    return all((folder / part).is_dir() for part in PARTS)


@dataclass(frozen=True)
class Project:
    """The files of one project. Paths are absolute; lists are sorted."""

    root: Path
    bundled: bool = False

    def _files(self, part: str, suffixes: tuple[str, ...]) -> list[Path]:
        folder = self.root / part
        return sorted(
            p for p in folder.rglob("*") if p.suffix.lower() in suffixes and not p.name.startswith(".")
        )

    @property
    def ontology_files(self) -> list[Path]:
        return self._files("ontology", _SOURCE_SUFFIXES)

    @property
    def data_files(self) -> list[Path]:
        return self._files("data", _SOURCE_SUFFIXES)

    @property
    def shape_files(self) -> list[Path]:
        return self._files("shapes", _SOURCE_SUFFIXES)

    @property
    def query_files(self) -> list[Path]:
        return self._files("queries", (".rq", ".sparql"))

    @property
    def context_file(self) -> Path | None:
        """The JSON-LD context shipped with the ontology, if there is one."""
        path = self.root / "ontology" / "context.jsonld"
        return path if path.is_file() else None

    def display(self, path: Path) -> str:
        """``path`` as messages show it: relative to the working folder when below it."""
        try:
            return os.path.relpath(path) if path.is_relative_to(Path.cwd()) else str(path)
        except (ValueError, OSError):  # another drive, or the working folder was removed
            return str(path)


def bundled_root() -> Path | None:
    """The project bundled with the installed package, or the source checkout it runs from."""
    package = Path(__file__).resolve().parent
    for candidate in (package / "_bundle", package.parent.parent):
        if _is_project(candidate):
            return candidate
    return None


def resolve(option: str | os.PathLike | None = None, *, cwd: Path | None = None) -> Project:
    """The project to work on: ``--project`` if given, else the working folder if it is a
    project, else the bundled one."""
    if option is not None:
        folder = Path(option).expanduser().resolve()
        if not folder.is_dir():
            raise ProjectError(f"--project: {option}: no such folder")
        if not _is_project(folder):
            missing = ", ".join(p + "/" for p in PARTS if not (folder / p).is_dir())
            raise ProjectError(f"--project: {option}: not an Isthmus project (missing {missing})")
        return Project(folder)
    here = (cwd or Path.cwd()).resolve()
    if _is_project(here):
        return Project(here)
    root = bundled_root()
    if root is None:
        raise ProjectError(
            "no project here and no bundled project in the package; use --project DIR"
        )
    return Project(root, bundled=True)
