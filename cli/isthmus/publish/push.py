"""Push a release into a SPARQL 1.1 Graph Store Protocol endpoint.

The whole graph goes in ONE ``PUT`` to the named graph, which the protocol defines as
replacing that graph: the store holds either the old graph or the new one, never a mix.
Then the graph is read back (``GET``) and its triples counted against the local count.
Credentials come from the environment (``ISTHMUS_PUSH_TOKEN`` for a bearer token, or
``ISTHMUS_PUSH_USER`` and ``ISTHMUS_PUSH_PASSWORD``) or from ``~/.netrc``; never from the
command line, where they would land in shell histories and process lists.
"""

from __future__ import annotations

import base64
import netrc
import os
import socket
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass

import pyoxigraph as ox

from isthmus import __version__
from isthmus.errors import EndpointError

NTRIPLES = "application/n-triples"


@dataclass(frozen=True)
class PushResult:
    graph: str
    sent: int
    found: int


def credentials(url: str, env: Mapping[str, str] | None = None, netrc_file: str | None = None) -> str | None:
    """The Authorization header value for ``url``, from the environment or netrc."""
    env = os.environ if env is None else env
    if env.get("ISTHMUS_PUSH_TOKEN"):
        return "Bearer " + env["ISTHMUS_PUSH_TOKEN"]
    user, password = env.get("ISTHMUS_PUSH_USER"), env.get("ISTHMUS_PUSH_PASSWORD")
    if not (user and password is not None):
        host = urllib.parse.urlsplit(url).hostname or ""
        try:
            found = netrc.netrc(netrc_file).authenticators(host)
        except (FileNotFoundError, netrc.NetrcParseError, OSError):
            found = None
        if found is None:
            return None
        user, _account, password = found
    token = base64.b64encode(f"{user}:{password or ''}".encode("utf-8")).decode("ascii")
    return "Basic " + token


def _graph_url(url: str, graph: str) -> str:
    parts = urllib.parse.urlsplit(url)
    query = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    query = [(k, v) for k, v in query if k not in ("graph", "default")] + [("graph", graph)]
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))


def _request(method: str, url: str, *, body: bytes | None, headers: dict[str, str], timeout: float) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body, method=method, headers=headers)
    where = f"--push {url.split('?')[0]}"
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as err:
        detail = " ".join(err.read()[:300].decode("utf-8", errors="replace").split())[:160]
        hint = " (set ISTHMUS_PUSH_TOKEN, or ISTHMUS_PUSH_USER/PASSWORD, or ~/.netrc)" if err.code in (401, 403) else ""
        raise EndpointError(f"{where}: the store answered HTTP {err.code} {err.reason}{hint}" + (f": {detail}" if detail else "")) from None
    except urllib.error.URLError as err:
        if isinstance(err.reason, (socket.timeout, TimeoutError)):
            raise EndpointError(f"{where}: no answer within {timeout:g} s") from None
        raise EndpointError(f"{where}: cannot reach the store: {err.reason}") from None
    except (socket.timeout, TimeoutError):
        raise EndpointError(f"{where}: no answer within {timeout:g} s") from None
    except (ConnectionError, OSError) as err:
        raise EndpointError(f"{where}: the connection failed: {err}") from None
    except ValueError as err:
        raise EndpointError(f"{where}: {err}") from None


def push(items: list[ox.Triple], url: str, graph: str, *, timeout: float = 120.0,
         env: Mapping[str, str] | None = None) -> PushResult:
    """Replace ``graph`` at the Graph Store ``url`` with ``items``; check the count after."""
    body = ox.serialize(items, format=ox.RdfFormat.N_TRIPLES)
    headers = {"User-Agent": f"isthmus/{__version__}", "Content-Type": NTRIPLES}
    auth = credentials(url, env)
    if auth:
        headers["Authorization"] = auth
    target = _graph_url(url, graph)
    _request("PUT", target, body=body, headers=headers, timeout=timeout)
    read_headers = {k: v for k, v in headers.items() if k != "Content-Type"} | {"Accept": NTRIPLES}
    _, payload = _request("GET", target, body=None, headers=read_headers, timeout=timeout)
    try:
        found = len({q.triple for q in ox.parse(payload, format=ox.RdfFormat.N_TRIPLES)})
    except SyntaxError as err:
        raise EndpointError(f"--push {url}: reading the graph back gave invalid N-Triples: {err}") from None
    sent = len(set(items))
    if found != sent:
        raise EndpointError(f"--push {url}: the store holds {found} triples in <{graph}>, {sent} were sent")
    return PushResult(graph, sent, found)
