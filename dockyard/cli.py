"""`python -m dockyard` / `dockyard`: one entry point, one module per command.

Exit codes: 0 ok, 2 invalid config or input (one line: `error: <where>: <message>`),
3 guardrail violations (`preview --check`), 1 internal error.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from components.errors import InputError, error_line

# command -> (module, add-arguments function, run function, help)
COMMANDS: dict[str, tuple[str, str, str, str]] = {
    "preview": ("dockyard.preview", "add_arguments", "run", "evaluate a stack offline and show what it would create"),
    "diff": ("dockyard.diff", "add_arguments", "run", "compare two `preview --json` files"),
    "env": ("dockyard.hostcmds", "add_env_arguments", "run_env", "print docker-machine style env for a host"),
    "context": ("dockyard.hostcmds", "add_context_arguments", "run_context", "create or update a docker context for a host"),
    "ls": ("dockyard.hostcmds", "add_ls_arguments", "run_ls", "list the Docker hosts of a stack"),
    "convert": ("dockyard.convert", "add_arguments", "run", "print the Kubernetes objects of a compose file"),
}


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # usage errors are user mistakes: exit 2, one line (`--help` shows usage)
        print(error_line(f"{self.prog}: {message} (see {self.prog} --help)"), file=sys.stderr)
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="dockyard", description="Dockyard: containers anywhere, as code.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for name, (module, add, run, help_) in COMMANDS.items():
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name == module:
                continue  # command not built yet
            raise
        p = sub.add_parser(name, help=help_, description=help_)
        getattr(mod, add)(p)
        p.set_defaults(_run=getattr(mod, run))
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args._run(args) or 0)
    except InputError as err:
        print(error_line(err), file=sys.stderr)
        return 2


def main_exit() -> None:
    """Console-script entry point (`dockyard ...`)."""
    raise SystemExit(main())
