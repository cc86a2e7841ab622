"""Swarm services run an image by digest (issue 11, "No silent drift").

A tag is resolved through the registry (pulumi_docker getRegistryImage, mocked in
dockyard/mocks/swarm.py as a registry that serves one digest per reference), so a second run
with nothing changed declares the same image, and a tag the registry moved shows as a changed
image. Expected references are spelled from the compose file and Docker's reference rules.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from components import config as C
from components.swarm import SwarmCluster, SwarmClusterArgs
from dockyard.engine import Refused
from dockyard.mocks import registry as mock_registry

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "docker:index/getRegistryImage:getRegistryImage"
SERVICE = "docker:index/service:Service"
DIGEST = re.compile(r"sha256:[0-9a-f]{64}")

COMPOSE = """\
services:
  web:
    image: nginx:1.27
  bare:
    image: example/worker
  pinned:
    image: redis:7@sha256:{pinned}
  private:
    image: registry.example.com:5000/team/api:2.1
"""
PINNED = "ab" * 32


def _run(mock_engine, tmp_path, invokes=None):
    compose = tmp_path / "docker-compose.yml"
    compose.write_text(COMPOSE.format(pinned=PINNED))
    cfg = C.validate({"swarm": {"cloud": "local", "managers": 1, "workers": 1,
                                "stacks": [{"name": "app", "compose": str(compose)}]},
                      "allowFilesOutsideProject": [str(tmp_path)]}, {}, project_dir=ROOT)

    def program():
        SwarmCluster("swarm", SwarmClusterArgs.from_config(cfg, "test", project_dir=ROOT))

    result = mock_engine.run(program, stack="test", invokes=invokes or {})
    return {r.inputs["name"]: r.inputs["taskSpec"]["containerSpec"]["image"] for r in result.of_type(SERVICE)}


def _registry(served: dict[str, str], asked: list[str]):
    """A registry that serves the given digest per reference and records what it was asked."""
    def answer(ctx, args):
        asked.append(args["name"])
        return {"id": served[args["name"]], "name": args["name"], "sha256Digest": served[args["name"]]}
    return {TOKEN: answer}


def test_tags_are_deployed_by_the_digest_the_registry_serves(mock_engine, tmp_path):
    served = {"nginx:1.27": "sha256:" + "1" * 64, "example/worker:latest": "sha256:" + "2" * 64,
              "registry.example.com:5000/team/api:2.1": "sha256:" + "3" * 64}
    asked: list[str] = []
    images = _run(mock_engine, tmp_path, _registry(served, asked))
    assert images == {
        "app_web": "nginx:1.27@sha256:" + "1" * 64,
        "app_bare": "example/worker:latest@sha256:" + "2" * 64,  # no tag means latest (docker pull)
        "app_pinned": f"redis:7@sha256:{PINNED}",  # pinned by digest already: untouched, not asked
        "app_private": "registry.example.com:5000/team/api:2.1@sha256:" + "3" * 64,
    }
    assert sorted(asked) == sorted(served)


def test_a_moved_tag_changes_the_image_and_nothing_else_does(mock_engine, tmp_path):
    served = {"nginx:1.27": "sha256:" + "1" * 64, "example/worker:latest": "sha256:" + "2" * 64,
              "registry.example.com:5000/team/api:2.1": "sha256:" + "3" * 64}
    first = _run(mock_engine, tmp_path, _registry(served, []))
    again = _run(mock_engine, tmp_path, _registry(served, []))
    assert again == first  # the second `pulumi up` with nothing changed: no change
    moved = _run(mock_engine, tmp_path, _registry({**served, "nginx:1.27": "sha256:" + "9" * 64}, []))
    assert moved == {**first, "app_web": "nginx:1.27@sha256:" + "9" * 64}


def test_the_registry_mock_serves_digests_not_echoes(mock_engine, tmp_path):
    images = _run(mock_engine, tmp_path)
    digests = {name: image.split("@", 1)[1] for name, image in images.items()}
    assert all(DIGEST.fullmatch(d) for d in digests.values())
    assert len(set(digests.values())) == len(digests)  # one digest per reference
    assert _run(mock_engine, tmp_path) == images  # the same on every run


@pytest.mark.parametrize("name", ["Nginx:1.27", "nginx:1.27@sha256:" + "ab" * 32, "nginx:", "nginx::1"])
def test_the_registry_mock_refuses_what_a_registry_refuses(name):
    ctx = mock_registry.MockContext(key=name, type_=TOKEN)
    with pytest.raises(Refused, match="invalid reference format"):
        mock_registry.INVOKES[TOKEN](ctx, {"name": name})
