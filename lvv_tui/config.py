"""Configuration and every path the app uses, in one place.

Order of precedence: command-line flag > ``LVV_*`` environment variable > the TOML file
(``config.toml`` in the platform config dir, or ``$LVV_CONFIG_DIR``) > default.

Keys of ``config.toml``::

    db = "/path/to/lvv.db"          # the local database
    lang = "nl"                     # nl or en
    server = "postgresql://…"       # the shared database (optional)
    author = "J. Jansen"            # your name in the audit trail
    laptop = "Laptop secretaris"    # this laptop's name, shown to others instead of its id
    organisation = "DTenV"          # your organisation (input before the meeting)
    sync_interval = 5               # seconds between sync rounds
    lock_after = 10                 # idle minutes before the app locks itself (0 = never)
    export_dir = "~/Documenten"     # where the in-app export and screenshots go

    [keymap]                        # binding id = keys, e.g.
    item-next = "n,pagedown"
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

APP_NAME = "lvv-tui"


def config_dir() -> Path:
    env = os.environ.get("LVV_CONFIG_DIR")
    if env:
        return Path(env)
    from platformdirs import user_config_dir

    return Path(user_config_dir(APP_NAME, appauthor=False))


def data_dir() -> Path:
    env = os.environ.get("LVV_DATA_DIR")
    if env:
        return Path(env)
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, appauthor=False))


def documents_dir() -> Path:
    """The user's documents folder (XDG ``DOCUMENTS`` dir, else ~/Documents); the home
    folder when that does not exist. Never the current directory."""
    from platformdirs import user_documents_dir

    docs = Path(user_documents_dir())
    return docs if docs.is_dir() else Path.home()


def config_file() -> Path:
    return config_dir() / "config.toml"


def default_db() -> Path:
    return data_dir() / "lvv.db"


class ConfigError(Exception):
    """The config file is unreadable; the message is safe to show."""


@dataclass
class Config:
    db: Path = field(default_factory=default_db)
    lang: str = "nl"
    server: str | None = None
    author: str | None = None
    laptop: str | None = None
    """This laptop's human name, shown to others instead of its device id."""
    sync_interval: float = 5.0
    organisation: str | None = None
    """The organisation this laptop prepares input for (its name in the overleg)."""
    lock_after: float = 10.0
    """Idle minutes before the app locks itself (0 = never)."""
    keymap: dict[str, str] = field(default_factory=dict)
    export_dir: Path = field(default_factory=documents_dir)
    """Where the in-app export (and a screenshot) is written unless the user says
    otherwise: ``export_dir`` in config.toml, ``LVV_EXPORT_DIR``, or the documents folder."""


def load(
    *,
    db: str | None = None,
    lang: str | None = None,
    server: str | None = None,
    author: str | None = None,
) -> Config:
    """The effective configuration, flags first."""
    data: dict = {}
    path = config_file()
    if path.is_file():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"{path}: cannot read the config file ({exc})") from exc
    env = os.environ
    cfg = Config()
    db_value = db or env.get("LVV_DB") or data.get("db")
    if db_value:
        cfg.db = Path(db_value).expanduser()
    cfg.lang = (lang or env.get("LVV_LANG") or data.get("lang") or "nl").lower()
    if cfg.lang not in ("nl", "en"):
        raise ConfigError(f"unknown language {cfg.lang!r}: use nl or en")
    cfg.server = server or env.get("LVV_SERVER") or data.get("server") or None
    cfg.author = author or env.get("LVV_AUTHOR") or data.get("author") or None
    cfg.laptop = env.get("LVV_LAPTOP") or data.get("laptop") or None
    cfg.organisation = env.get("LVV_ORGANISATION") or data.get("organisation") or None
    interval = env.get("LVV_SYNC_INTERVAL") or data.get("sync_interval")
    if interval is not None:
        try:
            cfg.sync_interval = max(1.0, float(interval))
        except ValueError as exc:
            raise ConfigError(f"sync_interval must be a number, not {interval!r}") from exc
    lock_after = env.get("LVV_LOCK_AFTER") or data.get("lock_after")
    if lock_after is not None:
        try:
            cfg.lock_after = float(lock_after)
        except ValueError as exc:
            raise ConfigError(f"lock_after must be a number of minutes, not {lock_after!r}") \
                from exc
        if cfg.lock_after < 0:
            raise ConfigError("lock_after must be 0 (never) or more minutes")
    export_dir = env.get("LVV_EXPORT_DIR") or data.get("export_dir")
    if export_dir:
        cfg.export_dir = Path(str(export_dir)).expanduser()
    keymap = data.get("keymap", {})
    if not isinstance(keymap, dict):
        raise ConfigError("[keymap] must be a table of binding id = keys")
    cfg.keymap = {str(k): str(v) for k, v in keymap.items()}
    return cfg
