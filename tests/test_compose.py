"""The production shape in docker-compose.yml, the Dockerfile and .env.example, checked as files.

Docker does not run on our development or CI machines (no engine; `docker compose` is not
even installed), so nothing here starts a container: these tests parse the files (PyYAML,
from the `test` extra) and check what can be checked without running them. What runs in
the containers (`microcred serve`, `microcred scheduler`, a PostgreSQL catalogue, the
search backends) is tested elsewhere in this suite without Docker.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
import yaml

from microcred.settings import Settings
from tests.conftest import REPO

COMPOSE = REPO / "docker-compose.yml"
DOCKERFILE = REPO / "Dockerfile"
ENV_EXAMPLE = REPO / ".env.example"
# ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?error}, ${NAME?error}
INTERPOLATION = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}")
SECRET_KEY = re.compile(r"(?i)password|secret|api_key|token")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


@pytest.fixture(scope="module")
def services(compose) -> dict:
    return compose["services"]


def environment(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {str(k): str(v) for k, v in env.items()}


def strings(node):
    if isinstance(node, dict):
        for key, value in node.items():
            yield from ((f"{key}.{k}" if k else str(key), v) for k, v in strings(value))
    elif isinstance(node, list):
        for value in node:
            yield from strings(value)
    elif node is not None:
        yield "", str(node)


def test_the_production_services_are_there(services):
    assert set(services) == {"postgres", "elasticsearch", "opensearch", "api", "scheduler"}
    # OpenSearch instead of Elasticsearch: each behind its own profile, nothing else.
    assert services["elasticsearch"]["profiles"] == ["elasticsearch"]
    assert services["opensearch"]["profiles"] == ["opensearch"]
    for name in ("postgres", "api", "scheduler"):
        assert "profiles" not in services[name], name
    assert "COMPOSE_PROFILES=elasticsearch" in ENV_EXAMPLE.read_text().splitlines()


def test_the_app_services_run_the_right_commands(services):
    assert services["api"]["command"] == ["microcred", "serve"]
    assert services["scheduler"]["command"] == ["microcred", "scheduler"]
    for name in ("api", "scheduler"):
        assert services[name]["build"] == "."
        depends = services[name]["depends_on"]
        assert depends["postgres"]["condition"] == "service_healthy"
        for engine in ("elasticsearch", "opensearch"):
            assert depends[engine] == {"condition": "service_healthy", "required": False}


def test_the_commands_exist_in_the_cli(services):
    from microcred.cli import build_parser

    parser = build_parser()
    for name in ("api", "scheduler"):
        command = services[name]["command"]
        assert command[0] == "microcred"
        parser.parse_args(command[1:])  # exits (SystemExit) on an unknown command


def test_every_long_running_service_has_a_health_check(services):
    for name in ("postgres", "elasticsearch", "opensearch", "api"):
        check = services[name]["healthcheck"]
        assert check["test"][0] in ("CMD", "CMD-SHELL") and check["test"][1:], name
        assert {"interval", "timeout", "retries"} <= set(check), name
    assert "/healthz" in " ".join(services["api"]["healthcheck"]["test"])
    assert "pg_isready" in services["postgres"]["healthcheck"]["test"][1]
    for engine in ("elasticsearch", "opensearch"):
        assert "_cluster/health" in services[engine]["healthcheck"]["test"][1]
    # The scheduler serves no HTTP: its check is off, and says so in the file.
    assert services["scheduler"]["healthcheck"] == {"disable": True}


def test_data_lives_in_named_volumes(compose, services):
    declared = set(compose["volumes"])
    mounts = {name: {v.split(":")[1]: v.split(":")[0] for v in s.get("volumes", [])}
              for name, s in services.items()}
    assert mounts["postgres"]["/var/lib/postgresql/data"] in declared
    assert mounts["elasticsearch"]["/usr/share/elasticsearch/data"] in declared
    assert mounts["opensearch"]["/usr/share/opensearch/data"] in declared
    for name in ("api", "scheduler"):
        assert mounts[name]["/data"] in declared
        assert environment(services[name])["MICROCRED_DATA_DIR"] == "/data"
    used = {source for m in mounts.values() for source in m.values()}
    assert used == declared


def test_images_are_pinned_to_a_major_version(services):
    for name, service in services.items():
        if "build" in service:
            continue
        image = service["image"]
        repository, _, tag = image.rpartition(":")
        assert repository and "/" not in tag, f"{name}: {image} has no tag"
        assert re.fullmatch(r"\d+(\.\d+){0,2}", tag), f"{name}: {image} is not pinned"
    assert services["postgres"]["image"] == "postgres:16"
    assert services["elasticsearch"]["image"].split(":")[1].startswith("9.")
    assert services["opensearch"]["image"].split(":")[1].split(".")[0] in ("2", "3")


def test_elasticsearch_is_one_secured_node_with_a_set_heap(services):
    env = environment(services["elasticsearch"])
    assert env["discovery.type"] == "single-node"
    assert env["xpack.security.enabled"] == "true"
    assert env["ELASTIC_PASSWORD"].startswith("${ELASTIC_PASSWORD")
    for engine, variable in (("elasticsearch", "ES_JAVA_OPTS"),
                             ("opensearch", "OPENSEARCH_JAVA_OPTS")):
        heap = environment(services[engine])[variable]
        minimum = re.search(r"-Xms(\S+)", heap).group(1)
        maximum = re.search(r"-Xmx(\S+)", heap).group(1)
        assert minimum == maximum, f"{engine}: -Xms and -Xmx differ"


def test_every_microcred_variable_is_a_settings_field(services):
    fields = set(Settings.model_fields)
    seen = set()
    for name, service in services.items():
        for key in environment(service):
            if key.startswith("MICROCRED_"):
                field = key.removeprefix("MICROCRED_").lower()
                assert field in fields, f"{name}: {key} is no field of microcred.settings.Settings"
                seen.add(field)
    assert {"database_url", "search_backend", "search_url", "search_password"} <= seen


def test_no_password_is_written_in_the_file(services):
    for name, service in services.items():
        for path, value in strings(service):
            if SECRET_KEY.search(path.rsplit(".", 1)[-1]):
                assert INTERPOLATION.fullmatch(value), \
                    f"{name}: {path} must come from the environment, not be written here"
            # user:password@host in a URL: the password part must be interpolated.
            for credentials in re.findall(r"://[^/@\s]*:([^/@\s]+)@", value):
                assert credentials.startswith("${"), f"{name}: {path} holds a password"


def test_env_example_names_every_variable_the_file_requires():
    required = {m.group(1) for m in INTERPOLATION.finditer(COMPOSE.read_text())
                if m.group(2) in (":?", "?")}
    example = {line.split("=", 1)[0] for line in ENV_EXAMPLE.read_text().splitlines()
               if line and not line.startswith("#")}
    assert required <= example, f"missing from .env.example: {sorted(required - example)}"
    # Nothing in it that microcred would read from a .env in its working directory.
    assert not any(name.startswith("MICROCRED_") for name in example)
    for line in ENV_EXAMPLE.read_text().splitlines():
        if SECRET_KEY.search(line.split("=", 1)[0]) and not line.startswith("#"):
            assert line.endswith("=CHANGE-ME"), line


def test_dockerfile_builds_a_non_root_image_with_a_health_check():
    text = DOCKERFILE.read_text()
    assert re.search(r"^FROM python:3\.11-slim$", text, re.M)
    assert re.search(r"^RUN pip install \.", text, re.M)
    users = re.findall(r"^USER (\S+)$", text, re.M)
    assert users and users[-1] not in ("root", "0")
    assert re.search(r"^HEALTHCHECK .*\n?.*/healthz", text, re.M)
    copied = set(re.findall(r"^COPY (\S+) \./", text, re.M))
    packages = set(tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]
                   ["packages"]["find"]["include"])
    assert {p.rstrip("*") for p in packages} <= copied


def test_pip_install_carries_every_data_file_the_packages_need():
    """The Dockerfile installs with `pip install .`: a template or data file that package-data
    does not name is left out of the image, and only fails there."""
    setuptools = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]
    package_data = setuptools.get("package-data", {})
    missing = []
    for package in ("normaliser", "catalogue", "search_api", "microcred", "mappings"):
        patterns = package_data.get(package, [])
        for path in (REPO / package).rglob("*"):
            if (not path.is_file() or path.suffix in (".py", ".pyc")
                    or "__pycache__" in path.parts):
                continue
            relative = path.relative_to(REPO / package)
            if not any(relative.match(p) or Path(str(relative)).match(p) for p in patterns):
                missing.append(f"{package}/{relative}")
    assert missing == []
