"""The exceptions the library raises for the CLI: input it cannot analyse (`InputError`), and a
correction `fix` will not write (`FixRefused`).

`InputError` carries a finding code from the report contract, so the CLI can print one line, exit 2 and
still put the same code into a JSON report.
"""


class InputError(Exception):
    """The input could not be analysed at all (exit code 2)."""

    def __init__(self, code: str, reason: str, path: str | None = None):
        super().__init__(reason)
        self.code = code
        self.reason = reason
        self.path = path

    def __str__(self) -> str:
        where = f"{self.path}: " if self.path else ""
        return f"{where}{self.reason}"


class FixRefused(Exception):
    """`fix` would make the subtitles worse, or is not sure enough to move them (exit code 1)."""
