#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""pvmtrace --metrics, scraped by a real Prometheus (Debian's) on 127.0.0.1.

This process makes known calls into a child of its own under pvmtrace
--metrics; Prometheus scrapes pvmtrace each second. Once it has seen the
calls, pvmtrace stops, and each value Prometheus holds must equal the
counter of the same name in pvmtrace's final stats record, and the alerts
by rule and severity those the event lines carry.

usage: metrics_prometheus.py PVMTRACE SCRATCH_DIR
"""
import ctypes
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

WAIT_S = 60
SHIPPED_JOB = "config/prometheus-scrape.yml"
SHIPPED_RULES = "config/prometheus-alerts.yml"
WRITES, READS, FAILED = 5, 3, 2  # calls this test makes
libc = ctypes.CDLL(None, use_errno=True)


class Iovec(ctypes.Structure):
    _fields_ = [("base", ctypes.c_void_p), ("len", ctypes.c_size_t)]


def fail(why):
    print(f"  FAIL cli: metrics: {why}", file=sys.stderr)
    sys.exit(1)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_get(url):
    """(status, body): the status of an HTTP error too; (None, why) when nothing answers."""
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()
    except OSError as e:
        return None, str(e)


def wait_for(what, check):
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        got = check()
        if got:
            return got
        time.sleep(0.2)
    fail(f"{what}: not within {WAIT_S} s")


def start_pvmtrace(pvmtrace, scratch, port):
    err = open(os.path.join(scratch, "metrics.err"), "w")
    proc = subprocess.Popen(
        [pvmtrace, "--json", "-o", os.path.join(scratch, "metrics.json"),
         "--pid", str(os.getpid()), "--stats-interval", "0",
         "--metrics", f"127.0.0.1:{port}"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err)
    errfile = os.path.join(scratch, "metrics.err")
    wait_for("pvmtrace's start line",
             lambda: "pvmtrace: tracing" in open(errfile).read() or proc.poll() is not None)
    if proc.poll() is not None:
        fail(f"pvmtrace exited {proc.returncode}: {open(errfile).read()}")
    return proc


def promtool(*args):
    run = subprocess.run(["/usr/bin/promtool", *args], capture_output=True, text=True)
    if run.returncode != 0:
        fail(f"promtool {' '.join(args)}: {run.stdout}{run.stderr}")


def start_prometheus(scratch, port, target_port):
    """Prometheus on port, with the job pvmtrace ships, its target on target_port."""
    config = os.path.join(scratch, "prometheus.yml")
    with open(SHIPPED_JOB) as f:
        job = f.read()
    if "'127.0.0.1:9474'" not in job:
        fail(f"{SHIPPED_JOB} no longer names 127.0.0.1:9474")
    with open(config, "w") as f:
        f.write("global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n")
        f.write(f"rule_files:\n  - {os.path.abspath(SHIPPED_RULES)}\n")
        f.write(job.replace("'127.0.0.1:9474'", f"'127.0.0.1:{target_port}'"))
    promtool("check", "config", config)
    log = open(os.path.join(scratch, "prometheus.log"), "w")
    proc = subprocess.Popen(
        ["/usr/bin/prometheus", f"--config.file={config}",
         f"--storage.tsdb.path={os.path.join(scratch, 'prometheus-data')}",
         f"--web.listen-address=127.0.0.1:{port}"],
        stdin=subprocess.DEVNULL, stdout=log, stderr=log)
    wait_for("Prometheus ready", lambda: http_get(f"http://127.0.0.1:{port}/-/ready")[0] == 200)
    return proc


def rules_loaded(port):
    """The names of the alerting rules Prometheus loaded."""
    status, body = http_get(f"http://127.0.0.1:{port}/api/v1/rules")
    if status != 200:
        fail(f"Prometheus rules: {status} {body}")
    return {rule["name"] for group in json.loads(body)["data"]["groups"]
            for rule in group["rules"]}


def make_calls():
    """WRITES writes into a child and READS reads from it, FAILED calls to no process."""
    buf = ctypes.create_string_buffer(b"metrics test bytes", 64)
    child = os.fork()
    if child == 0:
        while True:
            time.sleep(60)
    iov = Iovec(ctypes.addressof(buf), 16)
    for _ in range(WRITES):
        if libc.process_vm_writev(child, ctypes.byref(iov), 1, ctypes.byref(iov), 1, 0) != 16:
            fail(f"process_vm_writev: errno {ctypes.get_errno()}")
    for _ in range(READS):
        if libc.process_vm_readv(child, ctypes.byref(iov), 1, ctypes.byref(iov), 1, 0) != 16:
            fail(f"process_vm_readv: errno {ctypes.get_errno()}")
    for _ in range(FAILED):
        libc.process_vm_readv(0x3fffffff, ctypes.byref(iov), 1, ctypes.byref(iov), 1, 0)
    os.kill(child, signal.SIGKILL)
    os.waitpid(child, 0)


def prometheus_values(port):
    """{(name, frozenset of labels but job and instance): value} of pvmtrace's series."""
    query = urllib.parse.urlencode({"query": '{__name__=~"pvmtrace_.+",job="pvmtrace"}'})
    status, body = http_get(f"http://127.0.0.1:{port}/api/v1/query?{query}")
    if status != 200:
        fail(f"Prometheus query: {status} {body}")
    values = {}
    for series in json.loads(body)["data"]["result"]:
        labels = dict(series["metric"])
        name = labels.pop("__name__")
        labels.pop("job"), labels.pop("instance")
        values[(name, frozenset(labels.items()))] = float(series["value"][1])
    return values


def final_records(scratch):
    """The final stats record's counters, and the alerts by (rule, severity) of the events."""
    counters, alerts = None, {}
    with open(os.path.join(scratch, "metrics.json")) as f:
        for line in f:
            rec = json.loads(line)
            if rec.get("event") == "stats" and rec["final"]:
                counters = rec["counters"]
            for alert in rec.get("alerts") or []:
                key = (alert["rule"], alert["severity"])
                alerts[key] = alerts.get(key, 0) + 1
    if counters is None:
        fail("no final stats record")
    return counters, alerts


def expected_series(counters, alerts):
    """What Prometheus must hold, from the records and the counter names metrics.h gives."""
    drops = {"ringbuf_drops", "inflight_drops", "unmatched_enter", "chunks_lost",
             "decode_errors", "chunks_dropped", "syslog_dropped"}
    want = {}
    for name, value in counters.items():
        if name in drops:
            want[("pvmtrace_drops_total", frozenset({("reason", name)}))] = value
        elif name == "unfinished":
            want[("pvmtrace_unfinished", frozenset())] = value
        else:
            want[(f"pvmtrace_{name}_total", frozenset())] = value
    for (rule, severity), n in alerts.items():
        want[("pvmtrace_alerts_total", frozenset({("rule", rule), ("severity", severity)}))] = n
    return want


def check_endpoints(port):
    status, body = http_get(f"http://127.0.0.1:{port}/healthz")
    if status != 200 or body != "ok\n":
        fail(f"/healthz while tracing: {status} {body!r}")
    if http_get(f"http://127.0.0.1:{port}/nothing")[0] != 404:
        fail("/nothing is not 404")
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as r:
        if not r.headers["Content-Type"].startswith("text/plain; version=0.0.4"):
            fail(f"/metrics Content-Type {r.headers['Content-Type']}")


def main():
    pvmtrace, scratch = sys.argv[1], sys.argv[2]
    metrics_port, prometheus_port = free_port(), free_port()
    tracer = start_pvmtrace(pvmtrace, scratch, metrics_port)
    prometheus = None
    try:
        check_endpoints(metrics_port)
        prometheus = start_prometheus(scratch, prometheus_port, metrics_port)
        if "PvmtraceLosingEvents" not in rules_loaded(prometheus_port):
            fail(f"Prometheus did not load {SHIPPED_RULES}")
        make_calls()
        calls = WRITES + READS + FAILED
        wait_for(f"Prometheus scraping pvmtrace_events_total {calls}",
                 lambda: prometheus_values(prometheus_port).get(
                     ("pvmtrace_events_total", frozenset())) == calls)
        scraped = prometheus_values(prometheus_port)
        tracer.send_signal(signal.SIGINT)
        if tracer.wait(timeout=WAIT_S) != 0:
            fail(f"pvmtrace exited {tracer.returncode}")
    finally:
        for proc in (tracer, prometheus):
            if proc and proc.poll() is None:
                proc.kill()
                proc.wait()
    counters, alerts = final_records(scratch)
    if counters["calls"] != calls or alerts.get(("PVM-W001", "high")) != WRITES:
        fail(f"the records: calls {counters['calls']}, alerts {alerts}")
    want = expected_series(counters, alerts)
    for key, value in want.items():
        if scraped.get(key) != value:
            fail(f"{key[0]}{dict(key[1])}: Prometheus has {scraped.get(key)}, "
                 f"pvmtrace's final record {value}")
    for key, value in scraped.items():
        if key[0] == "pvmtrace_alerts_total" and key not in want and value != 0:
            fail(f"alerts {dict(key[1])}: Prometheus has {value}, the events none")
    print(f"  metrics: Prometheus holds {len(scraped)} pvmtrace series; "
          f"calls {counters['calls']}, alerts {sum(alerts.values())}: each as at exit")


if __name__ == "__main__":
    main()
