#!/usr/bin/env python3
"""Start-up and per-call benchmark of the installed ``oint`` (run by hand, not in tests).

    python bench/bench.py [--runs 31] [--httpie] [--keep]

It builds a throw-away virtual environment, installs this checkout into it NORMALLY (``pip
install .``, not editable: an editable install adds an import hook that costs start-up time
real users never pay), starts the fake portal on 127.0.0.1 (rate limiter off, as it is by
default) and times, interleaved round by round, the median wall time of:

- ``oint --help``                      vs ``python -c "import click"``      (the floor)
- ``oint bitrix24 UpdateUser ...``    vs ``python -c "import click, requests; POST"`` (the floor)
                                        and vs curl and httpie doing the same POST

It prints ratios and checks the targets: --help <= 1.25x its floor, UpdateUser <= 1.15x its
floor, UpdateUser faster than httpie. curl and httpie are used where installed (``--httpie``
installs httpie into the throw-away environment when it is not on PATH); otherwise skipped
with a note. Exit status 1 if a target is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from oint_py.testing import FakePortal  # noqa: E402

FIELDS = {"NAME": "Олег", "LAST_NAME": "Лама", "EMAIL": "oleg@example.org", "UF_DEPARTMENT": [7]}
TARGETS = {"help": 1.25, "call": 1.15}


def _bin(venv: Path, name: str) -> Path:
    sub = "Scripts" if os.name == "nt" else "bin"
    suffix = ".exe" if os.name == "nt" else ""
    return venv / sub / f"{name}{suffix}"


def make_venv(where: Path, httpie: bool) -> Path:
    venv = where / "venv"
    print(f"building a virtual environment in {venv} (pip install ., not editable) ...")
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(_bin(venv, "python")), "-m", "pip", "install", "--quiet"]
    subprocess.run([*pip, str(ROOT)], check=True)
    if httpie and shutil.which("http") is None:
        subprocess.run([*pip, "httpie"], check=True)
    return venv


def floor_call_script(url: str, body: bytes) -> str:
    """The least a Python client must do: import click and requests, POST, print the answer."""
    return (
        "import sys, click, requests\n"
        f"r = requests.post({url!r}, data={body!r}, headers={{'Content-Type': "
        "'application/json; charset=utf-8', 'Accept': 'application/json'}, timeout=(10, 75))\n"
        "sys.stdout.write(r.text)\n"
    )


def time_once(argv: Sequence[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(
        argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env
    )
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{argv[0]} failed ({done.returncode}): {done.stderr.decode()[-500:]}")
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=31, help="rounds (default 31)")
    parser.add_argument("--httpie", action="store_true", help="install httpie if not on PATH")
    parser.add_argument("--keep", action="store_true", help="keep the virtual environment")
    args = parser.parse_args(argv)

    where = Path(tempfile.mkdtemp(prefix="oint-bench-"))
    try:
        venv = make_venv(where, args.httpie)
        return run(venv, args.runs)
    finally:
        if args.keep:
            print(f"kept {where}")
        else:
            shutil.rmtree(where, ignore_errors=True)


def run(venv: Path, runs: int) -> int:
    python, oint = str(_bin(venv, "python")), str(_bin(venv, "oint"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "_OINT", "BITRIX"))}
    env["PATH"] = f"{_bin(venv, 'python').parent}{os.pathsep}{env.get('PATH', '')}"
    http = shutil.which("http", path=env["PATH"])
    curl = shutil.which("curl")
    with FakePortal() as portal:  # rate limiter off unless rate_limit() is called
        rest = portal.webhook_url + "user.update"
        body = json.dumps({"ID": 2626, **FIELDS}, ensure_ascii=False).encode("utf-8")
        fields = json.dumps(FIELDS, ensure_ascii=False)
        commands: dict[str, list[str]] = {
            "oint --help": [oint, "--help"],
            "python -c 'import click'": [python, "-c", "import click"],
            "oint UpdateUser": [
                oint,
                "bitrix24",
                "UpdateUser",
                "-u",
                portal.webhook_url,
                "-s",
                "2626",
                "-f",
                fields,
            ],  # fmt: skip
            "python click+requests POST": [python, "-c", floor_call_script(rest, body)],
        }
        notes = []
        if curl:
            commands["curl"] = [
                curl, "-sS", "--fail-with-body", "-X", "POST", "-H",
                "Content-Type: application/json; charset=utf-8", "--data-binary",
                body.decode("utf-8"), rest,
            ]  # fmt: skip
        else:
            notes.append("curl: not installed, skipped")
        if http:
            commands["httpie"] = [http, "--ignore-stdin", "--check-status", "POST", rest]
            items = {"ID": 2626, **FIELDS}.items()
            commands["httpie"] += [f"{k}:={json.dumps(v, ensure_ascii=False)}" for k, v in items]
        else:
            notes.append("httpie: not installed, skipped (run with --httpie to install it)")

        times: dict[str, list[float]] = {name: [] for name in commands}
        for cmd in commands.values():  # warm-up: caches, .pyc files
            time_once(cmd, env)
        for _ in range(runs):  # interleaved: every command once per round
            for name, cmd in commands.items():
                times[name].append(time_once(cmd, env))
        assert portal.errors == [], portal.errors
        sent = portal.calls("user.update")
        assert sent and all(r.json == json.loads(body) for r in sent), "a body differed"

    median = {name: statistics.median(values) for name, values in times.items()}
    print(f"\nmedian wall time of {runs} interleaved rounds (Python {sys.version.split()[0]}):")
    for name, value in median.items():
        print(f"  {name:30s} {value * 1000:7.1f} ms")
    print()
    results = []
    ratio = median["oint --help"] / median["python -c 'import click'"]
    results.append(("oint --help / import click", ratio, TARGETS["help"]))
    ratio = median["oint UpdateUser"] / median["python click+requests POST"]
    results.append(("UpdateUser / click+requests POST", ratio, TARGETS["call"]))
    if "curl" in median:
        results.append(("UpdateUser / curl", median["oint UpdateUser"] / median["curl"], None))
    if "httpie" in median:
        ratio = median["oint UpdateUser"] / median["httpie"]
        results.append(("UpdateUser / httpie", ratio, 1.0))
    missed = 0
    for label, ratio, target in results:
        verdict = ""
        if target is not None:
            ok = ratio <= target if target != 1.0 else ratio < target
            missed += not ok
            sign = "<=" if target != 1.0 else "<"
            verdict = f"target {sign} {target:.2f}x: {'met' if ok else 'MISSED'}"
        print(f"  {label:34s} {ratio:5.2f}x  {verdict}")
    for note in notes:
        print(f"  note: {note}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
