"""Real Elasticsearch and OpenSearch nodes on this machine, without Docker: fetched from Maven
Central with `mvn` into a cache outside the checkout, assembled (distribution plus the modules
the offerings mappings need), started on a loopback port with a capped heap, and stopped.

`scripts/engine` and the test fixtures both use this module, so what a developer starts by
hand is what the suite runs against. Nothing here is used by a production deployment."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

# Where downloads and unpacked distributions live (never inside the checkout, so a fresh
# clone and CI reuse them).
# Both engines refuse to run as root; as root (CI here) the node runs as ENGINE_USER, so the
# cache must be somewhere that user can read (not under /root).
ENGINE_USER = "microcred-engine"
DEFAULT_CACHE = Path(
    os.environ.get("MICROCRED_ENGINE_CACHE")
    or (
        "/var/cache/microcred/engines"
        if os.geteuid() == 0
        else Path.home() / ".cache" / "microcred" / "engines"
    )
)
TEMURIN_25 = Path("/usr/lib/jvm/temurin-25-jdk-amd64")
STARTUP_SECONDS = 240
STOP_SECONDS = 60


class EngineError(RuntimeError):
    """An engine could not be fetched, assembled or started; the message says why."""


@dataclass(frozen=True)
class Module:
    """A module that is not in the integ-test distribution, placed under modules/<name>/
    with the descriptor the node reads at start."""

    name: str
    artifact: str  # group:artifact:version[:type] on Maven Central
    descriptor: dict[str, str]


@dataclass(frozen=True)
class Distribution:
    name: str
    version: str
    artifact: str  # the integ-test-zip: server and transport only
    home_variable: str  # the start script's Java variable
    java_options_variable: str
    config_variable: str  # where the start script looks for the config directory
    java_home: Path | None  # None: the machine's default Java
    modules: tuple[Module, ...] = ()
    # -E settings every node of this distribution gets.
    node_settings: dict[str, str] = field(default_factory=dict)
    start_script: str = ""

    @property
    def label(self) -> str:
        return f"{self.name}-{self.version}"


def _opensearch(
    name: str, version: str, *, java_home: Path | None, plugin_class: str, java_version: str
) -> Distribution:
    """An OpenSearch integ-test distribution plus analysis-common, which gives the mappings
    their ASCII folding, stemmer, pattern_replace, synonym_graph and edge_ngram filters. The
    descriptor is the one the OpenSearch build writes for modules/analysis-common in the full
    distribution. lang-painless is left out: no query or mapping here uses a script."""
    return Distribution(
        name=name,
        version=version,
        artifact=f"org.opensearch.distribution.integ-test-zip:opensearch:{version}:zip",
        home_variable="OPENSEARCH_JAVA_HOME",
        java_options_variable="OPENSEARCH_JAVA_OPTS",
        config_variable="OPENSEARCH_PATH_CONF",
        java_home=java_home,
        start_script="bin/opensearch",
        modules=(
            Module(
                "analysis-common",
                f"org.opensearch.plugin:analysis-common:{version}:jar",
                {
                    "description": 'Adds "built in" analyzers to OpenSearch.',
                    "version": version,
                    "name": "analysis-common",
                    "classname": f"org.opensearch.analysis.common.{plugin_class}",
                    "java.version": java_version,
                    "opensearch.version": version,
                    "custom.foldername": "",
                    "extended.plugins": "",
                    "has.native.controller": "false",
                },
            ),
        ),
    )


# OpenSearch 2.19 runs on the default Java 17.
OPENSEARCH_2 = _opensearch(
    "opensearch", "2.19.6", java_home=None, plugin_class="CommonAnalysisPlugin", java_version="11"
)
# OpenSearch 3 needs Java 21 or later (the Temurin 25 JDK); its plugin class was renamed.
OPENSEARCH_3 = _opensearch(
    "opensearch3",
    "3.3.2",
    java_home=TEMURIN_25,
    plugin_class="CommonAnalysisModulePlugin",
    java_version="21",
)

# Elasticsearch 9 needs Java 21 or later. Its analysis-common module is not published on
# Maven Central (org.elasticsearch.plugin:analysis-common and org.elasticsearch.module:
# analysis-common resolve for no 7.x, 8.x or 9.x version), so the node has only the
# analysis in its server jar: see catalogue.search.engine.mapping.Analysis, 'core'.
# Security is off on a test node; the production role is checked in tests/test_compose.py.
ELASTICSEARCH_9 = Distribution(
    name="elasticsearch",
    version="9.2.0",
    artifact="org.elasticsearch.distribution.integ-test-zip:elasticsearch:9.2.0:zip",
    home_variable="ES_JAVA_HOME",
    java_options_variable="ES_JAVA_OPTS",
    config_variable="ES_PATH_CONF",
    java_home=TEMURIN_25,
    start_script="bin/elasticsearch",
    node_settings={
        "xpack.security.enabled": "false",
        "cluster.routing.allocation.disk.threshold_enabled": "false",
    },
)

DISTRIBUTIONS = {d.name: d for d in (OPENSEARCH_2, OPENSEARCH_3, ELASTICSEARCH_9)}


@dataclass(frozen=True)
class RunningEngine:
    name: str
    url: str
    pid: int
    data_dir: Path

    def stop(self) -> None:
        stop_engine(self.data_dir)


def _artifact_path(repository: Path, artifact: str) -> Path:
    group, name, version, *rest = artifact.split(":")
    kind = rest[0] if rest else "jar"
    return repository.joinpath(*group.split("."), name, version, f"{name}-{version}.{kind}")


def fetch(artifact: str, cache: Path = DEFAULT_CACHE) -> Path:
    """The artifact's file in the cache's own Maven repository, downloaded once with mvn."""
    repository = cache / "m2"
    path = _artifact_path(repository, artifact)
    if path.is_file():
        return path
    if shutil.which("mvn") is None:
        raise EngineError("mvn is not installed: apt-get install maven")
    result = subprocess.run(
        [
            "mvn",
            "-q",
            "-B",
            "dependency:get",
            f"-Dartifact={artifact}",
            "-Dtransitive=false",
            f"-Dmaven.repo.local={repository}",
        ],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    if result.returncode != 0 or not path.is_file():
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-5:])
        raise EngineError(f"mvn could not fetch {artifact}:\n{tail}")
    return path


def install(distribution: Distribution, cache: Path = DEFAULT_CACHE) -> Path:
    """The distribution's home directory, unpacked and completed with its modules once."""
    home = cache / "homes" / distribution.label
    marker = home / ".microcred-assembled"
    if marker.is_file():
        return home
    archive = fetch(distribution.artifact, cache)
    building = home.with_name(home.name + ".building")
    shutil.rmtree(building, ignore_errors=True)
    building.mkdir(parents=True)
    with zipfile.ZipFile(archive) as zipped:
        zipped.extractall(building)
    (top,) = [p for p in building.iterdir() if p.is_dir()]
    for module in distribution.modules:
        target = top / "modules" / module.name
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy2(fetch(module.artifact, cache), target)
        (target / "plugin-descriptor.properties").write_text(
            "".join(f"{key}={value}\n" for key, value in module.descriptor.items())
        )
    # zipfile drops the execute bits: every bin/ directory holds scripts or launchers.
    for tool in top.rglob("*"):
        if tool.is_file() and tool.parent.name == "bin":
            tool.chmod(0o755)
    shutil.rmtree(home, ignore_errors=True)
    top.rename(home)
    shutil.rmtree(building, ignore_errors=True)
    marker.write_text(distribution.artifact + "\n")
    return home


def default_java_home() -> Path:
    """JAVA_HOME, else the JDK of the `java` on PATH (the integ-test zips bundle no JDK)."""
    if os.environ.get("JAVA_HOME"):
        return Path(os.environ["JAVA_HOME"])
    java = shutil.which("java")
    if java is None:
        raise EngineError("no Java found: install a JDK (apt-get install default-jdk-headless)")
    return Path(java).resolve().parent.parent


def _absolute_jvm_paths(jvm_options: Path, data_dir: Path) -> None:
    """The shipped jvm.options write the GC log, heap dumps and crash files relative to the
    home directory, which the node's user may not write: point them into the node's own
    directory."""
    text = jvm_options.read_text()
    text = (
        text.replace("file=logs/", f"file={data_dir}/logs/")
        .replace("HeapDumpPath=data", f"HeapDumpPath={data_dir}/data")
        .replace("ErrorFile=logs/", f"ErrorFile={data_dir}/logs/")
    )
    jvm_options.write_text(text)


def _as_engine_user(data_dir: Path) -> list[str]:
    """The command prefix that drops root to ENGINE_USER (created once), which then owns the
    node's directory; nothing when not root."""
    if os.geteuid() != 0:
        return []
    import pwd

    try:
        user = pwd.getpwnam(ENGINE_USER)
    except KeyError:
        subprocess.run(
            [
                "useradd",
                "--system",
                "--no-create-home",
                "--shell",
                "/usr/sbin/nologin",
                ENGINE_USER,
            ],
            check=True,
            capture_output=True,
            timeout=60,
        )
        user = pwd.getpwnam(ENGINE_USER)
    for path in [data_dir, *data_dir.rglob("*")]:
        os.chown(path, user.pw_uid, user.pw_gid)
    return ["setpriv", f"--reuid={user.pw_uid}", f"--regid={user.pw_gid}", "--init-groups", "--"]


def prepare(name: str, cache: Path = DEFAULT_CACHE) -> Path:
    """Fetch and assemble an engine without starting it (CI does this before the tests)."""
    if name not in DISTRIBUTIONS:
        raise EngineError(f"unknown engine {name!r}: choose one of {', '.join(DISTRIBUTIONS)}")
    return install(DISTRIBUTIONS[name], cache)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _state_file(data_dir: Path) -> Path:
    return data_dir / "engine.json"


def start_engine(
    name: str,
    *,
    port: int | None = None,
    data_dir: Path | None = None,
    heap: str = "512m",
    cache: Path = DEFAULT_CACHE,
    timeout: float = STARTUP_SECONDS,
) -> RunningEngine:
    """Start a single-node cluster on 127.0.0.1 and wait until its health is yellow or
    green. The node runs in a session of its own, so it outlives the caller until
    stop_engine; its console goes to <data_dir>/logs/console.log."""
    launched = launch_engine(name, port=port, data_dir=data_dir, heap=heap, cache=cache)
    return launched.wait(timeout)


@dataclass
class LaunchedEngine:
    """A node started and not yet waited for (the test session starts its nodes while
    other tests run, and waits when the first test needs one)."""

    engine: RunningEngine
    process: subprocess.Popen

    def wait(self, timeout: float = STARTUP_SECONDS) -> RunningEngine:
        """The node once its health is yellow or green; stopped, and EngineError, if it
        does not get there within `timeout`."""
        try:
            wait_for_health(self.engine.url, timeout=timeout, process=self.process)
        except EngineError:
            stop_engine(self.engine.data_dir)
            raise
        return self.engine


def launch_engine(
    name: str,
    *,
    port: int | None = None,
    data_dir: Path | None = None,
    heap: str = "512m",
    cache: Path = DEFAULT_CACHE,
) -> LaunchedEngine:
    """Start a single-node cluster on 127.0.0.1 without waiting for it (start_engine waits)."""
    if name not in DISTRIBUTIONS:
        raise EngineError(f"unknown engine {name!r}: choose one of {', '.join(DISTRIBUTIONS)}")
    distribution = DISTRIBUTIONS[name]
    if distribution.java_home is not None and not distribution.java_home.is_dir():
        raise EngineError(f"{distribution.label} needs the JDK at {distribution.java_home}")
    home = install(distribution, cache)
    data_dir = (data_dir or cache / "nodes" / f"{name}-{os.getpid()}").resolve()
    existing = _running(data_dir)
    if existing is not None:
        raise EngineError(
            f"an engine already runs on {data_dir} at {existing.url}: "
            f"scripts/engine stop --data {data_dir}"
        )
    port = port or free_port()
    config = data_dir / "config"
    shutil.rmtree(config, ignore_errors=True)
    shutil.copytree(home / "config", config)
    _absolute_jvm_paths(config / "jvm.options", data_dir)
    (data_dir / "logs").mkdir(parents=True, exist_ok=True)
    (data_dir / "data").mkdir(parents=True, exist_ok=True)
    settings = {
        "cluster.name": f"microcred-{name}-{port}",
        "node.name": f"node-{port}",
        "discovery.type": "single-node",
        "network.host": "127.0.0.1",
        "http.port": str(port),
        "transport.port": str(free_port()),
        "path.data": str(data_dir / "data"),
        "path.logs": str(data_dir / "logs"),
        **distribution.node_settings,
    }
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("ES_", "OPENSEARCH_"))
    }
    environment[distribution.config_variable] = str(config)
    if distribution.java_home is not None:
        environment[distribution.home_variable] = str(distribution.java_home)
    else:
        environment[distribution.home_variable] = str(default_java_home())
    # A capped heap: two engines and the test suite share a 24 GiB, 2-core machine.
    environment[distribution.java_options_variable] = f"-Xms{heap} -Xmx{heap}"
    command = [
        *_as_engine_user(data_dir),
        str(home / distribution.start_script),
        *(f"-E{key}={value}" for key, value in settings.items()),
    ]
    console = open(data_dir / "logs" / "console.log", "ab")  # noqa: SIM115 - the child keeps it
    try:
        process = subprocess.Popen(
            command,
            cwd=data_dir,
            env=environment,
            stdout=console,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    finally:
        console.close()
    url = f"http://127.0.0.1:{port}"
    running = RunningEngine(name=name, url=url, pid=process.pid, data_dir=data_dir)
    _state_file(data_dir).write_text(
        json.dumps({"name": name, "url": url, "pid": process.pid, "version": distribution.version})
    )
    return LaunchedEngine(running, process)


def wait_for_health(url: str, *, timeout: float, process: subprocess.Popen | None = None) -> None:
    """Returns once the cluster reports yellow or green; waits on the engine's own
    wait_for_status, not on a sleep."""
    import httpx  # here, so fetching works with a bare Python (.ci/run fetches before the venv)

    deadline = time.monotonic() + timeout
    last = "no answer"
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise EngineError(
                f"the engine at {url} exited with {process.returncode} while "
                f"starting; see its logs/console.log"
            )
        try:
            answer = httpx.get(
                f"{url}/_cluster/health",
                params={"wait_for_status": "yellow", "timeout": "2s"},
                timeout=5,
            )
            if answer.status_code == 200 and answer.json().get("status") in ("yellow", "green"):
                return
            last = f"HTTP {answer.status_code}: {answer.text[:200]}"
        except httpx.TransportError as exc:
            last = f"{type(exc).__name__}"
            time.sleep(0.25)
    raise EngineError(f"the engine at {url} was not healthy after {timeout:.0f} s ({last})")


def _running(data_dir: Path) -> RunningEngine | None:
    state_file = _state_file(data_dir)
    if not state_file.is_file():
        return None
    state = json.loads(state_file.read_text())
    if not process_alive(state["pid"]):
        state_file.unlink()
        return None
    return RunningEngine(name=state["name"], url=state["url"], pid=state["pid"], data_dir=data_dir)


def process_alive(pid: int) -> bool:
    """Whether `pid` runs (a process of another user counts; a zombie child does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie child of ours counts as gone.
    try:
        status = Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0]
    except (OSError, IndexError):
        return True
    return status != "Z"


def stop_engine(data_dir: Path, timeout: float = STOP_SECONDS) -> bool:
    """Stop the node started on data_dir: SIGTERM to its process group, SIGKILL if it has
    not gone after `timeout`. False if nothing ran there."""
    running = _running(data_dir.resolve())
    if running is None:
        return False
    _signal_group(running.pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while process_alive(running.pid) and time.monotonic() < deadline:
        _reap(running.pid)
        time.sleep(0.1)
    if process_alive(running.pid):
        _signal_group(running.pid, signal.SIGKILL)
        while process_alive(running.pid):
            _reap(running.pid)
            time.sleep(0.05)
    _reap(running.pid)
    _state_file(running.data_dir).unlink(missing_ok=True)
    return True


def kill_engine(data_dir: Path) -> None:
    """SIGKILL the node at once (fault tests): no shutdown, as a crash would be."""
    running = _running(data_dir.resolve())
    if running is None:
        return
    _signal_group(running.pid, signal.SIGKILL)
    deadline = time.monotonic() + STOP_SECONDS
    while process_alive(running.pid) and time.monotonic() < deadline:
        _reap(running.pid)
        time.sleep(0.05)
    _state_file(running.data_dir).unlink(missing_ok=True)


def _signal_group(pid: int, which: signal.Signals) -> None:
    try:
        os.killpg(pid, which)
    except ProcessLookupError:
        pass


def _reap(pid: int) -> None:
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass
