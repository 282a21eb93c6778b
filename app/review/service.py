"""The eligibility review and waivers: compare every candidate with the reference lists, record the
offices' decisions, and record or revoke 放弃报名考试资格.

``ReviewService.run`` replaces the findings and keeps the decisions; a candidate's status follows
from the decisions that still stand and a waiver (``app.domain.review.review_status``): waived stays
waived, any standing fail makes the candidate ineligible, three standing passes make the candidate
eligible.

Each decision keeps its basis, the office's findings when it was made. A comparison that finds
something new for an office whose pass was based on less reopens that pass: it no longer counts,
the candidate goes back to 在册 (to be reviewed again), and the run says so and audits it. A fail
whose findings have all gone is marked “依据已消除，需重新审核” and no longer counts either. Both
are computed from the basis and the current findings (``rules.standing``), so a later comparison
that finds the old facts again restores them.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from dataclasses import asdict, dataclass, field, replace

from sqlalchemy import bindparam, delete, select
from sqlalchemy.orm import Session

from app.audit.service import AuditService, EventSpec, uuid4_batch
from app.auth import Actor, require
from app.domain import review as rules
from app.domain.candidate import STATUS_LABELS
from app.domain.status import REVIEW, REVIEW_STATES, WAIVE
from app.errors import ConflictError, ValidationError
from app.review.reference import load_active
from app.roster.candidates import CandidateWriter, PreparedChange, find_candidate
from app.settings.service import SettingsService
from app.setup.college import desk_college
from app.tasks import CancelToken, Progress, no_progress
from db.bulk import bulk_insert
from db.models import Candidate, Finding, ReviewDecision, ReviewRun, User, Waiver, finding_uuid, utcnow
from db.replication import bump_values, insert_values, take_tombstones, write_tombstones
from db.session import Database

REVIEWABLE = REVIEW_STATES  # later statuses are past the review
CHUNK = 1000
LAST_RUN = "review_last_run"


# -- results ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class FindingView:
    code: str
    office: str
    message: str
    list_id: int | None
    source_row: int | None
    source: dict

    @property
    def label(self) -> str:
        return rules.FINDINGS.get(self.code, (self.office, self.code))[1]


@dataclass(frozen=True)
class DecisionView:
    office: str
    decision: str  # pass | fail
    opinion: str
    reviewer: str
    decided_at: dt.datetime
    standing: str = rules.VALID  # valid | reopened | stale (rules.standing)
    standing_reason: str = ""  # why it no longer stands
    basis: tuple[tuple[str, str], ...] = ()  # the office's (code, message) findings when decided
    reviewer_name: str = ""  # the reviewer's display name (users.display_name), "" for an unknown login

    @property
    def reviewer_label(self) -> str:
        """Who decided, as people know them: the display name, else the login."""
        return self.reviewer_name or self.reviewer

    @property
    def stands(self) -> bool:
        return self.standing == rules.VALID

    @property
    def standing_label(self) -> str:
        return rules.STANDING_LABELS.get(self.standing, "")


@dataclass(frozen=True)
class WaiverView:
    reason: str
    waived_on: dt.date
    form_signed: bool
    active: bool
    revoked_at: dt.datetime | None
    revoke_reason: str


@dataclass
class ReviewRow:
    uuid: str
    student_no: str
    name: str
    id_number: str
    class_name: str
    major: str
    intended_major: str
    status: str
    findings: list[FindingView] = field(default_factory=list)
    decisions: dict[str, DecisionView] = field(default_factory=dict)
    waiver: WaiverView | None = None

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def reason(self) -> str:
        """Why the candidate is ineligible: the opinions of the failing offices whose fail stands."""
        return rules.failing_reason({o: (d.decision, d.opinion) for o, d in self.decisions.items() if d.stands})

    @property
    def needs_review(self) -> bool:
        """An office's decision no longer stands (reopened pass, fail without its basis): not settled."""
        return any(not d.stands for d in self.decisions.values())

    @property
    def standing_notes(self) -> list[str]:
        """“教务处：依据已消除，需重新审核（…）” per decision that no longer stands."""
        return [f"{rules.OFFICES.get(o, o)}：{d.standing_label}（{d.standing_reason}）"
                for o, d in self.decisions.items() if not d.stands]


@dataclass(frozen=True)
class DecisionChange:
    """What a comparison did to one office's decision."""

    office: str
    decision: str  # pass | fail
    standing: str  # the decision's standing after the run (valid when restored)
    reason: str

    @property
    def text(self) -> str:
        label = rules.OFFICES.get(self.office, self.office)
        verdict = "审核通过" if self.decision == "pass" else "审核不通过"
        if self.standing == rules.REOPENED:
            return f"{label}的{verdict}不再计入，需重新审核（{self.reason}）"
        if self.standing == rules.STALE:
            return f"{label}的{verdict}依据已消除，需重新审核（{self.reason}）"
        return f"{label}的{verdict}重新有效（比对结果与审核时一致）"


@dataclass(frozen=True)
class Change:
    uuid: str
    student_no: str
    name: str
    new: list[str]  # finding messages that appeared
    resolved: list[str]  # finding messages that went away
    decisions: list[DecisionChange] = field(default_factory=list)
    status_before: str = ""
    status_after: str = ""


@dataclass(frozen=True)
class RunResult:
    candidates: int
    with_findings: int
    counts: dict[str, int]  # finding code -> number of findings
    changes: list[Change]
    first_run: bool
    warnings: list[str]
    graduation_year: int = 0
    graduation_year_default: bool = False  # the year came from the date, not from a setting
    needs_review: int = 0  # candidates with a decision that no longer stands, after the run
    run_at: dt.datetime | None = None
    actor: str = ""

    @property
    def reopened(self) -> int:
        """Candidates this run re-opened (a pass no longer counted, or a fail without its basis)."""
        return sum(1 for c in self.changes if any(d.standing != rules.VALID for d in c.decisions))

    @property
    def year_text(self) -> str:
        how = "（未设置，按今天的日期推定；可在设置中修改）" if self.graduation_year_default else "（设置）"
        return f"{self.graduation_year} 届{how}"


@dataclass(frozen=True)
class OfficeApproval:
    """What ``approve_clean`` did for one office: every candidate in review lands in one count."""

    office: str
    approved: int  # a pass recorded now
    skipped_with_findings: int  # has findings: left for a person to decide
    skipped_decided: int  # already has this office's decision, which stands
    needs_review: int  # has this office's decision, which no longer stands: left for a person


@dataclass(frozen=True)
class ApproveResult:
    office: str
    approved: int  # decisions recorded
    candidates: int  # distinct candidates given a pass
    skipped_with_findings: int  # candidates with findings
    skipped_decided: int  # candidates who already had every requested office's decision
    offices: dict[str, OfficeApproval] = field(default_factory=dict)
    needs_review: int = 0  # candidates with a requested office's decision that no longer stands
    skipped_waived: int = 0  # candidates who waived (not reviewed)
    skipped_later: int = 0  # candidates past the review (公示, 确认, 锁定)


def _check_office(office: str) -> None:
    if office not in rules.OFFICES:
        raise ValidationError(f"未知的审核部门“{office}”，应为：" +
                              "、".join(f"{k}（{v}）" for k, v in rules.OFFICES.items()) + "。", "office")


_basis = rules.parse_basis
_basis_json = rules.basis_json


def _findings_of(s: Session, candidate_id: int) -> list[tuple[str, str, str]]:
    return [tuple(r) for r in s.execute(select(Finding.office, Finding.code, Finding.message)
                                        .where(Finding.candidate_id == candidate_id).order_by(Finding.id))]


def _standings(rows, findings: list[tuple[str, str, str]]) -> dict[str, tuple[str, str]]:
    """office -> (decision, standing) for (office, decision, basis JSON) rows."""
    return {o: (d, rules.standing(d, _basis(b), rules.office_findings(findings, o))) for o, d, b in rows}


def _review_status(c: Candidate, s: Session) -> str:
    """The status ``c``'s standing decisions and waiver give it (written by ``CandidateWriter``)."""
    rows = s.execute(select(ReviewDecision.office, ReviewDecision.decision, ReviewDecision.basis)
                     .where(ReviewDecision.candidate_id == c.id)).all()
    decisions = _standings(rows, _findings_of(s, c.id))
    waived = s.scalar(select(Waiver.id).where(Waiver.candidate_id == c.id, Waiver.active.is_(True))) is not None
    return rules.review_status(waived, rules.effective(decisions))


def _prepare_status(uuid: str, name: str, revision: int, before: str, after: str, event: EventSpec) -> PreparedChange:
    """A batch's status change of one candidate, audited by ``event`` (which says why)."""
    return CandidateWriter.prepare(uuid, name, revision, before, {"status": before}, {"status": after},
                                   operation=REVIEW, action=event.action, summary=event.summary,
                                   event_before=event.before, event_after=event.after)


def _run_json(result: RunResult) -> str:
    data = asdict(result)
    data["run_at"] = result.run_at.isoformat() if result.run_at else None
    return json.dumps(data, ensure_ascii=False, default=str)


def _run_from_json(text: str) -> RunResult:
    data = json.loads(text)
    changes = [Change(**{**c, "decisions": [DecisionChange(**d) for d in c.get("decisions", [])]})
               for c in data.pop("changes", [])]
    run_at = data.pop("run_at", None)
    return RunResult(**data, changes=changes, run_at=dt.datetime.fromisoformat(run_at) if run_at else None)


class ReviewService:
    def __init__(self, db: Database, audit: AuditService, writer: CandidateWriter | None = None) -> None:
        self.db = db
        self.audit = audit
        self.writer = writer or CandidateWriter(audit)

    # -- the automatic comparison ---------------------------------------------------------------------
    def run(self, actor: Actor, *, progress: Progress | None = None,
            cancel: CancelToken | None = None) -> RunResult:
        """Compare every candidate with the active lists; replace the findings, keep the decisions,
        and re-open the decisions the new findings no longer support."""
        require(actor, "review.run")
        progress = progress or no_progress
        progress(0, 0, "正在读取名单…")
        with self.db.transaction() as s:
            lists = load_active(s)
            if lists.academic_id is None:
                raise ValidationError("尚未导入教务处学籍名单，无法比对。请先在“资格审查”页点“导入名单…”导入教务处学籍名单"
                                      "（命令行：regdesk-cli reference import academic 文件）。",
                                      "academic")
            warnings: list[str] = []
            if lists.conduct_id is None:
                warnings.append("尚未导入学生处处分名单，本次未核对处分。")
            if lists.majors_id is None:
                warnings.append("尚未导入专业对照表，本次未核对报考专业。")
            year = SettingsService.read(s, "graduation_year")
            year_default = not SettingsService.is_set(s, "graduation_year")
            by_sno: dict[str, rules.RefRow] = {}
            by_id: dict[str, rules.RefRow] = {}
            duplicates: list[rules.RefRow] = []
            for r in lists.academic:
                if r.data.get("duplicate_of"):
                    duplicates.append(r)
                    continue
                if r.student_no:
                    by_sno.setdefault(r.student_no, r)
                if r.id_number:
                    by_id.setdefault(r.id_number, r)
            # Some systems list a student once per failed course: those courses all count.
            for r in duplicates:
                first = by_sno.get(r.student_no)
                extra = rules.failed_list(r.data.get("failed_courses") or "")
                if first is None or not extra:
                    continue
                courses = rules.failed_list(first.data.get("failed_courses") or "")
                courses += [c for c in extra if c not in courses]
                merged = replace(first, data={**first.data, "failed_courses": "、".join(courses)})
                by_sno[r.student_no] = merged
                if first.id_number and by_id.get(first.id_number) is first:
                    by_id[first.id_number] = merged
            conduct_sno: dict[str, list[rules.RefRow]] = {}
            conduct_id: dict[str, list[rules.RefRow]] = {}
            for r in lists.conduct:
                if r.student_no:
                    conduct_sno.setdefault(r.student_no, []).append(r)
                if r.id_number:
                    conduct_id.setdefault(r.id_number, []).append(r)
            majors = None
            if lists.majors_id is not None:
                majors = rules.allowed_majors([(r.data.get("major", ""), r.data.get("allowed", ""))
                                               for r in lists.majors])
            college = desk_college(s)
            cands = s.execute(select(Candidate.id, Candidate.uuid, Candidate.student_no, Candidate.name,
                                     Candidate.id_number, Candidate.major, Candidate.intended_major,
                                     Candidate.status, Candidate.revision)
                              .where(Candidate.college_id == college.id)
                              .order_by(Candidate.id)).all()
            old: dict[int, list[tuple[str, str, str]]] = {}
            stored: dict[str, tuple] = {}  # uuid -> (id, revision, the columns a run may change)
            compared = {row[0] for row in cands}  # this college's candidates
            for fid, cid, uuid, frev, office, code, message, list_id, source_row in s.execute(
                    select(Finding.id, Finding.candidate_id, Finding.uuid, Finding.revision, Finding.office,
                           Finding.code, Finding.message, Finding.list_id, Finding.source_row).order_by(Finding.id)):
                if cid in compared:
                    old.setdefault(cid, []).append((office, code, message))
                    stored[uuid] = (fid, frev, (office, message, list_id, source_row))
            decided: dict[int, list[tuple[str, str, str]]] = {}
            for cid, office, decision, basis in s.execute(select(ReviewDecision.candidate_id, ReviewDecision.office,
                                                                 ReviewDecision.decision, ReviewDecision.basis)):
                decided.setdefault(cid, []).append((office, decision, basis))
            waived = set(s.scalars(select(Waiver.candidate_id).where(Waiver.active.is_(True))))
            first_run = SettingsService.read_internal(s, LAST_RUN) is None
            total = len(cands)
            counts: Counter[str] = Counter()
            changes: list[Change] = []
            events: list[EventSpec] = []
            status_updates: list[PreparedChange] = []
            with_findings = needs_review = 0
            batch: list[dict] = []
            now = utcnow()
            for k, (cid, uuid, sno, name, idn, major, intended, status, revision) in enumerate(cands):
                if k % CHUNK == 0:
                    if cancel is not None:
                        cancel.raise_if_cancelled()
                    progress(k, total, f"正在比对第 {k + 1} 名考生（共 {total} 名）…")
                academic = (by_sno.get(sno) if sno else None) or by_id.get(idn)
                seen: set[int] = set()
                conduct: list[rules.RefRow] = []
                for r in [*(conduct_sno.get(sno, []) if sno else []), *conduct_id.get(idn, [])]:
                    if id(r) not in seen:
                        seen.add(id(r))
                        conduct.append(r)
                specs = rules.compare({"student_no": sno, "name": name, "id_number": idn, "major": major,
                                       "intended_major": intended}, academic, conduct, majors, year)
                if specs:
                    with_findings += 1
                occurrences: Counter[tuple[str, str]] = Counter()
                for spec in specs:
                    counts[spec.code] += 1
                    source = json.dumps(spec.source, ensure_ascii=False, default=str)
                    n = occurrences[(spec.code, source)]
                    occurrences[(spec.code, source)] += 1
                    batch.append({"uuid": finding_uuid(uuid, spec.code, source, n), "candidate_id": cid,
                                  "code": spec.code, "office": spec.office, "message": spec.message,
                                  "list_id": spec.list_id, "source_row": spec.source_row, "source": source})
                before_findings = old.get(cid, [])
                after_findings = [(spec.office, spec.code, spec.message) for spec in specs]
                notes, after_status = self._restand(decided.get(cid, []), before_findings, after_findings,
                                                    status, cid in waived)
                if any(state != rules.VALID for _o, _d, state in
                       ((o, d, rules.standing(d, _basis(b), rules.office_findings(after_findings, o)))
                        for o, d, b in decided.get(cid, []))):
                    needs_review += 1
                messages = {m for _o, _c, m in after_findings}
                before = {m for _o, _c, m in before_findings}
                if notes or after_status != status or (not first_run and messages != before):
                    change = Change(uuid, sno or "", name, [] if first_run else sorted(messages - before),
                                    [] if first_run else sorted(before - messages), notes, status, after_status)
                    changes.append(change)
                    if after_status != status:
                        status_updates.append(_prepare_status(uuid, name, revision, status, after_status,
                                                              self._restand_event(change)))
                        events.append(status_updates[-1].event)
                    elif notes:
                        events.append(self._restand_event(change))
            self._write_findings(s, actor, batch, stored)
            SettingsService.write_internal(s, LAST_RUN, now.isoformat())
            result = RunResult(total, with_findings, dict(counts), changes, first_run, warnings, year, year_default,
                               needs_review, now, actor.username)
            summary = (f"资格审查比对（{year} 届）：{total} 名考生，{with_findings} 名有问题，共 {sum(counts.values())} 条"
                       + (f"；与上次相比 {len(changes)} 名考生有变化" if not first_run else "")
                       + (f"；{result.reopened} 名考生的审核意见不再成立，需重新审核" if result.reopened else ""))
            self.audit.record(s, actor.username, "review.run", entity_type="college",
                              entity_uuid=college.uuid, summary=summary,
                              after={"candidates": total, "with_findings": with_findings, "counts": dict(counts),
                                     "changed": len(changes), "graduation_year": year,
                                     "graduation_year_default": year_default, "reopened": result.reopened,
                                     "lists": {"academic": lists.academic_id, "conduct": lists.conduct_id,
                                               "majors": lists.majors_id}})
            self.writer.write_prepared(s, actor, status_updates, events=events, cancel=cancel, chunk=CHUNK)
            s.add(ReviewRun(actor=actor.username, graduation_year=year, result=_run_json(result)))
            progress(total, total, "比对完成。")
        return result

    @staticmethod
    def _write_findings(s: Session, actor: Actor, found: list[dict], stored: dict[str, tuple]) -> None:
        """Bring the stored findings to ``found``: a finding's UUID comes from its candidate, code and
        source row, so one found again is kept (a new revision only if its message, office or list
        changed), a new one is inserted and one no longer found is deleted, leaving a tombstone."""
        inserts, updates = [], []
        for row in found:
            was = stored.pop(row["uuid"], None)
            if was is None:
                inserts.append(row)
            elif was[2] != (row["office"], row["message"], row["list_id"], row["source_row"]):
                updates.append({"b_id": was[0], "office": row["office"], "message": row["message"],
                                "list_id": row["list_id"], "source_row": row["source_row"]})
        table = Finding.__table__
        if stored:  # no longer found
            ids = [fid for fid, _rev, _cols in stored.values()]
            write_tombstones(s, "findings", [(uuid, rev) for uuid, (_fid, rev, _cols) in stored.items()],
                             actor.username)
            for start in range(0, len(ids), CHUNK):
                s.execute(delete(Finding).where(Finding.id.in_(ids[start:start + CHUNK])))
        if updates:
            s.execute(table.update().where(table.c.id == bindparam("b_id")).values(**bump_values(table)), updates)
        if inserts:
            again = take_tombstones(s, "findings", [r["uuid"] for r in inserts])
            fixed = insert_values(s)
            for row in inserts:
                row.update(fixed)
                if row["uuid"] in again:  # found again after a run that had lost it
                    row["base_revision"] = again[row["uuid"]]
                    row["revision"] = again[row["uuid"]] + 1
            for start in range(0, len(inserts), CHUNK):
                bulk_insert(s, table, inserts[start:start + CHUNK])

    @staticmethod
    def _restand(decisions: list[tuple[str, str, str]], before: list[tuple[str, str, str]],
                 after: list[tuple[str, str, str]], status: str, waived: bool) -> tuple[list[DecisionChange], str]:
        """What new findings do to a candidate's decisions: the changes of standing, and the status."""
        notes: list[DecisionChange] = []
        now: dict[str, tuple[str, str]] = {}
        for office, decision, basis_text in sorted(decisions, key=lambda d: list(rules.OFFICES).index(d[0])
                                                   if d[0] in rules.OFFICES else 9):
            basis = _basis(basis_text)
            was = rules.standing(decision, basis, rules.office_findings(before, office))
            current = rules.office_findings(after, office)
            state = rules.standing(decision, basis, current)
            now[office] = (decision, state)
            if state != was:
                notes.append(DecisionChange(office, decision, state,
                                            rules.standing_reason(decision, state, basis, current)))
        if status not in REVIEWABLE:
            return notes, status  # past the review: the status is not the review's any more
        return notes, rules.review_status(waived, rules.effective(now))

    @staticmethod
    def _restand_event(change: Change) -> EventSpec:
        texts = "；".join(d.text for d in change.decisions)
        moved = ""
        if change.status_after != change.status_before:
            moved = (f"；状态 {STATUS_LABELS.get(change.status_before, change.status_before)} → "
                     f"{STATUS_LABELS.get(change.status_after, change.status_after)}")
        return EventSpec(
            "review.reopen", "candidate", change.uuid, f"{change.name}：{texts or '审核状态按比对结果更新'}{moved}",
            {"status": change.status_before},
            {"status": change.status_after,
             "decisions": {d.office: {"decision": d.decision, "standing": d.standing, "reason": d.reason}
                           for d in change.decisions}})

    def last_run(self) -> RunResult | None:
        """The last comparison as it was reported (its counts, graduation year and changes)."""
        with self.db.read() as s:
            row = s.scalar(select(ReviewRun).order_by(ReviewRun.id.desc()).limit(1))
            return _run_from_json(row.result) if row is not None else None

    def last_run_at(self) -> dt.datetime | None:
        """When the comparison last ran (UTC), or None: cheaper than ``last_run`` for a check."""
        with self.db.read() as s:
            return s.scalar(select(ReviewRun.created_at).order_by(ReviewRun.id.desc()).limit(1))

    # -- decisions ----------------------------------------------------------------------------------
    def decide(self, actor: Actor, key: str, office: str, passed: bool, opinion: str = "") -> ReviewRow:
        """Record one office's opinion on one candidate (replacing that office's earlier one), based
        on the office's findings as they are now."""
        _check_office(office)
        require(actor, "review.decide", office=office)
        opinion = (opinion or "").strip()
        if not passed and not opinion:
            raise ValidationError("审核不通过时必须填写意见（原因）。", "opinion")
        decision = "pass" if passed else "fail"
        with self.db.transaction() as s:
            c = find_candidate(s, key)
            self.writer.guard(c, REVIEW)
            basis = rules.office_findings(_findings_of(s, c.id), office)
            row = s.scalar(select(ReviewDecision).where(ReviewDecision.candidate_id == c.id,
                                                        ReviewDecision.office == office))
            status_before = c.status
            before = None
            if row is None:
                row = ReviewDecision(candidate_id=c.id, office=office, decision=decision, opinion=opinion,
                                     reviewer=actor.username, decided_at=utcnow(), basis=_basis_json(basis))
                s.add(row)
            else:
                before = {"decision": row.decision, "opinion": row.opinion, "reviewer": row.reviewer,
                          "status": status_before}
                row.decision, row.opinion, row.reviewer = decision, opinion, actor.username
                row.basis = _basis_json(basis)
                row.decided_at = utcnow()
            s.flush()
            status = _review_status(c, s)
            label = rules.OFFICES[office]
            self.writer.apply(
                s, actor, c, new_status=status, operation=REVIEW, action="review.decide", audit_unchanged=True,
                summary=f"{c.name}：{label}审核{'通过' if passed else '不通过'}" + (f"（{opinion}）" if opinion else ""),
                before=before or {"status": status_before},
                after={"office": office, "decision": decision, "opinion": opinion, "reviewer": actor.username,
                       "status": status, "basis": [m for _c, m in basis]})
            return self._rows(s, [c.id])[0]

    def approve_clean(self, actor: Actor, office: str = "all", *, progress: Progress | None = None,
                      cancel: CancelToken | None = None) -> ApproveResult:
        """A pass from ``office`` (or all three) for every candidate without findings, recorded per
        candidate. Left alone, and counted per office: candidates with findings, a decision of that
        office that stands, or one that no longer stands (a person must look again)."""
        require(actor, "review.decide", what="批量通过审核")
        offices = list(rules.OFFICES) if office == "all" else [office]
        for o in offices:
            _check_office(o)
            require(actor, "review.decide", office=o)
        progress = progress or no_progress
        with self.db.transaction() as s:
            if SettingsService.read_internal(s, LAST_RUN) is None:
                raise ConflictError("还没有运行过资格审查比对，无法判断哪些考生没有问题。请先在“资格审查”页点“运行比对”"
                                    "（命令行：regdesk-cli review run）。")
            findings: dict[int, list[tuple[str, str, str]]] = {}
            for cid, o, code, message in s.execute(select(Finding.candidate_id, Finding.office, Finding.code,
                                                          Finding.message).order_by(Finding.id)):
                findings.setdefault(cid, []).append((o, code, message))
            decisions: dict[int, dict[str, tuple[str, str]]] = {}
            for cid, o, d, basis in s.execute(select(ReviewDecision.candidate_id, ReviewDecision.office,
                                                     ReviewDecision.decision, ReviewDecision.basis)):
                current = rules.office_findings(findings.get(cid, []), o)
                decisions.setdefault(cid, {})[o] = (d, rules.standing(d, _basis(basis), current))
            # Plain rows, not ORM objects: 20,000 candidates must not take seconds to load.
            cands = s.execute(select(Candidate.id, Candidate.uuid, Candidate.name, Candidate.status, Candidate.revision)
                              .where(Candidate.college_id == desk_college(s).id).order_by(Candidate.id)).all()
            now = utcnow()
            fixed = insert_values(s)
            rows: list[dict] = []
            events: list[EventSpec] = []
            status_updates: list[PreparedChange] = []
            per_office = {o: Counter() for o in offices}
            skipped_findings = skipped_decided = touched = stale = waived = later = 0
            for cid, uuid, name, status, revision in cands:
                if status == "waived":
                    waived += 1
                    continue
                if status not in REVIEWABLE:
                    later += 1
                    continue
                mine = decisions.setdefault(cid, {})
                if any(o in mine and mine[o][1] != rules.VALID for o in offices):
                    stale += 1
                for o in offices:
                    if o in mine:
                        per_office[o]["decided" if mine[o][1] == rules.VALID else "stale"] += 1
                    elif cid in findings:
                        per_office[o]["findings"] += 1
                    else:
                        per_office[o]["approved"] += 1
                if cid in findings:
                    skipped_findings += 1
                    continue
                new_offices = [o for o in offices if o not in mine]
                if not new_offices:
                    skipped_decided += 1
                    continue
                touched += 1
                for o in new_offices:
                    mine[o] = ("pass", rules.VALID)
                    rows.append({"candidate_id": cid, "office": o, "decision": "pass", "opinion": "",
                                 "reviewer": actor.username, "decided_at": now, "basis": "[]", **fixed})
                # Only roster/eligible/ineligible candidates are here, so none has an active waiver.
                after = rules.review_status(False, rules.effective(mine))
                names = "、".join(rules.OFFICES[o] for o in new_offices)
                event = EventSpec("review.decide", "candidate", uuid,
                                  f"{name}：{names}审核通过（无比对问题，批量通过）", {"status": status},
                                  {"offices": new_offices, "decision": "pass", "batch": True,
                                   "reviewer": actor.username, "status": after, "basis": []})
                if after != status:
                    status_updates.append(_prepare_status(uuid, name, revision, status, after, event))
                    event = status_updates[-1].event
                events.append(event)
            uuids = uuid4_batch(len(rows))
            for r in rows:
                r["uuid"] = next(uuids)
            for start in range(0, len(rows), CHUNK):
                if cancel is not None:
                    cancel.raise_if_cancelled()
                progress(start, len(rows), "正在记录审核意见…")
                bulk_insert(s, ReviewDecision.__table__, rows[start:start + CHUNK])
            self.writer.write_prepared(s, actor, status_updates, events=events, cancel=cancel, chunk=CHUNK)
            progress(len(rows), len(rows), "批量通过完成。")
        counts = {o: OfficeApproval(o, n["approved"], n["findings"], n["decided"], n["stale"])
                  for o, n in per_office.items()}
        return ApproveResult(office, len(rows), touched, skipped_findings, skipped_decided, counts, stale, waived,
                             later)

    # -- reading ------------------------------------------------------------------------------------
    def list(self, *, finding: str | None = None, status: str | None = None,
             with_findings_only: bool = False, needs_review: bool = False) -> list[ReviewRow]:
        """Candidates with findings first (then by class and student number), with findings,
        decisions, waiver and the source rows. ``needs_review``: only candidates with a decision
        that no longer stands."""
        if finding is not None and finding not in rules.FINDINGS:
            raise ValidationError(f"未知的问题类型“{finding}”，应为：" +
                                  "、".join(f"{k}（{v[1]}）" for k, v in rules.FINDINGS.items()) + "。", "finding")
        if status is not None and status not in STATUS_LABELS:
            raise ValidationError(f"未知的状态“{status}”。", "status")
        with self.db.read() as s:
            stmt = select(Candidate.id)
            if status:
                stmt = stmt.where(Candidate.status == status)
            if finding:
                stmt = stmt.where(Candidate.id.in_(select(Finding.candidate_id).where(Finding.code == finding)))
            elif with_findings_only:
                stmt = stmt.where(Candidate.id.in_(select(Finding.candidate_id)))
            rows = self._rows(s, list(s.scalars(stmt)))
        if needs_review:
            rows = [r for r in rows if r.needs_review]
        rows.sort(key=lambda r: (not r.findings, r.class_name, r.student_no, r.name))
        return rows

    def get(self, key: str) -> ReviewRow:
        with self.db.read() as s:
            return self._rows(s, [find_candidate(s, key).id])[0]

    @staticmethod
    def _rows(s: Session, ids: list[int]) -> list[ReviewRow]:
        out: dict[int, ReviewRow] = {}
        wanted = set(ids)
        # A few candidates are looked up by id; a whole list is read in one pass (no huge IN lists).
        few = len(ids) <= 200

        def only(stmt, column):
            return stmt.where(column.in_(ids)) if few else stmt

        for c in s.execute(only(select(Candidate.id, Candidate.uuid, Candidate.student_no, Candidate.name,
                                       Candidate.id_number, Candidate.class_name, Candidate.major,
                                       Candidate.intended_major, Candidate.status), Candidate.id)):
            if c[0] in wanted:
                out[c[0]] = ReviewRow(c[1], c[2] or "", c[3], c[4], c[5], c[6], c[7], c[8])
        for f in s.scalars(only(select(Finding), Finding.candidate_id).order_by(Finding.id)):
            if f.candidate_id in out:
                out[f.candidate_id].findings.append(FindingView(f.code, f.office, f.message, f.list_id, f.source_row,
                                                                json.loads(f.source) if f.source else {}))
        names: dict[str, str] | None = None
        for d in s.scalars(only(select(ReviewDecision), ReviewDecision.candidate_id)):
            if d.candidate_id in out:
                if names is None:  # a handful of users: read once, only when there are decisions
                    names = {u: n for u, n in s.execute(select(User.username, User.display_name))}
                row = out[d.candidate_id]
                basis = _basis(d.basis)
                current = tuple((f.code, f.message) for f in row.findings if f.office == d.office)
                state = rules.standing(d.decision, basis, current)
                row.decisions[d.office] = DecisionView(d.office, d.decision, d.opinion, d.reviewer, d.decided_at,
                                                       state, rules.standing_reason(d.decision, state, basis, current),
                                                       basis, names.get(d.reviewer, ""))
        for w in s.scalars(only(select(Waiver), Waiver.candidate_id)):
            if w.candidate_id in out:
                out[w.candidate_id].waiver = WaiverView(w.reason, w.waived_on, w.form_signed, w.active,
                                                        w.revoked_at, w.revoke_reason)
        return [out[i] for i in ids if i in out]



class WaiverService:
    """放弃报名考试资格: record, mark the signed 附件1 received, revoke before the deadline."""

    def __init__(self, db: Database, audit: AuditService, writer: CandidateWriter | None = None) -> None:
        self.db = db
        self.audit = audit
        self.writer = writer or CandidateWriter(audit)

    def add(self, actor: Actor, key: str, reason: str, date: dt.date | None = None) -> WaiverView:
        require(actor, "waiver.record")
        reason = (reason or "").strip()
        if not reason:
            raise ValidationError("请填写放弃报名考试资格的原因。", "reason")
        date = date or dt.date.today()
        with self.db.transaction() as s:
            c = find_candidate(s, key)
            self.writer.guard(c, WAIVE)
            w = s.scalar(select(Waiver).where(Waiver.candidate_id == c.id))
            if w is not None and w.active:
                raise ConflictError(f"{c.name}已登记放弃报名（{w.waived_on.isoformat()}）。")
            status_before = c.status
            if w is None:
                w = Waiver(candidate_id=c.id, reason=reason, waived_on=date)
                s.add(w)
            else:  # waived again after a revocation: the one row per candidate is reused
                w.reason, w.waived_on, w.form_signed, w.active = reason, date, False, True
                w.revoked_at, w.revoke_reason = None, ""
            s.flush()
            status = _review_status(c, s)
            self.writer.apply(s, actor, c, new_status=status, operation=WAIVE, action="waiver.add",
                              audit_unchanged=True, summary=f"{c.name}放弃报名考试资格（{date.isoformat()}）：{reason}",
                              before={"status": status_before},
                              after={"reason": reason, "date": date, "status": status})
            return self._view(w)

    def revoke(self, actor: Actor, key: str, reason: str, *, today: dt.date | None = None) -> str:
        """Undo a waiver before the deadline; returns the candidate's status recomputed from the decisions."""
        require(actor, "waiver.record")
        reason = (reason or "").strip()
        if not reason:
            raise ValidationError("请填写撤回放弃报名的原因。", "reason")
        today = today or dt.date.today()
        with self.db.transaction() as s:
            c = find_candidate(s, key)
            w = s.scalar(select(Waiver).where(Waiver.candidate_id == c.id, Waiver.active.is_(True)))
            if w is None:
                raise ConflictError(f"{c.name}没有登记放弃报名，无需撤回。")
            deadline = SettingsService.read(s, "waiver_deadline")
            if deadline is not None and today > deadline:
                raise ConflictError(f"撤回放弃报名的截止日期（{deadline.isoformat()}）已过，不能撤回。")
            self.writer.guard(c, WAIVE)
            w.active, w.revoked_at, w.revoke_reason = False, utcnow(), reason
            s.flush()
            status = _review_status(c, s)
            self.writer.apply(s, actor, c, new_status=status, operation=WAIVE, action="waiver.revoke",
                              audit_unchanged=True, summary=f"{c.name}撤回放弃报名：{reason}",
                              before={"reason": w.reason, "date": w.waived_on, "status": "waived"},
                              after={"revoke_reason": reason, "status": status})
            return status

    def mark_signed(self, actor: Actor, key: str, signed: bool = True) -> WaiverView:
        """The student's signed 附件1 was handed in (or taken back)."""
        require(actor, "waiver.record")
        with self.db.transaction() as s:
            c = find_candidate(s, key)
            w = s.scalar(select(Waiver).where(Waiver.candidate_id == c.id, Waiver.active.is_(True)))
            if w is None:
                raise ConflictError(f"{c.name}没有登记放弃报名。")
            if w.form_signed != signed:
                before = w.form_signed
                w.form_signed = signed
                self.audit.record(s, actor.username, "waiver.signed", entity_type="candidate", entity_uuid=c.uuid,
                                  summary=f"{c.name}的放弃报名申请书（附件1）{'已签字交回' if signed else '改为未交回'}",
                                  before={"form_signed": before}, after={"form_signed": signed})
            return self._view(w)

    def list(self, *, include_revoked: bool = False) -> list[tuple[ReviewRow, WaiverView]]:
        with self.db.read() as s:
            stmt = select(Waiver.candidate_id)
            if not include_revoked:
                stmt = stmt.where(Waiver.active.is_(True))
            rows = ReviewService._rows(s, list(s.scalars(stmt)))
        rows.sort(key=lambda r: (r.class_name, r.student_no, r.name))
        return [(r, r.waiver) for r in rows if r.waiver is not None]

    @staticmethod
    def _view(w: Waiver) -> WaiverView:
        return WaiverView(w.reason, w.waived_on, w.form_signed, w.active, w.revoked_at, w.revoke_reason)
