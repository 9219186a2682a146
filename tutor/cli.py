"""The ``tutor`` command line: thin commands over the service."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from tutor.auth.store import AccountStore, User
from tutor.config import Settings, get_settings

if TYPE_CHECKING:
    from tutor.ingest.service import IngestReport


def _setup_logging(verbose: bool) -> None:
    from tutor.logs import redact_every_record

    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # Tokens and passwords never reach a log line, whichever handler writes it.
    redact_every_record()


def _curriculum_line(report: IngestReport) -> str:
    """Concepts by role, sections merged into their parent, and duplicate titles."""
    from tutor.graph.port import CONCEPT_ROLES

    roles = ", ".join(
        f"{report.roles.get(role, 0)} {role.replace('_', ' ')}" for role in CONCEPT_ROLES
    )
    merged = report.merged
    return (
        f"concepts: {roles}; merged sections: {merged.get('thin', 0)} thin, "
        f"{merged.get('recap', 0)} recap; duplicate titles: {len(report.duplicate_titles)}"
    )


@click.group()
@click.option("-v", "--verbose", is_flag=True, help="Log debug messages.")
def main(verbose: bool) -> None:
    """Tutor: a self-hosted tutor that teaches from your own Markdown notes."""
    _setup_logging(verbose)


@main.command()
@click.option("--host", default=None, help="Interface to bind [TUTOR_HOST, 127.0.0.1].")
@click.option("--port", type=int, default=None, help="TCP port [TUTOR_PORT, 8000].")
def serve(host: str | None, port: int | None) -> None:
    """Serve the HTTP and WebSocket API."""
    import uvicorn

    from tutor.api.app import create_app
    from tutor.data_dir import PRIVATE_UMASK

    # Before anything is written: every file the service makes is its user's alone.
    os.umask(PRIVATE_UMASK)
    settings = get_settings()
    server = settings.server.model_copy(
        update={k: v for k, v in {"host": host, "port": port}.items() if v is not None}
    )
    settings = settings.model_copy(update={"server": server})
    uvicorn.run(
        create_app(settings, settle_heap=True),
        host=server.host,
        port=server.port,
        log_level="info",
        ws="websockets-sansio",
        # Frames up to a few times the protocol's limit reach the app, which answers the
        # oversized ones with a typed error; beyond that the server drops the connection.
        ws_max_size=4 * settings.server.ws_max_frame_bytes,
        # Compression would cost each open connection about 35 KB of zlib state for
        # frames that are mostly a few words long.
        ws_per_message_deflate=False,
        # The app believes X-Forwarded-* from TUTOR_TRUSTED_PROXIES only; uvicorn's own
        # handling would trust 127.0.0.1 whatever the setting says.
        proxy_headers=False,
    )


@main.group()
def db() -> None:
    """Manage the database."""


@db.command()
def upgrade() -> None:
    """Apply pending migrations."""
    from tutor.db import Database

    async def run() -> None:
        database = await Database.open(get_settings(), migrate=False)
        try:
            from tutor.db import upgrade as apply

            applied = await apply(database.dsn)
        finally:
            await database.close()
        if applied:
            for name in applied:
                click.echo(f"applied {name}")
        else:
            click.echo("database is up to date")

    asyncio.run(run())


@main.group()
def protocol() -> None:
    """The WebSocket protocol."""


@protocol.command("schema")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    default=None,
    help="Write the schema to this file instead of printing it.",
)
def protocol_schema_command(output: Path | None) -> None:
    """Print the JSON Schema of the WebSocket protocol's messages (draft 2020-12)."""
    from tutor.api.protocol_schema import protocol_schema_json

    text = protocol_schema_json()
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}", err=True)


@main.command("openapi")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    default=None,
    help="Write the document to this file instead of printing it.",
)
def openapi_command(output: Path | None) -> None:
    """Print the HTTP API's OpenAPI document (the web UI's API types are made from it)."""
    from tutor.api.app import openapi_json

    text = openapi_json()
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}", err=True)


@main.group()
def models() -> None:
    """Manage local model files."""


@models.command("prepare")
def prepare_models() -> None:
    """Write the local chat model's weights into the data directory (once)."""
    from tutor.llm import prepare_model

    settings = get_settings()
    if settings.llm.resolved_provider != "llamacpp":
        click.echo(f"chat model served by {settings.llm.resolved_provider}: nothing to prepare")
        return
    path = prepare_model(settings.models_dir, settings.llm.model_path)
    click.echo(f"chat model ready: {path}")


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--user", "user_name", default="local", show_default=True, help="Whose notes.")
def ingest(paths: tuple[Path, ...], user_name: str) -> None:
    """Ingest Markdown notes: files, or folders searched recursively."""
    from tutor.ingest.files import SourceFile, find_files
    from tutor.ingest.service import FileOutcome
    from tutor.resources import open_resources

    found = list(find_files(list(paths)))
    if not found:
        raise click.UsageError("no .md, .markdown or .txt files found")
    sources = [SourceFile(name, path.read_bytes()) for path, name in found]

    async def run(settings: Settings) -> int:
        async with open_resources(settings, warm_up=False) as resources:
            user = await resources.accounts.by_name(user_name)
            if user is None:
                raise click.UsageError(f"no learner named {user_name!r}")
            with click.progressbar(
                length=len(sources),
                label="ingesting",
                show_pos=True,
                item_show_func=lambda name: name,
            ) as bar:

                async def progress(outcome: FileOutcome | None, embedded: int) -> None:
                    if outcome is not None:
                        bar.update(1, outcome.path)

                report = await resources.ingestor.ingest(user.id, sources, progress)
        failed = [f for f in report.files if f.status == "failed"]
        for outcome in failed:
            click.echo(f"failed: {outcome.error}", err=True)
        for edge in report.cycles_broken:
            click.echo(
                f"cycle broken: {edge['source']} -> {edge['target']} (weight {edge['weight']})"
            )
        counts = {s: sum(f.status == s for f in report.files) for s in ("ingested", "unchanged")}
        click.echo(
            f"{len(report.files)} files ({counts['ingested']} ingested, "
            f"{counts['unchanged']} unchanged, {len(failed)} failed), "
            f"{sum(f.chunks for f in report.files)} chunks, {report.concepts} concepts, "
            f"{report.edges} edges in {report.seconds:.1f} s"
        )
        click.echo(_curriculum_line(report))
        for title in report.duplicate_titles:
            click.echo(f"duplicate title: {title}", err=True)
        for notice in report.notices:
            click.echo(f"note: {notice}")
        return len(failed)

    if asyncio.run(run(get_settings())):
        sys.exit(1)


@main.command()
def reindex() -> None:
    """Rebuild every chunk's vector from the text in PostgreSQL."""
    from tutor.resources import open_resources

    async def run(settings: Settings) -> int:
        async with open_resources(settings, warm_up=False) as resources:
            return await resources.ingestor.reindex()

    click.echo(f"reindexed {asyncio.run(run(get_settings()))} chunks")


@main.group()
def users() -> None:
    """Manage learners' accounts."""


@users.command("add")
@click.argument("name")
@click.password_option()
def add_user(name: str, password: str) -> None:
    """Create a learner who signs in with NAME and a password."""

    async def create(accounts: AccountStore) -> str:
        user = await accounts.create_user(name, password)
        return f"created learner {user.name!r}"

    _with_accounts(create)


@users.command("set-password")
@click.argument("name")
@click.password_option()
def set_password(name: str, password: str) -> None:
    """Set a learner's password."""

    async def change(accounts: AccountStore) -> str:
        user = await _learner(accounts, name)
        await accounts.set_password(user.id, password)
        return f"password of {name!r} changed"

    _with_accounts(change)


@main.command("token")
@click.argument("name")
@click.option("--label", default="cli", show_default=True, help="What the token is for.")
def create_token(name: str, label: str) -> None:
    """Print a new personal API token for learner NAME (for the bots and scripts)."""

    async def create(accounts: AccountStore) -> str:
        _, secret = await accounts.create_api_token(await _learner(accounts, name), label)
        return secret

    _with_accounts(create)


async def _learner(accounts: AccountStore, name: str) -> User:
    user = await accounts.by_name(name)
    if user is None:
        raise click.UsageError(f"no learner named {name!r}")
    return user


def _with_accounts(action: Callable[[AccountStore], Awaitable[str]]) -> None:
    """Run ``action`` on the accounts of the configured database; print what it returns."""
    from tutor.auth.store import AccountError
    from tutor.db import Database

    async def run() -> str:
        database = await Database.open(get_settings())
        try:
            return await action(AccountStore(database.pool))
        finally:
            await database.close()

    try:
        click.echo(asyncio.run(run()))
    except AccountError as error:
        raise click.ClickException(str(error)) from None


@main.group()
def learner() -> None:
    """The learner model."""


@learner.command("fit-bkt")
@click.option(
    "--save/--no-save",
    default=True,
    show_default=True,
    help="Use the fitted parameters from now on.",
)
def fit_bkt_command(save: bool) -> None:
    """Fit knowledge-tracing parameters to every learner's attempts; report the gain."""
    from tutor.db import Database
    from tutor.learner.fit import fit_bkt
    from tutor.learner.store import LearnerStore

    async def run() -> None:
        database = await Database.open(get_settings())
        try:
            store = LearnerStore(database.pool)
            sequences = await store.sequences()
            if not sequences:
                raise click.ClickException("no attempts to fit from yet")
            report = fit_bkt(sequences, initial=await store.params())
            if save:
                await store.set_params(report.params)
        finally:
            await database.close()
        p = report.params
        click.echo(f"{report.n_observations} attempts in {report.n_sequences} sequences")
        click.echo(
            f"fitted: prior {p.prior:.3f}, learn {p.learn:.3f}, "
            f"slip {p.slip:.3f}, guess {p.guess:.3f}" + (" (saved)" if save else "")
        )
        click.echo(
            f"log-loss {report.log_loss_before:.4f} -> {report.log_loss_after:.4f}; "
            f"AUC {_fmt(report.auc_before)} -> {_fmt(report.auc_after)}"
        )

    asyncio.run(run())


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.4f}"


@main.group("eval")
def evaluation() -> None:
    """Measure the tutor on labelled data."""


@evaluation.command("grading")
@click.argument("path", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object of the figures.")
def eval_grading(path: Path, as_json: bool) -> None:
    """Grade the labelled short answers in PATH (SemEval-2013 2-way layout).

    Every split but ``train`` is graded with the calibration that ships with the tutor;
    accuracy and macro-F1 are reported per split.
    """
    import json

    from tutor.grading import ShortAnswerGrader
    from tutor.grading.dataset import evaluate

    try:
        results = evaluate(ShortAnswerGrader(), path)
    except FileNotFoundError as error:
        raise click.ClickException(f"{path} has no {Path(str(error.filename)).name}") from None
    except KeyError as error:
        raise click.ClickException(
            f"an answer in {path} names a question missing from the questions file: {error}"
        ) from None
    if not results:
        raise click.ClickException(f"{path} holds no split to grade (only 'train' is skipped)")
    if as_json:
        click.echo(json.dumps(results))
        return
    for split, figures in results.items():
        click.echo(
            f"{split}: accuracy {figures['accuracy']:.3f}, "
            f"macro-F1 {figures['macro_f1']:.3f} ({figures['n']:.0f} answers)"
        )


@evaluation.command("explain")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--split",
    default="report",
    show_default=True,
    help="Rows to judge: a split of the set (the other one calibrated the grader), or all.",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object of the figures.")
def eval_explain(path: Path, split: str, as_json: bool) -> None:
    """Judge the labelled explanations in PATH (JSON Lines) with the shipped calibration.

    Reports pass/fail accuracy and macro-F1, key-point precision and recall, and the share
    of key points wrongly judged contradicted. A set without splits is judged whole.
    """
    import json

    from tutor.embeddings import SentenceTransformerEmbeddings
    from tutor.teaching.explain_eval import evaluate, load_explanations, pick_split, shipped_judge

    try:
        rows = pick_split(load_explanations(path), split)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    embeddings = SentenceTransformerEmbeddings(max_tokens=128, batch_threads=2)
    figures: dict[str, Any] = {**evaluate(rows, shipped_judge(embeddings)), "split": split}
    if as_json:
        click.echo(json.dumps(figures))
        return
    click.echo(
        f"{figures['n']:.0f} explanations ({split}), {figures['key_points']:.0f} key points\n"
        f"pass/fail: accuracy {figures['accuracy']:.3f}, macro-F1 {figures['macro_f1']:.3f}\n"
        f"key points: precision {figures['key_point_precision']:.3f}, "
        f"recall {figures['key_point_recall']:.3f}\n"
        f"contradicted: false {figures['false_contradicted_rate']:.3%} of key points, "
        f"precision {figures['contradicted_precision']:.3f}, "
        f"recall {figures['contradicted_recall']:.3f}\n"
        f"copies recognised: {figures['copies_recognised']:.3f}"
    )


@evaluation.command("feedback")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object of the figures.")
def eval_feedback(as_json: bool) -> None:
    """Summarise learners' ratings of lessons: overall, by source and by level."""
    import json

    from tutor.db import Database
    from tutor.teaching.lessons import LessonStore

    async def run() -> dict[str, Any]:
        database = await Database.open(get_settings())
        try:
            return await LessonStore(database.pool).feedback_summary()
        finally:
            await database.close()

    summary = asyncio.run(run())
    if as_json:
        click.echo(json.dumps(summary, default=str))
        return
    click.echo(f"{summary['ratings']} ratings, mean {summary['mean']}, low {summary['low_share']}")
    for group in ("by_source", "by_difficulty"):
        for key, figures in summary[group].items():
            click.echo(f"  {key}: {figures['ratings']} ratings, mean {figures['mean']}")
    for comment in summary["recent_comments"]:
        click.echo(f"  [{comment['rating']}] ({comment['source']}) {comment['comment']}")


@main.command()
def doctor() -> None:
    """Print each component, where it runs, and whether it answers."""
    from tutor.health import check_readiness
    from tutor.resources import open_resources

    async def run(settings: Settings) -> bool:
        async with open_resources(settings, warm_up=False) as resources:
            readiness = await check_readiness(resources)
        width = max(len(c.name) for c in readiness.components)
        for component in readiness.components:
            mark = "ok  " if component.state == "ok" else component.state.upper()
            click.echo(f"{mark:5} {component.name:<{width}}  {component.where}")
            if component.detail:
                click.echo(f"      {'':<{width}}  {component.detail}")
        return readiness.ready

    settings = get_settings()
    click.echo(f"data directory: {settings.data_dir}")
    if not asyncio.run(run(settings)):
        sys.exit(1)
