"""Wikidata-shaped fixtures for the link tests: the mini project's links, a fixture built
from a project's own links, and a small HTTP server that misbehaves on demand."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import rdflib

OWL_SAMEAS = rdflib.OWL.sameAs
WD = "http://www.wikidata.org/entity/"

MINI_ONTOLOGY = """
@prefix ex:   <https://example.org/ns#> .
@prefix owl:  <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix wd:   <http://www.wikidata.org/entity/> .

ex:wikidataClass a owl:AnnotationProperty ; rdfs:label "Wikidata class"@en .
ex:linkStatus a owl:DatatypeProperty ; rdfs:label "link status"@en .
ex:Source a owl:Class ; rdfs:label "source"@en .
ex:Person ex:wikidataClass wd:Q5 .
ex:Place ex:wikidataClass wd:Q515 .
"""

MINI_LINKS = """
@prefix ex:   <https://example.org/ns#> .
@prefix p:    <https://example.org/id/person/> .
@prefix pl:   <https://example.org/id/place/> .
@prefix owl:  <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix wd:   <http://www.wikidata.org/entity/> .

p:ada owl:sameAs wd:Q900000001 ; ex:linkStatus "confirmed" .
p:bob owl:sameAs wd:Q900000009 ; ex:linkStatus "unconfirmed" .
pl:lima owl:sameAs wd:Q900000002 ; ex:linkStatus "confirmed" .
pl:cusco a ex:Place ; rdfs:label "Cusco"@en ; owl:sameAs wd:Q900000003 .
pl:quito a ex:Place ; rdfs:label "Quito"@en ; owl:sameAs wd:Q900000005 .
p:carla a ex:Person ; rdfs:label "Carla"@en ; owl:sameAs wd:Q900000006 .
pl:arequipa a ex:Place ; rdfs:label "Arequipa"@en , "Arequipa"@es .
"""


def add_links_to_mini(mini: Path) -> None:
    (mini / "ontology" / "wikidata.ttl").write_text(MINI_ONTOLOGY)
    (mini / "data" / "links.ttl").write_text(MINI_LINKS)


def fixture_from_links(root: Path) -> tuple[str, str]:
    """Wikidata-shaped Turtle (main graph, scholarly graph) built from a project's links:
    each linked item carries the entity's labels and a type its class expects."""
    data = rdflib.Graph()
    for path in sorted((root / "data").rglob("*.ttl")):
        data.parse(path, format="turtle")
    ontology = rdflib.Graph()
    for path in sorted((root / "ontology").glob("*.ttl")):
        ontology.parse(path, format="turtle")
    merged = data + ontology
    namespace = str(next(ontology.objects(None, rdflib.URIRef("http://purl.org/vocab/vann/preferredNamespaceUri"))))
    wikidata_class = rdflib.URIRef(namespace + "wikidataClass")
    source = rdflib.URIRef(namespace + "Source")
    main, scholarly = [], []
    links = sorted(set(data.subject_objects(OWL_SAMEAS)) | set(data.subject_objects(rdflib.SKOS.closeMatch)))
    for entity, target in links:
        if not str(target).startswith(WD):
            continue
        lines = [f"<{target}>"]
        for label in data.objects(entity, rdflib.RDFS.label):
            lines.append(f"  <http://www.w3.org/2000/01/rdf-schema#label> {label.n3()} ;")
        types = set()
        for cls in data.objects(entity, rdflib.RDF.type):
            for sup in merged.transitive_objects(cls, rdflib.RDFS.subClassOf):
                types |= set(merged.objects(sup, wikidata_class))
        for t in sorted(types)[:1] or [rdflib.URIRef(WD + "Q35120")]:
            lines.append(f"  <http://www.wikidata.org/prop/direct/P31> <{t}> ;")
        text = "\n".join(lines).rstrip(" ;") + " .\n"
        is_source = any(
            source in set(merged.transitive_objects(cls, rdflib.RDFS.subClassOf))
            for cls in data.objects(entity, rdflib.RDF.type)
        )
        (scholarly if is_source else main).append(text)
    return "\n".join(main), "\n".join(scholarly)


def item_json(qid: str, label: str, type_qid: str) -> bytes:
    """A SPARQL JSON answer to the items query for one item."""
    item = {"type": "uri", "value": WD + qid}
    rows = [
        {"item": item, "key": {"type": "literal", "value": "label"}, "value": {"type": "literal", "value": label, "xml:lang": "en"}},
        {"item": item, "key": {"type": "literal", "value": "type"}, "value": {"type": "uri", "value": WD + type_qid}},
    ]
    return json.dumps({"head": {"vars": ["item", "key", "value"]}, "results": {"bindings": rows}}).encode()


class Reply:
    def __init__(self, status=200, body=b"", headers=None, delay=0.0, truncate_to=None):
        self.status, self.body, self.headers, self.delay, self.truncate_to = status, body, headers or {}, delay, truncate_to


class FaultyServer:
    """An HTTP server on 127.0.0.1 that gives the planned replies in order (the last one
    repeats) and records the requests it got."""

    def __init__(self, replies: list[Reply]):
        self.replies = list(replies)
        self.requests: list[dict] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def _reply(self):
                length = int(self.headers.get("Content-Length") or 0)
                outer.requests.append({"path": self.path, "agent": self.headers.get("User-Agent"),
                                       "body": self.rfile.read(length) if length else b"", "at": time.monotonic()})
                reply = outer.replies.pop(0) if len(outer.replies) > 1 else outer.replies[0]
                if reply.delay:
                    time.sleep(reply.delay)
                try:
                    self.send_response(reply.status)
                    headers = {"Content-Type": "application/sparql-results+json", **reply.headers}
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(reply.body)))
                    self.end_headers()
                    self.wfile.write(reply.body if reply.truncate_to is None else reply.body[: reply.truncate_to])
                    self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    pass
                if reply.truncate_to is not None:
                    self.close_connection = True

            do_GET = do_POST = do_PUT = _reply

            def log_message(self, *args):  # keep test output quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sparql"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
