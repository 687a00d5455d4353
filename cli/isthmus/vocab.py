"""The project's vocabulary, read from its ontology instead of written into the code.

The ontology names its namespace (``vann:preferredNamespaceUri``); the toolkit refers to the
terms it relies on (``linkStatus``, ``supports``, ``wikidataClass``…) by local name in that
namespace, so a project with its own ontology keeps working as long as it defines them.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

VANN_URI = "http://purl.org/vocab/vann/preferredNamespaceUri"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
OWL_ONTOLOGY = "http://www.w3.org/2002/07/owl#Ontology"


class Vocabulary:
    """Terms of the project's namespace: ``vocab.linkStatus`` is an IRI string."""

    def __init__(self, namespace: str):
        self.namespace = namespace

    def __getattr__(self, name: str) -> str:
        if name.startswith("_"):
            raise AttributeError(name)
        return self.namespace + name

    def node(self, name: str) -> ox.NamedNode:
        return ox.NamedNode(self.namespace + name)

    @classmethod
    def of(cls, ontology: Iterable[ox.Triple]) -> Vocabulary:
        """The vocabulary the ontology declares (the namespace of its owl:Ontology)."""
        ontology = list(ontology)
        for t in ontology:
            if t.predicate.value == VANN_URI and isinstance(t.object, ox.Literal):
                return cls(t.object.value)
        for t in ontology:
            if t.predicate.value == RDF_TYPE and t.object.value == OWL_ONTOLOGY:
                return cls(t.subject.value + "#")
        raise ValueError("the ontology declares no namespace (vann:preferredNamespaceUri)")
