"""The exceptions the library raises for the CLI: input it cannot analyse (`InputError`), and a
correction `fix` will not write (`FixRefused`).

`InputError` carries a finding code from the report contract, so the CLI can print one line, exit 2 and
still put the same code into a JSON report.
"""

from __future__ import annotations

from typing import Any


class InputError(Exception):
    """The input could not be analysed at all (exit code 2). `wording`, where given, is the
    reason's key in messages.toml (filled with `values`), so the CLI can say it in `--lang`."""

    def __init__(self, code: str, reason: str | None = None, path: str | None = None, *,
                 wording: str | None = None, **values: Any):
        reason = reason if reason is not None else _say(wording or code, "en", values)
        super().__init__(reason)
        self.code = code
        self.reason = reason
        self.path = path
        self.wording = wording
        self.values = values

    def in_language(self, lang: str) -> str:
        """The one line, in `lang` where the reason has a wording, else as raised."""
        where = f"{self.path}: " if self.path else ""
        return where + self.reason_in(lang)

    def reason_in(self, lang: str) -> str:
        """The reason alone (no path), in `lang` where it has a wording."""
        return self.reason if self.wording is None else _say(self.wording, lang, self.values)

    def __str__(self) -> str:
        where = f"{self.path}: " if self.path else ""
        return f"{where}{self.reason}"

    def __reduce__(self) -> tuple[Any, ...]:  # pickled whole (a Ray node's error reaches the driver)
        return _rebuilt, (self.code, self.reason, self.path, self.wording, self.values)


def _rebuilt(code: str, reason: str, path: str | None, wording: str | None, values: dict[str, Any]) -> InputError:
    return InputError(code, reason, path, wording=wording, **values)


class FixRefused(Exception):
    """`fix` would make the subtitles worse, or is not sure enough to move them (exit code 1); why
    is `wording` in messages.toml, filled with `values`."""

    def __init__(self, wording: str, **values: Any):
        super().__init__(_say(wording, "en", values))
        self.wording = wording
        self.values = values

    def in_language(self, lang: str) -> str:
        return _say("fix.refused", lang, {"reason": _say(self.wording, lang, self.values)})


def _say(key: str, lang: str, values: dict[str, Any]) -> str:
    from bilingual.report import say  # the report package imports media, which imports this module

    # a value that is itself an InputError (the failure a failure came from) is said in `lang` too
    return say(key, lang, **{k: v.reason_in(lang) if isinstance(v, InputError) else v for k, v in values.items()})
