"""A tiny environment reader: every setting comes from here, and a missing one fails loudly."""

import os
from collections.abc import Callable
from typing import Any

_MISSING = object()


class MissingSettingError(RuntimeError):
    pass


def env(name: str, default: Any = _MISSING, cast: Callable[[str], Any] = str) -> Any:
    """Read ``name`` from the environment, cast it, or fall back to ``default``.

    With no default a missing variable raises, pointing at ``.env.example``.
    """
    raw = os.environ.get(name)
    if raw is None or raw == "":
        if default is _MISSING:
            raise MissingSettingError(
                f"Environment variable {name} is not set; see .env.example for what it does."
            )
        return default
    try:
        return cast(raw)
    except (TypeError, ValueError) as exc:
        raise MissingSettingError(f"Environment variable {name}={raw!r} is invalid: {exc}") from exc


def as_bool(raw: str) -> bool:
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ValueError("expected one of 1/0, true/false, yes/no, on/off")


def as_list(raw: str) -> list[str]:
    return [item.strip() for item in raw.split(",") if item.strip()]
