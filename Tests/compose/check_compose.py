#!/usr/bin/env python3
"""Check docker-compose.yml and the Dockerfile without a Docker engine.

Run from the repository root:

    python3 Tests/compose/check_compose.py

It validates docker-compose.yml against the Compose Specification's JSON schema
(vendored next to this file, see README.md) and then checks what the schema cannot
know about this project:

- every service runs a real executable product of Package.swift (the `gateway`
  product may still be pending: then it is noted, not reported);
- each service's `--port` equals its published container port and its
  healthcheck port, and every subgraph (and the gateway) uses its default port
  from shared/design/demo-domain.md;
- named volumes are declared, and `--database` files live on a mounted volume;
- the gateway's `*_URL` variables name existing services on their ports;
- `depends_on` waits for `service_healthy` where the target has a healthcheck;
- the Dockerfile builds every product the compose file runs, copies the
  gateway's config file where the gateway command reads it, installs the
  healthcheck tool, and does not run as root.

Exit status: 0 with one summary line when all is well; 1 with one line per
problem; 2 when a required Python package (jsonschema, PyYAML) is missing or an
input file cannot be read. Notes (pending parts) are printed in both cases.

The functions below take parsed documents, so tests can feed them broken
documents built in memory (see test_compose.py).
"""

from __future__ import annotations

import argparse
import json
import re
import shlex
import sys
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

try:
    import jsonschema
    import yaml
except ImportError as error:  # reported by require_dependencies()
    jsonschema = None
    yaml = None
    _IMPORT_ERROR: ImportError | None = error
else:
    _IMPORT_ERROR = None


HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent.parent
SCHEMA_PATH = HERE / "compose-spec.json"
DEMO_DOMAIN_PATH = REPO_ROOT.parent / "shared" / "design" / "demo-domain.md"

# Default ports (demo-domain.md: the subgraph table, and "The gateway listens on 4000"; shipping,
# an Apollo Federation subgraph, and prices, a plain GraphQL service, come from issue 15).
DEFAULT_PORTS: dict[str, int] = {
    "gateway": 4000,
    "people": 4001,
    "authors": 4002,
    "catalog": 4003,
    "reviews": 4004,
    "inventory": 4005,
    "shipping": 4006,
    "prices": 4007,
}
SUBGRAPHS = ("people", "authors", "catalog", "reviews", "inventory", "shipping", "prices")
GATEWAY = "gateway"
# Environment variable of the gateway -> the subgraph product it must point at.
GATEWAY_URL_VARS: dict[str, str] = {f"{name.upper()}_URL": name for name in SUBGRAPHS}
# Products that compose may name before Package.swift declares them.
PENDING_PRODUCTS = frozenset({GATEWAY})
GATEWAY_CONFIG_FILE = "gateway.yaml"
# The load balancer in front of the gateway replicas: a service of this image, configured by
# NGINX_CONFIG_FILE mounted at NGINX_CONFIG_TARGET, publishing the gateway's port.
LOAD_BALANCER_IMAGE = "nginx"
NGINX_CONFIG_FILE = "deploy/nginx.conf"
NGINX_CONFIG_TARGET = "/etc/nginx/nginx.conf"


class MissingDependency(RuntimeError):
    """A Python package the check needs is not installed."""


def require_dependencies() -> None:
    """Raise MissingDependency with an actionable message if jsonschema or PyYAML is missing."""
    if _IMPORT_ERROR is not None:
        module = getattr(_IMPORT_ERROR, "name", None) or str(_IMPORT_ERROR)
        missing = {"yaml": "PyYAML"}.get(module, module)
        raise MissingDependency(
            f"check_compose: missing Python package '{missing}'; "
            "install the check's requirements with: python3 -m pip install jsonschema PyYAML"
        )


@dataclass
class Report:
    """Problems (make the check fail) and notes (informational, e.g. pending products)."""

    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def extend(self, other: "Report") -> None:
        self.problems.extend(other.problems)
        self.notes.extend(other.notes)


# MARK: - Loading


def load_yaml_text(text: str) -> object:
    require_dependencies()
    return yaml.safe_load(text)


def load_schema(path: Path = SCHEMA_PATH) -> dict:
    """Load the vendored Compose Specification schema and check it is a valid draft-07 schema."""
    require_dependencies()
    schema = json.loads(path.read_text(encoding="utf-8"))
    jsonschema.Draft7Validator.check_schema(schema)
    return schema


# MARK: - Schema


def _path_text(path) -> str:
    parts = [str(part) for part in path]
    return ".".join(parts) if parts else "(top level)"


def _unknown_keys(instance: dict, schema: dict) -> list[str]:
    """Keys that neither `properties` nor `patternProperties` of the schema allow."""
    known = schema.get("properties", {})
    patterns = schema.get("patternProperties", {})
    return [key for key in instance
            if key not in known and not any(re.search(pattern, key) for pattern in patterns)]


def schema_problems(compose: object, schema: dict) -> list[str]:
    """Validate a parsed compose document against the Compose Specification schema (draft-07)."""
    require_dependencies()
    validator = jsonschema.Draft7Validator(schema)
    problems = []
    for error in sorted(validator.iter_errors(compose), key=lambda e: list(map(str, e.absolute_path))):
        # oneOf/anyOf failures say little at their own level; show the closest sub-error.
        detail = jsonschema.exceptions.best_match(error.context) if error.context else error
        message = detail.message
        if detail.validator == "additionalProperties" and isinstance(detail.instance, dict):
            unknown = _unknown_keys(detail.instance, detail.schema)
            if unknown:
                message = "unknown key(s) " + ", ".join(repr(key) for key in unknown)
        problems.append(f"schema: at {_path_text(detail.absolute_path)}: {message}")
    if isinstance(compose, dict) and "version" in compose:
        problems.append("schema: top-level 'version' is obsolete in the Compose Specification; remove it")
    return problems


# MARK: - Package.swift and the Dockerfile


def package_products(package_swift: str) -> set[str]:
    """Executable products of a Package.swift: declared `.executable` products and
    `.executableTarget`s (SwiftPM makes a product of each executable target of the root package)."""
    text = re.sub(r"/\*.*?\*/", "", package_swift, flags=re.S)
    text = re.sub(r"(?m)^\s*//.*$", "", text)
    names = re.findall(r"\.executable\(\s*name:\s*\"([^\"]+)\"", text)
    names += re.findall(r"\.executableTarget\(\s*name:\s*\"([^\"]+)\"", text)
    return set(names)


def _dockerfile_instructions(dockerfile: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, with comment lines dropped and continuations joined."""
    instructions: list[tuple[str, str]] = []
    current = ""
    for raw in dockerfile.splitlines():
        line = raw.strip()
        if line.startswith("#"):
            continue
        if line.endswith("\\"):
            current += line[:-1] + " "
            continue
        current += line
        if current.strip():
            keyword, _, rest = current.strip().partition(" ")
            instructions.append((keyword.upper(), rest.strip()))
        current = ""
    if current.strip():
        keyword, _, rest = current.strip().partition(" ")
        instructions.append((keyword.upper(), rest.strip()))
    return instructions


def dockerfile_problems(dockerfile: str, products: list[str], gateway_config_path: str | None,
                        healthcheck_tools: set[str]) -> list[str]:
    """String checks of the Dockerfile against what the compose file runs."""
    problems = []
    instructions = _dockerfile_instructions(dockerfile)
    runs = " ".join(args for keyword, args in instructions if keyword in ("RUN", "ARG", "ENV"))
    if not re.search(r"\bswift\s+build\b", runs):
        problems.append("Dockerfile: no 'swift build' step")
    builds_everything = re.search(r"\bswift\s+build\s+-c\s+release\s*(;|&&|$)", runs) is not None
    if not builds_everything:
        for product in products:
            if not re.search(rf"(?<![\w/.-]){re.escape(product)}(?![\w/.-])", runs):
                problems.append(f"Dockerfile: does not build product '{product}' that docker-compose.yml runs")
    if gateway_config_path is not None:
        copies = [args for keyword, args in instructions if keyword in ("COPY", "ADD")]
        wanted_dir = gateway_config_path.rsplit("/", 1)[0] + "/"
        if not any(
            GATEWAY_CONFIG_FILE in args.split()[:-1]
            and args.split()[-1] in (gateway_config_path, wanted_dir)
            for args in copies
            if len(args.split()) >= 2
        ):
            problems.append(
                f"Dockerfile: does not copy {GATEWAY_CONFIG_FILE} to {gateway_config_path} "
                "(where the gateway command reads it)"
            )
    # The runtime stage is everything after the last FROM.
    last_from = max((i for i, (keyword, _) in enumerate(instructions) if keyword == "FROM"), default=-1)
    runtime = instructions[last_from + 1:]
    runtime_runs = " ".join(args for keyword, args in runtime if keyword == "RUN")
    for tool in sorted(healthcheck_tools):
        if not re.search(rf"\b{re.escape(tool)}\b", runtime_runs):
            problems.append(f"Dockerfile: runtime stage does not install '{tool}', which healthchecks run")
    users = [args for keyword, args in runtime if keyword == "USER"]
    if not users or users[-1].split(":")[0] in ("root", "0"):
        problems.append("Dockerfile: runtime stage runs as root; add a USER instruction")
    return problems


# MARK: - Compose document helpers


def _command_list(service: dict) -> list[str] | None:
    command = service.get("command")
    if isinstance(command, str):
        return shlex.split(command)
    if isinstance(command, list):
        return [str(part) for part in command]
    return None


def _option(command: list[str], name: str) -> str | None:
    for index, part in enumerate(command):
        if part == name and index + 1 < len(command):
            return command[index + 1]
        if part.startswith(name + "="):
            return part[len(name) + 1:]
    return None


def _as_port(value: object) -> int | None:
    try:
        port = int(str(value))
    except ValueError:
        return None
    return port if 0 < port < 65536 else None


def _port_range(text: str) -> list[int] | None:
    if "-" in text:
        low, _, high = text.partition("-")
        low_port, high_port = _as_port(low), _as_port(high)
        if low_port is None or high_port is None or high_port < low_port:
            return None
        return list(range(low_port, high_port + 1))
    port = _as_port(text)
    return None if port is None else [port]


def container_ports(service: dict) -> tuple[list[int], list[str]]:
    """Container ports a service publishes, and problems with entries that cannot be read."""
    ports, problems = [], []
    for entry in service.get("ports") or []:
        if isinstance(entry, dict):
            target = _as_port(entry.get("target"))
            if target is None:
                problems.append(f"port entry {entry!r} has no valid target")
            else:
                ports.append(target)
            continue
        text = str(entry).split("/", 1)[0]
        container = text.rsplit(":", 1)[-1]
        parsed = _port_range(container)
        if parsed is None:
            problems.append(f"port entry {entry!r} cannot be read")
        else:
            ports.extend(parsed)
    return ports, problems


def healthcheck_spec(service: dict) -> list[str] | None:
    """The healthcheck test as a list, or None when the service has no (enabled) healthcheck."""
    check = service.get("healthcheck")
    if not isinstance(check, dict) or check.get("disable") in (True, "true"):
        return None
    test = check.get("test")
    if isinstance(test, str):
        test = ["CMD-SHELL", test]
    if not isinstance(test, list) or not test or test[0] == "NONE":
        return None
    return [str(part) for part in test]


def healthcheck_tool(test: list[str]) -> str | None:
    if test[0] == "CMD" and len(test) > 1:
        return test[1].rsplit("/", 1)[-1]
    if test[0] == "CMD-SHELL" and len(test) > 1:
        words = shlex.split(test[1])
        return words[0].rsplit("/", 1)[-1] if words else None
    return None


def _env_dict(service: dict) -> dict[str, str]:
    environment = service.get("environment") or {}
    if isinstance(environment, list):
        pairs = (item.split("=", 1) for item in environment if isinstance(item, str))
        return {pair[0]: pair[1] if len(pair) > 1 else "" for pair in pairs}
    if isinstance(environment, dict):
        return {str(key): "" if value is None else str(value) for key, value in environment.items()}
    return {}


def _interpolated_default(value: str) -> str:
    """`${VAR:-default}` -> `default` (what the value is when VAR is unset)."""
    match = re.fullmatch(r"\$\{\w+:?-(.*)\}", value)
    return match.group(1) if match else value


def _is_named_volume(source: str) -> bool:
    return bool(source) and not source.startswith(("/", ".", "~", "$"))


def volume_mounts(service: dict) -> list[tuple[str | None, str, str]]:
    """(source, target, type) of each mount; source None for anonymous volumes."""
    mounts = []
    for entry in service.get("volumes") or []:
        if isinstance(entry, dict):
            mounts.append((entry.get("source"), str(entry.get("target", "")), str(entry.get("type", ""))))
            continue
        parts = str(entry).split(":")
        if len(parts) == 1:
            mounts.append((None, parts[0], "volume"))
        else:
            kind = "volume" if _is_named_volume(parts[0]) else "bind"
            mounts.append((parts[0], parts[1], kind))
    return mounts


def _depends_on(service: dict) -> dict[str, str]:
    """Dependency -> condition ('service_started' for the short list form)."""
    depends = service.get("depends_on") or {}
    if isinstance(depends, list):
        return {str(name): "service_started" for name in depends}
    conditions = {}
    if isinstance(depends, dict):
        for name, spec in depends.items():
            condition = spec.get("condition") if isinstance(spec, dict) else None
            conditions[str(name)] = str(condition or "service_started")
    return conditions


# MARK: - Compose checks


def is_load_balancer(service: object) -> bool:
    return isinstance(service, dict) and str(service.get("image", "")).split(":")[0].split("/")[-1] == LOAD_BALANCER_IMAGE


def nginx_upstreams(text: str) -> list[tuple[str, int]]:
    """The `server host:port` entries of an nginx configuration's upstream blocks."""
    servers = []
    for block in re.findall(r"upstream\s+\S+\s*\{([^}]*)\}", text):
        for host, port in re.findall(r"(?:^|[;{])\s*server\s+([\w.-]+):(\d+)", block, re.MULTILINE):
            servers.append((host, int(port)))
    return servers


def load_balancer_problems(name: str, service: dict, services: dict, ports_by_service: dict[str, int],
                           product_by_service: dict[str, str], nginx_config: str | None) -> list[str]:
    """The load balancer publishes the gateway's port, mounts deploy/nginx.conf, whose
    upstream lists exactly the gateway replicas, and waits for them to be healthy."""
    problems = []
    published, port_problems = container_ports(service)
    problems += [f"{name}: {text}" for text in port_problems]
    gateway_port = DEFAULT_PORTS[GATEWAY]
    if set(published) != {gateway_port}:
        problems.append(f"{name}: the load balancer must publish the gateway's port {gateway_port}, publishes {sorted(set(published))}")
    mounts = volume_mounts(service)
    if not any(target == NGINX_CONFIG_TARGET and source and source.lstrip("./") == NGINX_CONFIG_FILE
               for source, target, _kind in mounts):
        problems.append(f"{name}: does not mount ./{NGINX_CONFIG_FILE} at {NGINX_CONFIG_TARGET}")
    replicas = sorted(other for other, product in product_by_service.items() if product == GATEWAY)
    if nginx_config is None:
        problems.append(f"{name}: {NGINX_CONFIG_FILE} is missing")
    else:
        upstreams = sorted(nginx_upstreams(nginx_config))
        wanted = sorted((replica, ports_by_service.get(replica, -1)) for replica in replicas)
        if upstreams != wanted:
            problems.append(f"{name}: {NGINX_CONFIG_FILE} balances over {upstreams}, but the gateway replicas are {wanted}")
        if not re.search(rf"listen\s+{gateway_port}\s*;", nginx_config):
            problems.append(f"{name}: {NGINX_CONFIG_FILE} does not listen on {gateway_port}")
    depends = _depends_on(service)
    for replica in replicas:
        if depends.get(replica) != "service_healthy":
            problems.append(f"{name}: does not wait for gateway replica '{replica}' to be healthy")
    test = healthcheck_spec(service)
    if test is None:
        problems.append(f"{name}: no healthcheck")
    else:
        urls = re.findall(r"https?://[^\s\"']+", " ".join(test[1:]))
        if not any(urlsplit(url).port == gateway_port and urlsplit(url).path == "/health" for url in urls):
            problems.append(f"{name}: healthcheck does not request http://127.0.0.1:{gateway_port}/health")
    return problems


def compose_problems(compose: dict, products: set[str],
                     pending: frozenset[str] = PENDING_PRODUCTS, nginx_config: str | None = None) -> Report:
    """Project-specific consistency checks of a parsed compose document (`nginx_config`: the
    load balancer's configuration; default the repository's deploy/nginx.conf)."""
    if nginx_config is None and (REPO_ROOT / NGINX_CONFIG_FILE).is_file():
        nginx_config = (REPO_ROOT / NGINX_CONFIG_FILE).read_text(encoding="utf-8")
    report = Report()
    problem = report.problems.append
    services = compose.get("services") if isinstance(compose, dict) else None
    if not isinstance(services, dict) or not services:
        problem("compose: no services")
        return report
    declared_volumes = set((compose.get("volumes") or {}).keys())

    ports_by_service: dict[str, int] = {}
    product_by_service: dict[str, str] = {}
    noted_pending: set[str] = set()

    balancers = [name for name, service in services.items() if is_load_balancer(service)]
    for name, service in services.items():
        if not isinstance(service, dict):
            problem(f"{name}: service definition is not a mapping")
            continue
        if name in balancers:
            continue
        command = _command_list(service)
        if not command:
            problem(f"{name}: no command; expected the product to run and its options")
            continue
        product = command[0]
        product_by_service[name] = product
        if product not in products:
            if product in pending:
                if product not in noted_pending:
                    report.notes.append(
                        f"{name}: product '{product}' is not in Package.swift yet (expected, pending); "
                        "it is enforced once it exists"
                    )
                    noted_pending.add(product)
            else:
                known = ", ".join(sorted(products)) or "none"
                problem(f"{name}: command runs '{product}', which is not an executable product of "
                        f"Package.swift (products: {known})")

        port_text = _option(command, "--port")
        port = _as_port(port_text) if port_text is not None else None
        if port is None:
            problem(f"{name}: command has no valid --port (got {port_text!r})")
        else:
            ports_by_service[name] = port
            expected = DEFAULT_PORTS.get(product)
            if expected is not None and port != expected:
                problem(f"{name}: {product} must use its default port {expected} (demo-domain.md), "
                        f"command says --port {port}")

        host = _option(command, "--host")
        if host != "0.0.0.0":
            problem(f"{name}: command must listen on --host 0.0.0.0 inside a container (got {host!r})")

        published, port_problems = container_ports(service)
        for text in port_problems:
            problem(f"{name}: {text}")
        if product == GATEWAY and balancers:
            # A replica behind the load balancer: reached inside the network only.
            if published:
                problem(f"{name}: a gateway replica behind the load balancer must not publish ports")
            exposed = {_as_port(value) for value in service.get("expose") or []}
            if port is not None and exposed != {port}:
                problem(f"{name}: a gateway replica must expose its --port {port} (expose: [\"{port}\"])")
        elif not published:
            problem(f"{name}: publishes no port")
        elif port is not None and set(published) != {port}:
            listed = ", ".join(str(p) for p in sorted(set(published)))
            problem(f"{name}: published container port(s) {listed} differ from --port {port}")

        test = healthcheck_spec(service)
        if test is None:
            problem(f"{name}: no healthcheck")
        else:
            urls = re.findall(r"https?://[^\s\"']+", " ".join(test[1:]))
            if not urls:
                problem(f"{name}: healthcheck does not request an http URL")
            for url in urls:
                parts = urlsplit(url)
                if parts.port is None or parts.port != port:
                    problem(f"{name}: healthcheck URL {url} uses port {parts.port}, but --port is {port}")
                if parts.hostname not in ("127.0.0.1", "localhost"):
                    problem(f"{name}: healthcheck URL {url} should target the container itself (127.0.0.1)")
                if parts.path != "/health":
                    problem(f"{name}: healthcheck URL {url} should request /health")

        mounts = volume_mounts(service)
        for source, _target, kind in mounts:
            if kind == "volume" and source and source not in declared_volumes:
                problem(f"{name}: uses named volume '{source}', which is not declared under top-level volumes")
        database = _option(command, "--database")
        if database is not None and not any(
            target and (database == target or database.startswith(target.rstrip("/") + "/"))
            for _source, target, _kind in mounts
        ):
            problem(f"{name}: --database {database} is not on a mounted volume; its data would be lost")

        for dependency, condition in _depends_on(service).items():
            target = services.get(dependency)
            if not isinstance(target, dict):
                problem(f"{name}: depends_on '{dependency}', which is not a service")
            elif healthcheck_spec(target) is not None and condition != "service_healthy":
                problem(f"{name}: depends_on '{dependency}' with condition {condition}; "
                        "it has a healthcheck, so wait for service_healthy")
            elif healthcheck_spec(target) is None and condition == "service_healthy":
                problem(f"{name}: depends_on '{dependency}' with condition service_healthy, "
                        f"but '{dependency}' has no healthcheck")

    # Every product of the stack runs in exactly one service; the gateway may run as several
    # replicas behind one load balancer.
    for product in DEFAULT_PORTS:
        runners = [name for name, runs in product_by_service.items() if runs == product]
        if not runners:
            problem(f"compose: no service runs '{product}'")
        elif len(runners) > 1 and not (product == GATEWAY and len(balancers) == 1):
            problem(f"compose: '{product}' runs in several services: {', '.join(runners)}")
    if len(balancers) > 1:
        problem(f"compose: several load balancers: {', '.join(balancers)}")
    for name in balancers:
        for text in load_balancer_problems(name, services[name], services, ports_by_service, product_by_service, nginx_config):
            problem(text)

    for name, product in product_by_service.items():
        if product == GATEWAY:
            report.extend(_gateway_env_problems(name, services, product_by_service, ports_by_service))

    for volume in sorted(declared_volumes):
        if not any(source == volume for service in services.values() if isinstance(service, dict)
                   for source, _t, _k in volume_mounts(service)):
            report.notes.append(f"volume '{volume}' is declared but no service mounts it")
    return report


def _gateway_env_problems(name: str, services: dict, product_by_service: dict[str, str],
                          ports_by_service: dict[str, int]) -> Report:
    report = Report()
    problem = report.problems.append
    env = _env_dict(services[name])
    depends = _depends_on(services[name])
    for variable, subgraph in GATEWAY_URL_VARS.items():
        if variable not in env:
            problem(f"{name}: environment lacks {variable} (the {subgraph} subgraph's URL)")
    for variable, raw in sorted(env.items()):
        if not variable.endswith("_URL"):
            continue
        url = _interpolated_default(raw)
        parts = urlsplit(url)
        target = parts.hostname
        if parts.scheme not in ("http", "https") or not target:
            problem(f"{name}: {variable}={raw} is not an http URL")
            continue
        if target not in services:
            problem(f"{name}: {variable}={raw} points at '{target}', which is not a service")
            continue
        want = GATEWAY_URL_VARS.get(variable)
        if want is not None and product_by_service.get(target) != want:
            problem(f"{name}: {variable}={raw} points at service '{target}', which runs "
                    f"'{product_by_service.get(target)}', not '{want}'")
        port = ports_by_service.get(target)
        if parts.port != port:
            problem(f"{name}: {variable}={raw} uses port {parts.port}, but service '{target}' listens on {port}")
        if parts.path != "/graphql":
            problem(f"{name}: {variable}={raw} should end in /graphql")
        if target not in depends:
            problem(f"{name}: {variable} points at '{target}' but {name} does not depend_on it")
    return report


# MARK: - Whole check


@dataclass
class Inputs:
    compose_text: str
    dockerfile: str
    package_swift: str
    schema: dict
    gateway_config_exists: bool
    nginx_config: str | None = None


def read_inputs(root: Path = REPO_ROOT, schema_path: Path = SCHEMA_PATH) -> Inputs:
    return Inputs(
        compose_text=(root / "docker-compose.yml").read_text(encoding="utf-8"),
        dockerfile=(root / "Dockerfile").read_text(encoding="utf-8"),
        package_swift=(root / "Package.swift").read_text(encoding="utf-8"),
        schema=load_schema(schema_path),
        gateway_config_exists=(root / GATEWAY_CONFIG_FILE).is_file(),
        nginx_config=(root / NGINX_CONFIG_FILE).read_text(encoding="utf-8") if (root / NGINX_CONFIG_FILE).is_file() else None,
    )


def check(inputs: Inputs) -> tuple[Report, dict]:
    """Every check; returns the report and a parsed compose document (or {})."""
    report = Report()
    try:
        compose = load_yaml_text(inputs.compose_text)
    except yaml.YAMLError as error:
        report.problems.append(f"docker-compose.yml: not valid YAML: {error}".replace("\n", " "))
        return report, {}
    report.problems.extend(schema_problems(compose, inputs.schema))
    if not isinstance(compose, dict):
        return report, {}

    products = package_products(inputs.package_swift)
    report.extend(compose_problems(compose, products, nginx_config=inputs.nginx_config))

    # The load balancer runs its own image: not built by the Dockerfile.
    services = {name: s for name, s in (compose.get("services") or {}).items() if not is_load_balancer(s)}
    commands = [_command_list(s) for s in services.values() if isinstance(s, dict)]
    run_products = sorted({c[0] for c in commands if c})
    gateway_config = next((_option(c, "--config") for c in commands if c and c[0] == GATEWAY), None)
    tools = {healthcheck_tool(t) for s in services.values() if isinstance(s, dict)
             for t in [healthcheck_spec(s)] if t is not None} - {None}
    report.problems.extend(dockerfile_problems(inputs.dockerfile, run_products, gateway_config, tools))

    if not inputs.gateway_config_exists:
        message = f"{GATEWAY_CONFIG_FILE} is not in the repository yet; the Dockerfile copies it"
        if GATEWAY in products:
            report.problems.append(message)
        else:
            report.notes.append(message + " (expected, pending with the gateway)")
    return report, compose


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=REPO_ROOT,
                        help="repository root holding docker-compose.yml, Dockerfile, Package.swift")
    parser.add_argument("--schema", type=Path, default=SCHEMA_PATH, help="Compose Specification JSON schema")
    args = parser.parse_args(argv)
    try:
        require_dependencies()
        inputs = read_inputs(args.root, args.schema)
    except MissingDependency as error:
        print(error, file=sys.stderr)
        return 2
    except (OSError, ValueError, jsonschema.exceptions.SchemaError) as error:
        print(f"check_compose: cannot read inputs: {error}".replace("\n", " "), file=sys.stderr)
        return 2

    report, compose = check(inputs)
    for note in report.notes:
        print(f"note: {note}")
    for problem in report.problems:
        print(problem)
    if report.problems:
        print(f"check_compose: {len(report.problems)} problem(s) in docker-compose.yml / Dockerfile",
              file=sys.stderr)
        return 1
    services = compose.get("services") or {}
    volumes = compose.get("volumes") or {}
    print(f"check_compose: OK: docker-compose.yml is valid against the Compose Specification schema; "
          f"{len(services)} services ({', '.join(services)}), {len(volumes)} named volumes, "
          f"ports/healthchecks/URLs/depends_on consistent; Dockerfile builds every product it runs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
