"""Build the web UI from cold and measure it.

    bench/web_build.py

Removes Next.js's build cache (`web/.next`) and the export (`web/out`), runs `next build`
once, and reports its wall-clock seconds, the export's size (every file, and the
JavaScript and CSS a browser downloads), and its page count. The last line is JSON.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path

WEB = Path(__file__).resolve().parents[1] / "web"


def _size(files: list[Path]) -> int:
    return sum(f.stat().st_size for f in files)


def main() -> None:
    """Build cold, print the figures; the last line is JSON."""
    for cached in (WEB / ".next", WEB / "out"):
        shutil.rmtree(cached, ignore_errors=True)
    started = time.perf_counter()
    subprocess.run(
        ["npx", "next", "build"],
        cwd=WEB,
        env={**os.environ, "NEXT_TELEMETRY_DISABLED": "1"},
        check=True,
        stdout=subprocess.DEVNULL,
    )
    seconds = time.perf_counter() - started
    files = [f for f in (WEB / "out").rglob("*") if f.is_file()]
    assets = [f for f in files if f.suffix in {".js", ".css"}]
    pages = [f for f in files if f.name == "index.html"]
    figures = {
        "cold_build_s": round(seconds, 1),
        "export_bytes": _size(files),
        "export_files": len(files),
        "js_css_bytes": _size(assets),
        "pages": len(pages),
    }
    print(f"cold next build: {seconds:.1f} s")
    print(f"export: {figures['export_bytes'] / 1e6:.2f} MB in {len(files)} files")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
