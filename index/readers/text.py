"""Reader for scraped plain-text articles (placeholder, being written)."""
from __future__ import annotations

from ..model import Article, ArticleBuilder


def read_text(raw: str, article_id: str, metadata: dict) -> Article:
    b = ArticleBuilder(article_id, metadata=metadata)
    for para in raw.split("\n\n"):
        b.add("paragraph", para)
    return b.build()
