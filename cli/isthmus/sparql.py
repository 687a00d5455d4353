"""Remote SPARQL 1.1 endpoints. The only module that imports SPARQLWrapper.

The agent string, the timeout, the retries and the checks on what comes back live here,
so every command that reads a remote graph behaves alike:

- a descriptive User-Agent (Wikimedia refuses SPARQLWrapper's default one);
- a deadline per query, for connecting and for the whole answer to arrive;
- on 429 and 503, ``Retry-After`` honoured (capped), else exponential backoff, a bounded
  number of times;
- the body checked, not only the status: an HTML page or a policy notice served with
  200 is an error, not an empty result.
"""

from __future__ import annotations

import email.utils
import json
import socket
import time
import urllib.error
from dataclasses import dataclass

from isthmus import __version__
from isthmus.errors import EndpointError
from isthmus.results import QueryResult, from_json

_RDF_MEDIA = {
    "text/turtle": "turtle",
    "application/n-triples": "ntriples",
    "text/plain": "ntriples",
    "application/rdf+xml": "rdfxml",
    "application/ld+json": "jsonld",
}
_RETRY_STATUS = (429, 502, 503, 504)


def user_agent(contact: str | None = None) -> str:
    """A User-Agent in the form Wikimedia's policy asks for: tool/version (contact) library/version."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        library = f"SPARQLWrapper/{version('SPARQLWrapper')}"
    except PackageNotFoundError:
        library = "SPARQLWrapper"
    about = f"{contact}; " if contact else ""
    return f"isthmus/{__version__} ({about}linked-data publisher) {library}"


class RemoteError(EndpointError):
    """An endpoint failed; ``status`` is the HTTP status where there was one."""

    def __init__(self, message: str, *, status: int | None = None, retry_after: float | None = None):
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


def _retry_after(headers) -> float | None:
    value = headers.get("Retry-After") if headers is not None else None
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


@dataclass(frozen=True)
class Endpoint:
    """A SPARQL 1.1 Protocol endpoint.

    ``timeout`` bounds each query (connection and the whole answer); ``retries`` bounds
    the further attempts after a 429/502/503/504; ``max_wait`` caps any single wait.
    """

    url: str
    timeout: float = 30.0
    agent: str = user_agent()
    method: str = "POST"
    retries: int = 3
    backoff: float = 1.0
    max_wait: float = 60.0
    option: str = "--endpoint"

    @property
    def _where(self) -> str:
        return f"{self.option} {self.url}"

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

    def _send_once(self, wrapper):
        from SPARQLWrapper import SPARQLExceptions as errors

        where = self._where
        try:
            return wrapper.query().response
        except errors.QueryBadFormed as err:
            raise RemoteError(f"{where}: the endpoint rejected the query: {_first_line(err)}", status=400) from None
        except errors.EndPointNotFound:
            raise RemoteError(f"{where}: no SPARQL endpoint at this address (HTTP 404)", status=404) from None
        except errors.Unauthorized:
            raise RemoteError(f"{where}: the endpoint requires authorization (HTTP 401)", status=401) from None
        except errors.URITooLong:
            raise RemoteError(f"{where}: the query is too long for this endpoint (HTTP 414)", status=414) from None
        except errors.EndPointInternalError as err:
            raise RemoteError(f"{where}: the endpoint failed (HTTP 500): {_first_line(err)}", status=500) from None
        except errors.SPARQLWrapperException as err:
            raise RemoteError(f"{where}: {_first_line(err)}") from None
        except urllib.error.HTTPError as err:
            raise RemoteError(
                f"{where}: the endpoint answered HTTP {err.code} {err.reason}",
                status=err.code,
                retry_after=_retry_after(err.headers),
            ) from None
        except urllib.error.URLError as err:
            reason = err.reason
            if isinstance(reason, (socket.timeout, TimeoutError)):
                raise RemoteError(f"{where}: no answer within {self.timeout:g} s") from None
            raise RemoteError(f"{where}: cannot reach the endpoint: {reason}") from None
        except (socket.timeout, TimeoutError):
            raise RemoteError(f"{where}: no answer within {self.timeout:g} s") from None
        except (ConnectionError, OSError) as err:
            raise RemoteError(f"{where}: cannot reach the endpoint: {err}") from None
        except ValueError as err:  # a malformed URL
            raise RemoteError(f"{where}: {err}") from None

    def _fetch(self, text: str, form: str, return_format: str) -> tuple[bytes, object]:
        """Send the query, retrying politely; the body and the response it came with."""
        attempt = 0
        while True:
            try:
                response = self._send_once(self._wrapper(text, form, return_format))
                return self._read(response), response
            except RemoteError as err:
                if err.status not in _RETRY_STATUS or attempt >= self.retries:
                    if err.status in _RETRY_STATUS and attempt:
                        raise RemoteError(
                            f"{err} (gave up after {attempt + 1} attempts)", status=err.status
                        ) from None
                    raise
                wait = err.retry_after if err.retry_after is not None else self.backoff * (2**attempt)
                time.sleep(min(max(wait, 0.0), self.max_wait))
                attempt += 1

    def _read(self, response) -> bytes:
        """The whole body, within the deadline (a server that trickles is cut off)."""
        deadline = time.monotonic() + self.timeout
        chunks = []
        try:
            while True:
                if time.monotonic() > deadline:
                    raise RemoteError(f"{self._where}: the answer did not finish arriving within {self.timeout:g} s")
                chunk = response.read(65536)
                if not chunk:
                    break
                chunks.append(chunk)
        except (socket.timeout, TimeoutError):
            raise RemoteError(f"{self._where}: the answer stopped arriving (no data for {self.timeout:g} s)") from None
        except OSError as err:
            raise RemoteError(f"{self._where}: the answer was cut off: {err}") from None
        finally:
            try:
                response.close()
            except OSError:
                pass
        body = b"".join(chunks)
        length = response.headers.get("Content-Length") if hasattr(response, "headers") else None
        if length and length.isdigit() and int(length) != len(body):
            raise RemoteError(f"{self._where}: the answer was cut off ({len(body)} of {length} bytes)")
        return body

    def run(self, text: str, form: str) -> QueryResult:
        """Run a query whose form (``SELECT``, ``ASK``, ``CONSTRUCT``, ``DESCRIBE``) is known."""
        from SPARQLWrapper import JSON, TURTLE

        if form in ("SELECT", "ASK"):
            body, response = self._fetch(text, form, JSON)
            return _json_result(body, response, self._where)
        body, response = self._fetch(text, form, TURTLE)
        return _graph_result(body, response, self._where)


def _first_line(err: Exception) -> str:
    text = str(err).strip()
    for prefix in ("QueryBadFormed: ", "EndPointInternalError: "):
        text = text.removeprefix(prefix)
    return text.splitlines()[0] if text else type(err).__name__


def _media_type(response) -> str:
    header = response.headers.get("Content-Type", "") if hasattr(response, "headers") else ""
    return header.split(";")[0].strip().lower()


def _json_result(body: bytes, response, where: str) -> QueryResult:
    media = _media_type(response)
    try:
        document = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        start = body[:60].decode("utf-8", errors="replace").strip()
        raise RemoteError(
            f"{where}: the answer is not SPARQL JSON results (got {media or 'no content type'}, "
            f"{len(body)} bytes starting {start!r})"
        ) from None
    if not isinstance(document, dict) or not (
        "boolean" in document or ("head" in document and "results" in document)
    ):
        raise RemoteError(f"{where}: the answer is JSON but not SPARQL query results")
    try:
        return from_json(document)
    except (KeyError, TypeError, AttributeError):
        raise RemoteError(f"{where}: the SPARQL JSON results are malformed") from None


def _graph_result(body: bytes, response, where: str) -> QueryResult:
    import pyoxigraph as ox

    from isthmus.formats import RDF_FORMATS, oxigraph_format

    media = _media_type(response)
    name = _RDF_MEDIA.get(media, "turtle")
    fmt = next(f for f in RDF_FORMATS if f.name == name)
    try:
        found = {str(q.triple) + " ." for q in ox.parse(body, format=oxigraph_format(fmt))}
    except (SyntaxError, ValueError) as err:
        raise RemoteError(f"{where}: the answer is not valid {fmt.name}: {err}") from None
    return QueryResult("graph", triples=sorted(found))
