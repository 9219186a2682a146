"""The Ollama adapter against a local HTTP server that speaks Ollama's streaming protocol."""

from __future__ import annotations

import json
import threading
from collections.abc import AsyncIterator, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import HumanMessage, SystemMessage
from pydantic import BaseModel, Field

from tutor.config import LLMSettings
from tutor.llm import (
    ModelUnavailableError,
    OllamaChatModel,
    build_ollama_chat_model,
    closed_schema,
    generate_structured,
)

pytestmark = pytest.mark.integration

MODEL = "gemma3:270m"


class Verdict(BaseModel):
    correct: bool
    feedback: str = Field(max_length=80)


class OllamaStandIn:
    """Records request bodies and answers /api/chat and /api/tags like Ollama does."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.tokens: list[str] = []
        self.models = [MODEL]

    def chat_lines(self, body: dict[str, Any]) -> Iterator[dict[str, Any]]:
        base = {"model": body["model"], "created_at": "2026-11-27T05:00:00.000000Z"}
        for token in self.tokens:
            message = {"role": "assistant", "content": token}
            yield {**base, "message": message, "done": False}
        yield {
            **base,
            "message": {"role": "assistant", "content": ""},
            "done": True,
            "done_reason": "stop",
            "total_duration": 1_000_000,
            "prompt_eval_count": 12,
            "eval_count": len(self.tokens),
        }

    def handler(self) -> type[BaseHTTPRequestHandler]:
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path != "/api/tags":
                    self.send_error(404)
                    return
                listing = {"models": [{"name": name, "model": name} for name in stand_in.models]}
                self.reply(200, [listing])

            def do_POST(self) -> None:
                length = int(self.headers["Content-Length"])
                body = json.loads(self.rfile.read(length))
                stand_in.requests.append(body)
                if self.path != "/api/chat":
                    self.send_error(404)
                    return
                lines = list(stand_in.chat_lines(body))
                if not body.get("stream", True):
                    text = "".join(line["message"]["content"] for line in lines)
                    lines = [{**lines[-1], "message": {"role": "assistant", "content": text}}]
                self.reply(200, lines)

            def reply(self, status: int, lines: list[dict[str, Any]]) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/x-ndjson")
                self.end_headers()
                for line in lines:
                    self.wfile.write(json.dumps(line).encode() + b"\n")
                    self.wfile.flush()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler


@pytest.fixture
def ollama_server() -> Iterator[tuple[OllamaStandIn, str]]:
    stand_in = OllamaStandIn()
    server = ThreadingHTTPServer(("127.0.0.1", 0), stand_in.handler())
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    yield stand_in, f"http://{host!s}:{port}"
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
async def model(
    ollama_server: tuple[OllamaStandIn, str], tmp_path: Path
) -> AsyncIterator[OllamaChatModel]:
    _, url = ollama_server
    settings = LLMSettings(
        provider="ollama", ollama_url=url, model=MODEL, max_tokens=64, temperature=0.3
    )
    chat = build_ollama_chat_model(settings, tmp_path)
    yield chat
    await chat.aclose()


async def test_tokens_stream_in_order(
    model: OllamaChatModel, ollama_server: tuple[OllamaStandIn, str]
) -> None:
    stand_in, _ = ollama_server
    stand_in.tokens = ["Cells ", "are ", "the ", "units ", "of ", "life."]

    texts = [chunk.content async for chunk in model.astream("What is a cell?")]

    assert [text for text in texts if text] == stand_in.tokens
    [request] = stand_in.requests
    assert request["model"] == MODEL
    assert request["stream"] is True
    assert request["messages"] == [{"role": "user", "content": "What is a cell?"}]
    assert request["options"]["num_predict"] == 64
    assert request["options"]["temperature"] == 0.3
    assert request["options"]["num_ctx"] == 4096


async def test_ainvoke_returns_the_reply_and_usage(
    model: OllamaChatModel, ollama_server: tuple[OllamaStandIn, str]
) -> None:
    stand_in, _ = ollama_server
    stand_in.tokens = ["Mitochondria ", "make ", "ATP."]

    reply = await model.ainvoke([SystemMessage("Be brief."), HumanMessage("Energy?")])

    assert reply.content == "Mitochondria make ATP."
    assert reply.usage_metadata is not None
    assert reply.usage_metadata["output_tokens"] == 3
    assert stand_in.requests[0]["messages"][0] == {"role": "system", "content": "Be brief."}


async def test_structured_output_sends_the_schema_as_format(
    model: OllamaChatModel, ollama_server: tuple[OllamaStandIn, str]
) -> None:
    stand_in, _ = ollama_server
    stand_in.tokens = ['{"correct": ', "true, ", '"feedback": ', '"Well done."}']

    verdict = await generate_structured(model, [HumanMessage("Is 2+2=4?")], Verdict)

    assert verdict == Verdict(correct=True, feedback="Well done.")
    [request] = stand_in.requests
    assert request["format"] == closed_schema(Verdict.model_json_schema())


async def test_ping_lists_the_servers_models(model: OllamaChatModel) -> None:
    assert await model.ping() == f"Ollama {MODEL} at {model.base_url}"


async def test_ping_fails_when_the_model_is_not_pulled(
    model: OllamaChatModel, ollama_server: tuple[OllamaStandIn, str]
) -> None:
    stand_in, _ = ollama_server
    stand_in.models = ["llama3:8b"]

    with pytest.raises(ModelUnavailableError, match="has no model 'gemma3:270m'"):
        await model.ping()


async def test_ping_fails_when_nothing_listens(tmp_path: Path) -> None:
    settings = LLMSettings(provider="ollama", ollama_url=closed_port_url(), model=MODEL)
    chat = build_ollama_chat_model(settings, tmp_path)
    try:
        with pytest.raises(ModelUnavailableError, match="unreachable"):
            await chat.ping()
    finally:
        await chat.aclose()


def closed_port_url() -> str:
    """A URL on 127.0.0.1 whose port had a listener a moment ago and has none now."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    host, port = server.server_address[:2]
    server.server_close()
    return f"http://{host!s}:{port}"
