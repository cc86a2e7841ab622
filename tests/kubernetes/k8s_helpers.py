"""Small helpers shared by the Kubernetes tests (a uniquely named module: tests/ has no packages)."""

from __future__ import annotations

import textwrap
from pathlib import Path


def write_file(tmp_path: Path, name: str, text: str) -> str:
    """Write a (dedented) scratch file such as a compose file or kubeconfig; returns its path."""
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return str(path)
