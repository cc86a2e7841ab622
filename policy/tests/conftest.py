"""Policy-pack tests run in the pack's own virtualenv: policy/.venv/bin/python -m pytest policy/tests."""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # dockyard_policy
sys.path.insert(0, str(HERE.parent.parent / "tests" / "guardrails"))  # the shared cases
