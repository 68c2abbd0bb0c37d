"""Profile list requests in-process (cProfile; stats also in /tmp/prof/last.prof), after the
same seeding as list_filters_bench: the CPU time of each, its queries (the last path's also in
/tmp/prof/query-NN.sql, to EXPLAIN), then where it goes.

    ../.venv/bin/python profile_list.py [--torrents 10000] [--path /?status=seeding] [--before kept]
"""

import argparse
import cProfile
import pstats
import time
from pathlib import Path

import list_filters_bench as b
from django.db import connection
from django.test.utils import CaptureQueriesContext


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--torrents", type=int, default=10_000)
    p.add_argument("--path", action="append")
    p.add_argument("--before", default="kept")
    p.add_argument("--kind", default="page")
    p.add_argument("--admin", action="store_true")
    p.add_argument("--repeat", type=int, default=40)
    p.add_argument("--top", type=int, default=35)
    a = p.parse_args()
    user, admin, pk = b.seed(a.torrents)
    target = b.InProcess(admin if a.admin else user)
    for path in a.path or ["/?status=seeding&tracker=tracker-3.example"]:
        target.get(path, a.kind)
        cpu = []
        for n in range(a.repeat):
            b.change(a.before, pk, n)
            t = time.process_time()
            target.get(path, a.kind)
            cpu.append(time.process_time() - t)
        cpu.sort()
        p50, p95 = cpu[len(cpu) // 2] * 1000, cpu[int(len(cpu) * 0.95)] * 1000
        print(f"\n== {path} {a.before}: CPU p50 {p50:.1f} ms p95 {p95:.1f} ms")
        with CaptureQueriesContext(connection) as q:
            b.change(a.before, pk, 999)
            target.get(path, a.kind)
        Path("/tmp/prof").mkdir(exist_ok=True)
        for number, query in enumerate(q.captured_queries):
            print(f"  {query['time']}s {query['sql'][:260]}")
            Path(f"/tmp/prof/query-{number:02d}.sql").write_text(query["sql"])
        prof = cProfile.Profile()
        for n in range(a.repeat):
            b.change(a.before, pk, n)
            prof.enable()
            target.get(path, a.kind)
            prof.disable()
        prof.dump_stats("/tmp/prof/last.prof")
        st = pstats.Stats(prof)
        st.sort_stats("cumulative").print_stats(a.top)
        st.sort_stats("tottime").print_stats(25)


if __name__ == "__main__":
    main()
