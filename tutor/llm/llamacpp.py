"""Chat model running llama.cpp in process, through the ``xllamacpp`` wheel.

llama.cpp's server engine runs inside the process: each request takes one of its slots
(``TUTOR_LLM_PARALLEL``), and requests in different slots are decoded together. A
request blocks the thread that makes it, so every request runs on a worker thread and
its chunks are handed to the consumer as they come. When the consumer goes away (task
cancelled, stream closed), the next chunk's callback returns ``True``, which makes
llama.cpp cancel the request and free its slot.
"""

from __future__ import annotations

import asyncio
import queue
import secrets
import threading
import time
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Generator, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import aclosing, closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    BaseMessage,
    ChatMessage,
    HumanMessage,
    UsageMetadata,
)
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import PrivateAttr

from tutor.config import LLMSettings
from tutor.llm.base import ChatModel
from tutor.llm.errors import GenerationError, LLMError, ModelUnavailableError
from tutor.llm.gguf import prepare_model
from tutor.native_heap import keep_large_blocks_mapped

Chunk = dict[str, Any]
"""One OpenAI-style ``chat.completion.chunk`` as llama.cpp hands it over."""

ChunkCallback = Callable[[Chunk], bool]
"""Receives each chunk; returning ``True`` cancels the request."""


class CompletionServer(Protocol):
    """The part of ``xllamacpp.Server`` this adapter uses."""

    def handle_chat_completions(self, request: dict[str, Any], callback: ChunkCallback) -> object:
        """Run one streamed chat completion, blocking until it ends or is cancelled."""
        ...


@dataclass(frozen=True)
class _End:
    """The request is over; ``error`` says why when it did not finish normally."""

    error: BaseException | None = None


Delivery = Callable[[Chunk | _End], bool]
"""Hands an item to the consumer; ``False`` when nobody can receive it any more."""


@dataclass
class _Running:
    cancelled: threading.Event
    future: Future[None]

    def cancel(self) -> None:
        self.cancelled.set()
        self.future.cancel()


@dataclass
class _Reply:
    """Turns llama.cpp chunks into LangChain generations, keeping the final metadata."""

    model_name: str
    finish_reason: str | None = None
    usage: UsageMetadata | None = None
    texts: list[str] = field(default_factory=list)

    def read(self, chunk: Chunk) -> ChatGenerationChunk | None:
        _raise_for_error(chunk)
        if usage := chunk.get("usage"):
            self.usage = UsageMetadata(
                input_tokens=usage.get("prompt_tokens", 0),
                output_tokens=usage.get("completion_tokens", 0),
                total_tokens=usage.get("total_tokens", 0),
            )
        for choice in chunk.get("choices") or ():
            self.finish_reason = choice.get("finish_reason") or self.finish_reason
            if text := (choice.get("delta") or {}).get("content"):
                self.texts.append(text)
                return ChatGenerationChunk(message=AIMessageChunk(content=text))
        return None

    @property
    def info(self) -> dict[str, Any]:
        return {"finish_reason": self.finish_reason, "model_name": self.model_name}

    def last_chunk(self) -> ChatGenerationChunk:
        message = AIMessageChunk(content="", usage_metadata=self.usage, chunk_position="last")
        return ChatGenerationChunk(message=message, generation_info=self.info)

    def result(self) -> ChatResult:
        message = AIMessage(content="".join(self.texts), usage_metadata=self.usage)
        return ChatResult(generations=[ChatGeneration(message=message, generation_info=self.info)])


class LlamaCppChatModel(ChatModel):
    """A chat model served by llama.cpp inside this process.

    Build it with :func:`load_llamacpp`; free it with :meth:`close`.
    """

    model_name: str = "llama.cpp"
    """Name reported in response metadata (the GGUF file's stem)."""
    max_tokens: int = 256
    """Most tokens in one reply unless the call asks otherwise."""
    temperature: float = 0.7
    """Sampling temperature unless the call asks otherwise."""
    parallel: int = 4
    """Requests served at once: llama.cpp's slots, and the worker threads feeding them."""

    _server: CompletionServer | None = PrivateAttr(default=None)
    _executor: ThreadPoolExecutor | None = PrivateAttr(default=None)
    _closing: threading.Event = PrivateAttr(default_factory=threading.Event)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)
    _active: int = PrivateAttr(default=0)

    def __init__(self, server: CompletionServer, **fields: Any) -> None:
        super().__init__(**fields)
        self._server = server
        # As many threads as slots: a request that has a thread has a slot, so it
        # produces chunks, so its cancellation is noticed within one token.
        self._executor = ThreadPoolExecutor(self.parallel, thread_name_prefix="llamacpp")

    @property
    def _llm_type(self) -> str:
        return "llamacpp"

    @property
    def where(self) -> str:
        """In this process, and which model file."""
        return f"llama.cpp in process: {self.model_name}"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {
            "model_name": self.model_name,
            "max_tokens": self.max_tokens,
            "temperature": self.temperature,
        }

    @property
    def active_requests(self) -> int:
        """Requests running in llama.cpp right now."""
        return self._active

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        reply = _Reply(self.model_name)
        with closing(self._chunks(self._request(messages, stop, kwargs))) as chunks:
            for chunk in chunks:
                reply.read(chunk)
        return reply.result()

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        reply = _Reply(self.model_name)
        with closing(self._chunks(self._request(messages, stop, kwargs))) as chunks:
            for chunk in chunks:
                if (generation := reply.read(chunk)) is not None:
                    yield generation
        yield reply.last_chunk()

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return await self._collect(self._request(messages, stop, kwargs))

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        reply = _Reply(self.model_name)
        async with aclosing(self._achunks(self._request(messages, stop, kwargs))) as chunks:
            async for chunk in chunks:
                if (generation := reply.read(chunk)) is not None:
                    yield generation
        yield reply.last_chunk()

    async def agenerate_json(self, messages: Sequence[BaseMessage], schema: dict[str, Any]) -> str:
        """Reply with JSON constrained by llama.cpp's grammar sampler to ``schema``."""
        # Compact JSON: a small model left free to choose whitespace fills the token
        # budget with blank lines and never closes the object.
        guided = {"x-guidance": {"whitespace_flexible": False}, **schema}
        response_format = {"type": "json_schema", "json_schema": {"schema": guided}}
        request = self._request(messages, None, {"response_format": response_format})
        result = await self._collect(request)
        return result.generations[0].message.text

    async def ping(self) -> str:
        """Generate one token; the probe fails if llama.cpp cannot."""
        started = time.perf_counter()
        request = self._request([HumanMessage("ping")], None, {"max_tokens": 1})
        try:
            await self._collect(request)
        except GenerationError as exc:
            raise ModelUnavailableError(f"llama.cpp cannot answer: {exc}") from exc
        elapsed_ms = (time.perf_counter() - started) * 1000
        return f"llama.cpp {self.model_name}: answered in {elapsed_ms:.0f} ms"

    def close(self) -> None:
        """Cancel running requests, wait for their threads, and free the model."""
        self._closing.set()
        with self._lock:
            server, executor = self._server, self._executor
            self._server = self._executor = None
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)
        # Dropping the last reference stops llama.cpp's loop and frees the weights.
        del server

    def _request(
        self, messages: Sequence[BaseMessage], stop: list[str] | None, options: dict[str, Any]
    ) -> dict[str, Any]:
        request: dict[str, Any] = {
            "messages": [_to_openai_message(message) for message in messages],
            "max_tokens": self.max_tokens,
            "temperature": self.temperature,
            **options,
            "stream": True,
            "stream_options": {"include_usage": True},
        }
        if stop:
            request["stop"] = list(stop)
        return request

    async def _collect(self, request: dict[str, Any]) -> ChatResult:
        reply = _Reply(self.model_name)
        async with aclosing(self._achunks(request)) as chunks:
            async for chunk in chunks:
                reply.read(chunk)
        return reply.result()

    async def _achunks(self, request: dict[str, Any]) -> AsyncGenerator[Chunk, None]:
        loop = asyncio.get_running_loop()
        inbox: asyncio.Queue[Chunk | _End] = asyncio.Queue()

        def deliver(item: Chunk | _End) -> bool:
            try:
                loop.call_soon_threadsafe(inbox.put_nowait, item)
            except RuntimeError:  # the event loop is closed: nobody will read this
                return False
            return True

        running = self._start(request, deliver)
        try:
            while not isinstance(item := await inbox.get(), _End):
                yield item
            _raise_end(item)
        finally:
            running.cancel()

    def _chunks(self, request: dict[str, Any]) -> Generator[Chunk, None, None]:
        inbox: queue.SimpleQueue[Chunk | _End] = queue.SimpleQueue()

        def deliver(item: Chunk | _End) -> bool:
            inbox.put(item)
            return True

        running = self._start(request, deliver)
        try:
            while not isinstance(item := inbox.get(), _End):
                yield item
            _raise_end(item)
        finally:
            running.cancel()

    def _start(self, request: dict[str, Any], deliver: Delivery) -> _Running:
        with self._lock:
            server, executor = self._server, self._executor
        if server is None or executor is None:
            raise ModelUnavailableError("the llama.cpp model is closed")
        cancelled, closing_ = threading.Event(), self._closing

        def on_chunk(chunk: Chunk) -> bool:
            return cancelled.is_set() or closing_.is_set() or not deliver(chunk)

        def run() -> None:
            error: BaseException | None = None
            self._count_active(1)
            try:
                server.handle_chat_completions(request, on_chunk)
            except Exception as exc:
                error = exc
            finally:
                self._count_active(-1)
            if closing_.is_set() and not cancelled.is_set():
                error = ModelUnavailableError("the llama.cpp model was closed during the request")
            deliver(_End(error))

        def on_done(future: Future[None]) -> None:
            if future.cancelled():  # never ran: closed before a thread was free
                deliver(_End(ModelUnavailableError("the llama.cpp model is closed")))

        try:
            future = executor.submit(run)
        except RuntimeError as exc:  # shut down since the check above
            raise ModelUnavailableError("the llama.cpp model is closed") from exc
        future.add_done_callback(on_done)
        return _Running(cancelled, future)

    def _count_active(self, delta: int) -> None:
        with self._lock:
            self._active += delta


def load_llamacpp(settings: LLMSettings, models_dir: Path) -> LlamaCppChatModel:
    """Load the GGUF model into llama.cpp; blocking, about two seconds for the bundled one.

    Args:
        settings: The chat-model settings.
        models_dir: Where prepared model files live (``Settings.models_dir``).

    Returns:
        The loaded chat model; call :meth:`LlamaCppChatModel.close` when done with it.

    Raises:
        ModelUnavailableError: The model file is missing or llama.cpp cannot load it.
    """
    model_file = prepare_model(models_dir, settings.model_path)
    # Its buffers are sized per request; freed, they must leave the process, not the heap.
    keep_large_blocks_mapped()
    import xllamacpp

    params = xllamacpp.CommonParams()
    params.model.path = str(model_file)
    # llama.cpp divides n_ctx among the slots: give each slot the whole window. A shared
    # (unified) cache would let one request use more, but when concurrent long prompts
    # overflow it every request in flight fails at once.
    params.n_parallel = settings.parallel
    params.n_ctx = settings.context_size * settings.parallel
    params.kv_unified = False
    # llama.cpp keeps every finished prompt's state in RAM for reuse, up to 8 GiB by
    # default: to a server that is memory growing by megabytes a turn, never given back.
    params.cache_ram_mib = settings.prompt_cache_mib
    for cpu in (params.cpuparams, params.cpuparams_batch):
        cpu.n_threads = settings.threads
        # Sleep rather than spin between work items: spinning threads starve each other
        # when another process (embeddings, PostgreSQL) holds a core, measured here at
        # 0.6 instead of 19 tokens/s with two threads on two busy cores.
        cpu.poll = 0
    params.sampling.temp = settings.temperature
    params.verbosity = 1  # errors only: llama.cpp logs every slot and token batch otherwise
    # llama.cpp also serves HTTP on a random 127.0.0.1 port; a key nobody knows shuts
    # that door, while calls from this process do not go through it.
    params.api_keys = [secrets.token_urlsafe(32)]
    params.ui = False
    if settings.model_path is None:
        # The bundled base model carries no chat template. With Jinja on, llama.cpp
        # would take the name "gemma" as a literal template; off, it is the built-in one.
        params.use_jinja = False
        params.chat_template = "gemma"
    try:
        server = xllamacpp.Server(params)
    except RuntimeError as exc:
        raise ModelUnavailableError(f"llama.cpp cannot load {model_file}: {exc}") from exc
    return LlamaCppChatModel(
        server,
        model_name=model_file.stem,
        max_tokens=settings.max_tokens,
        temperature=settings.temperature,
        parallel=settings.parallel,
    )


_ROLES = {"system": "system", "human": "user", "ai": "assistant", "tool": "tool"}


def _to_openai_message(message: BaseMessage) -> dict[str, str]:
    role = message.role if isinstance(message, ChatMessage) else _ROLES.get(message.type)
    if role is None:
        raise GenerationError(f"llama.cpp cannot take a {message.type!r} message")
    return {"role": role, "content": str(message.text)}


def _raise_for_error(chunk: Chunk) -> None:
    error = chunk.get("error")
    if error is None and chunk.get("type") == "server_error":  # xllamacpp's own failures
        error = chunk
    if error is not None:
        detail = error.get("message", error) if isinstance(error, dict) else error
        raise GenerationError(f"llama.cpp refused the request: {detail}")


def _raise_end(end: _End) -> None:
    if end.error is None:
        return
    if isinstance(end.error, LLMError):
        raise end.error
    raise GenerationError(f"llama.cpp failed: {end.error}") from end.error
