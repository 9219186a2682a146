"""Build the web UI from cold and measure it.

    bench/web_build.py
    bench/web_build.py --smoke    # checks the build command, builds nothing (2 s)

Removes Next.js's build cache (`web/.next`) and the export (`web/out`), runs `next build`
once, and reports its wall-clock seconds, the export's size (every file, and the
JavaScript and CSS a browser downloads), and its page count. The last line is JSON.

``--smoke`` leaves `web/.next` and `web/out` alone (a build elsewhere may be using them):
it checks that the installed Next.js answers and offers the `build` command the bench
runs, with the same options, and reports its version.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import time
from pathlib import Path

WEB = Path(__file__).resolve().parents[1] / "web"
BUILD = ["npx", "--no-install", "next", "build"]
"""``--no-install``: a missing Next.js is an error here, never a download."""
ENV = {**os.environ, "NEXT_TELEMETRY_DISABLED": "1"}


def _size(files: list[Path]) -> int:
    return sum(f.stat().st_size for f in files)


def smoke() -> None:
    """Check the build command without building; the last line is JSON."""
    version = subprocess.run(
        [*BUILD[:-1], "--version"], cwd=WEB, env=ENV, check=True, capture_output=True, text=True
    ).stdout.strip()
    usage = subprocess.run(
        [*BUILD, "--help"], cwd=WEB, env=ENV, check=True, capture_output=True, text=True
    ).stdout
    if "next build" not in usage:
        raise SystemExit(f"`{' '.join(BUILD)} --help` does not describe the build: {usage!r}")
    print(f"{version}: `{' '.join(BUILD)}` is available")
    print(json.dumps({"smoke": True, "next_version": version, "build_command": BUILD}))


def main() -> None:
    """Build cold, print the figures; the last line is JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--smoke", action="store_true", help="check the build command only, build nothing"
    )
    if parser.parse_args().smoke:
        smoke()
        return
    for cached in (WEB / ".next", WEB / "out"):
        shutil.rmtree(cached, ignore_errors=True)
    started = time.perf_counter()
    subprocess.run(BUILD, cwd=WEB, env=ENV, check=True, stdout=subprocess.DEVNULL)
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
