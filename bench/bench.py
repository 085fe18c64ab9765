#!/usr/bin/env python3
"""The benchmark behind bench/run (Python 3 standard library only).

Starts the demo subgraphs, the gateway and an nginx reverse proxy on 127.0.0.1, drives
load with wrk (bench/graphql.lua), measures throughput, latency, upstream requests per
operation, CPU per request and peak RSS, prints a table and writes JSON. Every process it
starts is stopped when it exits, whatever the reason. bench/README.md explains the figures.

bench/run installs the tools and builds; it passes --bin-path. Run `bench/run --help` for the
options.
"""

import argparse
import ctypes
import datetime
import http.client
import json
import os
import platform
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
# Every subgraph gateway.yaml names (the gateway serves only once it has composed them all);
# the scenarios query the first five.
SUBGRAPHS = ["people", "authors", "catalog", "reviews", "inventory", "shipping", "prices"]
CLK_TCK = os.sysconf("SC_CLK_TCK")
LUA = os.path.join(HERE, "graphql.lua")
QUERIES = os.path.join(HERE, "queries")
SCENARIOS = ["passthrough", "deep", "latency", "filtered", "rss"]
ALIASES = {"pass-through": "passthrough", "deep-latency": "latency", "deep-rss": "rss"}

# Targets (bench/README.md explains them).
TARGET_PASSTHROUGH_RATIO = 0.8      # gateway req/s >= 0.8 x nginx req/s
TARGET_DEEP_CPU_MS = 0.7            # gateway CPU per deep request
TARGET_DEEP_OVERHEAD_P99_MS = 2.0   # deep p99 above the upstream round trips
TARGET_RSS_MB = 100.0               # gateway peak RSS with --connections-rss connections


class BenchError(Exception):
    pass


class Interrupted(Exception):
    pass


def log(message):
    print(message, flush=True)


# ---------------------------------------------------------------- processes

_libc = ctypes.CDLL(None, use_errno=True)
PR_SET_PDEATHSIG = 1


def _child_setup():
    # Own process group (a Ctrl-C reaches only bench/run and this script, which stop the
    # stack in order), and SIGTERM when this script dies, even by SIGKILL.
    _libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


class Processes:
    """Every process this run starts; stop_all() ends them (TERM, then KILL)."""

    def __init__(self, tmp):
        self.tmp = tmp
        self.started = []  # (name, Popen)
        self.pidfile = os.path.join(tmp, "pids")

    def start(self, name, argv, env=None, stdout=None, stderr=None, cwd=ROOT):
        try:
            proc = subprocess.Popen(
                argv, env=env, cwd=cwd, stdin=subprocess.DEVNULL,
                stdout=stdout if stdout is not None else subprocess.DEVNULL,
                stderr=stderr if stderr is not None else subprocess.DEVNULL,
                preexec_fn=_child_setup, start_new_session=True)
        except OSError as error:
            raise BenchError(f"cannot start {name} ({argv[0]}): {error}")
        self.started.append((name, proc))
        with open(self.pidfile, "a") as f:
            f.write(f"{proc.pid}\n")
        return proc

    def stop(self, proc, grace=5.0):
        if proc.poll() is None:
            try:
                proc.send_signal(signal.SIGTERM)
                proc.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            except ProcessLookupError:
                pass
        self.started = [(n, p) for (n, p) in self.started if p is not proc]

    def stop_all(self):
        # Signal everything first (in reverse start order), then wait: the gateway goes
        # before its subgraphs, and the whole stack stops in one grace period.
        running = [(n, p) for (n, p) in reversed(self.started) if p.poll() is None]
        for _, proc in running:
            try:
                proc.send_signal(signal.SIGTERM)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + 8
        for name, proc in running:
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                log(f"  {name} (pid {proc.pid}) did not stop on SIGTERM; killing it")
                proc.kill()
                proc.wait()
        self.started = []


def tail(path, lines=30):
    try:
        with open(path, "rb") as f:
            text = f.read()[-20000:].decode("utf-8", "replace")
    except OSError:
        return "(no log)"
    return "\n".join(text.splitlines()[-lines:]) or "(empty log)"


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_listening(proc, name, out_path, err_path, timeout):
    """The port from the process's `NAME listening on HOST:PORT` line."""
    pattern = re.compile(rf"^{re.escape(name)} listening on (\S+):(\d+)\s*$", re.M)
    deadline = time.monotonic() + timeout
    while True:
        try:
            with open(out_path, "rb") as f:
                head = f.read(65536).decode("utf-8", "replace")
        except OSError:
            head = ""
        match = pattern.search(head)
        if match:
            return int(match.group(2))
        if proc.poll() is not None:
            raise BenchError(
                f"{name} exited with status {proc.returncode} before listening; its log:\n"
                f"{tail(err_path)}\n{tail(out_path)}")
        if time.monotonic() > deadline:
            raise BenchError(
                f"{name} did not print '{name} listening on ...' within {timeout:.0f} s; its log:\n{tail(err_path)}")
        time.sleep(0.05)


# ---------------------------------------------------------------- HTTP

def http_request(port, method, path, body=None, timeout=30.0):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        headers = {"Content-Type": "application/json"} if body is not None else {}
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def graphql_body(query):
    return json.dumps({"query": query}).encode()


def read_query(name):
    path = os.path.join(QUERIES, name)
    try:
        with open(path, encoding="utf-8") as f:
            return path, f.read()
    except OSError as error:
        raise BenchError(f"cannot read the query {path}: {error}")


def response_errors(data):
    """The `errors` of a GraphQL response, or a description of why it is not one."""
    try:
        decoded = json.loads(data)
    except ValueError:
        return [{"message": "not JSON: " + data[:200].decode("utf-8", "replace")}]
    if not isinstance(decoded, dict):
        return [{"message": "not a GraphQL response object"}]
    return decoded.get("errors") or []


# ---------------------------------------------------------------- /proc

def stat_ticks(path):
    """utime + stime from a proc(5) `stat` file (a process's or one thread's), in clock ticks."""
    with open(path) as f:
        stat = f.read()
    fields = stat[stat.rindex(")") + 2:].split()
    return int(fields[11]) + int(fields[12])  # fields 14 and 15 of proc(5)


def cpu_ticks(pid):
    """utime + stime of a process (all its threads), in clock ticks."""
    return stat_ticks(f"/proc/{pid}/stat")


def thread_ticks(pid):
    """utime + stime of the gateway's named threads, in clock ticks: the curl driver thread
    (`curl-driver`) and SwiftNIO's event loops (`NIO-...`). Threads that ended meanwhile are
    not listed, so the rest of the process is its total minus these."""
    groups = {"curl_driver": 0, "event_loops": 0}
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return groups
    for tid in tasks:
        try:
            with open(f"/proc/{pid}/task/{tid}/comm") as f:
                name = f.read().strip()
            ticks = stat_ticks(f"/proc/{pid}/task/{tid}/stat")
        except (OSError, ValueError, IndexError):
            continue
        if name == "curl-driver":
            groups["curl_driver"] += ticks
        elif name.startswith("NIO-"):
            groups["event_loops"] += ticks
    return groups


def sum_ticks(pids):
    total = 0
    for pid in pids:
        try:
            total += cpu_ticks(pid)
        except (OSError, ValueError, IndexError):
            pass
    return total


def machine_ticks():
    """(busy, interrupts, total) jiffies of the whole machine, from /proc/stat: busy is
    user + nice + system + steal, interrupts irq + softirq (loopback networking mostly)."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]] + [0] * 8
    user, nice, system, idle, iowait, irq, softirq, steal = v[:8]
    return user + nice + system + steal, irq + softirq, sum(v[:8])


def proc_status_kb(pid, key):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return None


def reset_peak_rss(pid):
    """Resets VmHWM to the current RSS (Linux >= 4.0); False where not allowed."""
    try:
        with open(f"/proc/{pid}/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def child_pids(pid):
    children = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
            if int(stat[stat.rindex(")") + 2:].split()[1]) == pid:
                children.append(int(entry))
        except (OSError, ValueError, IndexError):
            pass
    return children


# ---------------------------------------------------------------- the stack

class Stack:
    """The demo subgraphs, the gateway and (optionally) nginx, on 127.0.0.1."""

    def __init__(self, args, procs, tmp, scale):
        self.args = args
        self.procs = procs
        self.tmp = tmp
        self.scale = scale
        self.bin = args.bin_path
        self.ports = {}
        self.proc = {}
        self.logs = {}

    def path(self, name, suffix):
        return os.path.join(self.tmp, f"{name}-scale{self.scale}.{suffix}")

    def env(self):
        env = dict(os.environ)
        env["LOG_LEVEL"] = "warning"
        return env

    def start(self, with_nginx):
        base = self.args.base_port
        log(f"== starting the demo stack at scale {self.scale} (logs in {self.tmp})")
        started = time.monotonic()
        for index, name in enumerate(SUBGRAPHS):
            binary = os.path.join(self.bin, name)
            if not os.access(binary, os.X_OK):
                raise BenchError(f"no executable {binary}; build with `swift build -c release`")
            port = base + 1 + index if base else 0
            out, err = self.path(name, "out"), self.path(name, "err")
            self.logs[name] = (out, err)
            # --log-requests prints `request START END` (CLOCK_MONOTONIC ns) per /graphql
            # request: the latency scenario attributes the deep query's time with it.
            argv = [binary, "--host", "127.0.0.1", "--port", str(port), "--scale", str(self.scale)]
            if not self.args.no_request_log:
                argv.append("--log-requests")
            # stdout opened for appending, so that truncating it between scenarios works.
            self.proc[name] = self.procs.start(
                name, argv, env=self.env(), stdout=open(out, "ab"), stderr=open(err, "ab"))
        for name in SUBGRAPHS:
            out, err = self.logs[name]
            self.ports[name] = wait_listening(self.proc[name], name, out, err, self.args.start_timeout)
        log("   " + "  ".join(f"{n}:{self.ports[n]}" for n in SUBGRAPHS)
            + f"   (seeded and listening in {time.monotonic() - started:.1f} s)")

        env = self.env()
        for name in SUBGRAPHS:
            env[f"{name.upper()}_URL"] = f"http://127.0.0.1:{self.ports[name]}/graphql"
        gateway = os.path.join(self.bin, "gateway")
        out, err = self.path("gateway", "out"), self.path("gateway", "err")
        self.logs["gateway"] = (out, err)
        argv = [gateway, "serve", "--config", self.args.config, "--host", "127.0.0.1",
                "--port", str(base if base else 0), "--wait", str(int(self.args.start_timeout))]
        # Server-Timing (upstream round trips per request) for the deep-latency trace; older
        # builds compared with --bin-path may not have the flag.
        if supports_flag(gateway, "--server-timing"):
            argv.append("--server-timing")
        self.proc["gateway"] = self.procs.start("gateway", argv, env=env, stdout=open(out, "ab"), stderr=open(err, "ab"))
        self.ports["gateway"] = wait_listening(self.proc["gateway"], "gateway", out, err, self.args.start_timeout)
        self.wait_ready()
        log(f"   gateway:{self.ports['gateway']} ready; RSS {proc_status_kb(self.proc['gateway'].pid, 'VmRSS') / 1024:.1f} MB")

        if with_nginx:
            self.start_nginx(base + 1 + len(SUBGRAPHS) if base else free_port())

    def wait_ready(self):
        port = self.ports["gateway"]
        deadline = time.monotonic() + self.args.start_timeout
        last = ""
        while time.monotonic() < deadline:
            if self.proc["gateway"].poll() is not None:
                raise BenchError(
                    f"the gateway exited with status {self.proc['gateway'].returncode}; its log:\n"
                    f"{tail(self.logs['gateway'][1])}")
            try:
                status, body = http_request(port, "GET", "/ready", timeout=5)
                if status == 200:
                    return
                last = f"{status} {body[:300].decode('utf-8', 'replace')}"
            except OSError as error:
                last = str(error)
            time.sleep(0.2)
        raise BenchError(f"the gateway was not ready within {self.args.start_timeout:.0f} s (GET /ready: {last}); "
                         f"its log:\n{tail(self.logs['gateway'][1])}")

    def start_nginx(self, port):
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        prefix = os.path.join(self.tmp, "nginx")
        for sub in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi", "logs"):
            os.makedirs(os.path.join(prefix, sub), exist_ok=True)
        user = ""
        if os.geteuid() == 0:
            # Run as root, nginx would switch its workers to `nobody`; keep the current user.
            import pwd
            user = f"user {pwd.getpwuid(os.geteuid()).pw_name};\n"
        conf = f"""# Generated by bench/bench.py: a reverse proxy in front of the catalog subgraph,
# the reference point for the gateway's pass-through throughput.
#
# worker_processes 1: the machine has {os.cpu_count()} cores and the proxied subgraph, the load
# generator and the proxy share them. One nginx worker is nginx's usual "one core's worth".
# The gateway is not pinned either: it runs on Hummingbird's default event loops (one per
# core) plus its libcurl driver thread, so it may use more than one core; compare CPU ms per
# request as well as req/s (bench/README.md).
{user}worker_processes 1;
daemon off;
pid {prefix}/nginx.pid;
error_log {prefix}/logs/error.log warn;
events {{
    worker_connections 4096;
}}
http {{
    access_log off;
    client_body_temp_path {prefix}/client_body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    # wrk's connections and the upstream ones stay open for the whole run, as the gateway's do
    # (the defaults close a connection every 1,000 requests).
    keepalive_requests 1000000;
    keepalive_timeout 75s;
    upstream catalog {{
        server 127.0.0.1:{self.ports['catalog']};
        keepalive 64;
        keepalive_requests 1000000;
    }}
    server {{
        listen 127.0.0.1:{port};
        location /graphql {{
            proxy_pass http://catalog/graphql;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
        }}
    }}
}}
"""
        conf_path = os.path.join(prefix, "nginx.conf")
        with open(conf_path, "w") as f:
            f.write(conf)
        out, err = os.path.join(prefix, "logs", "stdout.log"), os.path.join(prefix, "logs", "error.log")
        self.logs["nginx"] = (out, err)
        argv = [nginx, "-p", prefix, "-c", conf_path, "-e", err]
        self.proc["nginx"] = self.procs.start("nginx", argv, stdout=open(out, "ab"), stderr=open(out, "ab"))
        self.ports["nginx"] = port
        deadline = time.monotonic() + 15
        while True:
            if self.proc["nginx"].poll() is not None:
                raise BenchError(f"nginx exited with status {self.proc['nginx'].returncode}; its log:\n"
                                 f"{tail(out)}\n{tail(err)}")
            try:
                status, _ = http_request(port, "POST", "/graphql", graphql_body("{ books(limit: 1) { id } }"), timeout=2)
                if status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise BenchError(f"nginx did not answer on 127.0.0.1:{port} within 15 s; its log:\n{tail(err)}")
            time.sleep(0.1)
        workers = child_pids(self.proc["nginx"].pid)
        self.nginx_pids = [self.proc["nginx"].pid] + workers
        log(f"   nginx:{port} (master {self.proc['nginx'].pid}, workers {workers}) -> catalog:{self.ports['catalog']}")

    def subgraph_pids(self):
        return [self.proc[name].pid for name in SUBGRAPHS]

    def check_alive(self):
        for name, proc in self.proc.items():
            if proc.poll() is not None:
                out, err = self.logs[name]
                raise BenchError(f"{name} exited with status {proc.returncode} during the run; its log:\n{tail(err)}")

    def truncate_request_logs(self):
        for name in SUBGRAPHS:
            try:
                os.truncate(self.logs[name][0], 0)
            except OSError:
                pass

    def request_intervals(self):
        """(start_ns, end_ns, subgraph) of every /graphql request logged since the truncation."""
        intervals = []
        for name in SUBGRAPHS:
            with open(self.logs[name][0], "rb") as f:
                for line in f:
                    parts = line.split()
                    if len(parts) == 3 and parts[0] == b"request":
                        intervals.append((int(parts[1]), int(parts[2]), name))
        intervals.sort()
        return intervals

    # gateway metrics ------------------------------------------------------------

    def metrics(self):
        """({subgraph: upstream requests}, gateway requests) from GET /metrics."""
        status, body = http_request(self.ports["gateway"], "GET", "/metrics", timeout=10)
        if status != 200:
            raise BenchError(f"GET /metrics answered {status}")
        upstream, requests = {}, 0.0
        for line in body.decode("utf-8", "replace").splitlines():
            if line.startswith("#"):
                continue
            match = re.match(r"^(\w+)(?:\{([^}]*)\})?\s+(\S+)", line)
            if not match:
                continue
            name, labels, value = match.group(1), match.group(2) or "", float(match.group(3))
            if name == "gateway_upstream_requests_total":
                label = re.search(r'subgraph="([^"]*)"', labels)
                upstream[label.group(1) if label else "?"] = value
            elif name == "gateway_requests_total":
                requests = value
        return upstream, requests


def settle(stack, timeout=120.0):
    """Waits until the gateway has finished the requests of a load run: its request and
    upstream counters stop moving (and the subgraphs stop using CPU). Returns the seconds waited."""
    started = time.monotonic()
    pids = [stack.proc["gateway"].pid] + stack.subgraph_pids() + getattr(stack, "nginx_pids", [])
    previous = None
    while time.monotonic() - started < timeout:
        time.sleep(0.25)
        current = (stack.metrics(), sum_ticks(pids))
        if previous is not None and current[0] == previous[0] and current[1] - previous[1] <= 1:
            return time.monotonic() - started
        previous = current
    log(f"   WARNING: the stack was still busy {timeout:.0f} s after the load stopped")
    return time.monotonic() - started


def delta(after, before):
    return {key: after.get(key, 0) - before.get(key, 0) for key in sorted(set(after) | set(before))}


def per_op(counts, operations):
    if not operations:
        return None
    result = {key: round(value / operations, 3) for key, value in counts.items() if value}
    result["total"] = round(sum(counts.values()) / operations, 3)
    return result


def exact_upstream_per_op(stack, body, n=10):
    """Upstream requests per operation from n sequential requests (nothing else running)."""
    before, _ = stack.metrics()
    port = stack.ports["gateway"]
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        for _ in range(n):
            conn.request("POST", "/graphql", body=body, headers={"Content-Type": "application/json"})
            response = conn.getresponse()
            response.read()
    finally:
        conn.close()
    after, _ = stack.metrics()
    return per_op(delta(after, before), n)


def probe(port, body):
    """One request: (status, bytes, errors)."""
    status, data = http_request(port, "POST", "/graphql", body, timeout=60)
    return status, len(data), response_errors(data)


# ---------------------------------------------------------------- wrk

def parse_duration(text):
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(ms|s|m)?\s*", text)
    if not match:
        raise argparse.ArgumentTypeError(f"not a duration: {text!r} (say 15s, 1m, 500ms)")
    value = float(match.group(1))
    unit = match.group(2) or "s"
    return value / 1000 if unit == "ms" else value * 60 if unit == "m" else value


def run_wrk(procs, url, query_path, connections, threads, seconds, check_bodies):
    threads = max(1, min(threads, connections))
    env = dict(os.environ)
    env["BENCH_BODY"] = query_path
    env["BENCH_CHECK_BODIES"] = "1" if check_bodies else "0"
    wrk = shutil.which("wrk") or "wrk"
    argv = [wrk, "-t", str(threads), "-c", str(connections), "-d", f"{max(1, round(seconds))}s",
            "--timeout", "30s", "--latency", "-s", LUA, url]
    out_path = os.path.join(procs.tmp, "wrk.out")
    with open(out_path, "wb") as out:
        children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        proc = procs.start("wrk", argv, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=HERE)
        try:
            proc.wait(timeout=seconds + 60)
        except subprocess.TimeoutExpired:
            procs.stop(proc)
            raise BenchError(f"wrk did not finish within {seconds + 60:.0f} s")
        procs.stop(proc)
        children_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(out_path, encoding="utf-8", errors="replace") as f:
        text = f.read()
    if proc.returncode != 0:
        raise BenchError(f"wrk exited with status {proc.returncode}:\n{text[-3000:]}")
    match = re.search(r"^BENCH_JSON (\{.*\})\s*$", text, re.M)
    if not match:
        raise BenchError(f"wrk printed no BENCH_JSON line (is {LUA} intact?):\n{text[-3000:]}")
    result = json.loads(match.group(1))
    result["text"] = text
    # CPU of wrk itself (the only child reaped meanwhile), in ms.
    result["cpu_ms"] = 1000.0 * ((children_after.ru_utime - children_before.ru_utime)
                                 + (children_after.ru_stime - children_before.ru_stime))
    result["argv"] = " ".join(argv)
    return result


# ---------------------------------------------------------------- scenarios

def wait_idle(limit):
    """Waits (at most `limit` seconds) until the machine is nearly idle: less than 10% of its
    CPU busy over one second, while the stack itself is idle between scenarios."""
    if limit <= 0:
        return
    deadline = time.monotonic() + limit
    said = False
    while True:
        before = machine_ticks()
        time.sleep(1.0)
        after = machine_ticks()
        total = after[2] - before[2]
        busy = 100.0 * ((after[0] - before[0]) + (after[1] - before[1])) / total if total else 0.0
        if busy < 10.0:
            return
        if time.monotonic() > deadline:
            log(f"   the machine is still {busy:.0f}% busy after {limit:g} s; measuring anyway")
            return
        if not said:
            log(f"   waiting for the machine to be idle ({busy:.0f}% busy; at most {limit:g} s)")
            said = True


def gateway_threads(before, after, total_ms, operations):
    """The gateway's CPU ms per request by thread group (see thread_ticks)."""
    if not operations:
        return None
    ms = {group: (after[group] - before[group]) * 1000.0 / CLK_TCK for group in before}
    ms["tasks_and_other"] = max(0.0, total_ms - sum(ms.values()))
    return {group: round(value / operations, 4) for group, value in ms.items()}


def measure(args, stack, name, via, url, query_file, connections, threads, check_bodies=False, notes=None):
    """Warm-up, then one measured wrk run, with CPU, RSS and upstream counters around it."""
    wait_idle(args.wait_idle)
    query_path, query = read_query(query_file)
    body = graphql_body(query)
    port = stack.ports[via if via in ("gateway", "nginx") else "catalog"]
    status, size, errors = probe(port, body)
    log(f"== {name}: {query_file} via {via}, {connections} connections, {threads} threads, "
        f"{args.duration:g} s (+{args.warmup:g} s warm-up); one response is {size} bytes, status {status}"
        + (f", {len(errors)} errors: {errors[0].get('message')}" if errors else ""))
    if args.warmup > 0:
        run_wrk(stack.procs, url, query_path, connections, threads, args.warmup, False)
        settle(stack)
    stack.check_alive()
    stack.truncate_request_logs()

    # The window: from just before wrk starts until the gateway has answered every request it
    # received (with many connections it keeps working on a backlog after wrk stops).
    roles = {"gateway": [stack.proc["gateway"].pid], "subgraphs": stack.subgraph_pids()}
    if via == "nginx":
        roles["nginx"] = stack.nginx_pids
    gateway_pid = stack.proc["gateway"].pid
    peak_reset = reset_peak_rss(gateway_pid)
    upstream_before, gw_requests_before = stack.metrics()
    ticks_before = {role: sum_ticks(pids) for role, pids in roles.items()}
    threads_before = thread_ticks(gateway_pid)
    machine_before = machine_ticks()
    started = time.monotonic()
    result = run_wrk(stack.procs, url, query_path, connections, threads, args.duration, check_bodies)
    settled_after = settle(stack)
    elapsed = time.monotonic() - started
    ticks_after = {role: sum_ticks(pids) for role, pids in roles.items()}
    threads_after = thread_ticks(gateway_pid)
    machine_after = machine_ticks()
    peak_kb = proc_status_kb(gateway_pid, "VmHWM")
    upstream_after, gw_requests_after = stack.metrics()
    stack.check_alive()

    requests = result["requests"]
    seconds = result["duration_us"] / 1e6 or elapsed
    lat = result["latency_us"]
    cpu_ms = {role: (ticks_after[role] - ticks_before[role]) * 1000.0 / CLK_TCK for role in roles}
    cpu_ms["wrk"] = result["cpu_ms"]
    busy = machine_after[0] - machine_before[0]
    interrupts = machine_after[1] - machine_before[1]
    total = machine_after[2] - machine_before[2]
    upstream = delta(upstream_after, upstream_before)
    gw_requests = gw_requests_after - gw_requests_before
    # CPU per request: divided by the requests the gateway received in the window when it is
    # in the path (all answered by the end of the window, including the ones wrk stopped
    # waiting for), otherwise by the responses wrk counted; both include non-2xx answers.
    operations = gw_requests if via == "gateway" and gw_requests else requests
    record = {
        "scenario": name, "via": via, "query": f"bench/queries/{query_file}", "url": url,
        "connections": connections, "threads": max(1, min(threads, connections)),
        "duration_s": round(seconds, 3),
        "requests": requests,
        "rps": round(requests / seconds, 1) if seconds else None,
        "latency_ms": {key: round(lat[key] / 1000.0, 3) for key in ("p50", "p75", "p90", "p99", "p99_9", "mean", "max")},
        "non_2xx": result["errors"]["status"],
        "socket_errors": {k: v for k, v in result["errors"].items() if k != "status"},
        "response_bytes": size, "response_status": status,
        "response_errors": len(errors),
        "cpu_ms": {role: round(ms, 1) for role, ms in cpu_ms.items()},
        "cpu_ms_per_request": {role: round(ms / operations, 4) if operations else None for role, ms in cpu_ms.items()},
        "cpu_cores_used": {role: round(ms / 1000.0 / elapsed, 2) for role, ms in cpu_ms.items()},
        # The subgraphs run the same code in every run: the gateway's CPU counted in theirs
        # drifts far less with the machine's speed than either figure alone.
        # Only when the gateway sends upstream requests (the no-upstream scenario sends none).
        "gateway_cpu_per_subgraph_cpu": round(cpu_ms["gateway"] / cpu_ms["subgraphs"], 3)
        if via == "gateway" and cpu_ms.get("subgraphs") and sum(upstream.values()) else None,
        "window_s": round(elapsed, 3),
        "settle_s": round(settled_after, 3),
        "machine_cpu_busy_percent": round(100.0 * (busy + interrupts) / total * os.cpu_count(), 1) if total else None,
        "machine_interrupt_cpu_percent": round(100.0 * interrupts / total * os.cpu_count(), 1) if total else None,
        # CPU the machine spent outside this benchmark's processes (other users' builds...):
        # above a few percent, the figures of this scenario are disturbed.
        "foreign_cpu_percent": round(100.0 * max(0.0, busy * 1000.0 / CLK_TCK - sum(cpu_ms.values())) / 1000.0 / elapsed, 1),
        # Where the gateway's CPU went: its curl driver thread, its event loops (HTTP), and the
        # rest (Swift tasks: planning, parsing, stitching; and threads that ended).
        "gateway_cpu_ms_per_request_by_thread": gateway_threads(threads_before, threads_after, cpu_ms["gateway"], operations)
        if via == "gateway" else None,
        "gateway_peak_rss_mb": round(peak_kb / 1024, 1) if peak_kb and via == "gateway" else None,
        "gateway_peak_rss_since": "scenario start" if peak_reset else "process start",
        "wrk": result["argv"],
    }
    if check_bodies:
        record["responses_with_errors"] = result["body_errors"]
        record["responses_checked"] = result["checked"]
    if via == "gateway":
        record["gateway_requests"] = gw_requests
        record["upstream_requests"] = upstream
        record["upstream_per_op_under_load"] = per_op(upstream, operations)
        record["upstream_per_op"] = exact_upstream_per_op(stack, body)
    if notes:
        record["notes"] = notes
    rss = f", gateway peak RSS {record['gateway_peak_rss_mb']} MB" if record["gateway_peak_rss_mb"] else ""
    log(f"   {record['rps']:.0f} req/s, p50 {record['latency_ms']['p50']} ms, p99 {record['latency_ms']['p99']} ms, "
        f"CPU ms/req " + ", ".join(f"{r} {v}" for r, v in record["cpu_ms_per_request"].items())
        + f"; machine {record['machine_cpu_busy_percent']}% busy{rss}")
    if record["gateway_cpu_ms_per_request_by_thread"]:
        log("   gateway CPU ms/req by thread: "
            + ", ".join(f"{group} {value}" for group, value in record["gateway_cpu_ms_per_request_by_thread"].items()))
    if record["foreign_cpu_percent"] > 10:
        log(f"   WARNING: other processes used {record['foreign_cpu_percent']}% CPU (of {os.cpu_count() * 100}%) "
            "during this scenario; its figures are disturbed")
    if record["non_2xx"] or any(record["socket_errors"].values()) or record.get("responses_with_errors"):
        log(f"   WARNING: non-2xx {record['non_2xx']}, socket errors {record['socket_errors']}, "
            f"responses with errors {record.get('responses_with_errors', 'not checked')}")
    return record


def percentile(values, q):
    if not values:
        return None
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, int(round(q / 100.0 * len(ordered) + 0.5)) - 1))
    return ordered[index]


def union_length(intervals):
    total, current_start, current_end = 0, None, None
    for start, end in sorted(intervals):
        if current_end is None or start > current_end:
            if current_end is not None:
                total += current_end - current_start
            current_start, current_end = start, end
        else:
            current_end = max(current_end, end)
    if current_end is not None:
        total += current_end - current_start
    return total


def supports_flag(binary, flag):
    """Whether `binary serve --help` lists `flag`."""
    try:
        help_text = subprocess.run([binary, "serve", "--help"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return False
    return flag in help_text


def server_timing(header):
    """The durations (ms) of a `Server-Timing` header by metric name: {"upstream": 12.3, ...}."""
    timings = {}
    for metric in (header or "").split(","):
        parts = [part.strip() for part in metric.split(";")]
        for param in parts[1:]:
            if param.startswith("dur="):
                try:
                    timings[parts[0]] = float(param[4:])
                except ValueError:
                    pass
    return timings


class RawHTTPClient:
    """A minimal HTTP/1.1 keep-alive client on one socket, for timing single requests.

    http.client parses response headers with the email package, which costs this machine
    about 0.3 ms per request: more than a tenth of what the trace measures. This client sends
    prebuilt bytes and reads the status line, the headers and a Content-Length body.
    """

    def __init__(self, port, timeout=60.0):
        self.port = port
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.pending = b""

    def post(self, path, body, content_type="application/json"):
        """Returns (status, headers by lowercased name, body)."""
        head = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\nContent-Type: {content_type}\r\n"
                f"Content-Length: {len(body)}\r\n\r\n").encode()
        self.sock.sendall(head + body)
        data = self.pending
        while b"\r\n\r\n" not in data:
            data += self.receive()
        head, data = data.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        if "content-length" not in headers:
            raise BenchError(f"{path} answered without Content-Length (headers: {headers})")
        length = int(headers["content-length"])
        while len(data) < length:
            data += self.receive()
        self.pending = data[length:]
        return status, headers, data[:length]

    def receive(self):
        chunk = self.sock.recv(1 << 18)
        if not chunk:
            raise BenchError("the gateway closed the connection")
        return chunk

    def close(self):
        self.sock.close()


def trace_latency(args, stack, query_file):
    """Sequential deep requests, each split into upstream time and the gateway's own time.

    The gateway's `Server-Timing` header gives each request's upstream time: the union of its
    upstream round trips as the gateway's libcurl driver timed them (request handed to curl to
    whole answer received), which for this plan is the sum of its sequential round trips. The
    overhead is the client's latency minus that: the gateway's own time on the request's path
    (HTTP in and out, planning, hand-offs to and from the curl driver, parsing, stitching),
    plus this script's minimal client (RawHTTPClient).

    A second split, from the subgraphs' side: they log `request START END` (CLOCK_MONOTONIC
    ns, the clock of time.monotonic_ns) per request; the union of the intervals inside one
    operation is the time at least one of its fetches was inside a subgraph's handler. Latency
    minus that also charges the subgraphs' own HTTP framing and the loopback transit to the
    gateway: an upper bound of its overhead.
    """
    if args.no_request_log:
        return None
    _, query = read_query(query_file)
    body = graphql_body(query)
    port = stack.ports["gateway"]
    client = RawHTTPClient(port)
    windows, timings = [], []
    try:
        for _ in range(20):  # warm the connection and the caches
            client.post("/graphql", body)
        time.sleep(0.05)
        stack.truncate_request_logs()
        for _ in range(args.trace_requests):
            start = time.monotonic_ns()
            status, headers, _ = client.post("/graphql", body)
            windows.append((start, time.monotonic_ns()))
            if status != 200:
                raise BenchError(f"the deep query answered HTTP {status} during the latency trace")
            timings.append(server_timing(headers.get("server-timing")))
    finally:
        client.close()
    time.sleep(0.1)
    intervals = stack.request_intervals()
    totals, upstreams, overheads, counts = [], [], [], []
    gateway_upstreams, gateway_overheads, handler_overheads = [], [], []
    index, unattributed = 0, 0
    for (start, end), timing in zip(windows, timings):
        if "upstream" in timing:
            gateway_upstreams.append(timing["upstream"])
            gateway_overheads.append((end - start) / 1e6 - timing["upstream"])
            if "total" in timing:
                handler_overheads.append(timing["total"] - timing["upstream"])
        inside = []
        while index < len(intervals) and intervals[index][0] < start:
            unattributed += 1
            index += 1
        while index < len(intervals) and intervals[index][0] <= end:
            inside.append(intervals[index][:2])
            index += 1
        up = union_length(inside)
        totals.append((end - start) / 1e6)
        upstreams.append(up / 1e6)
        overheads.append((end - start - up) / 1e6)
        counts.append(len(inside))
    unattributed += len(intervals) - index

    def summary(values):
        return {"p50": round(percentile(values, 50), 3), "p90": round(percentile(values, 90), 3),
                "p99": round(percentile(values, 99), 3), "max": round(max(values), 3)}

    result = {
        "requests": len(windows),
        "latency_ms": summary(totals),
        "upstream_requests_per_op": sorted(set(counts)),
        "unattributed_upstream_requests": unattributed,
        "subgraph_handlers_ms": summary(upstreams),
        "overhead_beyond_subgraph_handlers_ms": summary(overheads),
    }
    if len(gateway_upstreams) == len(windows):
        result["upstream_ms"] = summary(gateway_upstreams)
        result["overhead_ms"] = summary(gateway_overheads)
        if len(handler_overheads) == len(windows):
            result["gateway_handler_overhead_ms"] = summary(handler_overheads)
    log(f"   trace of {len(windows)} sequential requests: latency p50 {result['latency_ms']['p50']} ms; "
        f"{result['upstream_requests_per_op']} upstream requests per operation")
    if "upstream_ms" in result:
        log(f"   upstream round trips (gateway's Server-Timing, sum of sequential) p50 {result['upstream_ms']['p50']} ms; "
            f"overhead (latency - round trips) p50 {result['overhead_ms']['p50']} ms / p99 {result['overhead_ms']['p99']} ms"
            + (f"; of it inside the gateway's handler p50 {result['gateway_handler_overhead_ms']['p50']} ms"
               if "gateway_handler_overhead_ms" in result else ""))
    else:
        log("   (this gateway sends no Server-Timing header: the overhead is measured against the subgraphs' handlers only)")
    log(f"   subgraphs' handler time p50 {result['subgraph_handlers_ms']['p50']} ms; latency beyond it "
        f"p50 {result['overhead_beyond_subgraph_handlers_ms']['p50']} ms / p99 {result['overhead_beyond_subgraph_handlers_ms']['p99']} ms "
        f"(includes the subgraphs' HTTP framing and loopback transit)")
    return result


def explain_stages(stack, query_file):
    """Fetches and sequential stages of the query plan (from POST /explain)."""
    _, query = read_query(query_file)
    try:
        status, data = http_request(stack.ports["gateway"], "POST", "/explain", graphql_body(query))
        plan = json.loads(data).get("plan", {})
    except (OSError, ValueError, AttributeError):
        return None
    text = plan.get("text") if isinstance(plan, dict) else None
    if not text:
        return None
    fetches = re.findall(r"Fetch\((\d+), subgraph: \"(\w+)\"(?:.*?after: (\d+))?", text)
    depth = {}
    for fid, _, after in fetches:
        depth[fid] = depth.get(after, 0) + 1 if after else 1
    return {"fetches": len(fetches), "sequential_stages": max(depth.values()) if depth else 0, "text": text}


def filtered_support(stack):
    _, query = read_query("filtered.graphql")
    status, size, errors = probe(stack.ports["gateway"], graphql_body(query))
    if status == 200 and not errors:
        return True, f"{size} bytes"
    message = errors[0].get("message") if errors else f"status {status}"
    return False, message


# ---------------------------------------------------------------- reporting

def machine_description(args):
    def first_line(argv, stderr=False):
        try:
            out = subprocess.run(argv, capture_output=True, text=True, timeout=30, cwd=ROOT)
            text = (out.stderr if stderr else out.stdout) or out.stdout or out.stderr
            return text.strip().splitlines()[0] if text.strip() else None
        except (OSError, subprocess.SubprocessError):
            return None

    model = None
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.lower().startswith(("model name", "hardware", "cpu model")):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem_kb = None
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    mem_kb = int(line.split()[1])
    except OSError:
        pass
    commit = first_line(["git", "rev-parse", "HEAD"])
    dirty = None
    try:
        dirty = subprocess.run(["git", "--no-optional-locks", "diff", "--quiet", "HEAD", "--"],
                               cwd=ROOT, capture_output=True, timeout=30).returncode == 1
    except (OSError, subprocess.SubprocessError):
        pass
    return {
        "nproc": os.cpu_count(),
        "cpus_allowed": len(os.sched_getaffinity(0)),
        "cpu_model": model,
        "memory_mb": round(mem_kb / 1024) if mem_kb else None,
        "kernel": platform.release(),
        "os": platform.platform(),
        "swift": os.environ.get("BENCH_SWIFT_VERSION") or first_line(["swift", "--version"]),
        "wrk": first_line(["wrk", "-v"]),
        "nginx": first_line([shutil.which("nginx") or "/usr/sbin/nginx", "-v"], stderr=True),
        "python": platform.python_version(),
        "clock_ticks_per_s": CLK_TCK,
        "load_average_at_start": list(os.getloadavg()),
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "git_commit": commit,
        "git_worktree_dirty": dirty,
        "bin_path": args.bin_path,
        # "built": bench/run built them from this checkout just before the run; otherwise the
        # git fields describe the checkout, not necessarily the binaries.
        "binaries": os.environ.get("BENCH_BINARIES", "given"),
    }


def fmt(value, digits=2):
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def print_table(results):
    headers = ["scenario", "via", "conn", "req/s", "p50 ms", "p99 ms", "resp B", "upstr/op",
               "gw CPU ms/req", "subgr CPU ms/req", "gw÷subgr CPU", "nginx CPU ms/req", "gw peak RSS MB", "non-2xx/err"]
    rows = []
    for r in results:
        cpu = r["cpu_ms_per_request"]
        upstream = (r.get("upstream_per_op") or {}).get("total")
        errors = r["non_2xx"] + sum(r["socket_errors"].values())
        err_text = str(errors)
        if "responses_with_errors" in r:
            err_text += f"/{r['responses_with_errors']}"
        rows.append([
            r["scenario"], r["via"], str(r["connections"]), fmt(r["rps"], 0),
            fmt(r["latency_ms"]["p50"]), fmt(r["latency_ms"]["p99"]), str(r["response_bytes"]),
            fmt(upstream, 0) if upstream is not None else "-",
            fmt(cpu.get("gateway"), 3) if r["via"] == "gateway" else "-",
            fmt(cpu.get("subgraphs"), 3),
            fmt(r.get("gateway_cpu_per_subgraph_cpu"), 3) if r.get("gateway_cpu_per_subgraph_cpu") is not None else "-",
            fmt(cpu.get("nginx"), 3) if "nginx" in cpu else "-",
            fmt(r["gateway_peak_rss_mb"], 1), err_text,
        ])
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(headers)]
    line = "  ".join(h.ljust(w) if i < 2 else h.rjust(w) for i, (h, w) in enumerate(zip(headers, widths)))
    log("")
    log(line)
    log("-" * len(line))
    for row in rows:
        log("  ".join(c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths))))


def evaluate_targets(results, latency):
    by = {(r["scenario"], r["via"]): r for r in results}
    targets = []
    nginx, gateway = by.get(("pass-through", "nginx")), by.get(("pass-through", "gateway"))
    if nginx and gateway and nginx["rps"]:
        ratio = gateway["rps"] / nginx["rps"]
        targets.append({"name": "pass-through: gateway req/s / nginx req/s", "target": f">= {TARGET_PASSTHROUGH_RATIO}",
                        "value": round(ratio, 3), "pass": ratio >= TARGET_PASSTHROUGH_RATIO})
    deep = by.get(("deep", "gateway"))
    if deep:
        cpu = deep["cpu_ms_per_request"]["gateway"]
        targets.append({"name": "deep: gateway CPU ms per request", "target": f"<= {TARGET_DEEP_CPU_MS}",
                        "value": cpu, "pass": cpu is not None and cpu <= TARGET_DEEP_CPU_MS})
    if latency:
        overhead = latency.get("overhead_ms", latency["overhead_beyond_subgraph_handlers_ms"])["p99"]
        targets.append({"name": "deep, 1 connection: p99 of (latency - sequential upstream round trips), ms",
                        "target": f"<= {TARGET_DEEP_OVERHEAD_P99_MS}", "value": overhead,
                        "pass": overhead <= TARGET_DEEP_OVERHEAD_P99_MS})
    rss = by.get(("deep-rss", "gateway"))
    if rss:
        value = rss["gateway_peak_rss_mb"]
        targets.append({"name": f"gateway peak RSS MB, deep query, {rss['connections']} connections",
                        "target": f"<= {TARGET_RSS_MB:g}", "value": value,
                        "pass": value is not None and value <= TARGET_RSS_MB})
    return targets


def passthrough_floor(by):
    """Where the gateway's pass-through CPU goes: its cost with no upstream request (HTTP in and
    out, parsing, caches, writing) and what the upstream request adds, next to nginx's."""
    nginx, gateway, bare = by.get(("pass-through", "nginx")), by.get(("pass-through", "gateway")), by.get(("no-upstream", "gateway"))
    if not (nginx and gateway and bare):
        return None
    total, floor = gateway["cpu_ms_per_request"]["gateway"], bare["cpu_ms_per_request"]["gateway"]
    curl = (gateway.get("gateway_cpu_ms_per_request_by_thread") or {}).get("curl_driver")
    return {"nginx_ms": nginx["cpu_ms_per_request"].get("nginx"), "gateway_ms": total, "no_upstream_ms": floor,
            "upstream_leg_ms": round(total - floor, 4), "curl_driver_ms": curl}


def print_targets(targets):
    if not targets:
        return
    log("")
    log("targets:")
    for t in targets:
        log(f"  {'PASS' if t['pass'] else 'FAIL'}  {t['name']}: {t['value']} (target {t['target']})")


def write_json(path, document):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    temporary = path + ".tmp"
    with open(temporary, "w") as f:
        json.dump(document, f, indent=2, ensure_ascii=False)
        f.write("\n")
    os.replace(temporary, path)
    log(f"\nwrote {os.path.relpath(path, os.getcwd()) if not os.path.isabs(path) else path}")


# ---------------------------------------------------------------- modes

def parameters(args):
    return {
        "scale": args.scale, "duration_s": args.duration, "warmup_s": args.warmup,
        "connections": args.connections, "threads": args.threads,
        "connections_rss": args.connections_rss, "only": sorted(args.only),
        "filtered": args.filtered, "base_port": args.base_port or None,
        "trace_requests": args.trace_requests, "wait_idle_s": args.wait_idle, "request_log": not args.no_request_log,
        "config": args.config,
    }


def run_benchmark(args, procs, tmp):
    started = time.monotonic()
    load = os.getloadavg()[0]
    if load > 0.5 * os.cpu_count():
        log(f"WARNING: the machine is busy before the run (load average {load:.1f} on {os.cpu_count()} cores); "
            "the figures will be disturbed (see foreign_cpu_percent per scenario)")
    stack = Stack(args, procs, tmp, args.scale)
    stack.start(with_nginx="passthrough" in args.only)
    gw, ng, cat = stack.ports["gateway"], stack.ports.get("nginx"), stack.ports["catalog"]
    results, notes, latency, plan = [], [], None, None
    c, t = args.connections, args.threads

    if "passthrough" in args.only:
        results.append(measure(args, stack, "pass-through", "direct", f"http://127.0.0.1:{cat}/graphql",
                               "passthrough.graphql", c, t))
        results.append(measure(args, stack, "pass-through", "nginx", f"http://127.0.0.1:{ng}/graphql",
                               "passthrough.graphql", c, t))
        results.append(measure(args, stack, "pass-through", "gateway", f"http://127.0.0.1:{gw}/graphql",
                               "passthrough.graphql", c, t))
        # The gateway's own floor: the same load with an operation that needs no upstream request.
        results.append(measure(args, stack, "no-upstream", "gateway", f"http://127.0.0.1:{gw}/graphql",
                               "typename.graphql", c, t))
    if "deep" in args.only or "latency" in args.only or "rss" in args.only:
        _, deep_query = read_query("deep.graphql")
        status, size, errors = probe(gw, graphql_body(deep_query))
        if status != 200 or errors:
            raise BenchError(f"the deep query answered status {status} with {len(errors)} errors, first: "
                             f"{json.dumps(errors[:1])}; fix bench/queries/deep.graphql or the gateway")
        if not 80 * 1024 <= size <= 100 * 1024:
            note = (f"deep: the response is {size} bytes ({size / 1024:.1f} KiB), outside the intended 80-100 KiB "
                    f"at this scale; bench/queries/deep.graphql sets the limits")
            notes.append(note)
            log(f"== note: {note}")
        plan = explain_stages(stack, "deep.graphql")
        if plan:
            log(f"== deep query plan: {plan['fetches']} fetches in {plan['sequential_stages']} sequential stages")
    if "deep" in args.only:
        results.append(measure(args, stack, "deep", "gateway", f"http://127.0.0.1:{gw}/graphql",
                               "deep.graphql", c, t, check_bodies=True))
    if "latency" in args.only:
        record = measure(args, stack, "deep-latency", "gateway", f"http://127.0.0.1:{gw}/graphql",
                         "deep.graphql", 1, 1, check_bodies=True)
        latency = trace_latency(args, stack, "deep.graphql")
        record["trace"] = latency
        results.append(record)
    if "filtered" in args.only and args.filtered != "no":
        supported, detail = filtered_support(stack)
        if supported:
            results.append(measure(args, stack, "filtered", "gateway", f"http://127.0.0.1:{gw}/graphql",
                                   "filtered.graphql", c, t, check_bodies=True))
        elif args.filtered == "yes":
            raise BenchError(f"--filtered: the gateway does not support filtering parents by related rows: {detail}")
        else:
            note = f"filtered: skipped, the gateway answers errors for bench/queries/filtered.graphql: {detail}"
            notes.append(note)
            log(f"== {note}")
    if "rss" in args.only and args.connections_rss > 0:
        results.append(measure(args, stack, "deep-rss", "gateway", f"http://127.0.0.1:{gw}/graphql",
                               "deep.graphql", args.connections_rss, t, check_bodies=True))

    print_table(results)
    by = {(r["scenario"], r["via"]): r for r in results}
    if ("pass-through", "nginx") in by and ("pass-through", "gateway") in by:
        ratio = by[("pass-through", "gateway")]["rps"] / by[("pass-through", "nginx")]["rps"]
        log(f"\nheadline: pass-through gateway/nginx throughput ratio {ratio:.3f}")
    floor = passthrough_floor(by)
    if floor:
        log(f"pass-through CPU ms per request: nginx {floor['nginx_ms']}, gateway {floor['gateway_ms']} = "
            f"{floor['no_upstream_ms']} with no upstream request + {floor['upstream_leg_ms']} for the upstream "
            f"request (curl driver thread {floor['curl_driver_ms']})")
    targets = evaluate_targets(results, latency)
    print_targets(targets)
    for note in notes:
        log(f"note: {note}")
    document = {
        "benchmark": "gateway bench/run",
        "machine": machine_description(args),
        "parameters": parameters(args),
        "deep_plan": {k: v for k, v in plan.items()} if plan else None,
        "results": [{k: v for k, v in r.items()} for r in results],
        "targets": targets,
        "passthrough_floor": floor,
        "notes": notes,
        "wall_time_s": round(time.monotonic() - started, 1),
    }
    write_json(args.out, document)
    return 0


def run_compare_scales(args, procs, tmp):
    """Upstream requests per operation of each gateway query at each scale; exit 1 when they differ."""
    queries = ["passthrough.graphql", "deep.graphql", "filtered.graphql"]
    by_scale = {}
    for scale in args.compare_scales:
        stack = Stack(args, procs, tmp, scale)
        stack.start(with_nginx=False)
        entry = {}
        for query_file in queries:
            _, query = read_query(query_file)
            body = graphql_body(query)
            status, size, errors = probe(stack.ports["gateway"], body)
            if errors and query_file == "filtered.graphql":
                entry[query_file] = {"skipped": errors[0].get("message")}
                continue
            entry[query_file] = {
                "status": status, "response_bytes": size, "errors": len(errors),
                "upstream_per_op": exact_upstream_per_op(stack, body, n=5),
            }
            log(f"   scale {scale}: {query_file}: {entry[query_file]['upstream_per_op']} "
                f"({size} bytes, {len(errors)} errors)")
        by_scale[str(scale)] = entry
        procs.stop_all()
    same = True
    log("")
    for query_file in queries:
        seen = {scale: by_scale[scale][query_file].get("upstream_per_op") for scale in by_scale}
        if any(v is None for v in seen.values()):
            log(f"  SKIP  {query_file}: not supported by the gateway")
            continue
        identical = len({json.dumps(v, sort_keys=True) for v in seen.values()}) == 1
        same = same and identical
        log(f"  {'PASS' if identical else 'FAIL'}  {query_file}: upstream requests per operation "
            + ("identical at scales " + ", ".join(seen) if identical else
               "differ: " + "; ".join(f"scale {s}: {v}" for s, v in seen.items())))
    document = {
        "benchmark": "gateway bench/run --compare-scales",
        "machine": machine_description(args),
        "parameters": {"scales": args.compare_scales, "config": args.config},
        "upstream_per_op_by_scale": by_scale,
        "identical": same,
    }
    write_json(args.out, document)
    return 0 if same else 1


# ---------------------------------------------------------------- main

def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="bench/run", description="Benchmark the gateway against the catalog subgraph directly and "
        "behind nginx (pass-through), and on a deep query across all five subgraphs.")
    parser.add_argument("--scale", type=int, default=1, help="seed data scale of the subgraphs (default 1)")
    parser.add_argument("--duration", type=parse_duration, default=15.0, help="measured time per scenario (default 15s)")
    parser.add_argument("--warmup", type=parse_duration, default=3.0, help="warm-up per scenario, not measured (default 3s)")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections (default 32)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--only", default=",".join(SCENARIOS),
                        help="comma-separated scenarios: " + ", ".join(SCENARIOS) + " (default all)")
    parser.add_argument("--filtered", dest="filtered", action="store_const", const="yes", default="auto",
                        help="require the filtered scenario (fail when the gateway does not support it); "
                        "by default it runs only when the gateway answers its query without errors")
    parser.add_argument("--no-filtered", dest="filtered", action="store_const", const="no", help="skip the filtered scenario")
    parser.add_argument("--connections-rss", type=int, default=256,
                        help="connections of the deep-rss scenario, which reports the gateway's peak RSS (default 256; 0 skips it)")
    parser.add_argument("--base-port", type=int, default=0,
                        help="gateway on PORT, subgraphs on PORT+1..PORT+7, nginx on PORT+8 (default: free ports)")
    parser.add_argument("--compare-scales", default=None, metavar="A,B",
                        help="only check that upstream requests per operation are identical at these scales (e.g. 1,100)")
    parser.add_argument("--out", default=None, help="JSON results (default bench/results/latest.json; "
                        "bench/results/compare-scales.json with --compare-scales)")
    parser.add_argument("--wait-idle", type=parse_duration, default=0.0, metavar="DURATION",
                        help="before each scenario, wait up to this long for other processes to leave the CPU "
                        "(under 10%% busy); default 0, do not wait")
    parser.add_argument("--trace-requests", type=int, default=300,
                        help="sequential requests of the deep-latency trace (default 300)")
    parser.add_argument("--no-request-log", action="store_true",
                        help="start the subgraphs without --log-requests (no deep-latency trace)")
    parser.add_argument("--start-timeout", type=float, default=180.0, help="seconds to wait for each process to start (default 180)")
    parser.add_argument("--config", default=os.path.join(ROOT, "gateway.yaml"), help="gateway configuration (default gateway.yaml)")
    parser.add_argument("--keep-logs", action="store_true", help="keep the temporary directory with the logs")
    parser.add_argument("--workdir", default=None, help="temporary directory for logs and configs (bench/run passes it)")
    parser.add_argument("--bin-path", required=True, help="directory of the release binaries (bench/run passes it)")
    args = parser.parse_args(argv)

    only = set()
    for name in filter(None, (n.strip() for n in args.only.split(","))):
        name = ALIASES.get(name, name)
        if name not in SCENARIOS:
            parser.error(f"--only: unknown scenario {name!r}; choose from {', '.join(SCENARIOS)}")
        only.add(name)
    args.only = only
    if args.compare_scales:
        try:
            args.compare_scales = [int(s) for s in args.compare_scales.split(",") if s.strip()]
        except ValueError:
            parser.error("--compare-scales takes scales like 1,100")
        if len(args.compare_scales) < 2 or min(args.compare_scales) < 1:
            parser.error("--compare-scales takes at least two scales >= 1, like 1,100")
    if args.scale < 1 or args.connections < 1 or args.threads < 1 or args.connections_rss < 0:
        parser.error("--scale, --connections and --threads must be at least 1")
    if args.duration < 1 or args.warmup < 0:
        parser.error("--duration must be at least 1s and --warmup not negative")
    if args.base_port and not (1024 <= args.base_port <= 65535 - 8):
        parser.error("--base-port must be between 1024 and 65527")
    if args.out is None:
        name = "compare-scales.json" if args.compare_scales else "latest.json"
        args.out = os.path.join(HERE, "results", name)
    args.config = os.path.abspath(args.config)
    return args


def main(argv):
    args = parse_args(argv)

    def interrupted(signum, frame):
        raise Interrupted(signal.Signals(signum).name)

    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, interrupted)

    if args.workdir:
        os.makedirs(args.workdir, exist_ok=True)
        tmp = os.path.abspath(args.workdir)
    else:
        tmp = tempfile.mkdtemp(prefix="gateway-bench.")
    procs = Processes(tmp)
    status = 1
    keep = args.keep_logs
    try:
        if args.compare_scales:
            status = run_compare_scales(args, procs, tmp)
        else:
            status = run_benchmark(args, procs, tmp)
    except BenchError as error:
        print(f"bench: error: {error}", file=sys.stderr, flush=True)
        keep = True
    except Interrupted as signal_name:
        print(f"\nbench: interrupted ({signal_name}); stopping everything", file=sys.stderr, flush=True)
        status = 130
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, signal.SIG_IGN)
        procs.stop_all()
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        if keep:
            print(f"bench: logs kept in {tmp}", file=sys.stderr, flush=True)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
