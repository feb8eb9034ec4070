#!/usr/bin/env python3
"""Benchmark of the models family (issue 15): rfm() per customer, then
bgnbd_fit() / gammagamma_fit() over the rfm rows, then the predictions, at
several numbers of customers (default 100000, 300000, 1000000), to show the
scaling.  Run inside a cluster with sales_kpi installed (bench/models.sh does
that): BENCH_DB (database, default bench_models), BENCH_RUNS (default 3),
BENCH_OUT (markdown file, default bench/MODELS_RESULTS.md); arguments: the
numbers of customers.

The orders are simulated from the BG/NBD and Gamma-Gamma processes with the
CDNOW estimates (r = 0.243, alpha = 4.414, a = 0.793, b = 2.426; p = 6.25,
q = 3.74, gamma = 15.44), first purchases spread over 12 weeks, calibration
end at week 39 as in CDNOW; so the fit must also recover those parameters
(printed next to the times).  Times are medians of BENCH_RUNS runs; nothing is
asserted.  Memory: the bytes of a stored rfm, the fit state (its tuples, after
identical ones are merged), and the growth of the backend's peak resident
memory (VmHWM, which includes the shared buffers the session touched) over the
fit.
"""
import datetime
import os
import platform
import random
import re
import statistics
import subprocess
import sys

DB = os.environ.get("BENCH_DB", "bench_models")
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
OUT = os.environ.get("BENCH_OUT", os.path.join(os.path.dirname(os.path.abspath(__file__)), "MODELS_RESULTS.md"))
SIZES = [int(a) for a in sys.argv[1:]] or [100000, 300000, 1000000]
END = "date '1997-09-30'"
RFM = "rfm(customer_id, purchased_on, amount, %s, interval '1 week')" % END


def psql(sql, db=DB):
    p = subprocess.run(["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-d", db],
                       input=sql, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit("psql failed: %s\n%s" % (p.stderr, sql[:2000]))
    return p.stdout


def timed(sql, setup=""):
    """median ms of RUNS runs of sql (its result discarded)"""
    out = psql(setup + "\n\\timing on\n" + "\n".join([sql] * RUNS))
    ms = [float(m) for m in re.findall(r"^Time: ([0-9.]+) ms", out, re.M)]
    ms = ms[-RUNS:]
    return statistics.median(ms)


def generate(n, seed=15):
    """CSV lines customer_id,day,amount of n simulated customers"""
    rng = random.Random(seed)
    r, alpha, a, b = 0.243, 4.414, 0.793, 2.426
    p, q, g = 6.25, 3.74, 15.44
    base = datetime.date(1997, 1, 1)
    end_week = 272 / 7.0
    lines = []

    def purchase(c, t):
        return "%d,%s,%.2f" % (c, (base + datetime.timedelta(days=int(t * 7))).isoformat(),
                               max(0.01, rng.gammavariate(p, 1.0 / nu)))

    for c in range(1, n + 1):
        lam = rng.gammavariate(r, 1.0 / alpha)          # purchases per week
        drop = rng.betavariate(a, b)
        nu = rng.gammavariate(q, 1.0 / g)
        t = rng.randrange(84) / 7.0                      # first purchase in the first 12 weeks
        lines.append(purchase(c, t))
        # while alive: purchases at rate lam; after each repeat purchase the
        # customer drops out with probability drop (FHL 2005, assumptions ii-iii)
        while lam > 1e-300:
            t += rng.expovariate(lam)
            if t > end_week:
                break
            lines.append(purchase(c, t))
            if rng.random() < drop:
                break
    return lines


def main():
    subprocess.run(["dropdb", "--if-exists", DB], check=True)
    subprocess.run(["createdb", DB], check=True)
    psql("CREATE EXTENSION sales_kpi;"
         "CREATE AGGREGATE bench_bgnbd_state(rfm) (sfunc = bgnbd_fit_accum, stype = clv_fit_state, combinefunc = clv_fit_combine);")
    rows = []
    for n in SIZES:
        lines = generate(n)
        psql("DROP TABLE IF EXISTS bench_orders, bench_rfm;"
             "CREATE TABLE bench_orders (customer_id bigint, purchased_on date, amount numeric(10,2));")
        p = subprocess.run(["psql", "-X", "-q", "-d", DB, "-c", "COPY bench_orders FROM STDIN (FORMAT csv)"],
                           input="\n".join(lines) + "\n", capture_output=True, text=True)
        if p.returncode != 0:
            sys.exit(p.stderr)
        psql("VACUUM ANALYZE bench_orders;")
        serial = "SET max_parallel_workers_per_gather = 0;"
        parallel = ("SET max_parallel_workers_per_gather = 2; SET parallel_setup_cost = 0; "
                    "SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;")
        t_floor = timed("SELECT count(*) FROM (SELECT customer_id, count(purchased_on), count(amount) "
                        "FROM bench_orders GROUP BY customer_id) s;", serial)
        t_sql = timed("SELECT count(*) FROM (SELECT customer_id, count(*) - 1 AS x, max(day) - min(day) AS t_x, "
                      "%s - min(day) AS big_t, (sum(amount) - (array_agg(amount ORDER BY day))[1]) / nullif(count(*) - 1, 0) "
                      "FROM (SELECT customer_id, purchased_on AS day, sum(amount) AS amount FROM bench_orders "
                      "WHERE purchased_on <= %s GROUP BY 1, 2) d GROUP BY customer_id) s;" % (END, END), serial)
        t_rfm = timed("SELECT count(r) FROM (SELECT customer_id, %s AS r FROM bench_orders GROUP BY customer_id) s;" % RFM,
                      serial)
        psql("CREATE TABLE bench_rfm AS SELECT customer_id, %s AS r FROM bench_orders GROUP BY customer_id;"
             "VACUUM ANALYZE bench_rfm;" % RFM)
        t_fit = timed("SELECT bgnbd_fit(r) FROM bench_rfm;", serial)
        t_fit_par = timed("SELECT bgnbd_fit(r) FROM bench_rfm;", parallel)
        t_gg = timed("SELECT gammagamma_fit(r) FROM bench_rfm;", serial)
        t_pred = timed("SELECT sum(bgnbd_p_alive(m, r)), sum(bgnbd_expected_purchases(m, 39, r)) "
                       "FROM bench_rfm, (SELECT bgnbd_fit(r) AS m FROM bench_rfm) f;", serial)
        info = psql(serial + """
            SELECT pg_backend_pid() AS pid \\gset
            \\setenv BENCH_PID :pid
            \\! grep VmHWM /proc/$BENCH_PID/status
            SELECT bgnbd_fit(r)::text FROM bench_rfm;
            \\! grep VmHWM /proc/$BENCH_PID/status
            SELECT gammagamma_fit(r)::text FROM bench_rfm;
            SELECT count(*), sum(pg_column_size(r)) FROM bench_rfm;
            SELECT pg_column_size(bench_bgnbd_state(r)) FROM bench_rfm;
            SELECT count(*) FROM bench_orders;
            """)
        hwm = [int(x) for x in re.findall(r"VmHWM:\s+(\d+) kB", info)]
        other = [l for l in info.splitlines() if not l.startswith("VmHWM")]
        bg, gg, cust_bytes, state_bytes, norders = other[0], other[1], other[2], other[3], other[4]
        ncust, rfm_bytes = [int(x) for x in cust_bytes.split("|")]
        par = dict(re.findall(r"(\w+)=([-0-9.e+]+)", bg))
        gpar = dict(re.findall(r"(\w+)=([-0-9.e+]+)", gg))
        rows.append(dict(n=ncust, orders=int(norders), floor=t_floor, sql=t_sql, rfm=t_rfm, fit=t_fit, fit_par=t_fit_par,
                         gg=t_gg, pred=t_pred, rfm_bytes=rfm_bytes / ncust, state=int(state_bytes),
                         hwm=(hwm[1] - hwm[0]) if len(hwm) == 2 else None,
                         params="r=%.3f alpha=%.3f a=%.3f b=%.3f; p=%.2f q=%.2f gamma=%.2f; %s iterations" % (
                             float(par["r"]), float(par["alpha"]), float(par["a"]), float(par["b"]),
                             float(gpar["p"]), float(gpar["q"]), float(gpar["gamma"]), par.get("iterations"))))
        print(rows[-1], flush=True)
    ver = psql("SELECT version();").strip()
    with open(OUT, "w") as f:
        f.write("# sales_kpi models benchmark (issue 15)\n\n")
        f.write("- date: %s UTC\n- PostgreSQL: %s\n- CPU: %s (%d cores)\n- runs: %d per query, medians; "
                "serial unless noted\n\n" % (datetime.datetime.utcnow().strftime("%Y-%m-%d %H:%M"), ver,
                                             platform.processor() or platform.machine(), os.cpu_count(), RUNS))
        f.write("Orders simulated from BG/NBD + Gamma-Gamma with the CDNOW estimates (bench/models.py). "
                "floor = count() of the order columns GROUP BY customer; SQL = the plain-SQL RFM "
                "(same-day orders summed, then per customer); rfm = rfm() GROUP BY customer; "
                "fit = bgnbd_fit over the stored rfm rows; predictions = P(alive) and expected purchases "
                "in 39 weeks for every customer (including one more fit).\n\n")
        f.write("| customers | orders | floor ms | SQL RFM ms | rfm() ms | rfm/floor | SQL/rfm | bgnbd_fit ms | "
                "bgnbd_fit 2 workers ms | gammagamma_fit ms | predictions ms | rfm bytes/customer | fit state bytes | "
                "backend peak growth kB | recovered parameters |\n")
        f.write("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n")
        for r in rows:
            f.write("| %d | %d | %.1f | %.1f | %.1f | %.2f | %.2f | %.1f | %.1f | %.1f | %.1f | %.0f | %d | %s | %s |\n" % (
                r["n"], r["orders"], r["floor"], r["sql"], r["rfm"], r["rfm"] / r["floor"], r["sql"] / r["rfm"],
                r["fit"], r["fit_par"], r["gg"], r["pred"], r["rfm_bytes"], r["state"], r["hwm"], r["params"]))
        if len(rows) > 1:
            a, z = rows[0], rows[-1]
            k = z["n"] / a["n"]
            f.write("\nScaling from %d to %d customers (x%.1f): rfm() x%.2f, bgnbd_fit x%.2f, gammagamma_fit x%.2f, "
                    "predictions x%.2f.\n" % (a["n"], z["n"], k, z["rfm"] / a["rfm"], z["fit"] / a["fit"],
                                              z["gg"] / a["gg"], z["pred"] / a["pred"]))
    print("written", OUT)


if __name__ == "__main__":
    main()
