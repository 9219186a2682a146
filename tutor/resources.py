"""Everything the service holds open: pools, clients, models, the compiled graph.

Opened once in the app's lifespan (or by a CLI command) and closed in reverse order.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import sys
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import UUID

from langchain_core.embeddings import Embeddings
from langgraph.graph.state import CompiledStateGraph

from agents import InputState, TutorContext, TutorState, build_tutor_graph
from tutor.auth.limits import AttemptLimiter
from tutor.auth.secrets import new_password
from tutor.auth.store import AccountStore
from tutor.config import Settings
from tutor.data_dir import make_private, private_umask, write_private
from tutor.db import Database
from tutor.db.checkpoints import open_checkpointer
from tutor.db.embedded import server_group_id
from tutor.embeddings import build_embeddings
from tutor.grading import ShortAnswerGrader
from tutor.graph.build import build_graph_store
from tutor.graph.port import GraphStore
from tutor.ingest.jobs import IngestJobs
from tutor.ingest.parsing import FileParser
from tutor.ingest.service import Ingestor
from tutor.ingest.store import DocumentStore
from tutor.learner.graph_cache import PlanningGraphs
from tutor.learner.planning import PlanRules
from tutor.learner.store import LearnerStore
from tutor.llm import ChatModel, build_chat_model
from tutor.sandbox import Limits
from tutor.search import PostgresLexicalSearch
from tutor.teaching.guard import QualityGuard
from tutor.teaching.intents import IntentClassifier
from tutor.teaching.keyness import NoteTerms
from tutor.teaching.lessons import LessonStore
from tutor.teaching.mentions import PostgresNoteMentions
from tutor.teaching.pass_rates import PassRates
from tutor.threads import ThreadStore, TurnHub
from tutor.vectors import VectorStore, build_vector_store

_log = logging.getLogger(__name__)

TutorGraph = CompiledStateGraph[TutorState, TutorContext, InputState, Any]


@dataclass
class Resources:
    """The open resources of one service process."""

    settings: Settings
    database: Database
    embeddings: Embeddings
    vectors: VectorStore
    chat_model: ChatModel
    graph: TutorGraph
    graph_store: GraphStore
    documents: DocumentStore
    ingestor: Ingestor
    jobs: IngestJobs
    accounts: AccountStore
    learner: LearnerStore
    planning_graphs: PlanningGraphs
    lessons: LessonStore
    grader: ShortAnswerGrader
    guard: QualityGuard
    intents: IntentClassifier
    threads: ThreadStore
    turns: TurnHub
    action_limiter: AttemptLimiter
    """Actions per learner on the WebSocket."""
    note_terms: NoteTerms
    """Each learner's term statistics, kept until their notes change."""
    pass_rates: PassRates = field(default_factory=PassRates)
    """How often the chat model's texts pass the quality guard, per kind of text."""
    embeddings_warmup: asyncio.Task[None] | None = field(default=None, repr=False)
    """Loads the embedding model in the background so the server answers at once."""

    def tutor_context(self, owner: UUID, thread_id: str) -> TutorContext:
        """What the tutor graph's nodes use for one learner's turn."""
        return TutorContext(
            owner=owner,
            thread_id=thread_id,
            chat_model=self.chat_model,
            embeddings=self.embeddings,
            vectors=self.vectors,
            documents=self.documents,
            planning_graphs=self.planning_graphs,
            learner=self.learner,
            lessons=self.lessons,
            grader=self.grader,
            guard=self.guard,
            intents=self.intents,
            note_terms=self.note_terms,
            mentions=PostgresNoteMentions(self.database.pool),
            lexical=PostgresLexicalSearch(self.database.pool),
            settings=self.settings.teaching,
            pass_rates=self.pass_rates,
            sandbox_limits=Limits(),
        )


@asynccontextmanager
async def open_resources(
    settings: Settings, *, warm_up: bool = True, settle: bool = False
) -> AsyncIterator[Resources]:
    """Open every resource; close them all, in reverse order, on exit.

    Args:
        settings: The service's settings.
        warm_up: Load the embedding model in the background now, not on first use.
        settle: Once it is loaded, tune the garbage collector for a long-running server
            (:func:`settle_heap`).
    """
    async with AsyncExitStack() as stack:
        # What the service writes while open (Chroma, models, secrets) is its user's alone.
        stack.enter_context(private_umask())
        make_private(settings.data_dir, server_group=server_group_id())
        database = await Database.open(settings)
        stack.push_async_callback(database.close)
        accounts = AccountStore(database.pool)
        if not settings.database.url:
            await _first_local_learner(accounts, settings.data_dir)

        embeddings = build_embeddings(settings.embeddings, ollama_url=settings.llm.ollama_url)
        vectors = build_vector_store(settings.chroma, settings.data_dir, embeddings)
        stack.push_async_callback(vectors.close)

        chat_model = await asyncio.to_thread(build_chat_model, settings.llm, settings.models_dir)
        stack.push_async_callback(chat_model.aclose)

        graph_store = build_graph_store(settings.graph, database)
        stack.push_async_callback(graph_store.close)
        await graph_store.setup()

        documents = DocumentStore(database.pool)
        parser = FileParser(settings.ingest)
        ingestor = Ingestor(documents, graph_store, vectors, embeddings, settings.ingest, parser)
        stack.push_async_callback(ingestor.close)
        jobs = IngestJobs(database.pool, ingestor)
        await jobs.recover()
        stack.push_async_callback(jobs.close)

        checkpointer = await stack.enter_async_context(open_checkpointer(database.dsn))
        threads = ThreadStore(database.pool)
        turns = TurnHub(database.pool, threads, database.dsn)
        await turns.start()
        stack.push_async_callback(turns.close)
        resources = Resources(
            settings=settings,
            database=database,
            embeddings=embeddings,
            vectors=vectors,
            chat_model=chat_model,
            graph=build_tutor_graph().compile(checkpointer=checkpointer),
            graph_store=graph_store,
            documents=documents,
            ingestor=ingestor,
            jobs=jobs,
            accounts=accounts,
            learner=LearnerStore(
                database.pool,
                settings.learner.mastery_threshold,
                require_explain_back=settings.learner.require_explain_back,
            ),
            planning_graphs=PlanningGraphs(
                database.pool,
                graph_store,
                PlanRules(
                    move_on_p_known=settings.plan.move_on_p_known,
                    move_on_attempts=settings.plan.move_on_attempts,
                ),
            ),
            lessons=LessonStore(database.pool),
            grader=ShortAnswerGrader(embeddings),
            guard=QualityGuard(embeddings),
            pass_rates=PassRates(
                prior=settings.teaching.guard_pass_prior,
                prior_weight=settings.teaching.guard_prior_weight,
                threshold=settings.teaching.guard_pass_threshold,
                explore_every=settings.teaching.guard_explore_every,
            ),
            intents=IntentClassifier(embeddings, margin=settings.teaching.intent_margin),
            threads=threads,
            turns=turns,
            action_limiter=AttemptLimiter(settings.server.ws_actions_per_minute, 60.0),
            note_terms=NoteTerms(database.pool),
        )
        if warm_up:
            resources.embeddings_warmup = asyncio.create_task(_warm_up(embeddings, settle))
            stack.push_async_callback(_cancel, resources.embeddings_warmup)
        yield resources


LOCAL_LEARNER = "local"
"""The learner the embedded setup creates, so ``make run`` works at once."""
FIRST_PASSWORD_FILE = "first-learner-password"
"""Where, in the data directory, the local learner's first password is given (0600)."""


async def _first_local_learner(accounts: AccountStore, data_dir: Path) -> None:
    """Give the first migration's local learner a password, and hand it to the operator.

    The password goes to a 0600 file in the data directory, and to the terminal when
    stderr is one; never through logging, and never to a redirected stderr, since both
    usually end up in log files that outlive the first start.
    """
    user = await accounts.by_name(LOCAL_LEARNER)
    if user is None or await accounts.has_password(user.id):
        return
    password = new_password()
    path = data_dir / FIRST_PASSWORD_FILE
    # Kept before it is set, so a start killed in between loses nothing.
    write_private(path, f"{LOCAL_LEARNER}\n{password}\n")
    await accounts.set_password(user.id, password)
    _log.warning(
        "first learner %r created; its password is in %s (only this service's user can "
        "read it; delete it once noted, and change it with `tutor users set-password %s`)",
        LOCAL_LEARNER,
        path,
        LOCAL_LEARNER,
    )
    if sys.stderr.isatty():
        print(
            f"first learner: name {LOCAL_LEARNER!r}, password {password!r}",
            file=sys.stderr,
            flush=True,
        )


async def _warm_up(embeddings: Embeddings, settle: bool) -> None:
    await embeddings.aembed_query("warm up")
    _log.info("embedding model loaded")
    if settle:
        settle_heap()


YOUNG_COLLECTION_THRESHOLD = 10_000
"""Net allocations between collections of the youngest generation (CPython's default 700)."""
GIL_SWITCH_INTERVAL_S = 0.001
"""How long a thread keeps the interpreter when another asks for it (CPython's default 5 ms)."""


def settle_heap() -> None:
    """Keep the event loop's pauses short and rare once the service is loaded.

    The modules, models and stores loaded by now live as long as the process. Left in the
    collector's oldest generation, every full collection walks them all again: hundreds of
    milliseconds with the embedding model loaded, during which no connection is served.
    Frozen, they are never walked again; what the service makes later is collected as usual,
    but with a higher threshold, so the full collections that remain (each still walking
    every connection's objects) come about fourteen times less often.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_COLLECTION_THRESHOLD, *gc.get_threshold()[1:])
    # Worker threads (embeddings, vector search) hold the interpreter for up to the switch
    # interval whenever the event loop wants it back; 1 ms instead of 5 keeps that wait
    # short for the thread that streams to every connection.
    sys.setswitchinterval(GIL_SWITCH_INTERVAL_S)
    _log.info("settled %d long-lived objects out of the collector's way", gc.get_freeze_count())


async def _cancel(task: asyncio.Task[None]) -> None:
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
