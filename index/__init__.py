"""briefing's headless core: readers, store, search index, annotations, export.

Nothing in this package imports Textual.
"""

__version__ = "0.1.0"
