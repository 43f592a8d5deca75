"""POST /api/v1/registrations and GET / against their floors, alternating, medians of N rounds.

    .venv/bin/python bench/bench_http.py [--rounds 3] [--seconds 8] [--connections 16]

1. POST on SQLite, one worker, against a minimal FastAPI app that validates the same fields
   with pydantic and inserts one row with the sqlite3 module in WAL mode (bench/floor_app.py),
   once with the portal's own schema (the same validation work) and once with a plain model.
2. GET / (the form page) against the portal's own /healthz.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

from harness import median, migrate, portal_env, server, temp_sqlite_url, wrk


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--connections", type=int, default=16)
    arguments = parser.parse_args()
    load = {"seconds": arguments.seconds, "connections": arguments.connections}

    results: dict[str, list[dict[str, float]]] = {}
    for round_number in range(arguments.rounds):
        for name in ("floor-portal-schema", "floor-plain-schema", "portal"):
            if name == "portal":
                env = portal_env(temp_sqlite_url("portal.sqlite3"))
                migrate(env)
                app, ready = "app.main:app", "/readyz"
            else:
                floor_db = Path(tempfile.mkdtemp()) / "floor.sqlite3"
                env = {
                    **os.environ,
                    "FLOOR_DATABASE": str(floor_db),
                    "FLOOR_SCHEMA": "portal" if "portal" in name else "plain",
                    "PYTHONPATH": str(Path(__file__).resolve().parent.parent),
                }
                app, ready = "bench.floor_app:app", "/openapi.json"
            with server(app, env, ready_path=ready) as url:
                figures = wrk(url, script="post_registration.lua", **load)
                results.setdefault(f"POST {name}", []).append(figures)
                if name == "portal":
                    results.setdefault("GET /", []).append(wrk(url + "/", script="get.lua", **load))
                    results.setdefault("GET /healthz", []).append(
                        wrk(url + "/healthz", script="get.lua", **load)
                    )
        print(f"round {round_number + 1}/{arguments.rounds} done", flush=True)

    print(f"\n{'target':<28}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'non-2xx':>9}")
    summary = {}
    for name, runs in results.items():
        summary[name] = {k: median([r[k] for r in runs]) for k in ("rps", "p50_ms", "p99_ms")}
        non2xx = sum(r["non2xx"] for r in runs)
        s = summary[name]
        print(f"{name:<28}{s['rps']:>9.0f}{s['p50_ms']:>9.1f}{s['p99_ms']:>9.1f}{non2xx:>9.0f}")
    print("\nratios: of the medians, and (in brackets) each round's own, lowest to highest:")
    for label, name, floor in (
        ("POST portal / floor with the portal's schema", "POST portal", "POST floor-portal-schema"),
        ("POST portal / floor with a plain schema     ", "POST portal", "POST floor-plain-schema"),
        ("GET /       / GET /healthz                  ", "GET /", "GET /healthz"),
    ):
        rounds = sorted(
            mine["rps"] / theirs["rps"] for mine, theirs in zip(results[name], results[floor],
                                                                 strict=True)
        )
        print(f"  {label} : {summary[name]['rps'] / summary[floor]['rps']:.2f}x "
              f"({', '.join(f'{ratio:.2f}' for ratio in rounds)})")


if __name__ == "__main__":
    main()
