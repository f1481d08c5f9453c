"""scripts/install-test-deps, which `make test` runs first: it finds what is missing and, when it
cannot install it, stops with the exact command to run (never installs in these tests: --check,
or a user who is neither root nor has sudo and apt-get)."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

BASH = shutil.which("bash")


def run(repo, tmp_path, *args: str, tools: tuple[str, ...] = (), as_nobody: bool = False):
    """The script under /bin/bash with a PATH holding only `tools` (stand-ins that do nothing)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    for tool in tools:
        (bin_dir / tool).write_text("#!/bin/sh\nexit 0\n")
        (bin_dir / tool).chmod(0o755)
    command = [BASH, str(repo / "scripts" / "install-test-deps"), *args]
    if as_nobody and os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root without setpriv to become an ordinary user")
        command = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", *command]
    return subprocess.run(command, env={"PATH": str(bin_dir)}, capture_output=True, text=True, timeout=30)


def test_check_names_what_is_missing_and_the_command(repo, tmp_path):
    done = run(repo, tmp_path, "--check")
    assert done.returncode == 1
    assert "raptor2-utils" in done.stdout and "npm" in done.stdout and "default-jre-headless" in done.stdout
    command = done.stdout.splitlines()[-1].removeprefix("install them with: ")
    assert command.endswith("apt-get install -y " + done.stdout.splitlines()[0].removeprefix("missing Debian packages: "))


def test_check_does_not_ask_for_what_is_there(repo, tmp_path):
    done = run(repo, tmp_path, "--check", tools=("rapper", "npm", "java"))
    assert "raptor2-utils" not in done.stdout and "npm" not in done.stdout and "default-jre-headless" not in done.stdout
    files_present = (os.access("/usr/bin/chromium", os.X_OK) and os.access("/usr/bin/chromedriver", os.X_OK)
                     and os.path.isfile("/usr/share/java/jena-arq.jar"))
    assert done.returncode == (0 if files_present else 1)


def test_an_ordinary_user_without_sudo_gets_the_command_to_run_as_root(repo, tmp_path):
    done = run(repo, tmp_path, as_nobody=True)
    assert done.returncode == 1
    assert "run as root:" in done.stderr
    assert "apt-get update && apt-get install -y raptor2-utils" in done.stderr


def test_an_unknown_option_is_refused(repo, tmp_path):
    done = run(repo, tmp_path, "--yes")
    assert done.returncode == 2 and "usage:" in done.stderr
