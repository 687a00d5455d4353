"""Remote SPARQL 1.1 endpoints. The only module that imports SPARQLWrapper.

The agent string, the timeout and the checks on what comes back live here, so every
command that reads a remote graph behaves alike.
"""

from __future__ import annotations

import json
import socket
import urllib.error
from dataclasses import dataclass

from isthmus import __version__
from isthmus.errors import EndpointError
from isthmus.results import QueryResult, from_json

DEFAULT_AGENT = f"isthmus/{__version__} (linked-data publisher; Python SPARQLWrapper)"

_RDF_MEDIA = {
    "text/turtle": "turtle",
    "application/n-triples": "ntriples",
    "text/plain": "ntriples",
    "application/rdf+xml": "rdfxml",
    "application/ld+json": "jsonld",
}


@dataclass(frozen=True)
class Endpoint:
    """A SPARQL 1.1 Protocol endpoint."""

    url: str
    timeout: float = 30.0
    agent: str = DEFAULT_AGENT
    method: str = "POST"

    def _wrapper(self, text: str, form: str, return_format: str):
        from SPARQLWrapper import GET, POST, SPARQLWrapper

        wrapper = SPARQLWrapper(self.url, agent=self.agent)
        wrapper.setTimeout(max(1, int(round(self.timeout))))
        wrapper.setMethod(POST if self.method.upper() == "POST" else GET)
        wrapper.setQuery(text)
        # SPARQLWrapper guesses the form with a regular expression that reads words in
        # comments too ("adds" made it an ADD update); the form is known, so say it.
        wrapper.queryType = form
        wrapper.setReturnFormat(return_format)
        return wrapper

    def _send(self, wrapper):
        from SPARQLWrapper import SPARQLExceptions as errors

        where = f"--endpoint {self.url}"
        try:
            return wrapper.query().response
        except errors.QueryBadFormed as err:
            raise EndpointError(f"{where}: the endpoint rejected the query: {_first_line(err)}") from None
        except errors.EndPointNotFound:
            raise EndpointError(f"{where}: no SPARQL endpoint at this address (HTTP 404)") from None
        except errors.Unauthorized:
            raise EndpointError(f"{where}: the endpoint requires authorization (HTTP 401)") from None
        except errors.EndPointInternalError as err:
            raise EndpointError(f"{where}: the endpoint failed (HTTP 500): {_first_line(err)}") from None
        except errors.SPARQLWrapperException as err:
            raise EndpointError(f"{where}: {_first_line(err)}") from None
        except urllib.error.HTTPError as err:
            raise EndpointError(f"{where}: the endpoint answered HTTP {err.code} {err.reason}") from None
        except urllib.error.URLError as err:
            reason = err.reason
            if isinstance(reason, (socket.timeout, TimeoutError)):
                raise EndpointError(f"{where}: no answer within {self.timeout:g} s") from None
            raise EndpointError(f"{where}: cannot reach the endpoint: {reason}") from None
        except (socket.timeout, TimeoutError):
            raise EndpointError(f"{where}: no answer within {self.timeout:g} s") from None
        except (ConnectionError, OSError) as err:
            raise EndpointError(f"{where}: cannot reach the endpoint: {err}") from None
        except ValueError as err:  # a malformed URL
            raise EndpointError(f"{where}: {err}") from None

    def run(self, text: str, form: str) -> QueryResult:
        """Run a query whose form (``SELECT``, ``ASK``, ``CONSTRUCT``, ``DESCRIBE``) is known."""
        from SPARQLWrapper import JSON, TURTLE

        if form in ("SELECT", "ASK"):
            response = self._send(self._wrapper(text, form, JSON))
            return _json_result(self._read(response), response, self.url)
        response = self._send(self._wrapper(text, form, TURTLE))
        return _graph_result(self._read(response), response, self.url)

    def _read(self, response) -> bytes:
        try:
            return response.read()
        except (socket.timeout, TimeoutError):
            raise EndpointError(f"--endpoint {self.url}: the answer stopped arriving after {self.timeout:g} s") from None
        except OSError as err:
            raise EndpointError(f"--endpoint {self.url}: the answer was cut off: {err}") from None


def _first_line(err: Exception) -> str:
    text = str(err).strip()
    for prefix in ("QueryBadFormed: ", "EndPointInternalError: "):
        text = text.removeprefix(prefix)
    return text.splitlines()[0] if text else type(err).__name__


def _media_type(response) -> str:
    header = response.headers.get("Content-Type", "") if hasattr(response, "headers") else ""
    return header.split(";")[0].strip().lower()


def _json_result(body: bytes, response, url: str) -> QueryResult:
    media = _media_type(response)
    try:
        document = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise EndpointError(
            f"--endpoint {url}: the answer is not SPARQL JSON results (got {media or 'no content type'}, "
            f"{len(body)} bytes starting {body[:60]!r})"
        ) from None
    if not isinstance(document, dict) or not (
        "boolean" in document or ("head" in document and "results" in document)
    ):
        raise EndpointError(f"--endpoint {url}: the answer is JSON but not SPARQL query results")
    try:
        return from_json(document)
    except (KeyError, TypeError, AttributeError):
        raise EndpointError(f"--endpoint {url}: the SPARQL JSON results are malformed") from None


def _graph_result(body: bytes, response, url: str) -> QueryResult:
    import pyoxigraph as ox

    from isthmus.formats import RDF_FORMATS, oxigraph_format

    media = _media_type(response)
    name = _RDF_MEDIA.get(media, "turtle")
    fmt = next(f for f in RDF_FORMATS if f.name == name)
    try:
        found = {str(q.triple) + " ." for q in ox.parse(body, format=oxigraph_format(fmt))}
    except (SyntaxError, ValueError) as err:
        raise EndpointError(f"--endpoint {url}: the answer is not valid {fmt.name}: {err}") from None
    return QueryResult("graph", triples=sorted(found))
