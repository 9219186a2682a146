"""Search of a learner's notes: by meaning (vectors), by words (PostgreSQL), or both fused.

:func:`hybrid_search` is what the tutor asks; :class:`PostgresLexicalSearch` is the word
search behind the :class:`LexicalSearch` port; :func:`reciprocal_rank_fusion` merges
ranked lists.
"""

from tutor.search.hybrid import CANDIDATES, RRF_K, hybrid_search, reciprocal_rank_fusion
from tutor.search.lexical import LexicalSearch, PostgresLexicalSearch

__all__ = [
    "CANDIDATES",
    "RRF_K",
    "LexicalSearch",
    "PostgresLexicalSearch",
    "hybrid_search",
    "reciprocal_rank_fusion",
]
