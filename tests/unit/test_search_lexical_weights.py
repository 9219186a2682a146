"""How the word search weighs a query's words by their rarity in the learner's notes."""

from __future__ import annotations

from tutor.search.lexical import MAX_QUERY_WORDS, _weigh


def test_one_rare_word_outweighs_three_words_a_tenth_of_the_notes_hold() -> None:
    # A name such as "Zimbabwe" in one chunk of 1,000 against "prices", "rise", "high".
    words = {
        w.lexeme: w.idf
        for w in _weigh([("zimbabwe", 1), ("prices", 100), ("rise", 100), ("high", 100)], 1_000)
    }
    assert words["zimbabwe"] > words["prices"] + words["rise"] + words["high"]


def test_words_most_chunks_hold_are_common_and_weigh_least() -> None:
    words = _weigh([("the", 900), ("borrow", 30), ("e0382", 2), ("of", 501)], 1_000)
    assert [w.lexeme for w in words] == ["e0382", "borrow", "of", "the"]
    assert [w.common for w in words] == [False, False, True, True]
    assert all(w.idf > 0 for w in words)


def test_a_long_query_keeps_its_rarest_words() -> None:
    counts = [(f"w{i}", i + 1) for i in range(MAX_QUERY_WORDS + 10)]
    words = _weigh(counts, 10_000)
    assert len(words) == MAX_QUERY_WORDS
    assert {w.lexeme for w in words} == {f"w{i}" for i in range(MAX_QUERY_WORDS)}
