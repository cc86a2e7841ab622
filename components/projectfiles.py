"""Which files a stack may read: its project tree, and the folders it lists on purpose.

A compose file names files whose content lands in resource inputs (a swarm config, a secret, an
env file's values, a bind-mounted file shipped in a ConfigMap), and so in the preview, the state and
the pull-request diff. A compose file from a careless or hostile hand can name `/etc/shadow`,
`../../.aws/credentials`, a symlink out of the tree or `/proc/self/environ`. Each such path is
resolved first (symlinks followed) and must then lie inside the project: Pulumi.yaml's folder for
a stack, the compose file's folder for `dockyard convert`. A monorepo that keeps shared files
beside the project lists their folders explicitly (`dockyard:allowFilesOutsideProject`,
`dockyard convert --allow-outside DIR`). Errors name paths only, never what a file holds.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

#: The stack config key that lists extra folders (and how `dockyard convert` spells the same).
OPT_IN_KEY = "dockyard:allowFilesOutsideProject"
CONVERT_FLAG = "--allow-outside"


class OutsideProject(ValueError):
    """A path that resolves outside every allowed folder, or cannot be resolved at all (a NUL, a
    symlink loop, a name too long). The message names paths, never content."""


def _resolve(path: Path, shown: str | None = None) -> Path:
    """Absolute, symlinks followed as far as the path exists (a missing tail is kept as written)."""
    shown = str(path) if shown is None else shown
    if "\0" in str(path):
        raise OutsideProject(f"{shown!r} holds a NUL character; not a path")
    try:
        resolved = Path(os.path.abspath(path)).resolve(strict=False)
        os.stat(resolved)
    except (FileNotFoundError, NotADirectoryError):
        return resolved  # missing: the caller says "not found"
    except (OSError, RuntimeError) as exc:  # a loop (RuntimeError before Python 3.13), ENAMETOOLONG...
        reason = getattr(exc, "strerror", None) or "symlink loop"
        raise OutsideProject(f"{shown!r} cannot be resolved ({reason})") from None
    return resolved


@dataclass(frozen=True)
class ProjectFiles:
    """The folders whose files a stack (or one `dockyard convert`) may read, resolved."""

    root: Path
    extra: tuple[Path, ...] = ()
    #: how an error tells the user to allow a folder (the stack key or the convert flag)
    opt_in: str = OPT_IN_KEY

    @classmethod
    def of(cls, root: Path | str, extra: Iterable[Path | str] = (), opt_in: str = OPT_IN_KEY) -> ProjectFiles:
        base = _resolve(Path(root))
        return cls(base, tuple(_resolve(base / Path(e)) for e in extra), opt_in)

    @property
    def roots(self) -> tuple[Path, ...]:
        return (self.root, *self.extra)

    def contains(self, resolved: Path) -> bool:
        return any(resolved == r or resolved.is_relative_to(r) for r in self.roots)

    def resolve(self, path: Path | str, shown: str | None = None) -> Path:
        """``path`` with symlinks resolved, or OutsideProject when it lands outside every root.

        ``shown`` is how the user wrote it (for the message)."""
        shown = str(path) if shown is None else shown
        resolved = _resolve(Path(path), shown)
        if self.contains(resolved):
            return resolved
        where = ", ".join(str(r) for r in self.roots)
        via = "" if os.path.normpath(os.path.abspath(path)) == str(resolved) else f" (it resolves to {resolved})"
        raise OutsideProject(f"{shown!r} is outside the project{via}: only files under {where} are read; "
                             f"list its folder in {self.opt_in} to allow it")


__all__ = ["CONVERT_FLAG", "OPT_IN_KEY", "OutsideProject", "ProjectFiles"]
