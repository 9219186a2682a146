"""The ``/ws`` route: the chat protocol (see :mod:`tutor.api.protocol`).

A connection says ``hello`` to open or resume a thread, then sends actions. Actions that
run a turn start it on the process's :class:`~tutor.threads.TurnHub`, apart from the
connection; the connection is one of the thread's subscribers, and a client that comes
back with its last ``seq`` is sent what it missed from the log, then the rest live. The
connection borrows database connections per message and holds none.

A connection lives only as long as what signed it in: every action checks the session or
token again, and signing out or revoking a token makes the learner's open connections
check at once (PostgreSQL notifies every server process), so they close with 4401.
A connection that has not opened a thread within ``ws_hello_timeout_s`` is closed, and
the per-learner cap is claimed in one step. When the database is away, an action gets a
retryable ``internal`` error and the connection stays open.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncGenerator
from contextlib import aclosing
from typing import Any, cast
from urllib.parse import urlsplit
from uuid import UUID

from langchain_core.messages import AnyMessage, HumanMessage
from litestar import WebSocket, websocket
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.exceptions import WebSocketDisconnect

from agents.state import InputState, Request
from tutor.api.protocol import (
    TURN_EVENT,
    AckEvent,
    AnswerAction,
    ChatAction,
    ClientAction,
    ErrorCode,
    ErrorEvent,
    ExplainAction,
    FeedbackAction,
    HelloAction,
    InterruptAction,
    NextAction,
    PingAction,
    PongEvent,
    ReadyEvent,
    RequestEvent,
    SetPathAction,
    StartLessonAction,
    TokenEvent,
    TurnAction,
    parse_action,
)
from tutor.api.security import identify
from tutor.auth.store import User
from tutor.resources import Resources
from tutor.threads import DATABASE_ERRORS, ThreadBusyError, ThreadNotFoundError, Turn

_log = logging.getLogger(__name__)
UNAUTHORIZED_CLOSE = 4401
"""Close code: no valid session or token."""
FORBIDDEN_ORIGIN_CLOSE = 4403
"""Close code: a browser page from an origin that may not connect."""
IDLE_CLOSE = 4408
"""Close code: the client sent nothing for too long, or no ``hello`` in time."""
TOO_MANY_CLOSE = 4429
"""Close code: the learner has too many connections open."""


class Connection:
    """One client: its learner, its thread, and one writer so frames never interleave."""

    def __init__(self, socket: WebSocket[Any, Any, State], resources: Resources) -> None:
        self.socket = socket
        self.resources = resources
        self.user: User | None = None
        self.hello_token: str | None = None
        """The token that signed the connection in, when ``hello`` carried it."""
        self.thread: UUID | None = None
        self.last_seq = 0
        """The thread's latest seq this connection knows of (sent, or seen at hello)."""
        self._outbox: asyncio.Queue[tuple[int, str] | None] = asyncio.Queue()
        self._recheck: asyncio.Task[None] | None = None
        self._stale = False
        self.closed = False
        """The server is closing the connection; no more actions are served."""

    def credentials_changed(self) -> None:
        """One of the learner's sessions or tokens ended: check this one's now."""
        self._stale = True
        if self._recheck is None or self._recheck.done():
            self._recheck = asyncio.create_task(self._close_if_signed_out())

    async def _close_if_signed_out(self) -> None:
        # A notice during a check may concern what the check already read: check again.
        while self._stale and not self.closed:
            self._stale = False
            try:
                user = await signed_in(self)
            except DATABASE_ERRORS:
                return  # checked again on the next action
            if user is None:
                await _unauthorized(self)

    def cancel_recheck(self) -> None:
        """Stop a check under way (the connection is closing)."""
        if self._recheck is not None:
            self._recheck.cancel()

    def deliver(self, seq: int, frame: str) -> None:
        """Queue a logged event (a subscriber's callback; never blocks)."""
        self._outbox.put_nowait((seq, frame))

    def send_now(self, event: ErrorEvent | PongEvent | ReadyEvent | AckEvent) -> None:
        """Queue an event that is not logged; it carries the latest seq."""
        self._outbox.put_nowait(
            (0, event.model_copy(update={"seq": self.last_seq}).model_dump_json())
        )

    async def write_forever(self) -> None:
        """Send queued frames in order; a logged event already sent is skipped."""
        while (item := await self._outbox.get()) is not None:
            seq, frame = item
            if seq:
                if seq <= self.last_seq:
                    continue
                self.last_seq = seq
            try:
                await self.socket.send_text(frame)
            except (OSError, WebSocketDisconnect, RuntimeError):
                return

    def stop_writing(self) -> None:
        """Let the writer finish what is queued, then stop."""
        self._outbox.put_nowait(None)


@websocket("/ws")
async def chat_socket(
    socket: WebSocket[Any, Any, State], resources: NamedDependency[Resources]
) -> None:
    """Serve one connection."""
    settings = resources.settings.server
    await socket.accept()
    if not _origin_allowed(socket, settings.allowed_origins):
        await _refuse(socket, "forbidden", "this origin may not connect", FORBIDDEN_ORIGIN_CLOSE)
        return
    connection = Connection(socket, resources)
    writer = asyncio.create_task(connection.write_forever())
    try:
        await _serve(connection)
    except WebSocketDisconnect:
        pass
    finally:
        connection.closed = True
        connection.cancel_recheck()
        if connection.thread is not None:
            resources.turns.detach(connection.thread, connection)
        if connection.user is not None:
            resources.turns.sockets.release(connection.user.id, connection)
        connection.stop_writing()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(writer, timeout=5)


async def _serve(connection: Connection) -> None:
    resources = connection.resources
    settings = resources.settings.server
    loop = asyncio.get_running_loop()
    hello_by = loop.time() + settings.ws_hello_timeout_s
    while not connection.closed:
        timeout = settings.ws_idle_timeout_s
        if connection.thread is None:
            timeout = min(timeout, hello_by - loop.time())
        try:
            frame = await asyncio.wait_for(connection.socket.receive_text(), timeout=timeout)
        except TimeoutError:
            if connection.thread is None:
                _error(
                    connection,
                    "hello_first",
                    f"no thread opened with hello within {settings.ws_hello_timeout_s:g} s",
                )
                await _close_after_writing(connection, IDLE_CLOSE, "no hello")
                return
            thread = connection.thread
            if resources.turns.running(thread) is not None:
                continue  # the client is reading a turn, not idle
            connection.stop_writing()
            await connection.socket.close(code=IDLE_CLOSE, reason="idle")
            return
        if len(frame.encode()) > settings.ws_max_frame_bytes:
            _error(
                connection,
                "too_large",
                f"frames are limited to {settings.ws_max_frame_bytes} bytes",
            )
            continue
        action = parse_action(frame)
        try:
            if not await _act(connection, action):
                return
        except DATABASE_ERRORS as error:
            _log.warning("could not serve a %s action: %s", action.type, error)
            _error(
                connection,
                "internal",
                "the database cannot be reached; try again in a moment",
                retryable=True,
            )


async def _act(connection: Connection, action: ClientAction | ErrorEvent) -> bool:
    """Carry out one frame's action; False when the connection must close."""
    resources = connection.resources
    if isinstance(action, ErrorEvent):
        connection.send_now(action)
    elif isinstance(action, PingAction):
        connection.send_now(PongEvent(nonce=action.nonce))
    elif isinstance(action, HelloAction):
        # A connection's first hello is free; switching threads again and again is not.
        if connection.user is not None and (wait := _wait(connection)) > 0:
            _error(
                connection, "rate_limited", f"too many actions; wait {wait:.1f} s", retryable=True
            )
            return True
        return await _hello(connection, action)
    elif connection.thread is None or connection.user is None:
        _error(connection, "hello_first", 'send {"v": 1, "type": "hello"} first')
    elif await signed_in(connection) is None:
        await _unauthorized(connection)
        return False
    elif (wait := _wait(connection)) > 0:
        _error(connection, "rate_limited", f"too many actions; wait {wait:.1f} s", retryable=True)
    elif isinstance(action, InterruptAction):
        if not await resources.turns.interrupt(connection.thread):
            _error(connection, "not_found", "no turn is running on this thread")
    elif isinstance(action, FeedbackAction):
        await _feedback(connection, action)
    else:
        await _start_turn(connection, action)
    return True


def _wait(connection: Connection) -> float:
    """Take one of the learner's actions; how long to wait when none is left."""
    assert connection.user is not None
    return connection.resources.action_limiter.take(str(connection.user.id))


async def signed_in(connection: Connection) -> User | None:
    """The connection's learner if what signed it in still holds, else None.

    The socket's cookie, header and query never change: the same credentials are checked
    again, or the token ``hello`` carried. A credential of another learner is no better.
    """
    accounts = connection.resources.accounts
    if connection.hello_token is not None:
        user = await accounts.token_user(connection.hello_token)
    else:
        user = await identify(connection.socket, connection.resources)
    if user is None or (connection.user is not None and user.id != connection.user.id):
        return None
    return user


async def _unauthorized(connection: Connection) -> None:
    if connection.closed:
        return
    connection.closed = True
    _error(connection, "unauthorized", "signed out, or the token was revoked or expired")
    await _close_after_writing(connection, UNAUTHORIZED_CLOSE, "signed out")


async def _hello(connection: Connection, hello: HelloAction) -> bool:
    """Open the thread; False when the connection must close."""
    resources = connection.resources
    user = await identify(connection.socket, resources) if connection.hello_token is None else None
    if user is None and (hello.token or connection.hello_token):
        token = hello.token or connection.hello_token
        assert token is not None
        if (user := await resources.accounts.token_user(token)) is not None:
            connection.hello_token = token
    if user is None or (connection.user is not None and user.id != connection.user.id):
        _error(connection, "unauthorized", "sign in, or send a personal API token in hello")
        await _close_after_writing(connection, UNAUTHORIZED_CLOSE)
        return False
    # Claimed before any await, so simultaneous hellos of one learner are counted one by
    # one; a connection counts from its first signed-in hello until it closes.
    if not resources.turns.sockets.claim(
        user.id, connection, resources.settings.server.ws_connections_per_learner
    ):
        _error(connection, "rate_limited", "too many connections open for this learner")
        await _close_after_writing(connection, TOO_MANY_CLOSE)
        return False
    connection.user = user
    try:
        opened = await resources.threads.open(user.id, hello.thread, new=hello.new_thread)
    except ThreadNotFoundError as error:
        _error(connection, "forbidden", str(error))
        return True
    if connection.thread is not None:
        # Off the old thread first: nothing of it may be queued among the replay.
        resources.turns.detach(connection.thread, connection)
        connection.thread = None
    after = hello.last_seq if hello.last_seq is not None else opened.last_seq
    missed = await resources.turns.subscribe(opened.id, after, connection)
    # No await from here: the missed events go out before any live one.
    connection.thread = opened.id
    connection.last_seq = after
    connection.send_now(
        ReadyEvent(
            thread=opened.id,
            resumed=opened.resumed,
            missed=len(missed),
            running=resources.turns.running(opened.id) is not None,
        )
    )
    for seq, frame in missed:
        connection.deliver(seq, frame)
    return True


async def _feedback(connection: Connection, action: FeedbackAction) -> None:
    assert connection.user is not None
    saved = await connection.resources.threads.save_feedback(
        connection.user.id, action.lesson_id, action.rating, action.comment
    )
    if not saved:
        _error(connection, "not_found", f"no lesson {action.lesson_id}")
        return
    connection.send_now(AckEvent(action="feedback", lesson_id=action.lesson_id))


async def _start_turn(connection: Connection, action: TurnAction) -> None:
    resources = connection.resources
    user, thread = connection.user, connection.thread
    assert user is not None and thread is not None
    hub = resources.turns

    async def run(turn: Turn) -> None:
        hub.publish(turn, RequestEvent.of(action))
        context = resources.tutor_context(user.id, str(thread))
        # Typed as an iterator, but it is an async generator: it can be closed.
        stream = cast(
            "AsyncGenerator[dict[str, Any], None]",
            resources.graph.astream(
                turn_input(action),
                config={"configurable": {"thread_id": str(thread)}},
                context=context,
                stream_mode="custom",
            ),
        )
        # Closed at once on interrupt, so generation stops now, not at GC.
        async with aclosing(stream):
            async for payload in stream:
                fields = {key: value for key, value in payload.items() if key != "event"}
                event = TURN_EVENT.validate_python({"type": payload["event"], **fields})
                turn.tokens += isinstance(event, TokenEvent)
                hub.publish(turn, event)

    try:
        await hub.begin(thread, action.model_dump(mode="json"), run)
    except ThreadBusyError:
        _error(
            connection,
            "busy",
            "a turn is running on this thread; wait for done, or interrupt it",
            retryable=True,
        )
        return


def turn_input(action: TurnAction) -> InputState:
    """The graph input for one action: the request, and the learner's words as a message."""
    request: Request
    text = ""
    if isinstance(action, ChatAction):
        request = {"kind": "chat", "text": action.text}
        text = action.text
    elif isinstance(action, StartLessonAction):
        request = {"kind": "start_lesson"}
        if action.concept_id is not None:
            request["concept_id"] = str(action.concept_id)
    elif isinstance(action, NextAction):
        request = {"kind": "next"}
    elif isinstance(action, AnswerAction):
        request = {"kind": "answer", "exercise_id": str(action.exercise_id), "text": action.answer}
        if action.idempotency_key:
            request["idempotency_key"] = action.idempotency_key
        text = action.answer
    elif isinstance(action, ExplainAction):
        request = {"kind": "explain", "text": action.text}
        if action.concept_id is not None:
            request["concept_id"] = str(action.concept_id)
        if action.idempotency_key:
            request["idempotency_key"] = action.idempotency_key
        text = action.text
    else:
        assert isinstance(action, SetPathAction)
        request = {"kind": "set_path", "targets": [str(t) for t in action.targets]}
    messages: list[AnyMessage] = [HumanMessage(text)] if text.strip() else []
    return InputState(messages=messages, request=request)


def _error(
    connection: Connection, code: ErrorCode, message: str, *, retryable: bool = False
) -> None:
    connection.send_now(ErrorEvent(code=code, message=message, retryable=retryable))


async def _close_after_writing(connection: Connection, code: int, reason: str = "") -> None:
    connection.stop_writing()
    await asyncio.sleep(0)
    with contextlib.suppress(Exception):
        await connection.socket.close(code=code, reason=reason)


async def _refuse(
    socket: WebSocket[Any, Any, State], code: ErrorCode, message: str, close: int
) -> None:
    with contextlib.suppress(Exception):
        await socket.send_text(ErrorEvent(code=code, message=message).model_dump_json())
        await socket.close(code=close)


def _origin_allowed(socket: WebSocket[Any, Any, State], allowed: list[str]) -> bool:
    """Browsers send Origin: allow the server's own and the configured ones; others have none."""
    origin = socket.headers.get("origin")
    if origin is None:
        return True
    if origin in allowed:
        return True
    host = socket.headers.get("host", "")
    try:
        netloc = urlsplit(origin).netloc
    except ValueError:  # e.g. an unclosed IPv6 bracket: not an origin anyone may use
        return False
    return netloc == host
