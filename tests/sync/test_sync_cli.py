"""``lvv-tui sync`` and ``lvv-tui server init|grant`` from the command line."""

from __future__ import annotations

import hashlib
import json
import socket
from pathlib import Path

import pytest
from sync_helpers import ANY_ORG, seed_meeting

from lvv_tui.cli import main

PASSPHRASE = "test-passphrase"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_sync_creates_a_laptop_and_dumps_identically(tmp_path: Path, hub_url: str,
                                                     capsys: pytest.CaptureFixture) -> None:
    from db.store import Store

    first = tmp_path / "first.db"
    with Store.open(first, PASSPHRASE, author="A", create=True) as store:
        seed_meeting(store)
        n = store.op_count()
    assert main(["sync", "--db", str(first), "--server", hub_url]) == 0
    out = capsys.readouterr().out
    assert f"{n} verstuurd" in out and "0 conflicten" in out
    second = tmp_path / "second.db"
    assert main(["--lang", "en", "sync", "--db", str(second), "--server", hub_url]) == 0
    out = capsys.readouterr().out
    assert "created a new local database" in out and f"{n} received" in out
    dumps = []
    for path in (first, second):
        assert main(["dump", "--db", str(path)]) == 0
        dumps.append(json.loads(capsys.readouterr().out))
    assert dumps[0] == dumps[1]


@pytest.mark.parametrize("kind", ["postgresql", "sqlite"])
def test_offline_is_one_line_exit_2_and_no_local_change(tmp_path: Path, kind: str,
                                                        capsys: pytest.CaptureFixture) -> None:
    from db.store import Store

    url = (f"postgresql://lvv@127.0.0.1:{_free_port()}/lvv" if kind == "postgresql"
           else f"sqlite:///{tmp_path / 'not-mounted' / 'hub.db'}")
    missing = tmp_path / "new.db"
    assert main(["sync", "--db", str(missing), "--server", url]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err and "niet bereikbaar" in err
    assert not missing.exists()  # offline never creates a local file
    existing = tmp_path / "existing.db"
    with Store.open(existing, PASSPHRASE, author="A", create=True) as store:
        seed_meeting(store)
    before = _digest(existing)
    assert main(["sync", "--db", str(existing), "--server", url]) == 2
    assert _digest(existing) == before
    assert "Traceback" not in capsys.readouterr().err


def test_refused_is_one_line_exit_3(pg, tmp_path: Path,  # noqa: ANN001
                                    capsys: pytest.CaptureFixture) -> None:
    bare = pg.database()  # no server init
    local = tmp_path / "x.db"
    assert main(["sync", "--db", str(local), "--server", bare]) == 3
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "server init" in err
    assert not local.exists()
    assert main(["sync", "--db", str(local), "--server",
                 pg.as_role(bare, "lvv_no_such_role")]) == 3
    assert "does not exist" in capsys.readouterr().err


def test_bad_url_and_no_server(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["sync", "--db", str(tmp_path / "x.db"), "--server", "http://example"]) == 1
    assert "postgresql://" in capsys.readouterr().err
    assert main(["sync", "--db", str(tmp_path / "x.db")]) == 1
    assert "--server" in capsys.readouterr().err


def test_server_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                 capsys: pytest.CaptureFixture) -> None:
    monkeypatch.setenv("LVV_SERVER", f"sqlite:///{tmp_path / 'hub.db'}")
    assert main(["sync", "--db", str(tmp_path / "x.db")]) == 0
    assert "hub.db" in capsys.readouterr().out


def test_server_init_and_grant(pg, capsys: pytest.CaptureFixture) -> None:  # noqa: ANN001
    from db.clock import uuid7

    url = pg.database()
    overleg = uuid7()
    assert main(["server", "init", url]) == 0
    assert main(["server", "init", url]) == 0  # idempotent
    assert "lvv_app" in capsys.readouterr().out
    role = pg.role("lvv_cli")
    # a role sits at the table as an organisation: without --org the grant says how
    assert main(["server", "grant", role, overleg, "--server", url]) == 3
    assert "--org" in capsys.readouterr().err
    assert main(["server", "grant", role, overleg, "--server", url, "--org", ANY_ORG]) == 0
    assert f"heeft nu toegang tot overleg {overleg}" in capsys.readouterr().out
    assert main(["server", "grant", role, overleg, "--server", url, "--org", ANY_ORG]) == 0
    assert "had al toegang" in capsys.readouterr().out
    # names come from the administrator's list only
    assert main(["server", "overleg", "add", overleg, "LSO Teststad", "--server", url]) == 0
    assert main(["server", "overleg", "list", "--server", url]) == 0
    listed = capsys.readouterr().out
    assert overleg in listed and "LSO Teststad" in listed and role in listed
    assert main(["server", "revoke", role, "LSO Teststad", "--server", url]) == 0
    assert f"geen toegang meer tot overleg {overleg}" in capsys.readouterr().out
    assert main(["server", "grant", role, "LSO Teststad", "--server", url, "--org", ANY_ORG]) == 0
    assert f"heeft nu toegang tot overleg {overleg}" in capsys.readouterr().out
    assert main(["server", "grant", "lvv_nobody", overleg, "--server", url, "--org", ANY_ORG]) == 3
    assert "does not exist" in capsys.readouterr().err
    assert main(["server", "grant", role, "LSO Nergens", "--server", url, "--org", ANY_ORG]) == 3
    assert "no overleg named" in capsys.readouterr().err


def test_sqlite_hub_init_and_rejected_ops_exit_3(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture) -> None:
    from db.projection import WireOp
    from db.store import Store
    from db.sync import sync_once

    url = f"sqlite:///{tmp_path / 'hub.db'}"
    assert main(["server", "init", url]) == 0
    assert "SQLite-hub klaar" in capsys.readouterr().out
    with Store.open(tmp_path / "a.db", PASSPHRASE, author="A", create=True) as a:
        seed_meeting(a)
        sync_once(a, url)
        op = a.all_ops()[0]
    forged = WireOp(**{**op.as_dict(), "value": json.dumps("anders")})
    with Store.open(tmp_path / "m.db", PASSPHRASE, author="M", create=True) as m:
        m.bulk_import([forged], pushed=False)
    assert main(["sync", "--db", str(tmp_path / "m.db"), "--server", url]) == 3
    assert "geweigerd" in capsys.readouterr().err


def test_tls_options_pass_through_to_libpq(pg_server: str, tmp_path: Path,
                                           capsys: pytest.CaptureFixture) -> None:
    import psycopg

    with psycopg.connect(pg_server, autocommit=True) as conn:
        ssl_on = conn.execute("SHOW ssl").fetchone()[0] == "on"
    # a root certificate that does not exist: libpq must have seen the option to fail on it
    url = (f"{pg_server}?sslmode=verify-full&sslrootcert={tmp_path / 'missing-root.crt'}")
    # libpq refuses before any login (no SSL on the server, or no root certificate): offline
    assert main(["sync", "--db", str(tmp_path / "x.db"), "--server", url]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert ("missing-root.crt" in err) if ssl_on else ("SSL" in err)
    assert not (tmp_path / "x.db").exists()


def test_db_before_the_command_is_honoured(tmp_path: Path) -> None:
    local = tmp_path / "top.db"
    assert main(["--db", str(local), "sync", "--server",
                 f"sqlite:///{tmp_path / 'hub.db'}"]) == 0
    assert local.exists()
