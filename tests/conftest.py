"""Fixtures shared by every suite."""

from __future__ import annotations

import os

# Nothing may download at test time: models come from installed packages.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
# Ready text at once: in-process tests check what is streamed, not how fast. Servers the
# tests start as processes (bench/_serve.py) keep the product's pace.
os.environ.setdefault("TUTOR_TEACHING_READY_TEXT_WORDS_PER_SECOND", "0")
# In-process test clients call the app by made-up names: Litestar's testserver.local,
# schemathesis' testserver. Tests of the host check set the names themselves.
os.environ.setdefault(
    "TUTOR_ALLOWED_HOSTS", '["testserver.local", "testserver", "localhost", "127.0.0.1", "::1"]'
)
