"""Scale a project's graph to any size: N renamed copies of every resource, cross-linked
like the original.

Every IRI below the dataset's URI space (``void:uriSpace``) is renamed in copy k > 0 by a
suffix (``…/actor/mexico`` -> ``…/actor/mexico-c7``; copy 0 is the original), so copy k is the original graph
with its own resources linking to each other exactly as the original's do; the dataset
description and the ontology's terms stay single. Whole copies are added until the data
reaches at least the requested number of triples, so the scaled graph stays valid.

    python benchmarks/generate.py --triples 1000000 --out /tmp/scaled

writes a project folder (ontology/, shapes/, queries/ copied; data/ scaled, as N-Triples).
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "cli"))

VOID = "http://rdfs.org/ns/void#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def _read(folder: Path) -> list[ox.Triple]:
    found = []
    for path in sorted(folder.rglob("*")):
        if path.suffix in (".ttl", ".nt"):
            found += [q.triple for q in ox.parse(path=str(path))]
    return found


def scale(source: Path, out: Path, triples: int) -> int:
    """Write the scaled project; returns the number of data triples written."""
    data = _read(source / "data")
    space = next((t.object.value for t in data if t.predicate.value == VOID + "uriSpace"), None)
    if space is None:
        raise SystemExit("the data declares no void:uriSpace; nothing to rename")
    dataset = {t.subject for t in data if t.predicate.value == RDF_TYPE and t.object.value.startswith(VOID)}
    single = [t for t in data if t.subject in dataset]
    body = [t for t in data if t.subject not in dataset]
    if out.exists():
        shutil.rmtree(out)
    for part in ("ontology", "shapes", "queries"):
        shutil.copytree(source / part, out / part)
    (out / "data").mkdir(parents=True)

    described = {t.subject for t in body if isinstance(t.subject, ox.NamedNode)}

    def rename(term, k: int):
        """Copy 0 keeps the original IRIs (so the queries' default parameters still name
        something); copy k > 0 adds a suffix."""
        if k == 0:
            return term
        if isinstance(term, ox.NamedNode) and term.value.startswith(space) and term in described:
            return ox.NamedNode(f"{term.value}-c{k}")
        if isinstance(term, ox.BlankNode):
            return ox.BlankNode(f"{term.value}c{k}")
        return term

    single = [ox.Triple(t.subject, t.predicate, rename(t.object, 0)) for t in single]
    written = len(single)
    with open(out / "data" / "dataset.nt", "wb") as handle:
        ox.serialize(single, handle, format=ox.RdfFormat.N_TRIPLES)
    k = 0
    with open(out / "data" / "scaled.nt", "wb") as handle:
        while written < triples:
            chunk = [ox.Triple(rename(t.subject, k), t.predicate, rename(t.object, k)) for t in body]
            ox.serialize(chunk, handle, format=ox.RdfFormat.N_TRIPLES)
            written += len(chunk)
            k += 1
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, required=True, help="about how many data triples to write")
    parser.add_argument("--out", type=Path, required=True, help="the project folder to write (replaced)")
    parser.add_argument("--source", type=Path, default=ROOT, help="the project to scale (default: this one)")
    options = parser.parse_args()
    n = scale(options.source, options.out, options.triples)
    print(f"{n} data triples in {options.out}")


if __name__ == "__main__":
    main()
