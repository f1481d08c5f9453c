"""Finding the project's source files and parsing them, with errors that say file:line:column."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from .errors import BadInput
from .namespaces import graph_for

REPO = Path(__file__).resolve().parents[2]
ONTOLOGY_DIR = REPO / "ontology"
SHAPES_DIR = REPO / "shapes"
DEFAULT_DATA = REPO / "data"

# Sub-folders of the data folder and what they hold.
KINDS = {"reference": "reference", "plans": "plan", "editorial": "editorial"}


@dataclass(frozen=True)
class Source:
    path: Path
    kind: str  # ontology | reference | plan | editorial | return

    @property
    def key(self) -> str:
        """The plan the file belongs to: a return (data/returns/<plan>/<period>.ttl) goes with its plan."""
        return self.path.parent.name if self.kind == "return" else self.path.stem

    @property
    def graph(self) -> str:
        return graph_for(self.path, self.kind)


def discover(data_dir: Path) -> list[Source]:
    """Every Turtle file the build loads: the ontology, then the data folder's sub-folders."""
    if not data_dir.is_dir():
        raise BadInput(f"{data_dir}: data folder not found")
    sources = [Source(p, "ontology") for p in sorted(ONTOLOGY_DIR.glob("*.ttl"))]
    for folder, kind in KINDS.items():
        sources += [Source(p, kind) for p in sorted((data_dir / folder).glob("*.ttl"))]
    # the area files: what plan workbooks declared, one file per police area (plans/areas.py)
    sources += [Source(p, "reference") for p in sorted((data_dir / "reference" / "areas").glob("*.ttl"))]
    # progress returns: data/returns/<plan>/<period>.ttl, each its own graph, reasoned and validated with its plan
    sources += [Source(p, "return") for p in sorted((data_dir / "returns").glob("*/*.ttl"))]
    if not any(s.kind == "plan" for s in sources):
        raise BadInput(f"{data_dir / 'plans'}: no plan files (*.ttl) found")
    return sources


def classify(path: Path) -> Source:
    """A file named on the command line: its kind comes from the folder it sits in."""
    if not path.is_file():
        raise BadInput(f"{path}: file not found")
    folder = path.resolve().parent
    if folder.parent.name == "returns":
        return Source(path, "return")
    kind = "reference" if folder.name == "areas" and folder.parent.name == "reference" else KINDS.get(folder.name, "plan")
    return Source(path, kind)


def parse(source: Source) -> list[ox.Triple]:
    """Parse one Turtle file; a syntax error names the file, line and column."""
    try:
        return list(ox.parse(path=str(source.path), format=ox.RdfFormat.TURTLE))
    except SyntaxError as err:
        raise BadInput(f"{source.path}:{err.lineno}:{err.offset}: Turtle syntax error: {err.msg}") from None
    except OSError as err:
        raise BadInput(f"{source.path}: cannot read: {err.strerror}") from None


def shape_files() -> list[Path]:
    return sorted(SHAPES_DIR.glob("*.ttl"))
