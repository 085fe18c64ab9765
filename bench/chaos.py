#!/usr/bin/env python3
"""The chaos run behind bench/chaos (Python 3 standard library only).

Starts the demo stack (release binaries) with the gateway in front, a fault proxy of its own in
front of one subgraph, and a load loop that sends the deep and the pass-through queries at a
fixed rate and checks every answer. Meanwhile, one phase after another, it breaks a subgraph:
kills one and restarts it, stops one with SIGSTOP (a hang) and continues it, and makes the proxy
add latency, drop connections mid-answer, answer truncated JSON, non-JSON, HTTP 500 and a 50 MB
body. Each phase reports the requests it sent and how they were answered, the gateway's RSS
before and after, whether it still runs, and how long after the fault ended the gateway answered
fully again. Writes a JSON report; exits 1 when an answer was malformed, a request hung or the
gateway died. bench/README.md explains the figures.
"""

import argparse
import collections
import concurrent.futures
import datetime
import http.client
import http.server
import json
import os
import platform
import signal
import socket
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench import (  # noqa: E402  (the benchmark's process and /proc helpers)
    ROOT, SUBGRAPHS, BenchError, Processes, free_port, log, proc_status_kb, read_query, tail, wait_listening)

# ---------------------------------------------------------------- the fault proxy

FAULTS = ["pass", "latency", "drop", "truncate", "garbage", "http500", "huge"]


class FaultProxy:
    """An HTTP/1.1 proxy in front of one subgraph whose answers a phase spoils."""

    def __init__(self, upstream_port, latency, huge_bytes):
        self.upstream_port = upstream_port
        self.mode = "pass"
        self.latency = latency
        self.huge = self.huge_body(huge_bytes)
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                proxy.answer(self, body)

            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @staticmethod
    def huge_body(size):
        """A well-formed GraphQL answer of `size` bytes: one error with a very long message."""
        head, tail_ = b'{"data":null,"errors":[{"message":"', b'"}]}'
        return head + b"x" * max(0, size - len(head) - len(tail_)) + tail_

    def forward(self, body, headers):
        conn = http.client.HTTPConnection("127.0.0.1", self.upstream_port, timeout=30)
        try:
            conn.request("POST", "/graphql", body=body, headers=headers)
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    @staticmethod
    def send(handler, status, body, content_type="application/json", length=None, close=False):
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(body) if length is None else length))
        if close:
            handler.send_header("Connection", "close")
        handler.end_headers()
        try:
            handler.wfile.write(body)
            handler.wfile.flush()
        except OSError:
            # The gateway hung up first (it refuses a body past the subgraph's maxResponseBytes).
            handler.close_connection = True

    def answer(self, handler, body):
        mode = self.mode
        if mode == "http500":
            return self.send(handler, 500, b"Internal Server Error", content_type="text/plain")
        if mode == "garbage":
            return self.send(handler, 200, b"<html><body>Bad Gateway</body></html>", content_type="text/html")
        if mode == "huge":
            return self.send(handler, 200, self.huge)
        headers = {k: v for k, v in handler.headers.items() if k.lower() not in ("host", "content-length", "connection")}
        try:
            status, answer = self.forward(body, headers)
        except OSError:
            # The subgraph itself is away: close the connection, as a dead upstream would.
            handler.close_connection = True
            return
        if mode == "latency":
            time.sleep(self.latency)
        if mode == "truncate":
            # A complete HTTP answer whose JSON stops half way.
            return self.send(handler, status, answer[: len(answer) // 2])
        if mode == "drop":
            # Promise the whole body, send half, hang up.
            self.send(handler, status, answer[: len(answer) // 2], length=len(answer), close=True)
            handler.close_connection = True
            try:
                handler.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        self.send(handler, status, answer)

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


# ---------------------------------------------------------------- the load loop

Result = collections.namedtuple("Result", "sent query latency outcome detail")


def classify(status, data):
    """What the answer of one request was: ok, partial, errors (no data), or malformed."""
    try:
        decoded = json.loads(data)
    except ValueError:
        return "malformed", f"HTTP {status}, not JSON: {data[:120]!r}"
    if not isinstance(decoded, dict) or not ("data" in decoded or "errors" in decoded):
        return "malformed", f"HTTP {status}, not a GraphQL response: {data[:120]!r}"
    errors = decoded.get("errors") or []
    if not isinstance(errors, list) or any(not isinstance(e, dict) or not isinstance(e.get("message"), str) for e in errors):
        return "malformed", f"HTTP {status}, errors that are not GraphQL errors: {data[:120]!r}"
    data_ = decoded.get("data")
    if not errors:
        return ("ok", "") if isinstance(data_, dict) else ("malformed", f"HTTP {status}, neither data nor errors")
    if isinstance(data_, dict) and any(value is not None for value in data_.values()):
        scoped = all(isinstance(e.get("path"), list) and e["path"] for e in errors)
        if not scoped:
            return "malformed", f"partial data with an error without a path: {errors[0]}"
        return "partial", f"{errors[0]['message'][:100]} at {errors[0]['path']}"
    return "errors", errors[0].get("message", "")[:120]


class Load:
    """Sends the queries in turn at `rate` per second until stopped; keeps every result."""

    def __init__(self, port, queries, rate, timeout, workers):
        self.port = port
        self.queries = queries  # [(name, body)]
        self.rate = rate
        self.timeout = timeout
        self.results = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.pool = concurrent.futures.ThreadPoolExecutor(max_workers=workers)
        self.local = threading.local()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def start(self):
        self.thread.start()

    def request(self, name, body):
        sent = time.monotonic()
        try:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
            try:
                conn.request("POST", "/graphql", body=body,
                             headers={"Content-Type": "application/json", "Accept": "application/json"})
                response = conn.getresponse()
                status, data = response.status, response.read()
            finally:
                conn.close()
            outcome, detail = classify(status, data)
        except socket.timeout:
            outcome, detail = "hung", f"no answer within {self.timeout:.0f} s"
        except OSError as error:
            outcome, detail = "unanswered", str(error)
        result = Result(sent, name, time.monotonic() - sent, outcome, detail)
        with self.lock:
            self.results.append(result)

    def run(self):
        interval = 1.0 / self.rate
        next_at = time.monotonic()
        index = 0
        while not self.stopping.is_set():
            name, body = self.queries[index % len(self.queries)]
            index += 1
            self.pool.submit(self.request, name, body)
            next_at += interval
            delay = next_at - time.monotonic()
            if delay > 0:
                self.stopping.wait(delay)
            else:
                next_at = time.monotonic()  # behind: do not burst to catch up

    def stop(self):
        self.stopping.set()
        self.thread.join()
        self.pool.shutdown(wait=True)

    def between(self, start, end):
        with self.lock:
            return [r for r in self.results if start <= r.sent < end]


# ---------------------------------------------------------------- the stack

class ChaosStack:
    def __init__(self, args, procs, tmp):
        self.args = args
        self.procs = procs
        self.tmp = tmp
        self.ports = {}
        self.proc = {}
        self.logs = {}

    def start_subgraph(self, name, port=0):
        out, err = os.path.join(self.tmp, f"{name}.out"), os.path.join(self.tmp, f"{name}.err")
        # A restarted subgraph logs after the first one's lines: truncate so that its own
        # `listening` line is the one read.
        open(out, "wb").close()
        self.logs[name] = (out, err)
        argv = [os.path.join(self.args.bin_path, name), "--host", "127.0.0.1", "--port", str(port)]
        env = dict(os.environ, LOG_LEVEL="warning")
        self.proc[name] = self.procs.start(name, argv, env=env, stdout=open(out, "ab"), stderr=open(err, "ab"))
        self.ports[name] = wait_listening(self.proc[name], name, out, err, self.args.start_timeout)

    def config(self, proxied, proxy_port):
        """gateway.yaml with the chaos run's traffic settings, one subgraph behind the proxy."""
        with open(os.path.join(ROOT, "gateway.yaml"), encoding="utf-8") as f:
            yaml = f.read()
        anchor = "\nsubgraphs:\n"
        if anchor not in yaml:
            raise BenchError("gateway.yaml has no top-level `subgraphs:` to put `traffic:` before")
        traffic = (f"\ntraffic: {{operationTimeout: {self.args.operation_timeout}s, "
                   f"breakerFailures: 5, breakerOpenFor: {self.args.breaker_open_for}s}}\n")
        path = os.path.join(self.tmp, "gateway.yaml")
        with open(path, "w", encoding="utf-8") as f:
            f.write(yaml.replace(anchor, traffic + anchor, 1))
        env = dict(os.environ, LOG_LEVEL="warning")
        for name in SUBGRAPHS:
            port = proxy_port if name == proxied else self.ports[name]
            env[f"{name.upper()}_URL"] = f"http://127.0.0.1:{port}/graphql"
        return path, env

    def start_gateway(self, config, env):
        out, err = os.path.join(self.tmp, "gateway.out"), os.path.join(self.tmp, "gateway.err")
        self.logs["gateway"] = (out, err)
        argv = [os.path.join(self.args.bin_path, "gateway"), "serve", "--config", config, "--host", "127.0.0.1",
                "--port", "0", "--wait", str(int(self.args.start_timeout))]
        self.proc["gateway"] = self.procs.start("gateway", argv, env=env, stdout=open(out, "ab"), stderr=open(err, "ab"))
        self.ports["gateway"] = wait_listening(self.proc["gateway"], "gateway", out, err, self.args.start_timeout)

    def rss_mb(self):
        kb = proc_status_kb(self.proc["gateway"].pid, "VmRSS")
        return round(kb / 1024, 1) if kb else None

    def gateway_alive(self):
        return self.proc["gateway"].poll() is None


# ---------------------------------------------------------------- phases

def phases(args, proxied):
    """(name, what it does, start the fault, end the fault) in order."""
    killed, hung = args.kill, args.hang

    def kill(stack, proxy):
        stack.proc[killed].kill()
        stack.proc[killed].wait()

    def restart(stack, proxy):
        stack.start_subgraph(killed, port=stack.ports[killed])

    def stop(stack, proxy):
        stack.proc[hung].send_signal(signal.SIGSTOP)

    def cont(stack, proxy):
        stack.proc[hung].send_signal(signal.SIGCONT)

    def proxy_mode(mode):
        def set_mode(stack, proxy):
            proxy.mode = mode
        return set_mode

    result = [
        ("kill", f"SIGKILL {killed}, restart it on its port after the fault time", kill, restart),
        ("hang", f"SIGSTOP {hung}, SIGCONT after the fault time", stop, cont),
    ]
    spoilt = {
        "latency": f"{proxied} answers {args.latency * 1000:.0f} ms late",
        "drop": f"{proxied}'s connection closes half way through the answer",
        "truncate": f"{proxied} answers half of its JSON (a complete HTTP answer)",
        "garbage": f"{proxied} answers HTML with status 200",
        "http500": f"{proxied} answers HTTP 500",
        "huge": f"{proxied} answers a {args.huge_mb} MB GraphQL body",
    }
    for mode, what in spoilt.items():
        result.append((mode, what, proxy_mode(mode), proxy_mode("pass")))
    return result


def summarize(results):
    counts = collections.Counter(r.outcome for r in results)
    latencies = sorted(r.latency for r in results if r.outcome not in ("hung", "unanswered"))
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000 if latencies else None
    examples = {}
    for r in results:
        if r.outcome != "ok" and r.outcome not in examples:
            examples[r.outcome] = f"{r.query}: {r.detail}"
    return {
        "requests": len(results),
        "ok": counts["ok"],
        "partial": counts["partial"],
        "errors": counts["errors"],
        "malformed": counts["malformed"],
        "hung": counts["hung"],
        "unanswered": counts["unanswered"],
        "p99_ms": round(p99, 1) if p99 is not None else None,
        "examples": examples,
    }


def recovery(load, since, query, limit):
    """Seconds from `since` to the first fully answered `query` sent after it (None: none within `limit`)."""
    deadline = since + limit
    while time.monotonic() < deadline:
        firsts = [r for r in load.between(since, deadline) if r.query == query and r.outcome == "ok"]
        if firsts:
            return round(min(r.sent for r in firsts) - since, 2)
        time.sleep(0.05)
    return None


def run(args):
    tmp = args.workdir or tempfile.mkdtemp(prefix="gateway-chaos.")
    procs = Processes(tmp)
    stack = ChaosStack(args, procs, tmp)
    proxy = None
    load = None
    try:
        log(f"== starting the demo stack (logs in {tmp})")
        for name in SUBGRAPHS:
            stack.start_subgraph(name)
        proxied = args.proxied
        proxy = FaultProxy(stack.ports[proxied], args.latency, args.huge_mb * 1024 * 1024)
        config, env = stack.config(proxied, proxy.port)
        stack.start_gateway(config, env)
        log(f"   gateway:{stack.ports['gateway']}, {proxied} behind the fault proxy :{proxy.port}; "
            f"RSS {stack.rss_mb()} MB")

        queries = [("deep", json.dumps({"query": read_query("deep.graphql")[1]}).encode()),
                   ("passthrough", json.dumps({"query": read_query("passthrough.graphql")[1]}).encode())]
        timeout = args.operation_timeout + args.margin
        load = Load(stack.ports["gateway"], queries, args.rate, timeout, workers=max(16, int(args.rate * timeout) + 8))
        started = time.monotonic()
        load.start()

        report_phases = []
        baseline_start = time.monotonic()
        rss_before = stack.rss_mb()
        time.sleep(args.baseline)
        baseline = summarize(load.between(baseline_start, time.monotonic()))
        baseline.update(name="baseline", fault="none", gateway_alive=stack.gateway_alive(),
                        gateway_rss_mb_before=rss_before, gateway_rss_mb_after=stack.rss_mb())
        report_phases.append(baseline)
        log(f"   baseline: {baseline['requests']} requests, {baseline['ok']} ok, p99 {baseline['p99_ms']} ms")

        for name, what, begin, end in phases(args, proxied):
            rss_before = stack.rss_mb()
            phase_start = time.monotonic()
            begin(stack, proxy)
            time.sleep(args.fault_time)
            end(stack, proxy)
            fault_end = time.monotonic()
            recovered = recovery(load, fault_end, "deep", args.recovery)
            # Let the phase's last requests (sent before the recovery window ended) finish.
            rest = args.recovery - (time.monotonic() - fault_end)
            if rest > 0:
                time.sleep(rest)
            phase_end = time.monotonic()
            time.sleep(min(timeout, 2.0))
            summary = summarize(load.between(phase_start, phase_end))
            summary.update(name=name, fault=what, fault_seconds=args.fault_time, recovery_seconds=recovered,
                           gateway_alive=stack.gateway_alive(), gateway_rss_mb_before=rss_before,
                           gateway_rss_mb_after=stack.rss_mb())
            report_phases.append(summary)
            log(f"   {name:9} {summary['requests']:4} requests: {summary['ok']} ok, {summary['partial']} partial, "
                f"{summary['errors']} errors, {summary['malformed']} malformed, {summary['hung']} hung, "
                f"{summary['unanswered']} unanswered; recovered in {recovered} s; RSS {rss_before} -> {summary['gateway_rss_mb_after']} MB")
            if not stack.gateway_alive():
                log(f"   the gateway died; its log:\n{tail(stack.logs['gateway'][1])}")
                break
        load.stop()
        elapsed = time.monotonic() - started

        failures = []
        for phase in report_phases:
            for key in ("malformed", "hung", "unanswered"):
                if phase[key]:
                    failures.append(f"{phase['name']}: {phase[key]} {key}")
            if not phase["gateway_alive"]:
                failures.append(f"{phase['name']}: the gateway died")
            if phase.get("recovery_seconds", 0) is None:
                failures.append(f"{phase['name']}: no full answer within {args.recovery} s after the fault")
        report = {
            "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
            "settings": {
                "rate_per_second": args.rate, "queries": ["deep.graphql", "passthrough.graphql"], "proxied": proxied,
                "operation_timeout_s": args.operation_timeout, "client_timeout_s": timeout,
                "breaker_open_for_s": args.breaker_open_for, "fault_seconds": args.fault_time,
                "recovery_window_s": args.recovery, "duration_s": round(elapsed, 1),
            },
            "phases": report_phases,
            "gateway_crashes": sum(1 for p in report_phases if not p["gateway_alive"]),
            "passed": not failures,
            "failures": failures,
        }
        with open(args.out, "w") as f:
            json.dump(report, f, indent=2)
            f.write("\n")
        log(f"== {'passed' if not failures else 'FAILED: ' + '; '.join(failures)} ({elapsed:.0f} s); report in {args.out}")
        return 0 if not failures else 1
    finally:
        if load is not None and not load.stopping.is_set():
            load.stop()
        # A stopped subgraph must be continued to stop.
        for proc in stack.proc.values():
            try:
                proc.send_signal(signal.SIGCONT)
            except (ProcessLookupError, OSError):
                pass
        procs.stop_all()
        if proxy is not None:
            proxy.stop()


def main(argv):
    parser = argparse.ArgumentParser(description="Faults under load: see bench/README.md.")
    parser.add_argument("--bin-path", required=True, help="directory of the release binaries (bench/chaos passes it)")
    parser.add_argument("--rate", type=float, default=20.0, help="requests per second, deep and pass-through in turn (default 20)")
    parser.add_argument("--baseline", type=float, default=10.0, help="seconds without faults first (default 10)")
    parser.add_argument("--fault-time", type=float, default=8.0, help="seconds each fault lasts (default 8)")
    parser.add_argument("--recovery", type=float, default=8.0, help="seconds after each fault, counted in its phase (default 8)")
    parser.add_argument("--operation-timeout", type=int, default=5, help="the gateway's traffic.operationTimeout in s (default 5)")
    parser.add_argument("--breaker-open-for", type=int, default=2, help="the gateway's traffic.breakerOpenFor in s (default 2)")
    parser.add_argument("--margin", type=float, default=5.0,
                        help="seconds past the operation timeout after which a request counts as hung (default 5)")
    parser.add_argument("--kill", default="catalog", choices=SUBGRAPHS, help="the subgraph killed and restarted (default catalog)")
    parser.add_argument("--hang", default="people", choices=SUBGRAPHS, help="the subgraph stopped and continued (default people)")
    parser.add_argument("--proxied", default="reviews", choices=SUBGRAPHS, help="the subgraph behind the fault proxy (default reviews)")
    parser.add_argument("--latency", type=float, default=0.5, help="seconds the latency fault adds (default 0.5)")
    parser.add_argument("--huge-mb", type=int, default=50, help="size of the huge answer in MB (default 50)")
    parser.add_argument("--start-timeout", type=float, default=120.0, help="seconds to wait for each process to start")
    parser.add_argument("--out", default=os.path.join(ROOT, "bench", "results", "chaos-latest.json"), help="the JSON report")
    parser.add_argument("--workdir", default=None, help="directory for logs (bench/chaos passes it)")
    args = parser.parse_args(argv)
    if args.rate <= 0 or args.fault_time <= 0 or args.recovery <= 0:
        parser.error("--rate, --fault-time and --recovery must be positive")
    if len({args.kill, args.hang, args.proxied}) < 3:
        parser.error("--kill, --hang and --proxied must name three different subgraphs")
    total = args.baseline + 8 * (args.fault_time + args.recovery + 2)
    log(f"== chaos run: about {total:.0f} s at {args.rate:g} requests/s")
    try:
        return run(args)
    except BenchError as error:
        log(f"chaos: {error}")
        return 2


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    sys.exit(main(sys.argv[1:]))
