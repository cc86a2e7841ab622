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


class ConfigError(InputError):
    """An invalid stack config value; ``where`` is the key path."""


class ComposeError(InputError):
    """An invalid compose file; ``where`` is ``FILE`` or ``FILE:LINE``."""

    def __init__(self, file: str, message: str, line: int | None = None):
        super().__init__(f"{file}:{line}" if line else str(file), message)
        self.file = str(file)
        self.line = line
