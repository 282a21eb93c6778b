"""Page digests and QR payloads."""

from __future__ import annotations

from app.documents import digest


def test_digest_depends_on_every_cell_and_the_order() -> None:
    rows = [("a", ("张三", "13800000001")), ("b", ("李四", "13800000002"))]
    base = digest.page_digest(rows)
    assert len(base) == digest.DIGEST_LEN
    assert digest.page_digest([("a", ("张三", "13800000009")), rows[1]]) != base
    assert digest.page_digest(list(reversed(rows))) != base
    assert digest.page_digest([("c", ("张三", "13800000001")), rows[1]]) != base
    assert digest.page_digest(rows) == base


def test_payload_round_trip_and_rejects_foreign_codes() -> None:
    p = digest.Payload("6eb6b648-4c26-4da2-b7c5-f819dc9130f6", 3, "0123456789ab")
    assert digest.parse_payload(p.encode()) == p
    assert digest.parse_payload("https://example.com") is None
    assert p.encode() == "REGDESK:6EB6B648-4C26-4DA2-B7C5-F819DC9130F6:3:0123456789AB"
    assert digest.parse_payload("REGDESK:x:y:0123456789ab") is None
    assert digest.parse_payload("REGDESK:x:1:XYZ") is None
    assert digest.short_id(p.doc_uuid) == "6EB6B648"
