"""The one exception type for user mistakes.

Anything the user can get wrong (a config value, a compose file, an outputs file) raises an
InputError naming *where* (a config key path such as ``dockyard:hosts[0].os`` or ``FILE:LINE``)
and *what* is allowed. The program and the CLI turn it into one line on stderr and exit 2.
"""


class InputError(Exception):
    """A user mistake: printed as ``error: <where>: <message>``, exit status 2."""

    exit_code = 2

    def __init__(self, where: str, message: str):
        super().__init__(f"{where}: {message}")
        self.where = where
        self.message = message


def shown(text: str) -> str:
    """``text`` safe to put on a terminal: a line break or other control character is shown
    escaped, so nothing can add a line or send an escape sequence. That includes the breaks beyond
    ASCII (NEL U+0085, U+2028, U+2029) and format characters such as U+202E, which would reorder
    what the terminal shows: everything Python deems unprintable."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def error_line(err: Exception | str) -> str:
    """``error: <where>: <message>`` as ONE line, whatever a value or path in it carries."""
    return f"error: {shown(str(err))}"


class ConfigError(InputError):
    """An invalid stack config value; ``where`` is the key path."""


class ComposeError(InputError):
    """An invalid compose file; ``where`` is ``FILE`` or ``FILE:LINE``."""

    def __init__(self, file: str, message: str, line: int | None = None):
        super().__init__(f"{file}:{line}" if line else str(file), message)
        self.file = str(file)
        self.line = line
