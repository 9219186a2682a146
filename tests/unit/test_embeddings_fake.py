import math

import pytest

from tutor.embeddings import FakeEmbeddings


def _cosine(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True))


def test_same_text_same_vector_across_instances() -> None:
    first, second = FakeEmbeddings(), FakeEmbeddings()
    text = "The derivative measures the rate of change."
    assert first.embed_query(text) == second.embed_query(text)
    assert first.embed_documents([text, text]) == [first.embed_query(text)] * 2


def test_vectors_have_the_fixed_dimension_and_unit_length() -> None:
    embeddings = FakeEmbeddings(dimension=32)
    for text in ["one", "two words", "", "   ", "!!!", "a a a a"]:
        vector = embeddings.embed_query(text)
        assert len(vector) == embeddings.dimension == 32
        assert math.isclose(math.sqrt(sum(v * v for v in vector)), 1.0, rel_tol=1e-9)


def test_texts_sharing_words_are_closer_than_unrelated_texts() -> None:
    embeddings = FakeEmbeddings()
    query = embeddings.embed_query("rate of change of a function")
    related = embeddings.embed_query("the derivative is the rate of change")
    unrelated = embeddings.embed_query("photosynthesis in green plants")
    assert _cosine(query, related) > _cosine(query, unrelated)


def test_case_and_punctuation_do_not_matter() -> None:
    embeddings = FakeEmbeddings()
    assert embeddings.embed_query("Rate of change!") == embeddings.embed_query("rate of change")


def test_history_records_every_text_in_order() -> None:
    embeddings = FakeEmbeddings()
    embeddings.embed_documents(["a", "b"])
    embeddings.embed_query("c")
    assert embeddings.history == ["a", "b", "c"]


async def test_async_methods_match_the_sync_ones() -> None:
    embeddings = FakeEmbeddings()
    assert await embeddings.aembed_query("x y") == embeddings.embed_query("x y")
    assert await embeddings.aembed_documents(["x", "y"]) == embeddings.embed_documents(["x", "y"])


def test_model_id_names_the_dimension() -> None:
    assert FakeEmbeddings(16).model_id != FakeEmbeddings(32).model_id


def test_dimension_must_allow_a_direction() -> None:
    with pytest.raises(ValueError, match="dimension"):
        FakeEmbeddings(dimension=1)
