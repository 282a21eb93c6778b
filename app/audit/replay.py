"""``audit verify --deep``: replay the trail's after-values and compare them with today's rows.

The chain check proves the events were not changed; this proves the rows were not changed
without an event. Every audited table is covered: candidates, review decisions, waivers,
captures, users, the college and desk, settings, reference lists (and their rows, by digest),
printed documents and the review's findings (by count). A row that differs is named with its
table, record and field, the value the trail leads to and the value in the database.

What the trail cannot tell is said, never guessed: a row older than the trail, a field an older
event did not record, a change made by an event this version does not know. Those are counted
in the notes; they are not differences.

Streaming: the candidate events are read in (candidate, seq) order from their index and merged
with the candidate rows and their decisions, waivers and captures, each read in candidate order,
so memory holds one candidate at a time whatever the size of the roster. The other tables are
small and read whole.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from sqlalchemy import Date, String, func, select, type_coerce
from sqlalchemy.orm import Session

from app.audit.service import (
    LOCAL_DESK_KEY,
    PAYLOADS_FROM_KEY,
    Difference,
    RowsDigest,
    canonical,
    password_digest,
)
from app.auth import ROLES
from app.domain.candidate import FIELD_NAMES, LABELS, STATUS_LABELS
from app.domain.review import OFFICES
from app.settings.service import DEFINITIONS, INTERNAL
from app.tasks import CancelToken, Progress, no_progress
from db.models import (
    AuditEvent,
    Candidate,
    Capture,
    College,
    Desk,
    Document,
    Finding,
    Meta,
    ReferenceList,
    ReferenceRecord,
    ReviewDecision,
    Setting,
    User,
    Waiver,
)

CANDIDATE_COLUMNS = (*FIELD_NAMES, "status", "serial_number")
CANDIDATE_LABELS = LABELS | {"status": "状态", "serial_number": "考生序号"}
# Candidate events whose effect on decisions, waivers and captures the replay knows. Any other
# action on a candidate (a later feature's) leaves those unknown from then on.
KNOWN_CANDIDATE_ACTIONS = {"candidate.create", "candidate.update", "review.decide", "review.reopen", "waiver.add",
                           "waiver.revoke", "waiver.signed", "capture.record", "capture.override"}
REVIEW_FIELDS = {"decision": "审核结论", "opinion": "审核意见", "reviewer": "审核人"}
WAIVER_FIELDS = {"reason": "放弃原因", "waived_on": "放弃日期", "form_signed": "附件1 已签字", "active": "有效",
                 "revoke_reason": "撤回原因"}
CAPTURE_FIELDS = {"kind": "类型", "subkind": "子类", "sha256": "文件哈希", "device": "设备",
                  "override_reason": "放行理由", "quality": "质量数据", "active": "当前使用", "operator": "操作员"}
USER_FIELDS = {"username": "用户名", "display_name": "姓名", "role": "角色", "office": "所属部门", "active": "启用",
               "password_digest": "密码"}
LIST_FIELDS = {"kind": "名单类型", "file_name": "文件名", "file_sha256": "文件哈希", "row_count": "行数",
               "active": "现用", "records": "名单行数（存储）", "records_digest": "名单内容摘要"}
DOCUMENT_FIELDS = {"form": "表格", "title": "标题", "row_count": "条数", "pages": "页数", "digests": "各页摘要"}
CHUNK = 500

Known = tuple[object, int]  # (value the trail leads to, the event that set it)


def norm(value: object) -> object:
    """One form for a value read from the trail (JSON) or from a row (typed): empty is None,
    dates are ISO text, containers are canonical JSON."""
    if value is None or value == "":
        return None
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (dict, list, tuple)):
        return canonical(value)
    return value


def show(value: object) -> str:
    if value is None or value == "":
        return "（空）"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (dict, list, tuple)):
        value = canonical(value)
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "…"


def _json(text: str) -> dict:
    if not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


@dataclass
class Report:
    """Differences and the tally of what could not be verified."""

    local_desk: str
    genesis_at: dt.datetime | None
    payloads_from: int
    differences: list[Difference] = field(default_factory=list)
    unverified: Counter[tuple[str, str]] = field(default_factory=Counter)

    def differ(self, table: str, key: str, record: str, column: str, label: str, trail: object,
               database: object, seq: int | None) -> None:
        where = f"（第 {seq} 条）" if seq else ""
        names = STATUS_LABELS if column == "status" else ROLES if column == "role" else {}
        shown_trail, shown_db = (names.get(v, v) if isinstance(v, str) else v for v in (trail, database))
        message = f"{record}的{label}：审计记录为“{show(shown_trail)}”{where}，数据库中为“{show(shown_db)}”。"
        self.differences.append(Difference(table, key, record, column, label, norm(trail), norm(database), seq,
                                           message))

    def no_events(self, table: str, key: str, record: str) -> None:
        self.differences.append(Difference(
            table, key, record, "", "", None, "（有）", None,
            f"{record}在数据库中，审计记录里却没有它的任何记录（不是经由本程序写入或修改的）。"))

    def not_in_db(self, table: str, key: str, record: str, seq: int | None) -> None:
        where = f"（第 {seq} 条）" if seq else ""
        self.differences.append(Difference(
            table, key, record, "", "", "（有）", None, None,
            f"{record}在审计记录中{where}，数据库中却没有（被直接删除）。"))

    def unknown(self, what: str, why: str, n: int = 1) -> None:
        self.unverified[(what, why)] += n

    def compare(self, table: str, key: str, record: str, known: dict[str, Known], row: dict[str, object],
                labels: dict[str, str], what: str, created: bool = True) -> None:
        """Compare the fields the trail knows; count those it does not.

        ``created``: the trail has the row's creation, so a field it lacks was not recorded by an
        older version; otherwise the row is older than the trail and only its later changes are known.
        """
        partial = False
        for column, label in labels.items():
            if column not in row:
                continue
            if column not in known:
                if created:
                    self.unknown(f"{what}的{label}", "的记录由旧版本写入，未记下这一项，无法核对")
                partial = True
                continue
            trail, seq = known[column]
            value = row[column]
            if trail != value and norm(trail) != norm(value):
                self.differ(table, key, record, column, label, trail, value, seq)
        if partial and not created:
            self.unknown(what, "建于审计记录开始之前，只核对了之后修改过的项")

    def orphan_row(self, table: str, key: str, record: str, what: str, origin: str,
                   created: dt.datetime | None, uncertain: str = "") -> None:
        """A row the trail says nothing about."""
        if origin and origin != self.local_desk:
            self.unknown(what, "来自其他报名点（由该报名点自己的审计记录核对）")
        elif self.genesis_at is None or (created is not None and created < self.genesis_at):
            self.unknown(what, "建于审计记录开始之前，无法核对")
        elif uncertain:
            self.unknown(what, uncertain)
        else:
            self.no_events(table, key, record)

    def notes(self) -> list[str]:
        return [f"{what}：{n} 条{why}。" for (what, why), n in sorted(self.unverified.items())]


# -- candidates and what hangs off them ---------------------------------------------------------
@dataclass
class _Candidate:
    """What the trail says about one candidate, as its events are replayed in order."""

    fields: dict[str, Known] = field(default_factory=dict)
    created: int | None = None
    first_seq: int = 0
    reviews: dict[str, dict[str, Known]] = field(default_factory=dict)
    waiver: dict[str, Known] | None = None
    captures: dict[str, dict[str, Known]] = field(default_factory=dict)
    uncertain: str = ""  # why decisions, waivers and captures are unknown (an unknown action)

    def apply(self, seq: int, action: str, actor: str, before_text: str, after: dict) -> None:
        if not self.first_seq:
            self.first_seq = seq
        if action == "candidate.create":
            # Creation records the non-empty fields (the import and the demo leave empty ones out);
            # a new candidate is on the roster with no serial number.
            self.created = seq
            for column in CANDIDATE_COLUMNS:
                self.fields[column] = (after.get(column), seq)
            self.fields["status"] = (after.get("status", "roster"), seq)
        else:
            for column, value in after.items():
                if column in CANDIDATE_COLUMNS:
                    self.fields[column] = (value, seq)
        if action == "review.decide":
            offices = after.get("offices") if isinstance(after.get("offices"), list) else [after.get("office")]
            for office in offices:
                if not office:
                    continue
                self.reviews[office] = {"decision": (after.get("decision"), seq),
                                        "opinion": (after.get("opinion", ""), seq),
                                        "reviewer": (after.get("reviewer", actor), seq)}
        elif action == "waiver.add":
            self.waiver = {"reason": (after.get("reason"), seq), "waived_on": (after.get("date"), seq),
                           "form_signed": (False, seq), "active": (True, seq), "revoke_reason": ("", seq)}
        elif action == "waiver.revoke":
            self.waiver = self.waiver or {}
            self.waiver.update(active=(False, seq), revoke_reason=(after.get("revoke_reason"), seq))
        elif action == "waiver.signed":
            self.waiver = self.waiver or {}
            self.waiver["form_signed"] = (bool(after.get("form_signed")), seq)
        elif action in ("capture.record", "capture.override"):
            replaced = _json(before_text).get("capture")
            if replaced:
                self.captures.setdefault(replaced, {})["active"] = (False, seq)
            if after.get("capture"):
                self.captures[after["capture"]] = {
                    **{k: (after.get(k, ""), seq) for k in ("kind", "subkind", "sha256", "device", "override_reason")},
                    "quality": (after.get("quality") or {}, seq), "active": (True, seq), "operator": (actor, seq)}
        elif action not in KNOWN_CANDIDATE_ACTIONS:
            self.reviews.clear()
            self.waiver = None
            self.captures.clear()
            self.uncertain = f"第 {seq} 条记录（{action}）之后的变化本版本无法重放"


def _grouped(rows: Iterator, key_index: int = 0) -> Iterator[tuple[str, list]]:
    for key, group in itertools.groupby(rows, key=lambda r: r[key_index]):
        yield key, list(group)


class _Aligned:
    """Rows ordered by candidate uuid, taken one candidate at a time."""

    def __init__(self, rows: Iterator) -> None:
        self._groups = _grouped(rows)
        self._next = next(self._groups, None)

    def take(self, uuid: str) -> list:
        while self._next is not None and self._next[0] < uuid:
            self._next = next(self._groups, None)  # belongs to no candidate: cannot happen (joined)
        if self._next is not None and self._next[0] == uuid:
            rows = self._next[1]
            self._next = next(self._groups, None)
            return rows
        return []


def _candidate_name(row, state: _Candidate | None) -> str:
    if row is not None:
        name, sno, idn = row.name, row.student_no, row.id_number
    else:
        fields = state.fields if state else {}
        name = fields.get("name", ("?", 0))[0]
        sno = fields.get("student_no", (None, 0))[0]
        idn = fields.get("id_number", ("", 0))[0]
    if sno:
        return f"考生 {name}（学号 {sno}）"
    return f"考生 {name}（身份证号 {idn}）" if idn else f"考生 {name}"


def _check_candidates(s: Session, report: Report, progress: Progress, cancel: CancelToken | None) -> None:
    ev = AuditEvent.__table__
    events = s.execute(select(ev.c.entity_uuid, ev.c.seq, ev.c.action, ev.c.actor, ev.c.before, ev.c.after)
                       .where(ev.c.entity_type == "candidate").order_by(ev.c.entity_uuid, ev.c.seq)
                       .execution_options(yield_per=5000))
    c = Candidate.__table__
    # Dates as stored (ISO text, as the trail has them): parsing 20,000 rows' dates only to print
    # them again is most of the comparison's cost.
    cand_cols = [type_coerce(c.c[name], String).label(name) if isinstance(c.c[name].type, Date) else c.c[name]
                 for name in CANDIDATE_COLUMNS]
    cands = s.execute(select(c.c.uuid, c.c.created_at, c.c.origin_desk, *cand_cols).order_by(c.c.uuid)
                      .execution_options(yield_per=2000))
    r = ReviewDecision.__table__
    reviews = _Aligned(s.execute(
        select(c.c.uuid, r.c.office, r.c.decision, r.c.opinion, r.c.reviewer, r.c.created_at, r.c.origin_desk)
        .join(c, c.c.id == r.c.candidate_id).order_by(c.c.uuid, r.c.office).execution_options(yield_per=2000)))
    w = Waiver.__table__
    waivers = _Aligned(s.execute(
        select(c.c.uuid, w.c.reason, w.c.waived_on, w.c.form_signed, w.c.active, w.c.revoke_reason, w.c.created_at,
               w.c.origin_desk)
        .join(c, c.c.id == w.c.candidate_id).order_by(c.c.uuid).execution_options(yield_per=2000)))
    k = Capture.__table__
    captures = _Aligned(s.execute(
        select(c.c.uuid, k.c.uuid.label("capture"), k.c.kind, k.c.subkind, k.c.sha256, k.c.device,
               k.c.override_reason, k.c.quality, k.c.active, k.c.operator, k.c.created_at, k.c.origin_desk)
        .join(c, c.c.id == k.c.candidate_id).order_by(c.c.uuid, k.c.id).execution_options(yield_per=2000)))

    total = s.scalar(select(func.count()).select_from(Candidate)) or 0
    groups = _grouped(events)
    ev_next = next(groups, None)
    row = next(cands, None)
    done = 0
    while ev_next is not None or row is not None:
        if row is None or (ev_next is not None and ev_next[0] < row.uuid):
            uuid, group, row_now = ev_next[0], ev_next[1], None
            ev_next = next(groups, None)
        elif ev_next is None or row.uuid < ev_next[0]:
            uuid, group, row_now = row.uuid, [], row
            row = next(cands, None)
        else:
            uuid, group, row_now = row.uuid, ev_next[1], row
            ev_next, row = next(groups, None), next(cands, None)
        if row_now is not None:
            done += 1
            if done % CHUNK == 0:
                if cancel is not None:
                    cancel.raise_if_cancelled()
                progress(done, total, f"正在核对考生：第 {done} 名（共 {total} 名）…")
        state = _Candidate()
        for e in group:
            state.apply(e.seq, e.action, e.actor, e.before, _json(e.after))
        _compare_candidate(report, uuid, row_now, state if group else None, reviews.take(uuid),
                           waivers.take(uuid), captures.take(uuid))
    progress(total, total, "考生已核对。")


def _compare_candidate(report: Report, uuid: str, row, state: _Candidate | None, reviews: list, waivers: list,
                       captures: list) -> None:
    record = _candidate_name(row, state)
    if row is None:
        assert state is not None
        report.not_in_db("candidates", uuid, record, state.created or state.first_seq)
        return
    if state is None:
        report.orphan_row("candidates", uuid, record, "考生", row.origin_desk, row.created_at)
        state = _Candidate(uncertain="考生本身没有审计记录")
    else:
        values = dict(zip(CANDIDATE_COLUMNS, row[3:], strict=True))
        report.compare("candidates", uuid, record, state.fields, values, CANDIDATE_LABELS, "考生",
                       created=state.created is not None)

    seen: set[str] = set()
    for rv in reviews:
        seen.add(rv.office)
        office = OFFICES.get(rv.office, rv.office)
        who = f"{record}的{office}审核意见"
        known = state.reviews.get(rv.office)
        if known is None:
            report.orphan_row("reviews", f"{uuid}/{rv.office}", who, "审核意见", rv.origin_desk, rv.created_at,
                              state.uncertain)
            continue
        report.compare("reviews", f"{uuid}/{rv.office}", who, known,
                       {"decision": rv.decision, "opinion": rv.opinion, "reviewer": rv.reviewer}, REVIEW_FIELDS,
                       "审核意见")
    for office, known in state.reviews.items():
        if office not in seen:
            report.not_in_db("reviews", f"{uuid}/{office}", f"{record}的{OFFICES.get(office, office)}审核意见",
                             max(seq for _v, seq in known.values()))

    if waivers:
        wv = waivers[0]
        who = f"{record}的放弃报名登记"
        if state.waiver is None:
            report.orphan_row("waivers", uuid, who, "放弃报名登记", wv.origin_desk, wv.created_at, state.uncertain)
        else:
            report.compare("waivers", uuid, who, state.waiver,
                           {"reason": wv.reason, "waived_on": wv.waived_on, "form_signed": wv.form_signed,
                            "active": wv.active, "revoke_reason": wv.revoke_reason}, WAIVER_FIELDS, "放弃报名登记",
                           created="reason" in state.waiver)
    elif state.waiver is not None and "reason" in state.waiver:
        report.not_in_db("waivers", uuid, f"{record}的放弃报名登记", state.waiver["reason"][1])

    seen = set()
    for cp in captures:
        seen.add(cp.capture)
        known_cp = state.captures.get(cp.capture)
        who = f"{record}的采集记录 {cp.kind}{('/' + cp.subkind) if cp.subkind else ''}（{cp.capture[:8]}）"
        if known_cp is None:
            report.orphan_row("captures", cp.capture, who, "采集记录", cp.origin_desk, cp.created_at, state.uncertain)
            continue
        report.compare("captures", cp.capture, who, known_cp,
                       {"kind": cp.kind, "subkind": cp.subkind, "sha256": cp.sha256, "device": cp.device,
                        "override_reason": cp.override_reason, "quality": _json(cp.quality) if cp.quality else {},
                        "active": cp.active, "operator": cp.operator}, CAPTURE_FIELDS, "采集记录",
                       created="kind" in known_cp)
    for capture_uuid, known_cp in state.captures.items():
        if capture_uuid not in seen and "kind" in known_cp:
            report.not_in_db("captures", capture_uuid, f"{record}的采集记录（{capture_uuid[:8]}）",
                             known_cp["kind"][1])


# -- the small tables ---------------------------------------------------------------------------
def _events(s: Session, entity_type: str) -> list:
    ev = AuditEvent.__table__
    return s.execute(select(ev.c.seq, ev.c.action, ev.c.actor, ev.c.origin_desk, ev.c.entity_uuid, ev.c.before,
                            ev.c.after).where(ev.c.entity_type == entity_type).order_by(ev.c.seq)).all()


def _check_users(s: Session, report: Report) -> None:
    known: dict[str, dict[str, Known]] = {}
    first: dict[str, int] = {}
    for e in _events(s, "user"):
        if not e.entity_uuid:
            continue  # a failed login with an unknown name
        after = _json(e.after)
        state = known.setdefault(e.entity_uuid, {})
        first.setdefault(e.entity_uuid, e.seq)
        if e.action == "user.create":
            state["active"] = (True, e.seq)
        if e.action == "user.password" and "password_digest" not in after:
            state.pop("password_digest", None)  # an older event: the new password is not known
        for column in USER_FIELDS:
            if column in after:
                state[column] = (after[column], e.seq)
    u = User.__table__
    for row in s.execute(select(u.c.uuid, u.c.username, u.c.display_name, u.c.role, u.c.office, u.c.active,
                                u.c.password_hash,
                                u.c.created_at, u.c.origin_desk)):
        record = f"用户“{row.username}”"
        state = known.pop(row.uuid, None)
        if state is None:
            report.orphan_row("users", row.uuid, record, "用户", row.origin_desk, row.created_at)
            continue
        created = "username" in state
        digest = state.pop("password_digest", None)
        if digest is None:
            if created:
                report.unknown("用户的密码", "的最近一次设定由旧版本记录，未记下密码摘要，无法核对")
        elif digest[0] != password_digest(row.password_hash):
            # A hash is no value to show: say which event set the password last.
            seq = digest[1]
            report.differences.append(Difference(
                "users", row.uuid, record, "password_hash", "密码", f"（第 {seq} 条记录设定的密码）", "（另一个密码）",
                seq, f"{record}的密码不是审计记录中最后设定的那个（第 {seq} 条之后密码被直接改过）。"))
        report.compare("users", row.uuid, record, state,
                       {"username": row.username, "display_name": row.display_name, "role": row.role,
                        "office": row.office, "active": row.active}, USER_FIELDS, "用户", created=created)
    for uuid, state in known.items():
        if "username" in state:
            report.not_in_db("users", uuid, f"用户“{state['username'][0]}”", first[uuid])


def _check_college(s: Session, report: Report) -> None:
    colleges: dict[str, dict[str, Known]] = {}
    desks: dict[str, dict[str, Known]] = {}
    for e in _events(s, "college"):
        if e.action != "college.setup":
            continue
        after = _json(e.after)
        colleges[e.entity_uuid] = {"code": (after.get("code"), e.seq), "name": (after.get("name"), e.seq)}
        if e.origin_desk and "desk" in after:
            desks[e.origin_desk] = {"name": (after["desk"], e.seq)}
    co = College.__table__
    for row in s.execute(select(co.c.uuid, co.c.code, co.c.name, co.c.created_at, co.c.origin_desk)):
        record = f"学院 {row.code} {row.name}"
        state = colleges.pop(row.uuid, None)
        if state is None:
            report.orphan_row("colleges", row.uuid, record, "学院", row.origin_desk, row.created_at)
        else:
            report.compare("colleges", row.uuid, record, state, {"code": row.code, "name": row.name},
                           {"code": "学院代码", "name": "学院名称"}, "学院")
    de = Desk.__table__
    for row in s.execute(select(de.c.uuid, de.c.name, de.c.created_at, de.c.origin_desk)):
        record = f"报名点 {row.name}"
        state = desks.pop(row.uuid, None)
        if state is None:
            report.orphan_row("desks", row.uuid, record, "报名点", row.origin_desk, row.created_at)
        else:
            report.compare("desks", row.uuid, record, state, {"name": row.name}, {"name": "报名点名称"}, "报名点")
    for uuid, state in colleges.items():
        report.not_in_db("colleges", uuid, f"学院 {state['code'][0]} {state['name'][0]}", state["code"][1])


def _check_settings(s: Session, report: Report) -> None:
    last: dict[str, tuple[object, bool, int]] = {}
    for e in _events(s, "setting"):
        after = _json(e.after)
        if e.entity_uuid in after:
            last[e.entity_uuid] = (after[e.entity_uuid], bool(after.get("default")), e.seq)
    rows = {row.key: row for row in s.scalars(select(Setting))}
    for key in sorted(set(rows) | set(last)):
        if key in INTERNAL:
            continue  # kept by the services for themselves; the action that writes them is audited
        definition = DEFINITIONS.get(key)
        label = definition.label if definition else key
        record = f"设置“{label}”"
        row = rows.get(key)
        stored = json.loads(row.value) if row is not None and row.value else None
        if key not in last:
            if row is not None:
                report.orphan_row("settings", key, record, "设置", "", row.updated_at)
            continue
        value, default, seq = last[key]
        if default:
            if row is not None:
                report.differ("settings", key, record, "value", "值", "（默认值）", stored, seq)
        elif row is not None:
            if norm(value) != norm(stored):
                report.differ("settings", key, record, "value", "值", value, stored, seq)
        elif value is not None:
            now_default = definition.default() if definition else None
            if norm(value) == norm(now_default):
                continue
            if seq < report.payloads_from:
                # Written before resets were marked: a reset to a default that has since changed
                # (the graduation year) looks the same as a deleted row.
                report.unknown("设置", "在数据库中已是默认值，旧版本的记录无法区分恢复默认与被删除")
            else:
                report.differ("settings", key, record, "value", "值", value, "（没有保存的值，按默认值）", seq)


def _check_reference_lists(s: Session, report: Report) -> None:
    known: dict[str, dict[str, Known]] = {}
    for e in _events(s, "reference_list"):
        if e.action != "reference.import":
            continue
        after, before = _json(e.after), _json(e.before)
        for old in before.get("replaced") or []:
            known.setdefault(old, {})["active"] = (False, e.seq)
        state = {"kind": (after.get("kind"), e.seq), "file_name": (after.get("file"), e.seq),
                 "file_sha256": (after.get("sha256"), e.seq), "row_count": (after.get("rows"), e.seq),
                 "active": (True, e.seq), "records": (after.get("rows"), e.seq)}
        if "records_digest" in after:
            state["records_digest"] = (after["records_digest"], e.seq)
        known[e.entity_uuid] = {**known.get(e.entity_uuid, {}), **state}
    counts: Counter[int] = Counter()
    digests: dict[int, RowsDigest] = {}
    rr = ReferenceRecord.__table__
    for rec in s.execute(select(rr.c.list_id, rr.c.row_number, rr.c.student_no, rr.c.name, rr.c.id_number,
                                rr.c.data).order_by(rr.c.id).execution_options(yield_per=5000)):
        counts[rec.list_id] += 1
        digest = digests.get(rec.list_id)
        if digest is None:
            digest = digests[rec.list_id] = RowsDigest()
        digest.add(rec.row_number, rec.student_no, rec.name, rec.id_number, rec.data)
    rl = ReferenceList.__table__
    for row in s.execute(select(rl.c.id, rl.c.uuid, rl.c.kind, rl.c.file_name, rl.c.file_sha256, rl.c.row_count,
                                rl.c.active, rl.c.created_at, rl.c.origin_desk)):
        record = f"核对名单“{row.file_name}”"
        state = known.pop(row.uuid, None)
        if state is None:
            report.orphan_row("reference_lists", row.uuid, record, "核对名单", row.origin_desk, row.created_at)
            continue
        digest = digests.get(row.id)
        values = {"kind": row.kind, "file_name": row.file_name, "file_sha256": row.file_sha256,
                  "row_count": row.row_count, "active": row.active, "records": counts.get(row.id, 0),
                  "records_digest": digest.hexdigest() if digest else RowsDigest().hexdigest()}
        report.compare("reference_lists", row.uuid, record, state, values, LIST_FIELDS, "核对名单",
                       created="kind" in state)
    for uuid, state in known.items():
        if "file_name" in state:
            report.not_in_db("reference_lists", uuid, f"核对名单“{state['file_name'][0]}”", state["kind"][1])


def _check_documents(s: Session, report: Report) -> None:
    known: dict[str, dict[str, Known]] = {}
    for e in _events(s, "document"):
        after = _json(e.after)
        state = {"form": (after.get("form"), e.seq), "row_count": (after.get("rows"), e.seq),
                 "pages": (after.get("pages"), e.seq), "digests": (after.get("digests"), e.seq)}
        if "title" in after:
            state["title"] = (after["title"], e.seq)
        known[e.entity_uuid] = state
    d = Document.__table__
    for row in s.execute(select(d.c.uuid, d.c.form, d.c.title, d.c.row_count, d.c.pages, d.c.created_at,
                                d.c.origin_desk)):
        record = f"打印的表格《{row.title}》"
        state = known.pop(row.uuid, None)
        if state is None:
            report.orphan_row("documents", row.uuid, record, "打印记录", row.origin_desk, row.created_at)
            continue
        try:
            pages = json.loads(row.pages) if row.pages else []
        except ValueError:
            pages = None
        digests = [p.get("digest") for p in pages] if isinstance(pages, list) else None
        report.compare("documents", row.uuid, record, state,
                       {"form": row.form, "title": row.title, "row_count": row.row_count,
                        "pages": len(pages) if isinstance(pages, list) else None, "digests": digests},
                       DOCUMENT_FIELDS, "打印记录")
    for uuid, state in known.items():
        report.not_in_db("documents", uuid, f"打印的表格（{state['form'][0]}）", state["form"][1])


def _check_findings(s: Session, report: Report) -> None:
    ev = AuditEvent.__table__
    last = s.execute(select(ev.c.seq, ev.c.after).where(ev.c.action == "review.run")
                     .order_by(ev.c.seq.desc()).limit(1)).first()
    f = Finding.__table__
    stored = dict(s.execute(select(f.c.code, func.count()).group_by(f.c.code)).all())
    if last is None:
        if stored:
            oldest = s.scalar(select(func.min(f.c.created_at)))
            report.orphan_row("findings", "", "比对问题", "比对问题", "", oldest)
        return
    counts = _json(last.after).get("counts")
    if not isinstance(counts, dict):
        report.unknown("比对问题", "的最近一次比对没有记下各类问题的条数")
        return
    for code in sorted(set(counts) | set(stored)):
        trail, now = counts.get(code, 0), stored.get(code, 0)
        if trail != now:
            report.differ("findings", code, f"比对问题“{code}”", "count", "条数", trail, now, last.seq)


# -- entry point --------------------------------------------------------------------------------
def replay(s: Session, *, progress: Progress = no_progress, cancel: CancelToken | None = None) -> Report:
    """Compare every audited table with the trail; ``s`` should read one snapshot (as ``Database.read`` does)."""
    meta = {m.key: m.value for m in s.scalars(select(Meta).where(Meta.key.in_((LOCAL_DESK_KEY, PAYLOADS_FROM_KEY))))}
    try:
        payloads_from = int(meta.get(PAYLOADS_FROM_KEY) or 0)
    except ValueError:
        payloads_from = 0
    genesis_at = s.scalar(select(AuditEvent.at).order_by(AuditEvent.seq).limit(1))
    report = Report(meta.get(LOCAL_DESK_KEY, ""), genesis_at, payloads_from)
    progress(0, 0, "正在核对用户、设置和名单…")
    for step in (_check_users, _check_college, _check_settings, _check_reference_lists, _check_documents,
                 _check_findings):
        if cancel is not None:
            cancel.raise_if_cancelled()
        step(s, report)
    _check_candidates(s, report, progress, cancel)
    return report
