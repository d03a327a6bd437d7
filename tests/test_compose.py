"""The production shape in docker-compose.yml, the Dockerfile and .env.example, checked as files.

Docker does not run on our development or CI machines (no engine; `docker compose` is not
even installed), so nothing here starts a container: these tests parse the files (PyYAML,
from the `test` extra) and check what can be checked without running them. What runs in
the containers (`microcred serve`, `microcred scheduler`, a PostgreSQL catalogue, the
search backends) is tested elsewhere in this suite without Docker. The search setup script
(deploy/create-app-user.sh) runs here for real, with curl, against a stand-in for the
engines' security APIs on 127.0.0.1.
"""

from __future__ import annotations

import base64
import fnmatch
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import tomllib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib.metadata import version as installed_version
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.version import Version
from pydantic import ValidationError

from catalogue.search.engine.mapping import IndexNames
from microcred import crawling
from microcred.scheduler import SHUTDOWN_SECONDS
from microcred.settings import Settings
from tests.conftest import REPO

COMPOSE = REPO / "docker-compose.yml"
DOCKERFILE = REPO / "Dockerfile"
ENV_EXAMPLE = REPO / ".env.example"
DEPLOY = REPO / "deploy"
SETUP_SCRIPT = DEPLOY / "create-app-user.sh"
ENGINES = ("elasticsearch", "opensearch")
SUPERUSERS = {"elasticsearch": "elastic", "opensearch": "admin"}
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


def env_example() -> dict[str, str]:
    return dict(
        line.split("=", 1)
        for line in ENV_EXAMPLE.read_text().splitlines()
        if line and not line.startswith("#")
    )


def default_of(value: str) -> str | None:
    """The default of a `${NAME:-default}` value; None when it has none."""
    match = INTERPOLATION.fullmatch(value)
    return match.group(3) if match and match.group(2) in (":-", "-") else None


def variable_of(value: str) -> str | None:
    match = INTERPOLATION.fullmatch(value)
    return match.group(1) if match else None


def dependencies() -> dict[str, Requirement]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    return {r.name: r for r in map(Requirement, project["dependencies"])}


def image_version(service: dict) -> Version:
    return Version(service["image"].rpartition(":")[2])


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
    assert set(services) == {
        "postgres",
        "elasticsearch",
        "elasticsearch-setup",
        "opensearch",
        "opensearch-setup",
        "api",
        "scheduler",
    }
    # OpenSearch instead of Elasticsearch: each, with its setup, behind its own profile.
    for engine in ENGINES:
        assert services[engine]["profiles"] == [engine]
        assert services[f"{engine}-setup"]["profiles"] == [engine]
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
        for engine in ENGINES:
            assert depends[engine] == {"condition": "service_healthy", "required": False}
            # The app's own search user exists before the app starts.
            assert depends[f"{engine}-setup"] == {
                "condition": "service_completed_successfully",
                "required": False,
            }


def test_the_commands_exist_in_the_cli(services):
    from microcred.cli import build_parser

    parser = build_parser()
    for name in ("api", "scheduler"):
        command = services[name]["command"]
        assert command[0] == "microcred"
        parser.parse_args(command[1:])  # exits (SystemExit) on an unknown command
    check = services["scheduler"]["healthcheck"]["test"]
    assert check[0] == "CMD" and check[1] == "microcred"
    args = parser.parse_args(check[2:])
    assert args.command == "scheduler" and args.check, check


def test_every_long_running_service_has_a_health_check(services):
    for name in ("postgres", "elasticsearch", "opensearch", "api", "scheduler"):
        check = services[name]["healthcheck"]
        assert check["test"][0] in ("CMD", "CMD-SHELL") and check["test"][1:], name
        assert {"interval", "timeout", "retries"} <= set(check), name
    assert "/healthz" in " ".join(services["api"]["healthcheck"]["test"])
    assert "pg_isready" in services["postgres"]["healthcheck"]["test"][1]
    for engine in ("elasticsearch", "opensearch"):
        assert "_cluster/health" in services[engine]["healthcheck"]["test"][1]
    # The scheduler serves no HTTP: its check reads the heartbeat its reconcile passes write
    # (tests/test_scheduler_lifecycle.py runs the command both ways).
    assert services["scheduler"]["healthcheck"]["test"] == [
        "CMD",
        "microcred",
        "scheduler",
        "--check",
    ]
    assert "disable" not in services["scheduler"]["healthcheck"]
    # Time for its bounded shutdown before Docker kills it.
    grace = services["scheduler"]["stop_grace_period"]
    assert grace.endswith("s") and float(grace[:-1]) > SHUTDOWN_SECONDS
    # The setup services are one-shot: they end, and nothing restarts them.
    for engine in ENGINES:
        setup = services[f"{engine}-setup"]
        assert setup["restart"] == "no" and "healthcheck" not in setup
        assert setup["depends_on"] == {engine: {"condition": "service_healthy"}}


def mounts_of(services) -> dict[str, dict[str, str]]:
    return {
        name: {v.split(":")[1]: v.split(":")[0] for v in s.get("volumes", [])}
        for name, s in services.items()
    }


def test_data_lives_in_named_volumes(compose, services):
    declared = set(compose["volumes"])
    mounts = mounts_of(services)
    assert mounts["postgres"]["/var/lib/postgresql/data"] in declared
    assert mounts["elasticsearch"]["/usr/share/elasticsearch/data"] in declared
    assert mounts["opensearch"]["/usr/share/opensearch/data"] in declared
    for name in ("api", "scheduler"):
        assert mounts[name]["/data"] in declared
        assert environment(services[name])["MICROCRED_DATA_DIR"] == "/data"
    # Bind mounts (./deploy) are files of this checkout, not data.
    used = {
        source
        for m in mounts.values()
        for source in m.values()
        if not source.startswith((".", "/"))
    }
    assert used == declared


def test_api_and_scheduler_share_the_crawl_logs_and_cache(services):
    """A crawl run's error names its log under /data/crawl-logs, and the crawl HTTP cache is
    under /data/crawl-cache (microcred.crawling); crawls run in both containers."""
    mounts = mounts_of(services)
    assert mounts["api"]["/data"] == mounts["scheduler"]["/data"]
    for name in ("api", "scheduler"):
        assert environment(services[name])["MICROCRED_DATA_DIR"] == "/data"
    source = Path(crawling.__file__).read_text()
    assert '"crawl-logs"' in source and '"crawl-cache"' in source


def test_images_are_pinned_to_a_release(services):
    for name, service in services.items():
        if "build" in service:
            continue
        image = service["image"]
        repository, _, tag = image.rpartition(":")
        assert repository and "/" not in tag, f"{name}: {image} has no tag"
        assert re.fullmatch(r"\d+(\.\d+){0,2}", tag), f"{name}: {image} is not pinned"
    assert services["postgres"]["image"] == "postgres:16"
    # The engines to the patch release: the releases the engine tests run on.
    assert services["elasticsearch"]["image"].endswith(":9.2.0")
    assert services["opensearch"]["image"].endswith(":2.19.6")
    for engine in ENGINES:  # the setup runs in the engine's own image (for its curl)
        assert services[f"{engine}-setup"]["image"] == services[engine]["image"]


def test_the_python_clients_are_pinned_to_the_servers(services):
    deps = dependencies()
    # elasticsearch-py: the server's major.minor exactly, so the client sends nothing the
    # server does not know yet.
    server = image_version(services["elasticsearch"])
    client = deps["elasticsearch"].specifier
    assert set(map(str, client)) == {
        f">={server.major}.{server.minor}",
        f"<{server.major}.{server.minor + 1}",
    }, client
    installed = Version(installed_version("elasticsearch"))
    assert (installed.major, installed.minor) == (server.major, server.minor), (
        f"installed elasticsearch {installed} for a {server} server: pip install -e '.[test]'"
    )
    # opensearch-py's versions are not tied to the server's: one major.minor of the client,
    # and the 3.x line, which is the one that speaks to OpenSearch 2.x and 3.x servers.
    opensearch = deps["opensearch-py"].specifier
    lower = next(Version(s.version) for s in opensearch if s.operator == ">=")
    upper = next(Version(s.version) for s in opensearch if s.operator == "<")
    assert upper == Version(f"{lower.major}.{lower.minor + 1}"), opensearch
    assert lower.major == 3 and image_version(services["opensearch"]).major in (2, 3)
    assert Version(installed_version("opensearch-py")) in opensearch


def test_the_app_connects_as_its_own_user_not_the_superuser(services):
    example = env_example()
    user_variable = None
    for name in ("api", "scheduler"):
        env = environment(services[name])
        user = env["MICROCRED_SEARCH_USERNAME"]
        user_variable = variable_of(user)
        assert user_variable == "SEARCH_USERNAME"
        assert default_of(user) == "microcred"
        # No admin secret reaches the app.
        assert not any(
            variable_of(v) in ("ELASTIC_PASSWORD", "OPENSEARCH_INITIAL_ADMIN_PASSWORD")
            for v in env.values()
        ), name
    assert example["SEARCH_USERNAME"] == "microcred"
    assert example["SEARCH_USERNAME"] not in SUPERUSERS.values()
    for engine in ENGINES:
        env = environment(services[f"{engine}-setup"])
        assert env["ENGINE"] == engine
        # The setup creates the very user the app connects as, with the app's password...
        assert env["APP_USER"] == environment(services["api"])["MICROCRED_SEARCH_USERNAME"]
        assert variable_of(env["APP_PASSWORD"]) == "SEARCH_PASSWORD"
        # ...acting as the cluster's admin, whose password only it and the node have.
        assert env["ADMIN_USER"] == SUPERUSERS[engine]
        admin_password = {
            "elasticsearch": "ELASTIC_PASSWORD",
            "opensearch": "OPENSEARCH_INITIAL_ADMIN_PASSWORD",
        }[engine]
        assert variable_of(env["ADMIN_PASSWORD"]) == admin_password
        assert env["ENGINE_URL"].split("://")[1] == f"{engine}:9200"
        setup = services[f"{engine}-setup"]
        assert setup["entrypoint"] == ["/bin/sh", "/setup/create-app-user.sh"]
        assert "./deploy:/setup:ro" in setup["volumes"]
        assert (DEPLOY / f"{engine}-app-role.json").is_file()


def test_the_app_role_reaches_only_the_offerings_indices_and_alias():
    names = IndexNames()  # compose sets no MICROCRED_SEARCH_INDEX_PREFIX
    for name in (names.alias, names.versioned(1), names.versioned(42), names.pattern):
        assert fnmatch.fnmatchcase(name, "offerings*")

    role = json.loads((DEPLOY / "elasticsearch-app-role.json").read_text())
    assert role["cluster"] == []  # no cluster privilege at all
    assert set(role) <= {"cluster", "indices", "metadata"}  # no run_as, applications
    for entry in role["indices"]:
        assert entry["names"] == ["offerings*"]
        assert set(entry["privileges"]) <= {
            "create_index",
            "index",
            "delete",
            "read",
            "view_index_metadata",
            "manage",
        }
        assert not entry.get("allow_restricted_indices", False)
        assert "query" not in entry and "field_security" not in entry
    granted = {p for e in role["indices"] for p in e["privileges"]}
    assert {"read", "index", "delete", "manage"} <= granted  # search, bulk, alias moves

    role = json.loads((DEPLOY / "opensearch-app-role.json").read_text())
    assert role["cluster_permissions"] == ["cluster_composite_ops"]  # _bulk, aliases
    for entry in role["index_permissions"]:
        assert entry["index_patterns"] == ["offerings*"]
        assert set(entry["allowed_actions"]) <= {"crud", "create_index", "manage"}
    assert set(role) <= {"description", "cluster_permissions", "index_permissions"}


def test_elasticsearch_is_one_secured_node_with_a_set_heap(services):
    env = environment(services["elasticsearch"])
    assert env["discovery.type"] == "single-node"
    assert env["xpack.security.enabled"] == "true"
    assert env["ELASTIC_PASSWORD"].startswith("${ELASTIC_PASSWORD")
    for engine, variable in (
        ("elasticsearch", "ES_JAVA_OPTS"),
        ("opensearch", "OPENSEARCH_JAVA_OPTS"),
    ):
        heap = environment(services[engine])[variable]
        minimum = re.search(r"-Xms(\S+)", heap).group(1)
        maximum = re.search(r"-Xmx(\S+)", heap).group(1)
        assert minimum == maximum, f"{engine}: -Xms and -Xmx differ"


def test_the_placeholder_passwords_are_refused_at_start(services):
    """Every secret .env.example leaves at its placeholder, as compose would hand it to the
    app: microcred.settings refuses it, naming the setting (microcred serve and scheduler
    read their settings first, so neither starts)."""
    example = env_example()
    secrets = {k: v for k, v in example.items() if SECRET_KEY.search(k)}
    assert secrets and set(secrets.values()) == {"CHANGE-ME"}
    env = environment(services["api"])

    def resolved(value: str) -> str:
        return INTERPOLATION.sub(lambda m: example.get(m.group(1), m.group(3) or ""), value)

    for variable, setting in (
        ("MICROCRED_SEARCH_PASSWORD", "search_password"),
        ("MICROCRED_DATABASE_URL", "database_url"),
    ):
        with pytest.raises(ValidationError, match=variable):
            Settings(**{setting: resolved(env[variable])})
    for near in ("change-me", "Change-Me-Later", " CHANGE-ME "):
        with pytest.raises(ValidationError, match="placeholder"):
            Settings(search_password=near)
    with pytest.raises(ValidationError, match="MICROCRED_SEARCH_API_KEY"):
        Settings(search_api_key="CHANGE-ME")
    # A real password passes, in the URL too.
    real = Settings(
        search_password="4f0c2e9a7b1d",
        database_url=resolved(env["MICROCRED_DATABASE_URL"]).replace("CHANGE-ME", "4f0c2e9a7b1d"),
    )
    assert real.search_password.get_secret_value() == "4f0c2e9a7b1d"


def test_the_cli_says_which_setting_holds_a_placeholder(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("MICROCRED_")}
    env.update(MICROCRED_SEARCH_PASSWORD="CHANGE-ME", MICROCRED_DATA_DIR=str(tmp_path))
    for command in (["serve"], ["scheduler"]):
        done = subprocess.run(
            [sys.executable, "-m", "microcred.cli", *command],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
            timeout=120,
            check=False,
        )
        assert done.returncode == 1, done
        assert "MICROCRED_SEARCH_PASSWORD is still the placeholder" in done.stderr
        assert "Traceback" not in done.stderr and "CHANGE-ME" not in done.stderr


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
                assert INTERPOLATION.fullmatch(value), (
                    f"{name}: {path} must come from the environment, not be written here"
                )
            # user:password@host in a URL: the password part must be interpolated.
            for credentials in re.findall(r"://[^/@\s]*:([^/@\s]+)@", value):
                assert credentials.startswith("${"), f"{name}: {path} holds a password"


def test_env_example_names_every_variable_the_file_requires():
    required = {
        m.group(1) for m in INTERPOLATION.finditer(COMPOSE.read_text()) if m.group(2) in (":?", "?")
    }
    example = {
        line.split("=", 1)[0]
        for line in ENV_EXAMPLE.read_text().splitlines()
        if line and not line.startswith("#")
    }
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
    packages = set(
        tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"][
            "find"
        ]["include"]
    )
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
            if not path.is_file() or path.suffix in (".py", ".pyc") or "__pycache__" in path.parts:
                continue
            relative = path.relative_to(REPO / package)
            if not any(relative.match(p) or Path(str(relative)).match(p) for p in patterns):
                missing.append(f"{package}/{relative}")
    assert missing == []


class SecurityApi:
    """Stands in for the security APIs the setup script calls: answers 200 to each PUT (or
    `status`) and records path, basic-auth user and body."""

    def __init__(self, status: int = 200) -> None:
        self.requests: list[dict] = []
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_PUT(self):  # noqa: N802 (the http.server API)
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                auth = base64.b64decode(self.headers["Authorization"].split()[1]).decode()
                api.requests.append(
                    {
                        "path": self.path,
                        "auth": auth,
                        "type": self.headers.get("Content-Type"),
                        "body": json.loads(body),
                    }
                )
                answer = b'{"created": true}'
                self.send_response(status)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *_args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}"

    def __enter__(self):
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *_exc):
        self.httpd.shutdown()
        self.httpd.server_close()


def run_setup(engine: str, url: str, **overrides) -> subprocess.CompletedProcess:
    if shutil.which("curl") is None:
        if os.environ.get("CI"):
            pytest.fail("the setup script test needs curl (apt-get install curl)")
        pytest.skip("curl is not installed (apt-get install curl)")
    env = {
        "PATH": os.environ["PATH"],
        "ENGINE": engine,
        "ENGINE_URL": url,
        "ADMIN_USER": SUPERUSERS[engine],
        "ADMIN_PASSWORD": 'Adm1n!pass"word',
        "APP_USER": "microcred",
        "APP_PASSWORD": "9f86d081884c7d659a2feaa0c55ad015",
    }
    env.update(overrides)
    return subprocess.run(
        ["sh", str(SETUP_SCRIPT)], env=env, capture_output=True, text=True, timeout=60, check=False
    )


@pytest.mark.parametrize("engine", ENGINES)
def test_the_setup_script_creates_the_role_and_the_user(engine):
    role = json.loads((DEPLOY / f"{engine}-app-role.json").read_text())
    with SecurityApi() as api:
        done = run_setup(engine, api.url)
    assert done.returncode == 0, done.stderr
    assert {r["auth"] for r in api.requests} == {f'{SUPERUSERS[engine]}:Adm1n!pass"word'}
    assert {r["type"] for r in api.requests} == {"application/json"}
    sent = {r["path"]: r["body"] for r in api.requests}
    password = "9f86d081884c7d659a2feaa0c55ad015"
    if engine == "elasticsearch":
        assert sent == {
            "/_security/role/microcred_app": role,
            "/_security/user/microcred": {
                "password": password,
                "roles": ["microcred_app"],
                "full_name": "microcred app",
            },
        }
    else:
        base = "/_plugins/_security/api"
        assert sent == {
            f"{base}/roles/microcred_app": role,
            f"{base}/internalusers/microcred": {"password": password, "backend_roles": []},
            f"{base}/rolesmapping/microcred_app": {"users": ["microcred"]},
        }


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"APP_PASSWORD": "CHANGE-ME"}, "SEARCH_PASSWORD is still the placeholder"),
        ({"ADMIN_PASSWORD": "change-me"}, "admin's password"),
        ({"APP_PASSWORD": 'has"quote-and-is-long-enough'}, "letters, digits"),
        ({"APP_PASSWORD": "short"}, "at least 16"),
        ({"APP_USER": "elastic"}, "built-in elastic"),
        ({"APP_USER": "admin"}, "built-in admin"),
    ],
)
def test_the_setup_script_refuses_placeholders_and_superusers(overrides, message):
    with SecurityApi() as api:
        done = run_setup("elasticsearch", api.url, **overrides)
    assert done.returncode == 1 and message in done.stderr, done.stderr
    assert api.requests == []  # refused before asking the cluster anything


def test_the_setup_script_fails_when_the_cluster_refuses():
    with SecurityApi(status=403) as api:
        done = run_setup("elasticsearch", api.url)
    assert done.returncode != 0
    assert "answered 403" in done.stderr
    assert len(api.requests) == 1  # stopped at the role; no user without its role


def test_the_api_has_a_public_rate_limit_and_names_its_proxies(services):
    """Off on the embedded default, on in the production shape."""
    from microcred.settings import Settings
    from search_api.public_limit import parse_networks

    assert Settings.model_fields["public_rate_per_minute"].default == 0
    env = environment(services["api"])
    assert variable_of(env["MICROCRED_PUBLIC_RATE_PER_MINUTE"]) == "PUBLIC_RATE_PER_MINUTE"
    assert variable_of(env["MICROCRED_TRUSTED_PROXIES"]) == "TRUSTED_PROXIES"
    example = env_example()
    assert int(example["PUBLIC_RATE_PER_MINUTE"]) > 0
    assert parse_networks(example["TRUSTED_PROXIES"])
