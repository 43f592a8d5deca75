"""Throughput of POST /api/v1/registrations on PostgreSQL with 1, 2 and 4 worker processes.

    .venv/bin/python bench/bench_scaling.py --postgres postgresql+psycopg://postgres@127.0.0.1/test
        [--rounds 3] [--seconds 8] [--plot docs/scaling.png]

Each round runs every worker count in turn against a fresh, migrated database (created and
dropped beside the one named), so the counts alternate. Reported as medians and as ratios
to one worker measured in the same run. On a machine with N cores, more than N workers
cannot help; the figure says how close the portal gets to that ceiling.
"""

from __future__ import annotations

import argparse
import uuid
from pathlib import Path

from harness import median, migrate, portal_env, server, wrk
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

WORKERS = (1, 2, 4)


def fresh_database(url: str) -> tuple[str, str]:
    parsed = make_url(url)
    name = f"alliance87_bench_{uuid.uuid4().hex[:8]}"
    engine = create_engine(parsed, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return parsed.set(database=name).render_as_string(hide_password=False), name


def drop_database(url: str, name: str) -> None:
    engine = create_engine(make_url(url), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres", required=True)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--plot", type=Path)
    arguments = parser.parse_args()
    results: dict[int, list[dict[str, float]]] = {n: [] for n in WORKERS}
    for _ in range(arguments.rounds):
        for workers in WORKERS:
            url, name = fresh_database(arguments.postgres)
            try:
                # Small pools per process, so 4 workers stay inside max_connections.
                env = portal_env(url, DB_POOL_SIZE="8", DB_MAX_OVERFLOW="0")
                migrate(env)
                with server("app.main:app", env, workers=workers, ready_path="/readyz") as base:
                    results[workers].append(
                        wrk(
                            base,
                            script="post_registration.lua",
                            seconds=arguments.seconds,
                            connections=arguments.connections,
                        )
                    )
            finally:
                drop_database(arguments.postgres, name)
    one = median([r["rps"] for r in results[1]])
    print(
        f"POST /api/v1/registrations on PostgreSQL, {arguments.connections} connections, "
        f"median of {arguments.rounds}\n"
    )
    print("| workers | req/s | × one worker | p50 ms | p99 ms | non-2xx |")
    print("|---:|---:|---:|---:|---:|---:|")
    for workers, runs in results.items():
        rps = median([r["rps"] for r in runs])
        print(
            f"| {workers} | {rps:.0f} | {rps / one:.2f}× | "
            f"{median([r['p50_ms'] for r in runs]):.1f} | "
            f"{median([r['p99_ms'] for r in runs]):.1f} | "
            f"{sum(r['non2xx'] for r in runs):.0f} |"
        )
    if arguments.plot:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        figure, axes = plt.subplots(figsize=(5, 3.5))
        axes.plot(WORKERS, [median([r["rps"] for r in results[w]]) for w in WORKERS], marker="o")
        axes.set(
            title="POST throughput on PostgreSQL",
            xlabel="uvicorn workers",
            ylabel="requests per second",
            xticks=WORKERS,
            ylim=(0, None),
        )
        axes.grid(alpha=0.3)
        figure.tight_layout()
        figure.savefig(arguments.plot, dpi=110)
        print(f"\nPlot written to {arguments.plot}")


if __name__ == "__main__":
    main()
