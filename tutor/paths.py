"""Where things live: the learner's data folder and the bundled question bank. Creates nothing."""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "tutor"
HOME_ENV = "TUTOR_HOME"
CONTENT_ENV = "TUTOR_CONTENT"


def data_home(override: str | os.PathLike | None = None) -> Path:
    """The folder holding `tutor.db`: `--home`, else `$TUTOR_HOME`, else the platform's data dir."""
    if override:
        return Path(override).expanduser()
    env = os.environ.get(HOME_ENV)
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_dir  # only paid for by commands that touch the store

    return Path(user_data_dir(APP_NAME, appauthor=False))


def bundled_content() -> Path:
    """The question bank shipped with the package (or the repository's `content/` in a checkout)."""
    package = Path(__file__).resolve().parent
    installed = package / "content"
    return installed if installed.is_dir() else package.parent / "content"


def extra_content(cli_dirs: list[Path] | None) -> list[Path]:
    """User content folders: `--content DIR` options, then `$TUTOR_CONTENT` (os.pathsep-separated)."""
    dirs = list(cli_dirs or [])
    env = os.environ.get(CONTENT_ENV, "")
    dirs += [Path(p).expanduser() for p in env.split(os.pathsep) if p.strip()]
    return dirs
