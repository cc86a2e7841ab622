"""Fixtures shared by the compose tests."""

import textwrap

import pytest


@pytest.fixture
def compose_file(tmp_path):
    """Write a compose file (dedented) into the test's directory and return its path."""

    def write(text: str, name: str = "docker-compose.yml"):
        path = tmp_path / name
        path.write_text(textwrap.dedent(text).lstrip("\n"))
        return path

    return write
