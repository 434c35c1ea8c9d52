"""compose.yaml and the Containerfile describe a deployment that can run: the compose file
parses, every process it starts is a real `insieme` subcommand with options that command
accepts, exactly one worker runs the periodic jobs, the variables are ones the code reads, and
the image installs from the lock with hashes. No container engine runs here (docs/deployment.md):
this checks what can be checked without building."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.core.management import get_commands, load_command_class

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "compose.yaml").read_text())
CONTAINERFILE = (ROOT / "Containerfile").read_text()
SERVICES = COMPOSE["services"]


def insieme_services() -> dict[str, dict]:
    """The services that run the image built from the Containerfile (ENTRYPOINT insieme)."""
    return {
        name: s
        for name, s in SERVICES.items()
        if s.get("build", {}).get("dockerfile") == "Containerfile"
    }


def instruction(name: str) -> list[str]:
    """The Containerfile's lines of one instruction (continuations joined)."""
    text = re.sub(r"\\\n\s*", " ", CONTAINERFILE)
    return [line.strip() for line in text.splitlines() if line.strip().startswith(f"{name} ")]


def test_compose_has_the_services_of_a_deployment():
    assert {"postgres", "redis", "web", "worker", "worker-beat", "migrate", "minio"} <= set(
        SERVICES
    )
    assert set(insieme_services()) >= {"web", "worker", "worker-beat", "migrate", "backup"}
    assert SERVICES["minio"]["profiles"] == ["s3"]  # optional


@pytest.mark.parametrize("service", sorted(insieme_services()))
def test_every_process_is_a_real_insieme_subcommand_with_options_it_accepts(service):
    command = insieme_services()[service]["command"]
    commands = get_commands()
    assert command[0] in commands, f"{service}: `insieme {command[0]}` does not exist"
    parser = load_command_class(commands[command[0]], command[0]).create_parser(
        "insieme", command[0]
    )
    parser.parse_args(command[1:])  # exits (SystemExit) on an option the command lacks


def test_exactly_one_worker_runs_the_periodic_jobs_and_the_web_has_several_processes():
    workers = {n: s for n, s in insieme_services().items() if s["command"][0] == "worker"}
    with_beat = [n for n, s in workers.items() if "--no-beat" not in s["command"]]
    assert with_beat == ["worker-beat"]
    assert SERVICES["worker-beat"]["deploy"]["replicas"] == 1
    assert SERVICES["worker"]["deploy"]["replicas"] >= 2
    web = SERVICES["web"]
    assert web["command"][0] == "serve"
    workers_env = re.search(r"\d+", web["environment"]["WEB_CONCURRENCY"]).group()
    assert int(workers_env) >= 2 or web.get("deploy", {}).get("replicas", 1) >= 2
    assert SERVICES["web"]["depends_on"]["migrate"]["condition"] == (
        "service_completed_successfully"
    )


def _read_by_the_code(name: str) -> bool:
    quoted = re.compile(rf"[\"']{re.escape(name)}[\"']")
    return any(quoted.search(p.read_text()) for p in (ROOT / "insieme").rglob("*.py"))


def test_the_variables_given_to_insieme_are_read_by_its_code_and_secrets_come_from_files():
    names = {k for s in insieme_services().values() for k in s.get("environment", {})}
    unknown = sorted(n for n in names if not _read_by_the_code(n.removesuffix("_FILE")))
    assert unknown == []
    environment = SERVICES["web"]["environment"]
    for secret in ("INSIEME_SECRET_KEY", "DATABASE_URL", "EMAIL_URL"):
        assert secret not in environment
        assert environment[f"{secret}_FILE"].startswith("/run/secrets/")
    assert SERVICES["postgres"]["environment"]["POSTGRES_PASSWORD_FILE"]


def test_secrets_and_volumes_that_services_use_are_declared():
    for name, service in SERVICES.items():
        for secret in service.get("secrets", []):
            assert secret in COMPOSE["secrets"], (name, secret)
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0]
            if not source.startswith((".", "/")):
                assert source in COMPOSE["volumes"], (name, source)


def test_the_postgres_server_is_the_major_version_of_the_image_pg_dump():
    """pg_dump refuses a server newer than itself: the image's client (Debian bookworm: 15)."""
    assert "python:3.11-slim-bookworm" in CONTAINERFILE
    assert SERVICES["postgres"]["image"].split(":")[1].split("-")[0] == "15"


def test_the_image_installs_from_the_lock_with_hashes():
    installs = [line for line in instruction("RUN") if "pip install" in line]
    lock = [line for line in installs if "--require-hashes" in line]
    assert lock and "-r /tmp/lock.txt" in lock[0]
    assert "COPY requirements/lock.txt /tmp/lock.txt" in instruction("COPY")
    project = [line for line in installs if "-e ." in line]
    assert project and "--no-deps" in project[0] and "--no-build-isolation" in project[0]
    assert len(installs) == 2  # nothing else installed without hashes


def test_the_image_builds_assets_and_messages_and_runs_serve_as_an_unprivileged_user():
    runs = " ".join(instruction("RUN"))
    assert "make assets" in runs and "compilemessages" in runs and "collectstatic" in runs
    assert re.search(r"^assets:", (ROOT / "Makefile").read_text(), re.M)
    users = instruction("USER")
    assert users and users[-1].split()[1] not in ("root", "0")
    assert instruction("ENTRYPOINT") == ['ENTRYPOINT ["insieme"]']
    assert instruction("CMD")[-1].startswith('CMD ["serve"')
    assert "/app/scripts/healthcheck.py" in instruction("HEALTHCHECK")[0]
    assert "/healthz" in (ROOT / "scripts" / "healthcheck.py").read_text()


def test_what_the_containerfile_copies_exists_and_is_not_ignored():
    ignored = {
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    for line in instruction("COPY"):
        if "--from=" in line:
            continue
        for source in line.split()[1:-1]:
            if source != ".":
                assert (ROOT / source).exists(), source
                assert source.split("/")[0] not in ignored, source
    for needed in ("insieme", "requirements", "scripts", "README.md", "pyproject.toml"):
        assert needed not in ignored
    assert {".git", ".venv", "node_modules", "secrets", ".env"} <= ignored


# --- scripts/healthcheck.py ---------------------------------------------------------------------


def _healthcheck(port: int, allowed_hosts: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "healthcheck.py")],
        env={"PORT": str(port), "ALLOWED_HOSTS": allowed_hosts, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
        timeout=30,
    )


@pytest.mark.django_db(transaction=True)
def test_the_healthcheck_passes_against_a_live_server_and_fails_without_one(live_server):
    from tests.ops.conftest import closed_port

    port = int(live_server.url.rsplit(":", 1)[1])
    assert _healthcheck(port, ".localhost,*").returncode == 0
    down = _healthcheck(closed_port(), "localhost")
    assert down.returncode == 1 and "did not answer" in down.stderr
