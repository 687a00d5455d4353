"""Isthmus: a linked-data knowledge graph of scholarship, and the toolkit that
validates, queries, links and publishes it.

The library comes first; ``isthmus.main`` is a thin click skin over it.
"""

__version__ = "0.1.0"
