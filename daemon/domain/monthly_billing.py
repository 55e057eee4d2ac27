"""What one month bills of a case (BR-13..BR-18): a ledger by differences.

Pure: dated time entries, dated fees and the case's project terms over time in, a
`MonthBill` out. Amounts are never computed here: `billing.bill_case` prices the case,
and this module only takes differences of its bills, line by line.

- **The ledger.** `cumulative_due(T)` is the case's bill as it stood just before the
  instant T: the time entries known by then (`billed_from`: the later of when the work
  started and when it was logged), the fees added by then, priced by the project terms
  of then (`terms_at`: the last "project" event before T; see below). A month [start,
  end) bills the lines of `cumulative_due(end)` that are not in `cumulative_due(start)`
  and credits those of `cumulative_due(start)` no longer in `cumulative_due(end)`, as
  multisets of lines: a line unchanged cancels. A credit is the line as it was billed,
  with its amount negative, described ``"krediteret: <why>"`` (`CREDITED`). So the
  months sum, exactly, to the case's bill now (`cases show`); a month's bill depends
  only on what was known by its end, so made at any instant after its end it is the
  one mailed; and nothing is billed twice or never.
- A time entry is shown in the month it became known (mostly the month its work
  started, BR-16's instant), dated when worked; described `LOGGED_LATE` ("logget efter
  sin måned") if worked in an earlier month. A fee in the month it was added (BR-10:
  "ved opstart af opgave"). Time logged on 2 March on a case opened 27 February is
  March's work. 0.00 lines (covered, `BY_AGREED_TIME`) are shown for the month's own
  entries only: an earlier entry's 0.00 line bills and credits nothing.
- **Decision (BR-14 across a month boundary):** "Skæringspunktet for hvornår en
  opgave skifter fra simpel til 'ikke simpel', er når tiden for at løse opgaven
  overskrider 15 minutter". The task is the case, so the case's total time decides
  whether the agreement covers it; a month judges by the time known at its end. 10
  minutes on 27 February and 10 on 2 March: February shows its 10 minutes covered
  (0.00) whenever it is made; March bills its own 10 and February's 10, on a line of
  their own dated when they were worked ("hele tiden faktureres": 182.50 + 182.50,
  description `CARRIED`, "dækket før, nu over 15 min.").
- **Decision (project terms over time, BR-14, BR-15, BR-18 example 4):** a case is
  opened as support and marked project later, by `cases project`, the desk or
  `#project`, each writing a "project" event (case_changes.history) with the terms
  after it; a month is priced by the terms of then. An earlier month's time priced
  anew by new terms is billed on lines `REPRICED` ("projektvilkår ændret"), what was
  billed before credited: 10 minutes covered in February, the case marked project
  (no estimate) in March: March bills the 10 minutes at 1,495.00 (249.17). Events
  written before migration 0014 name no terms, only the mark: a project then has the
  case's current terms (`terms_change`); a case with no "project" event at all is
  priced by its current terms in every month.
- **Decision (a project's agreed time, BR-18 example 4):** "Projekterne bliver altid
  aftalt med en estimeret pris (antal timer)" and "Afregnes efter den aftalte tid".
  The agreed time is due from when the case was opened (`opened_at`) and the terms
  with the estimate took effect; it is billed in that month, on lines `AGREED_TIME`
  dated then, and the work logged on it, in whichever month, is listed in its month
  at 0.00 (`BY_AGREED_TIME`), so each report shows the minutes spent beside what is
  billed. The agreed time's after-hours share (billing.py, BR-16) follows the work
  known: a Saturday's hour in March on 2 h agreed in February credits February's 2 h
  line in March and bills 1 h + 1 h doubled (+1,495.00); a changed estimate or rate
  likewise.
- **Removed time entries:** an entry logged by mistake is taken back (`time remove`),
  not deleted: it is known from when it was logged until it was removed
  (`known_before`), so a month's bill still depends only on what was known by its
  end; the month it is removed in credits what earlier months billed of it
  (`REMOVED`), and the case's bill now (`cases show`) is without it.
- Every line says what it is and how it was priced, so a reader can recompute it:
  kind, hourly rate, minutes, after hours (a 100 % surcharge, BR-16: "Alle
  henvendelser, som vi sætter i gang udenfor normal åbningstid, afregnes med 100%
  tillæg på timeprisen"), covered, amount = ±rate x minutes / 60 (x 2 after hours),
  half-up to øre, 0.00 if covered or by agreed time. A fee is a line of kind "fee"
  whose rate is its price.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from functools import partial
from typing import Any, Protocol

from daemon.domain.billing import (
    AFTER_HOURS_FACTOR,
    Bill,
    Fee,
    Line,
    ProjectTerms,
    Rates,
    Timed,
    bill_case,
    vat_of,
)

FEE_KIND = "fee"
AGREED_TIME = "aftalt tid"  # a project's agreed time, billed instead of its logged time
BY_AGREED_TIME = "efter aftalt tid"  # logged time on such a project: shown, 0.00
CARRIED = "dækket før, nu over 15 min."  # an earlier month's covered time, billed now
LOGGED_LATE = "logget efter sin måned"  # worked in an earlier month, logged in this one
REPRICED = "projektvilkår ændret"  # an earlier month's time, priced by the new terms
REMOVED = "tidsregistrering fjernet"  # an entry taken back (`time remove`), and what follows
CREDITED = "krediteret: "  # + why: a line an earlier month billed, taken back
AGREED_MOVED = "aftalt tid fordelt på ny efter arbejde uden for åbningstid"  # BR-16
_ZERO = Decimal("0.00")
_LIST_RATES = Rates()  # BR-15
SURCHARGE_PERCENT = int((AFTER_HOURS_FACTOR - 1) * 100)  # BR-16: 100


class DatedTimed(Timed, Protocol):
    """A time entry as billing sees it, with the instant its work started and the one
    it was logged at (a time_entries row; None: logged as it started)."""

    @property
    def at(self) -> datetime: ...

    @property
    def created_at(self) -> datetime | None: ...

    @property
    def removed_at(self) -> datetime | None: ...


@dataclass(frozen=True)
class DatedWork:
    """A time entry as plain data (tests, and callers without a row)."""

    at: datetime
    minutes: int
    kind: str
    after_hours: bool
    created_at: datetime | None = None  # when it was logged; None: as it started
    removed_at: datetime | None = None  # when it was taken back (`time remove`)


def billed_from(entry: DatedTimed) -> datetime:
    """The instant from which a month's report knows the entry: when it was logged, if
    after its work started (module docstring, "time logged late")."""
    logged = entry.created_at
    return entry.at if logged is None or logged < entry.at else logged


def known_before(entry: DatedTimed, before: datetime) -> bool:
    """Is the entry on the case's bill as it stood just before `before`: logged by
    then (`billed_from`), and not taken back by then (module docstring, "removed")?"""
    removed = _removed_at(entry)
    return billed_from(entry) < before and (removed is None or before <= removed)


def _removed_at(entry: DatedTimed) -> datetime | None:
    # A stand-in with the columns of before migration 0021 was never taken back.
    return getattr(entry, "removed_at", None)


def known_by(work: Sequence[DatedTimed], now: datetime) -> list[DatedTimed]:
    """The entries a bill made at `now` knows (`--now`, the monthly mail, made again as
    it was sent): those logged by then, and a removal only if done by then."""
    found: list[DatedTimed] = []
    for entry in work:
        if billed_from(entry) > now:
            continue
        removed = _removed_at(entry)
        if removed is not None and removed > now:
            entry = DatedWork(entry.at, entry.minutes, entry.kind, entry.after_hours,
                              entry.created_at)
        found.append(entry)
    return found


@dataclass(frozen=True)
class DatedFee:
    """A fee with the instant it was added to the case."""

    at: datetime
    fee: Fee


@dataclass(frozen=True)
class TermsChange:
    """A "project" event of the case's history: from `at` (the later of when it
    happened and when it was written, as `billed_from`) the case is billed by `terms`
    (None: no project)."""

    at: datetime
    terms: ProjectTerms | None


def terms_change(
    detail: Mapping[str, Any], at: datetime, current: ProjectTerms | None
) -> TermsChange:
    """A "project" event's detail (case_changes.history) as a `TermsChange`. An event
    written before migration 0014 names no terms, only the mark: a project then has
    the case's current terms, the only ones known."""
    if not detail.get("project"):
        return TermsChange(at, None)
    if "rate_kind" not in detail:
        return TermsChange(at, current or ProjectTerms())
    return TermsChange(
        at, ProjectTerms(detail["rate_kind"] == "senior", detail.get("estimate_minutes"))
    )


def terms_at(
    before: datetime,
    current: ProjectTerms | None,
    changes: Sequence[TermsChange] | None,
) -> ProjectTerms | None:
    """The case's project terms as known just before `before`: those of the last change
    before it; before the first change, no project (a case is opened as support and
    marked later, and every marking writes an event). No history (None: a caller
    without one, or a case with no "project" event): the current terms, always."""
    if changes is None:
        return current
    # In the order written: of two changes at one instant, the later one stands.
    known = sorted((change for change in changes if change.at < before),
                   key=lambda change: change.at)
    return known[-1].terms if known else None


@dataclass(frozen=True)
class BilledLine:
    """One line of a month's bill, readable on its own.

    Time: ``amount`` is ``rate x minutes / 60``, doubled when ``after_hours``, rounded
    half-up to øre (BR-17), or 0.00 when ``covered`` or billed by a project's agreed
    time (``description`` `BY_AGREED_TIME`); negative, the same figure taken back, when
    ``description`` starts with `CREDITED`. A fee: ``amount`` is ``rate``.
    """

    at: datetime
    kind: str  # support | project | senior | fee
    description: str  # a fee's text ("Gebyr ..."); "" for time
    rate: Decimal  # hourly rate excl. VAT before any surcharge; a fee: its price
    minutes: int | None  # None for a fee
    after_hours: bool
    surcharge_percent: int  # 100 after hours (BR-16), else 0
    covered: bool
    amount: Decimal


@dataclass(frozen=True)
class MonthBill:
    """The month's part of a case's bill; VAT once on its total (BR-17)."""

    lines: tuple[BilledLine, ...]
    minutes: int
    billable_minutes: int
    covered_minutes: int
    amount_excl_vat: Decimal
    vat: Decimal
    amount_incl_vat: Decimal


@dataclass(frozen=True)
class _Due:
    """One line of the case's bill as it stood at an instant (`cumulative_due`).
    `key` is what makes two instants' lines the same line: the entry (its index) or
    the fee, and every priced field."""

    key: tuple[object, ...]
    entry: int | None  # a time entry's index in `work`; None: agreed time or a fee
    line: BilledLine
    free: bool  # 0.00 by rule: covered, or by agreed time; never billed nor credited


def cumulative_due(
    work: Sequence[DatedTimed],
    fees: Sequence[DatedFee],
    before: datetime,
    *,
    agreement: bool,
    project: bool | ProjectTerms | None = False,
    changes: Sequence[TermsChange] | None = None,
    rates: Rates = _LIST_RATES,
    opened_at: datetime | None = None,
) -> Bill:
    """The case's bill as it stood just before `before`: the entries known by then
    (`billed_from`), the fees added by then, priced by the project terms of then
    (`terms_at`). A project's agreed time is due from the case's opening on (None:
    from always). From the instant after the last event, this is the case's bill."""
    terms = terms_at(before, _terms(project), changes)
    known = [entry for entry in work if known_before(entry, before)]
    bill = bill_case(known, agreement=agreement, project=terms,
                     fees=[f.fee for f in fees if f.at < before], rates=rates)
    if opened_at is None or opened_at < before or not bill.agreed:
        return bill
    # Not opened yet: the agreed time is not due; the entries stay at 0.00 by it.
    agreed = sum((line.amount for line in bill.agreed), _ZERO)
    excl = bill.amount_excl_vat - agreed
    vat = vat_of(excl)
    return replace(bill, agreed=(), amount_excl_vat=excl, vat=vat, amount_incl_vat=excl + vat,
                   billable_minutes=0)


def _terms(project: bool | ProjectTerms | None) -> ProjectTerms | None:
    return ProjectTerms() if project is True else (project or None)


def _due_lines(
    work: Sequence[DatedTimed],
    fees: Sequence[DatedFee],
    before: datetime,
    *,
    agreement: bool,
    project: bool | ProjectTerms | None,
    changes: Sequence[TermsChange] | None,
    rates: Rates,
    opened_at: datetime | None,
) -> list[_Due]:
    """`cumulative_due`'s lines, each with its key and as a month would print it."""
    terms = terms_at(before, _terms(project), changes)
    bill = cumulative_due(work, fees, before, agreement=agreement, project=project,
                          changes=changes, rates=rates, opened_at=opened_at)
    index = [i for i, entry in enumerate(work) if known_before(entry, before)]
    by_agreement = terms is not None and terms.estimate_minutes is not None
    found = [
        _Due(("time", i, line.kind, line.after_hours, line.covered, line.amount), i,
             _time_line_at(work[i].at, line, BY_AGREED_TIME if by_agreement else "", rates),
             line.covered or by_agreement)
        for i, line in zip(index, bill.lines, strict=True)
    ]
    # The agreed time is dated when the terms that agree it took effect: the opening,
    # or the marking after it (no opening known: the first work).
    took_effect = [c.at for c in changes or () if c.at < before]
    took_effect += [opened_at] if opened_at else [work[i].at for i in index[:1]]
    agreed_at = max(took_effect, default=before)
    found += [
        _Due(("agreed", line.kind, line.minutes, line.after_hours, line.amount), None,
             _time_line_at(agreed_at, line, AGREED_TIME, rates), False)
        for line in bill.agreed
    ]
    found += [
        _Due(("fee", i), None, _fee_line(dated), False)
        for i, dated in enumerate(fees)
        if dated.at < before
    ]
    return found


def _time_line_at(at: datetime, line: Line, description: str, rates: Rates) -> BilledLine:
    return BilledLine(
        at=at,
        kind=line.kind,
        description=description,
        # The kind a line is billed at names its rate (a project's time is all at
        # its project's rate, whatever kind each entry was logged with).
        rate=rates.hourly(line.kind),
        minutes=line.minutes,
        after_hours=line.after_hours,
        surcharge_percent=SURCHARGE_PERCENT if line.after_hours else 0,
        covered=line.covered,
        amount=line.amount,
    )


def _fee_line(dated: DatedFee) -> BilledLine:
    return BilledLine(
        at=dated.at,
        kind=FEE_KIND,
        description=fee_label(dated.fee.description),
        rate=dated.fee.amount,
        minutes=None,
        after_hours=False,
        surcharge_percent=0,
        covered=False,
        amount=dated.fee.amount,
    )


def fee_label(description: str) -> str:
    """A fee's text as a bill shows it: it starts "Gebyr", whatever staff called it."""
    return description if description.casefold().startswith("gebyr") else f"Gebyr: {description}"


def in_period(at: datetime, start: datetime, end: datetime) -> bool:
    return start <= at < end


def _difference(first: Sequence[_Due], then: Sequence[_Due]) -> list[_Due]:
    """The lines of `first` not in `then`, as multisets: a line in both cancels."""
    left = Counter(due.key for due in then)
    found = []
    for due in first:
        if left[due.key]:
            left[due.key] -= 1
        else:
            found.append(due)
    return found


def bill_month(
    work: Sequence[DatedTimed],
    fees: Sequence[DatedFee],
    start: datetime,
    end: datetime,
    *,
    agreement: bool,
    project: bool | ProjectTerms | None = False,
    changes: Sequence[TermsChange] | None = None,
    rates: Rates = _LIST_RATES,
    opened_at: datetime | None = None,
) -> MonthBill:
    """The lines of [start, end) of a case whose whole time is `work`, whose fees are
    `fees` and whose project terms are `project` now and `changes` over its history:
    the case's bill at `end` less its bill at `start` (`cumulative_due`), line by line
    (module docstring). `opened_at`: when the case was opened, from which a project's
    agreed time is due (None: always)."""
    due = partial(_due_lines, work, fees, agreement=agreement, project=project,
                  changes=changes, rates=rates, opened_at=opened_at)
    at_start, at_end = due(start), due(end)
    # Why the lines of earlier months changed: new terms price them anew; with the same
    # terms, covered time went over 15 minutes (BR-14, billed: CARRIED) or the agreed
    # time's after-hours share moved (BR-16, credited: AGREED_MOVED).
    repriced = terms_at(start, _terms(project), changes) != terms_at(end, _terms(project), changes)
    # An entry taken back in the month: what earlier months billed of it is credited,
    # and so is what its minutes had carried over 15 (BR-14) or into the agreed time.
    removed = any(
        (at := _removed_at(entry)) is not None and in_period(at, start, end) for entry in work
    )
    reason = REPRICED if repriced else REMOVED if removed else AGREED_MOVED
    lines: list[BilledLine] = []
    billable = 0
    for add in _difference(at_end, at_start):
        own = add.entry is not None and in_period(billed_from(work[add.entry]), start, end)
        if add.free and not own:
            continue  # an earlier month's entry now 0.00: it was never billed here
        line = add.line
        if add.entry is not None and not own:
            # Covered before and now over 15 minutes (BR-14), or priced by new terms.
            line = replace(line, description=REPRICED if repriced else CARRIED)
        elif add.entry is not None and line.description != BY_AGREED_TIME and (
                work[add.entry].at < start):
            line = replace(line, description=LOGGED_LATE)
        lines.append(line)
        if not add.free and line.kind != FEE_KIND:
            billable += line.minutes or 0
    for gone in _difference(at_start, at_end):
        if gone.free:
            continue  # a 0.00 line: nothing was billed to take back
        lines.append(replace(gone.line, description=CREDITED + reason,
                             amount=_ZERO - gone.line.amount))
        if gone.line.kind != FEE_KIND:
            billable -= gone.line.minutes or 0
    # Oldest first; the agreed time before the work logged on it at the same instant.
    lines.sort(key=lambda line: (line.at, line.description != AGREED_TIME))
    own_lines = [
        item.line for item in at_end
        if item.entry is not None and in_period(billed_from(work[item.entry]), start, end)
    ]
    excl = sum((line.amount for line in lines), _ZERO)
    vat = vat_of(excl)
    return MonthBill(
        lines=tuple(lines),
        minutes=sum(line.minutes or 0 for line in own_lines),  # logged, as worked
        billable_minutes=billable,
        covered_minutes=sum(line.minutes or 0 for line in own_lines if line.covered),
        amount_excl_vat=excl,
        vat=vat,
        amount_incl_vat=excl + vat,
    )
