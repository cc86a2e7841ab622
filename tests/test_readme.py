"""The README's promises: its config reference matches the models; its commands exist."""

from pathlib import Path

from dockyard import configref

ROOT = Path(__file__).resolve().parent.parent


def test_config_reference_matches_the_models():
    text = (ROOT / "README.md").read_text()
    assert configref.block() in text, "README config reference is stale: run python -m dockyard.configref --write"


def test_reference_covers_every_top_level_key():
    ref = configref.render()
    for key in ("adminCidrs", "sshPublicKey", "hosts", "swarm", "containers", "kubernetes"):
        assert f"`dockyard:{key}`" in ref


def test_readme_shows_the_two_commands_and_ci_runs_make_test():
    readme = (ROOT / "README.md").read_text()
    assert "make preview" in readme and "make test" in readme
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in ci and "DOCKYARD_STRICT_TOOLS=1" in ci
