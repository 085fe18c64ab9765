"""pytest entry point for the compose/Dockerfile check: `python3 -m pytest Tests/compose`.

The positive tests run the same checks as `python3 Tests/compose/check_compose.py`
on the repository's files. The negative tests break a copy of the repository's own
compose document (or Dockerfile) in one place each and assert that exactly that
breakage is reported, so a check that stops working fails here.
"""

from __future__ import annotations

import copy
import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import check_compose as cc  # noqa: E402


# MARK: - Fixtures


@pytest.fixture(scope="module")
def inputs() -> cc.Inputs:
    try:
        cc.require_dependencies()
    except cc.MissingDependency as error:
        pytest.fail(str(error), pytrace=False)
    return cc.read_inputs()


@pytest.fixture(scope="module")
def compose(inputs) -> dict:
    return cc.load_yaml_text(inputs.compose_text)


@pytest.fixture(scope="module")
def products(inputs) -> set[str]:
    return cc.package_products(inputs.package_swift)


@pytest.fixture
def doc(compose) -> dict:
    """A fresh copy of the repository's compose document, for a test to break."""
    return copy.deepcopy(compose)


ALL_PRODUCTS = set(cc.DEFAULT_PORTS)  # the stack once the gateway exists


def problems_of(doc: dict, products: set[str] = ALL_PRODUCTS) -> list[str]:
    return cc.compose_problems(doc, products).problems


def assert_reported(problems: list[str], *patterns: str) -> None:
    for pattern in patterns:
        assert any(re.search(pattern, p) for p in problems), \
            f"expected a problem matching {pattern!r}, got: {problems}"


# MARK: - The repository's files pass


def test_vendored_schema_is_a_valid_draft7_schema(inputs):
    cc.jsonschema.Draft7Validator.check_schema(inputs.schema)
    assert inputs.schema["title"] == "Compose Specification"
    assert "service" in inputs.schema["definitions"]


def test_compose_file_matches_the_compose_specification(inputs, compose):
    assert cc.schema_problems(compose, inputs.schema) == []


def test_compose_file_is_consistent_with_the_package(compose, products):
    report = cc.compose_problems(compose, products)
    assert report.problems == []
    if cc.GATEWAY in products:
        assert not any("pending" in note for note in report.notes)


def test_compose_file_runs_the_whole_stack_on_default_ports(compose):
    services = compose["services"]
    ports = {cc._command_list(s)[0]: int(cc._option(cc._command_list(s), "--port"))
             for s in services.values() if not cc.is_load_balancer(s)}
    assert ports == cc.DEFAULT_PORTS
    # Two gateway replicas behind the load balancer, which publishes the gateway's port.
    replicas = [name for name, s in services.items() if not cc.is_load_balancer(s) and cc._command_list(s)[0] == "gateway"]
    assert replicas == ["gateway-1", "gateway-2"]
    assert services["gateway"]["ports"] == ["4000:4000"]


def test_whole_check_passes_and_main_prints_a_summary(inputs, capsys):
    report, _ = cc.check(inputs)
    assert report.problems == []
    assert cc.main([]) == 0
    out = capsys.readouterr().out
    assert out.strip().splitlines()[-1].startswith("check_compose: OK:")


def test_default_ports_agree_with_demo_domain():
    if not cc.DEMO_DOMAIN_PATH.is_file():
        pytest.skip(f"{cc.DEMO_DOMAIN_PATH} not present")
    text = cc.DEMO_DOMAIN_PATH.read_text(encoding="utf-8")
    table = dict(re.findall(r"^\|\s*(\w+)\s*\|\s*(\d{4})\s*\|", text, flags=re.M))
    # The five model-protocol subgraphs are demo-domain.md's; the others (issue 15) are not in it.
    assert {name: int(port) for name, port in table.items()} == \
        {name: cc.DEFAULT_PORTS[name] for name in cc.SUBGRAPHS if name in table}
    assert set(table) == {"people", "authors", "catalog", "reviews", "inventory"}
    assert re.search(r"gateway listens on 4000", text)


def test_package_products_reads_executables_and_ignores_comments():
    manifest = '''
        products: [
            .library(name: "SubgraphKit", targets: ["SubgraphKit"]),
            .executable(name: "people", targets: ["people"]),
            // .executable(name: "ghost", targets: ["ghost"]),
        ],
        targets: [
            .executableTarget(name: "gateway", dependencies: []),
            /* .executableTarget(name: "phantom") */
        ]
    '''
    assert cc.package_products(manifest) == {"people", "gateway"}


# MARK: - Broken documents are reported


def test_baseline_copy_is_clean(doc):
    # The negative tests below rely on the unbroken copy passing.
    assert problems_of(doc) == []


def test_unknown_top_level_key_is_reported(inputs, doc):
    doc["servcies"] = {}
    assert_reported(cc.schema_problems(doc, inputs.schema), r"\(top level\).*unknown key.*'servcies'")


def test_unknown_service_key_is_reported(inputs, doc):
    doc["services"]["catalog"]["helthcheck"] = {}
    assert_reported(cc.schema_problems(doc, inputs.schema), r"services\.catalog.*'helthcheck'")


def test_obsolete_version_key_is_reported(inputs, doc):
    doc["version"] = "3.9"
    assert_reported(cc.schema_problems(doc, inputs.schema), r"'version' is obsolete")


def test_wrong_value_type_is_reported(inputs, doc):
    doc["services"]["reviews"]["depends_on"] = {"people": {"condition": "service_ready"}}
    assert_reported(cc.schema_problems(doc, inputs.schema), r"services\.reviews\.depends_on")


def test_command_naming_a_missing_product_is_reported(doc):
    doc["services"]["catalog"]["command"][0] = "catalogue"
    assert_reported(problems_of(doc), r"catalog: command runs 'catalogue', which is not an executable product")


def test_gateway_is_only_pending_while_absent_from_package(doc):
    without_gateway = ALL_PRODUCTS - {"gateway"}
    report = cc.compose_problems(doc, without_gateway)
    assert report.problems == []
    assert any("gateway" in note and "pending" in note for note in report.notes)
    # Another missing product is never pending.
    report = cc.compose_problems(doc, without_gateway - {"reviews"})
    assert_reported(report.problems, r"reviews: command runs 'reviews', which is not an executable product")


def test_published_port_differing_from_command_port_is_reported(doc):
    doc["services"]["catalog"]["ports"] = ["4013:4013"]
    assert_reported(problems_of(doc), r"catalog: published container port\(s\) 4013 differ from --port 4003")


def test_healthcheck_port_differing_from_command_port_is_reported(doc):
    doc["services"]["inventory"]["healthcheck"]["test"] = ["CMD", "curl", "-f", "http://127.0.0.1:4004/health"]
    assert_reported(problems_of(doc), r"inventory: healthcheck URL .* uses port 4004, but --port is 4005")


def test_subgraph_off_its_default_port_is_reported(doc):
    people = doc["services"]["people"]
    people["command"] = [("4011" if part == "4001" else part) for part in people["command"]]
    people["ports"] = ["4011:4011"]
    people["healthcheck"]["test"] = ["CMD", "curl", "-f", "http://127.0.0.1:4011/health"]
    for replica in ("gateway-1", "gateway-2"):
        doc["services"][replica]["environment"]["PEOPLE_URL"] = "http://people:4011/graphql"
    problems = problems_of(doc)
    assert_reported(problems, r"people: people must use its default port 4001")
    assert len(problems) == 1, problems


def test_undeclared_named_volume_is_reported(doc):
    doc["services"]["reviews"]["volumes"] = ["review-data:/data"]
    assert_reported(problems_of(doc), r"reviews: uses named volume 'review-data', which is not declared")


def test_database_off_the_volume_is_reported(doc):
    doc["services"]["authors"]["volumes"] = ["authors-data:/var/lib/authors"]
    assert_reported(problems_of(doc), r"authors: --database /data/authors\.sqlite is not on a mounted volume")


def test_gateway_url_to_a_missing_service_or_wrong_port_is_reported(doc):
    env = doc["services"]["gateway-1"]["environment"]
    env["CATALOG_URL"] = "http://catalogue:4003/graphql"
    env["REVIEWS_URL"] = "http://reviews:4005/graphql"
    env["INVENTORY_URL"] = "http://catalog:4003/graphql"
    del env["PEOPLE_URL"]
    assert_reported(
        problems_of(doc),
        r"CATALOG_URL=.* points at 'catalogue', which is not a service",
        r"REVIEWS_URL=.* uses port 4005, but service 'reviews' listens on 4004",
        r"INVENTORY_URL=.* runs 'catalog', not 'inventory'",
        r"gateway-1: environment lacks PEOPLE_URL",
    )


def test_depends_on_without_service_healthy_is_reported(doc):
    depends = doc["services"]["gateway-1"]["depends_on"]
    depends["catalog"]["condition"] = "service_started"
    del depends["reviews"]
    assert_reported(
        problems_of(doc),
        r"depends_on 'catalog' with condition service_started",
        r"REVIEWS_URL points at 'reviews' but gateway-1 does not depend_on it",
    )


def test_missing_healthcheck_is_reported(doc):
    del doc["services"]["authors"]["healthcheck"]
    assert_reported(
        problems_of(doc),
        r"authors: no healthcheck",
        r"gateway-1: depends_on 'authors' with condition service_healthy, but 'authors' has no healthcheck",
    )


def test_load_balancer_must_balance_over_exactly_the_replicas(doc):
    nginx = "events {}\nhttp { upstream g { server gateway-1:4000; server gateway-3:4000; } server { listen 4000; } }"
    problems = cc.compose_problems(doc, ALL_PRODUCTS, nginx_config=nginx).problems
    assert_reported(problems, r"gateway: deploy/nginx\.conf balances over \[\('gateway-1', 4000\), \('gateway-3', 4000\)\], but the gateway replicas are \[\('gateway-1', 4000\), \('gateway-2', 4000\)\]")


def test_load_balancer_waits_for_every_replica_and_replicas_stay_unpublished(doc):
    del doc["services"]["gateway"]["depends_on"]["gateway-2"]
    doc["services"]["gateway-1"]["ports"] = ["4000:4000"]
    doc["services"]["gateway"]["volumes"] = []
    assert_reported(
        problems_of(doc),
        r"gateway: does not wait for gateway replica 'gateway-2' to be healthy",
        r"gateway-1: a gateway replica behind the load balancer must not publish ports",
        r"gateway: does not mount \./deploy/nginx\.conf at /etc/nginx/nginx\.conf",
    )


def test_nginx_upstreams_are_read_from_upstream_blocks():
    text = "http {\n upstream a {\n  server gateway-1:4000 max_fails=1;\n  server 10.0.0.2:4001;\n keepalive 8;\n }\n server { listen 4000; } }"
    assert cc.nginx_upstreams(text) == [("gateway-1", 4000), ("10.0.0.2", 4001)]


def test_dockerfile_missing_a_product_or_the_config_copy_is_reported(inputs):
    products = ["people", "authors", "catalog", "reviews", "inventory", "gateway"]
    broken = inputs.dockerfile.replace("reviews", "reveiws").replace("COPY gateway.yaml", "COPY other.yaml")
    problems = cc.dockerfile_problems(broken, products, "/app/gateway.yaml", {"curl"})
    assert_reported(
        problems,
        r"does not build product 'reviews'",
        r"does not copy gateway\.yaml to /app/gateway\.yaml",
    )
    assert cc.dockerfile_problems(inputs.dockerfile, products, "/app/gateway.yaml", {"curl"}) == []


def test_dockerfile_running_as_root_or_without_curl_is_reported():
    dockerfile = "FROM swift AS build\nRUN swift build -c release\nFROM slim\nRUN apt-get install -y libcurl4\n" \
                 "COPY gateway.yaml /app/gateway.yaml\n"
    assert_reported(
        cc.dockerfile_problems(dockerfile, ["people"], "/app/gateway.yaml", {"curl"}),
        r"runtime stage does not install 'curl'",
        r"runs as root",
    )


def test_main_reports_one_line_per_problem_and_fails(tmp_path, inputs, doc, capsys):
    doc["services"]["catalog"]["command"][0] = "catalogue"
    doc["services"]["reviews"]["volumes"] = ["review-data:/data"]
    (tmp_path / "docker-compose.yml").write_text(cc.yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    (tmp_path / "Dockerfile").write_text(inputs.dockerfile, encoding="utf-8")
    (tmp_path / "Package.swift").write_text(inputs.package_swift, encoding="utf-8")
    assert cc.main(["--root", str(tmp_path)]) == 1
    lines = [line for line in capsys.readouterr().out.splitlines() if not line.startswith("note:")]
    assert any("catalogue" in line for line in lines)
    assert any("review-data" in line for line in lines)
    assert not any(line.startswith("check_compose: OK") for line in lines)
