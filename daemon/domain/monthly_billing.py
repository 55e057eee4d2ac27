"""What one month bills of a case: the work done in that month, priced as the case's
own bill prices it, and the fees added in that month (BR-13..BR-17).

Pure: dated time entries and fees in, a `MonthBill` out. Amounts are never computed
here: `billing.bill_case` prices the whole case and this module only picks, line by
line, what belongs to the month, so a case billed over several months costs exactly
what its own bill says, once.

- A time entry belongs to the month its work started (`at`, the instant BR-16 judges
  after hours by), unless it was logged in a later one (below); a fee to the month it
  was added (BR-10: "ved opstart af opgave").
  Time logged on 2 March on a case opened 27 February is March's work.
- **Decision (BR-14 across a month boundary):** "Skæringspunktet for hvornår en
  opgave skifter fra simpel til 'ikke simpel', er når tiden for at løse opgaven
  overskrider 15 minutter". The task is the case, so the case's total time decides
  whether the agreement covers it; but a month's report is mailed once, so a month
  judges its own work by the case's time *up to the end of that month*, and never
  changes afterwards. Time a month showed covered that a later month's work takes over
  15 minutes is billed in that later month, as lines of their own dated when the work
  was done (description `CARRIED`: "dækket før, nu over 15 min."). 10 minutes on 27
  February and 10 on 2 March: February shows its 10 minutes covered (0.00), whenever
  it is made; March bills its own 10 and February's 10 ("hele tiden faktureres":
  182.50 + 182.50). Summed over the months, a case's amounts are its own bill, never
  more, never less, and nothing a sent report showed covered goes unbilled.
- **Decision (time logged late):** a month's report knows the time logged by its
  end. An entry belongs to the month it was *logged* in when that is later than the
  month its work started in (`billed_from`: the later of `at` and `created_at`), and
  is dated when worked, described `LOGGED_LATE`. 10 minutes worked on 26 February and
  logged on 5 March, after February's report was mailed, are March's: before, a
  report made again showed them in February, and no mail billed them (nor the covered
  time they took over 15 minutes). Judging coverage by the time known up to a month's
  end, a month's report made at any instant after that end is the one mailed.
- **Decision (a project's agreed time, BR-18 example 4):** "Projekterne bliver altid
  aftalt med en estimeret pris (antal timer)" and "Afregnes efter den aftalte tid".
  The agreed time is billed once, in the month the case was opened (when the project
  was asked for and agreed), dated at its opening, as lines of its own (description
  `AGREED_TIME`); the work logged on it, in whichever month, is listed in that month
  at 0.00 (description `BY_AGREED_TIME`), so each report shows the minutes actually
  spent beside what is billed. The opening is an instant that never moves: a closing
  (or a reopening and closing again) could move the agreed time into a second month
  after the first month's report was mailed, and bill it twice. As with coverage, the
  after-hours share of the agreed time (billing.py) follows the work logged by the
  report's instant.
- Every line says what it is and how it was priced, so a reader can recompute it:
  kind, hourly rate, minutes, after hours (a 100 % surcharge, BR-16: "Alle
  henvendelser, som vi sætter i gang udenfor normal åbningstid, afregnes med 100%
  tillæg på timeprisen"), covered, amount. A fee is a line of kind "fee" whose rate
  is its price.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from daemon.domain.billing import (
    AFTER_HOURS_FACTOR,
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


@dataclass(frozen=True)
class DatedWork:
    """A time entry as plain data (tests, and callers without a row)."""

    at: datetime
    minutes: int
    kind: str
    after_hours: bool
    created_at: datetime | None = None  # when it was logged; None: as it started


def billed_from(entry: DatedTimed) -> datetime:
    """The instant from which a month's report knows the entry: when it was logged, if
    after its work started (module docstring, "time logged late")."""
    logged = entry.created_at
    return entry.at if logged is None or logged < entry.at else logged


@dataclass(frozen=True)
class DatedFee:
    """A fee with the instant it was added to the case."""

    at: datetime
    fee: Fee


@dataclass(frozen=True)
class BilledLine:
    """One line of a month's bill, readable on its own.

    Time: ``amount`` is ``rate x minutes / 60``, doubled when ``after_hours``, rounded
    half-up to øre (BR-17), or 0.00 when ``covered`` or billed by a project's agreed
    time (``description`` `BY_AGREED_TIME`). A fee: ``amount`` is ``rate``.
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


def _priced(
    work: Sequence[DatedTimed],
    before: datetime,
    *,
    agreement: bool,
    project: bool | ProjectTerms | None,
    rates: Rates,
) -> dict[int, Line]:
    """The lines of the entries (by their index in `work`) known before `before`, as
    the case's bill prices them when that was all its work."""
    index = [i for i, entry in enumerate(work) if billed_from(entry) < before]
    bill = bill_case([work[i] for i in index], agreement=agreement, project=project,
                     rates=rates)
    return dict(zip(index, bill.lines, strict=True))


def _time_line(entry: DatedTimed, line: Line, description: str, rates: Rates) -> BilledLine:
    return BilledLine(
        at=entry.at,
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


def _described(entry: DatedTimed, start: datetime, by_agreement: bool) -> str:
    if by_agreement:
        return BY_AGREED_TIME  # 0.00 whenever it was logged: the agreed time is billed
    return LOGGED_LATE if entry.at < start else ""


def fee_label(description: str) -> str:
    """A fee's text as a bill shows it: it starts "Gebyr", whatever staff called it."""
    return description if description.casefold().startswith("gebyr") else f"Gebyr: {description}"


def in_period(at: datetime, start: datetime, end: datetime) -> bool:
    return start <= at < end


def bill_month(
    work: Sequence[DatedTimed],
    fees: Sequence[DatedFee],
    start: datetime,
    end: datetime,
    *,
    agreement: bool,
    project: bool | ProjectTerms | None = False,
    rates: Rates = _LIST_RATES,
    opened_at: datetime | None = None,
) -> MonthBill:
    """The lines of [start, end) of a case whose whole time is `work` and whose
    fees are `fees`: the month's own time, judged covered or not by the case's time up
    to `end`, and earlier months' covered time that this month's work took over 15
    minutes (`CARRIED`; see the module docstring).
    `opened_at`: when the case was opened, the month a project's agreed time is billed
    in (None: that time is in no month)."""
    whole = bill_case(
        work, agreement=agreement, project=project, fees=[f.fee for f in fees], rates=rates
    )
    by_agreement = bool(whole.agreed)
    # Each month judges coverage by the case's time up to its end (module docstring);
    # the months before this one judged theirs by the time up to its start.
    by_end = _priced(work, end, agreement=agreement, project=project, rates=rates)
    by_start = _priced(work, start, agreement=agreement, project=project, rates=rates)
    time_lines = [
        _time_line(entry, by_end[i], _described(entry, start, by_agreement), rates)
        for i, entry in enumerate(work)
        if in_period(billed_from(entry), start, end)
    ]
    carried = [
        _time_line(entry, by_end[i], CARRIED, rates)
        for i, entry in enumerate(work)
        if billed_from(entry) < start and by_start[i].covered and not by_end[i].covered
    ]
    fee_lines = [
        BilledLine(
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
        for dated in fees
        if in_period(dated.at, start, end)
    ]
    agreed_lines = [
        BilledLine(
            at=opened_at,
            kind=line.kind,
            description=AGREED_TIME,
            rate=rates.hourly(line.kind),
            minutes=line.minutes,
            after_hours=line.after_hours,
            surcharge_percent=SURCHARGE_PERCENT if line.after_hours else 0,
            covered=False,
            amount=line.amount,
        )
        for line in whole.agreed
        if opened_at is not None and in_period(opened_at, start, end)
    ]
    lines = tuple(
        sorted(agreed_lines + carried + time_lines + fee_lines, key=lambda line: line.at)
    )
    excl = sum((line.amount for line in lines), _ZERO)
    vat = vat_of(excl)
    billed_time = agreed_lines if by_agreement else time_lines
    return MonthBill(
        lines=lines,
        minutes=sum(line.minutes or 0 for line in time_lines),  # logged, as worked
        billable_minutes=sum(
            line.minutes or 0 for line in [*carried, *billed_time] if not line.covered
        ),
        covered_minutes=sum(line.minutes or 0 for line in time_lines if line.covered),
        amount_excl_vat=excl,
        vat=vat,
        amount_incl_vat=excl + vat,
    )
