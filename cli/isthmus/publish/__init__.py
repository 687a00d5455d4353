"""Publishing: the release (dumps, metadata, site) built from a validated project.

``release.py`` orchestrates; each builder (``void``, ``dcat``, ``schemaorg``, ``site``) is
its own module that takes a ``Release`` and returns triples, a document, or writes pages.
"""
