"""Settings: a tree of sections, each read from ``TUTOR_*`` environment variables.

Every stateful part runs embedded when its server setting is unset; one variable moves it
to a server. Settings are read once, by :func:`get_settings`, never at import time.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

import platformdirs
from pydantic import AliasChoices, Field, IPvAnyNetwork
from pydantic_settings import BaseSettings, SettingsConfigDict


def _section(prefix: str) -> SettingsConfigDict:
    return SettingsConfigDict(env_prefix=prefix, extra="ignore", populate_by_name=True)


class ServerSettings(BaseSettings):
    """Where the HTTP and WebSocket API listens."""

    model_config = _section("TUTOR_")

    host: str = "127.0.0.1"
    """Interface to bind (``TUTOR_HOST``)."""
    port: int = Field(default=8000, ge=1, le=65535)
    """TCP port (``TUTOR_PORT``)."""
    allowed_origins: list[str] = Field(default_factory=list)
    """Browser origins besides the server's own that may open ``/ws`` and send requests
    that change something, e.g. ``["http://localhost:3000"]`` for the UI's dev server
    (``TUTOR_ALLOWED_ORIGINS``, JSON)."""
    ws_connections_per_learner: int = Field(default=8, ge=1)
    """Open ``/ws`` connections one learner may have (``TUTOR_WS_CONNECTIONS_PER_LEARNER``)."""
    ws_actions_per_minute: int = Field(default=60, ge=1)
    """Actions one learner may send per minute, pings aside (``TUTOR_WS_ACTIONS_PER_MINUTE``)."""
    ws_max_frame_bytes: int = Field(default=64 * 1024, ge=1024)
    """Largest frame a client may send (``TUTOR_WS_MAX_FRAME_BYTES``)."""
    ws_idle_timeout_s: float = Field(default=300.0, gt=0)
    """Seconds without a frame from the client, and no turn running, after which the
    connection is closed (``TUTOR_WS_IDLE_TIMEOUT_S``)."""
    ws_hello_timeout_s: float = Field(default=10.0, gt=0)
    """Seconds a new ``/ws`` connection has to open a thread with ``hello`` before it is
    closed (``TUTOR_WS_HELLO_TIMEOUT_S``)."""
    web_dir: Path | None = None
    """The web UI's static export, served at ``/`` (``TUTOR_WEB_DIR``); unset serves
    ``web/out`` beside the package when it has been built (``make web``)."""
    allowed_hosts: list[str] | None = None
    """Host names the server answers to (``TUTOR_ALLOWED_HOSTS``, JSON), e.g.
    ``["tutor.example.org"]``; ``*.example.org`` allows its subdomains and ``["*"]`` any.
    Unset: ``localhost``, ``127.0.0.1``, ``::1`` and ``TUTOR_HOST``."""
    trusted_proxies: list[IPvAnyNetwork] = Field(default_factory=list)
    """Addresses or networks of reverse proxies whose ``X-Forwarded-For`` and
    ``X-Forwarded-Proto`` are believed (``TUTOR_TRUSTED_PROXIES``, JSON), e.g.
    ``["127.0.0.1"]``; from anyone else those headers are ignored."""
    readyz_details: bool = False
    """Whether ``/readyz`` tells anyone each component, where it runs and its state
    (``TUTOR_READYZ_DETAILS``); otherwise it says ready or not, and ``tutor doctor`` tells
    the rest."""


class DatabaseSettings(BaseSettings):
    """The relational store, the system of record."""

    model_config = _section("TUTOR_DATABASE_")

    url: str | None = None
    """PostgreSQL URL (``TUTOR_DATABASE_URL``); unset runs an embedded server in the data dir."""
    pool_min_size: int = Field(default=1, ge=0)
    """Connections the pool keeps open (``TUTOR_DATABASE_POOL_MIN_SIZE``)."""
    pool_max_size: int = Field(default=10, ge=1)
    """Most connections the pool opens (``TUTOR_DATABASE_POOL_MAX_SIZE``)."""
    watch_interval_s: float = Field(default=2.0, gt=0)
    """Seconds between looks at the embedded server, restarted when it died
    (``TUTOR_DATABASE_WATCH_INTERVAL_S``); a failed connection looks at once."""


class ChromaSettings(BaseSettings):
    """The vector store for chunk and lesson embeddings."""

    model_config = _section("TUTOR_CHROMA_")

    url: str | None = None
    """Chroma server URL (``TUTOR_CHROMA_URL``); unset keeps a persistent client in the data dir."""
    collection: str = "chunks"
    """Collection that holds chunk vectors (``TUTOR_CHROMA_COLLECTION``)."""


class GraphSettings(BaseSettings):
    """The concept graph store."""

    model_config = _section("TUTOR_NEO4J_")

    uri: str | None = None
    """Bolt URI (``TUTOR_NEO4J_URI``); unset keeps the graph in PostgreSQL tables."""
    user: str = "neo4j"
    """Neo4j user name (``TUTOR_NEO4J_USER``)."""
    password: str = ""
    """Neo4j password (``TUTOR_NEO4J_PASSWORD``)."""
    batch_size: int = Field(default=100, ge=1)
    """Rows sent per Cypher statement (``TUTOR_NEO4J_BATCH_SIZE``)."""


LLMProvider = Literal["llamacpp", "ollama", "fake"]


class LLMSettings(BaseSettings):
    """The chat model."""

    model_config = _section("TUTOR_LLM_")

    provider: LLMProvider | None = None
    """Adapter: ``llamacpp``, ``ollama`` or ``fake`` (``TUTOR_LLM_PROVIDER``).

    Unset means ``ollama`` when ``TUTOR_OLLAMA_URL`` is set, else ``llamacpp``.
    """
    ollama_url: str | None = Field(
        default=None, validation_alias=AliasChoices("TUTOR_OLLAMA_URL", "ollama_url")
    )
    """Ollama server URL (``TUTOR_OLLAMA_URL``)."""
    model: str = "gemma3:270m"
    """Model name on the Ollama server (``TUTOR_LLM_MODEL``)."""
    model_path: Path | None = None
    """A GGUF file for llama.cpp (``TUTOR_LLM_MODEL_PATH``); unset uses the bundled Gemma 3 270M."""
    context_size: int = Field(default=4096, ge=256)
    """Context window of each request, in tokens (``TUTOR_LLM_CONTEXT_SIZE``)."""
    parallel: int = Field(default=4, ge=1)
    """Requests llama.cpp serves at once, one slot each (``TUTOR_LLM_PARALLEL``)."""
    threads: int = Field(default=2, ge=1)
    """CPU threads for llama.cpp (``TUTOR_LLM_THREADS``)."""
    prompt_cache_mib: int = Field(default=0, ge=0)
    """RAM for llama.cpp's cache of finished prompts, in MiB; 0 keeps none
    (``TUTOR_LLM_PROMPT_CACHE_MIB``)."""
    max_tokens: int = Field(default=256, ge=1)
    """Most tokens in one reply (``TUTOR_LLM_MAX_TOKENS``)."""
    temperature: float = Field(default=0.7, ge=0.0, le=2.0)
    """Sampling temperature (``TUTOR_LLM_TEMPERATURE``)."""
    fake_tokens_per_second: float | None = Field(default=None, gt=0)
    """Pace of the fake model's stream, for load tests (``TUTOR_LLM_FAKE_TOKENS_PER_SECOND``);
    unset streams as fast as possible."""

    @property
    def resolved_provider(self) -> LLMProvider:
        """The adapter in use once the defaults are applied."""
        if self.provider is not None:
            return self.provider
        return "ollama" if self.ollama_url else "llamacpp"


class EmbeddingSettings(BaseSettings):
    """The embedding model."""

    model_config = _section("TUTOR_EMBEDDINGS_")

    provider: Literal["sentence-transformers", "ollama"] = "sentence-transformers"
    """``sentence-transformers`` or ``ollama`` (``TUTOR_EMBEDDINGS_PROVIDER``)."""
    model: str = "all-MiniLM-L6-v2"
    """For Ollama, the embedding model on that server (``TUTOR_EMBEDDINGS_MODEL``)."""
    batch_size: int = Field(default=64, ge=1)
    """Texts embedded per batch (``TUTOR_EMBEDDINGS_BATCH_SIZE``)."""
    threads: int = Field(default=1, ge=1)
    """CPU threads for queries (``TUTOR_EMBEDDINGS_THREADS``).

    One by default: on a small machine it shares the cores with llama.cpp, and torch with
    two threads there answered a single query 30 times slower than with one.
    """
    max_tokens: int = Field(default=128, ge=16, le=256)
    """Word pieces of each text the model reads (``TUTOR_EMBEDDINGS_MAX_TOKENS``).

    all-MiniLM-L6-v2 was trained on 128-token texts. Reading 128 rather than its limit of
    256 embedded the Rust book in 47 s instead of 82 s here, and retrieval recall@5 on the
    benchmark questions went from 0.886 to 0.898.
    """
    batch_threads: int = Field(default_factory=lambda: os.cpu_count() or 1, ge=1)
    """CPU threads for bulk embedding, as in ingestion (``TUTOR_EMBEDDINGS_BATCH_THREADS``,
    default: every core)."""


class IngestSettings(BaseSettings):
    """Limits and tuning of note ingestion."""

    model_config = _section("TUTOR_INGEST_")

    max_file_bytes: int = Field(default=5 * 1024 * 1024, ge=1)
    """Largest file accepted (``TUTOR_INGEST_MAX_FILE_BYTES``, 5 MB)."""
    max_upload_bytes: int = Field(default=50 * 1024 * 1024, ge=1)
    """Largest upload request accepted (``TUTOR_INGEST_MAX_UPLOAD_BYTES``, 50 MB)."""
    chunk_max_tokens: int = Field(default=200, ge=32, le=256)
    """Chunk size in embedding-model tokens (``TUTOR_INGEST_CHUNK_MAX_TOKENS``); the model
    reads at most 256."""
    merge_similarity: float = Field(default=0.6, ge=0.0, le=1.0)
    """Same-titled concepts of two documents merge when their summaries are at least this
    similar (cosine, ``TUTOR_INGEST_MERGE_SIMILARITY``)."""
    thin_section_words: int = Field(default=20, ge=0)
    """A section with fewer words of its own and no teachable parts is no concept: its
    text joins its parent's (``TUTOR_INGEST_THIN_SECTION_WORDS``)."""
    chapter_intro_words: int = Field(default=150, ge=0)
    """A section with teachable parts and fewer words of its own groups them as a chapter
    and is not taught itself (``TUTOR_INGEST_CHAPTER_INTRO_WORDS``)."""
    navigation_link_share: float = Field(default=0.6, ge=0.0, le=1.0)
    """A section with three links or more whose words are at least this share link text
    is navigation, never taught (``TUTOR_INGEST_NAVIGATION_LINK_SHARE``)."""
    parse_budget_s: float = Field(default=30.0, gt=0)
    """CPU seconds one file may take to be parsed and chunked before it is refused
    (``TUTOR_INGEST_PARSE_BUDGET_S``)."""
    parse_workers: int = Field(default=1, ge=1)
    """Processes that parse files, away from the server's event loop
    (``TUTOR_INGEST_PARSE_WORKERS``)."""
    parse_memory_bytes: int = Field(default=2 * 1024**3, ge=64 * 1024**2)
    """Address space a parse worker may use; a file that needs more is refused
    (``TUTOR_INGEST_PARSE_MEMORY_BYTES``, 2 GiB)."""
    max_headings: int = Field(default=10_000, ge=1)
    """Most heading lines one file may hold (``TUTOR_INGEST_MAX_HEADINGS``)."""
    max_brackets: int = Field(default=50_000, ge=1)
    """Most ``[`` characters (links and brackets) one file may hold
    (``TUTOR_INGEST_MAX_BRACKETS``)."""
    max_line_chars: int = Field(default=200_000, ge=1)
    """Longest line accepted, in characters (``TUTOR_INGEST_MAX_LINE_CHARS``)."""
    concurrent_jobs: int = Field(default=2, ge=1)
    """Ingestion jobs one process runs at once; the others wait without holding a
    database connection (``TUTOR_INGEST_CONCURRENT_JOBS``)."""
    job_lease_s: float = Field(default=60.0, gt=0)
    """A job whose process has not renewed its claim for this long is taken as
    interrupted (``TUTOR_INGEST_JOB_LEASE_S``)."""
    max_waiting_bytes: int = Field(default=100 * 1024 * 1024, ge=1)
    """Bytes of one learner's uploads that may wait for ingestion in one process; more
    are refused until some are done (``TUTOR_INGEST_MAX_WAITING_BYTES``, 100 MB)."""


class AuthSettings(BaseSettings):
    """Accounts, sessions and tokens."""

    model_config = _section("TUTOR_AUTH_")

    session_days: int = Field(default=30, ge=1)
    """How long a browser session lasts (``TUTOR_AUTH_SESSION_DAYS``)."""
    signin_attempts: int = Field(default=5, ge=1)
    """Failed sign-ins allowed per name and address in a window (``TUTOR_AUTH_SIGNIN_ATTEMPTS``)."""
    signin_window_s: int = Field(default=60, ge=1)
    """That window, in seconds (``TUTOR_AUTH_SIGNIN_WINDOW_S``)."""
    signin_address_attempts: int = Field(default=20, ge=1)
    """Failed sign-ins allowed per address, whatever the names, in the longer window
    (``TUTOR_AUTH_SIGNIN_ADDRESS_ATTEMPTS``)."""
    signin_name_attempts: int = Field(default=20, ge=1)
    """Failed sign-ins allowed per name, whatever the addresses, in the longer window; the
    learner's own browsers are not held by it (``TUTOR_AUTH_SIGNIN_NAME_ATTEMPTS``)."""
    signin_long_window_s: int = Field(default=900, ge=1)
    """The longer window, in seconds (``TUTOR_AUTH_SIGNIN_LONG_WINDOW_S``)."""
    signups_per_address: int = Field(default=20, ge=1)
    """Sign-up attempts allowed per address in a window (``TUTOR_AUTH_SIGNUPS_PER_ADDRESS``)."""
    signup_window_s: int = Field(default=3600, ge=1)
    """That window, in seconds (``TUTOR_AUTH_SIGNUP_WINDOW_S``)."""
    allow_signup: bool = True
    """Whether anyone who reaches the server may create an account (``TUTOR_AUTH_ALLOW_SIGNUP``)."""


class LearnerSettings(BaseSettings):
    """The learner model."""

    model_config = _section("TUTOR_LEARNER_")

    mastery_threshold: float = Field(default=0.95, gt=0.0, lt=1.0)
    """P(known) from which a concept counts as mastered (``TUTOR_LEARNER_MASTERY_THRESHOLD``)."""
    require_explain_back: bool = True
    """Whether mastery also needs a passed explain-back (``TUTOR_LEARNER_REQUIRE_EXPLAIN_BACK``)."""


class PlanSettings(BaseSettings):
    """When the planner moves on from a concept."""

    model_config = _section("TUTOR_PLAN_")

    move_on_p_known: float = Field(default=0.7, ge=0.0, le=1.0)
    """P(known) from which a concept is practised and the planner moves on, below mastery
    (``TUTOR_PLAN_MOVE_ON_P_KNOWN``)."""
    move_on_attempts: int = Field(default=2, ge=0)
    """Graded attempts a concept needs before that P(known) counts
    (``TUTOR_PLAN_MOVE_ON_ATTEMPTS``)."""


class TeachingSettings(BaseSettings):
    """Lessons, exercises and answers."""

    model_config = _section("TUTOR_TEACHING_")

    lesson_passages: int = Field(default=4, ge=1, le=12)
    """Passages of its own section an introductory lesson reads; more at higher levels
    (``TUTOR_TEACHING_LESSON_PASSAGES``)."""
    lesson_max_tokens: int = Field(default=400, ge=32, le=4096)
    """Longest lesson the model may write, in tokens (``TUTOR_TEACHING_LESSON_MAX_TOKENS``)."""
    novelty_threshold: float = Field(default=0.9, gt=0.0, le=1.0)
    """Cosine to an earlier lesson on the concept above which a new one is rewritten
    (``TUTOR_TEACHING_NOVELTY_THRESHOLD``)."""
    recent_lessons: int = Field(default=5, ge=1, le=50)
    """Earlier lessons on a concept whose passages a new one avoids
    (``TUTOR_TEACHING_RECENT_LESSONS``)."""
    min_answer_relevance: float = Field(default=0.3, ge=0.0, le=1.0)
    """Cosine below which a passage does not count as covering a free question
    (``TUTOR_TEACHING_MIN_ANSWER_RELEVANCE``)."""
    intent_margin: float = Field(default=0.04, ge=0.0, le=1.0)
    """Score gap between the two likeliest intents under which the model breaks the tie
    (``TUTOR_TEACHING_INTENT_MARGIN``)."""
    ready_text_words_per_second: float = Field(default=40.0, ge=0.0)
    """Pace of text streamed without a model writing it as it goes (an extractive lesson,
    feedback); 0 sends it at once (``TUTOR_TEACHING_READY_TEXT_WORDS_PER_SECOND``)."""
    guard_pass_prior: float = Field(default=0.5, ge=0.0, le=1.0)
    """Share of a model's texts assumed to pass the quality guard before any is judged
    (``TUTOR_TEACHING_GUARD_PASS_PRIOR``)."""
    guard_prior_weight: float = Field(default=2.0, ge=0.0)
    """How many judged texts that assumption counts as (``TUTOR_TEACHING_GUARD_PRIOR_WEIGHT``)."""
    guard_pass_threshold: float = Field(default=0.35, ge=0.0, le=1.0)
    """Estimated pass rate under which the model is not asked for a lesson, exercises or an
    answer, and the notes are used at once (``TUTOR_TEACHING_GUARD_PASS_THRESHOLD``)."""
    guard_explore_every: int = Field(default=20, ge=0)
    """Texts not asked of a model that is likely to fail before one is asked anyway, so its
    rate can recover; 0 never asks (``TUTOR_TEACHING_GUARD_EXPLORE_EVERY``)."""
    exercises_grace_s: float = Field(default=0.5, ge=0.0)
    """How long after the lesson ends the model's exercises are waited for before the
    generated ones are set (``TUTOR_TEACHING_EXERCISES_GRACE_S``)."""


def _default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("tutor", appauthor=False))


class Settings(BaseSettings):
    """All settings of the tutor service."""

    model_config = _section("TUTOR_")

    data_dir: Path = Field(default_factory=_default_data_dir)
    """Where embedded components keep their files (``TUTOR_DATA_DIR``)."""
    server: ServerSettings = Field(default_factory=ServerSettings)
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    chroma: ChromaSettings = Field(default_factory=ChromaSettings)
    graph: GraphSettings = Field(default_factory=GraphSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    embeddings: EmbeddingSettings = Field(default_factory=EmbeddingSettings)
    ingest: IngestSettings = Field(default_factory=IngestSettings)
    teaching: TeachingSettings = Field(default_factory=TeachingSettings)
    auth: AuthSettings = Field(default_factory=AuthSettings)
    learner: LearnerSettings = Field(default_factory=LearnerSettings)
    plan: PlanSettings = Field(default_factory=PlanSettings)

    @property
    def models_dir(self) -> Path:
        """Where prepared model files (the assembled GGUF) live."""
        return self.data_dir / "models"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Read the settings from the environment, once per process."""
    return Settings()
