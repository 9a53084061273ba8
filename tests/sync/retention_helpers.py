"""Shared by the retention tests: a case with distinctive words in every record about it,
and the raw pages of a SQLCipher file and its WAL, decrypted (to look for erased words in
the bytes, free space included)."""

from __future__ import annotations

import ctypes
import ctypes.util
import datetime as dt
import hashlib
from pathlib import Path
from typing import Any

from db import domain as d

#: words that must be gone after retention, one per kind of record
SECRETS = {
    "note": "Kwartelkoningzorg",
    "rationale": "Zilverreigerbesluit",
    "action": "Roerdompactie",
    "summary": "Gruttosamenvatting",
    "detail": "Ijsvogelpolitie",
    "v_number": "7316284950",
    "nationality": "Wulpistan",
}
#: kept: the case code (the audit trail and the monitoring refer to it)
CODE = "RET-001"


def old_case(store: Any) -> dict[str, Any]:
    """An overleg with a case that left on 2023-05-17, with the words of :data:`SECRETS`
    in its view, decision, action, summary and sensitive details; a second, recent case."""
    ov = store.create_overleg("LSO Bewaarstad", "Bewaarstad")
    orgs = {k: store.add_organisation(ov.id, k.value, k) for k in
            (d.OrgKind.GEMEENTE, d.OrgKind.IND, d.OrgKind.DTENV, d.OrgKind.NGO)}
    case = store.create_case(ov.id, CODE, intake_date="2022-09-12",
                             v_number=SECRETS["v_number"], nationality=SECRETS["nationality"],
                             health_flag=True)
    meeting = store.create_meeting(ov.id, "2023-05-10", standard_agenda=False)
    item = store.add_agenda_item(meeting.id, d.ItemKind.CASE, case_id=case.id)
    store.record_view(item.id, orgs[d.OrgKind.NGO].id, d.Position.RETURN,
                      f"{SECRETS['note']} bij de ngo", audience="chair")
    store.decide(item.id, d.Perspective.RETURN, f"{SECRETS['rationale']} unaniem")
    store.add_action(item.id, orgs[d.OrgKind.DTENV].id, f"{SECRETS['action']} plannen",
                     "2023-05-24")
    store.set_minutes_text(meeting.id, item.id, f"{SECRETS['summary']} van het overleg")
    store.record_case_detail(case.id, orgs[d.OrgKind.IND].id, f"{SECRETS['detail']} melding",
                             topic="police")
    store.record_exit(case.id, "2023-05-17", d.OutcomeSubtype.RETURN, item_id=item.id)
    recent = store.create_case(ov.id, "RET-002", intake_date="2025-01-06")
    return {"overleg": ov, "orgs": orgs, "case": case, "item": item, "meeting": meeting,
            "recent": recent}


_PAGE, _RESERVE = 4096, 80


def _aes_cbc_decrypt(key: bytes, iv: bytes, data: bytes) -> bytes:
    lib = ctypes.CDLL(ctypes.util.find_library("crypto") or "libcrypto.so.3")
    lib.EVP_CIPHER_CTX_new.restype = ctypes.c_void_p
    lib.EVP_aes_256_cbc.restype = ctypes.c_void_p
    lib.EVP_DecryptInit_ex.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p,
                                       ctypes.c_char_p, ctypes.c_char_p]
    lib.EVP_CIPHER_CTX_set_padding.argtypes = [ctypes.c_void_p, ctypes.c_int]
    lib.EVP_DecryptUpdate.argtypes = [ctypes.c_void_p, ctypes.c_char_p,
                                      ctypes.POINTER(ctypes.c_int), ctypes.c_char_p,
                                      ctypes.c_int]
    lib.EVP_CIPHER_CTX_free.argtypes = [ctypes.c_void_p]
    ctx = lib.EVP_CIPHER_CTX_new()
    try:
        assert lib.EVP_DecryptInit_ex(ctx, lib.EVP_aes_256_cbc(), None, key, iv) == 1
        lib.EVP_CIPHER_CTX_set_padding(ctx, 0)
        out = ctypes.create_string_buffer(len(data) + 32)
        n = ctypes.c_int(0)
        assert lib.EVP_DecryptUpdate(ctx, out, ctypes.byref(n), data, len(data)) == 1
        return out.raw[:n.value]
    finally:
        lib.EVP_CIPHER_CTX_free(ctx)


def _page(key: bytes, raw: bytes, first: bool) -> bytes:
    start = 16 if first else 0
    body = raw[start:_PAGE - _RESERVE]
    iv = raw[_PAGE - _RESERVE:_PAGE - _RESERVE + 16]
    return (b"SQLite format 3\x00" if first else b"") + _aes_cbc_decrypt(key, iv, body)


def decrypted_pages(path: Path, passphrase: str) -> tuple[list[bytes], list[bytes]]:
    """Every page of the SQLCipher 4 file (default settings) and every frame of its WAL,
    decrypted: used and free space alike."""
    data = path.read_bytes()
    salt = data[:16]
    key = hashlib.pbkdf2_hmac("sha512", passphrase.encode(), salt, 256000, 32)
    pages = [_page(key, data[i:i + _PAGE], i == 0) for i in range(0, len(data), _PAGE)]
    wal_path = path.with_name(path.name + "-wal")
    frames: list[bytes] = []
    if wal_path.exists():
        wal = wal_path.read_bytes()
        for off in range(32, len(wal) - 24 - _PAGE + 1, 24 + _PAGE):
            number = int.from_bytes(wal[off:off + 4], "big")
            frames.append(_page(key, wal[off + 24:off + 24 + _PAGE], number == 1))
    return pages, frames


def monitoring_counts(store: Any, overleg_id: str) -> dict[str, Any]:
    """The monthly counts of the report that retention keeps (by month: intake and left,
    by category and subtype) for 2022-2023."""
    out = {}
    for year in (2022, 2023):
        for month in range(1, 13):
            start = dt.date(year, month, 1)
            end = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1))
            m = store.monitoring(start, end, overleg_id).total.as_dict()
            out[start.isoformat()[:7]] = {k: m[k] for k in (
                "intake", "intake_cumulative", "left", "left_by_category",
                "left_by_subtype")}
    return out
