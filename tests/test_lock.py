"""The locked environment is the one reviewers get: the lock satisfies pyproject.toml and is installed."""

from __future__ import annotations

import re
import tomllib
from importlib import metadata

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from conftest import REPO

PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==([^\s\\;]+)", re.M)


def locked() -> dict[str, str]:
    text = (REPO / "requirements.lock").read_text(encoding="utf-8")
    return {canonicalize_name(name): version for name, version in PIN.findall(text)}


def declared() -> list[Requirement]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = [dep for group in project.get("optional-dependencies", {}).values() for dep in group]
    return [Requirement(dep) for dep in [*project["dependencies"], *extras]]


def test_every_declared_dependency_is_locked_at_a_version_it_accepts():
    pins = locked()
    for requirement in declared():
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement.name} is declared in pyproject.toml but not in requirements.lock"
        assert requirement.specifier.contains(pins[name], prereleases=True), (
            f"requirements.lock pins {name}=={pins[name]}, outside pyproject.toml's {requirement}"
        )


def test_every_locked_package_is_pinned_with_hashes():
    text = (REPO / "requirements.lock").read_text(encoding="utf-8")
    blocks = re.split(r"\n(?=[A-Za-z0-9_.\-]+==)", text.split("\n", 2)[2] if text.startswith("#") else text)
    for block in blocks:
        if "==" in block.splitlines()[0]:
            assert "--hash=sha256:" in block, f"no hash for {block.splitlines()[0]}"


def test_the_running_environment_is_the_locked_one():
    pins = locked()
    drift = {
        name: (metadata.version(name), version)
        for name, version in pins.items()
        if _installed(name) and metadata.version(name) != version
    }
    missing = [name for name in pins if not _installed(name)]
    assert not drift, f"installed versions differ from the lock: {drift}"
    assert not missing, f"locked but not installed: {missing}"


def _installed(name: str) -> bool:
    try:
        metadata.version(name)
    except metadata.PackageNotFoundError:
        return False
    return True
