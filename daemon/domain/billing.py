"""What a case costs: covered time, rates, surcharges, fees and VAT (BR-10, BR-13..BR-22).

Pure: plain data in, a `Bill` out. Money is `Decimal`, never float; a float rate or
fee is refused rather than silently carrying binary noise into an invoice.

The rules, and the decisions where the source leaves room:

- Rates excl. VAT (BR-15) are per hour and per kind of work: support 1,095.00,
  project 1,495.00, senior 1,895.00 DKK; a customer may have its own (`Rates`).
- Time is billed by the minute (BR-17): a time entry costs
  ``hourly rate x minutes / 60``, computed exactly and rounded half-up to øre.
- After hours (BR-16): an entry whose work started outside normal hours costs twice
  the hourly rate (+100%). Whether it did is the caller's to judge from the business
  calendar at the instant the work started (`TimeEntry.after_hours`).
- Covered (BR-13, BR-14, BR-22): the agreement covers a case's time when the
  customer has an agreement, the case is simple and its total time is 15 minutes or
  less. "Simple" means the case is not marked new/project and none of its entries is
  project or senior work. Otherwise *all* its minutes are billed, not only those
  past 15 (BR-14, the BIOS example: 30 minutes billed as 30).
  **Decision:** 15 minutes exactly is covered. BR-13 says "under 15 minutes" but
  BR-14 (the source's "overskrider 15 minutter") draws the line at *more than* 15;
  the exact boundary is read in the customer's favour.
  **Decision:** the 15 minutes are the case's total, after-hours entries included;
  a case is one task, so 10 minutes by day and 10 at night is a 20-minute task.
- **Decision:** after-hours time is never covered. BR-16 bills every task started
  outside normal hours with the surcharge "whatever the task and the agreement", so
  on a case that is otherwise covered the in-hours entries cost nothing and the
  after-hours entries are billed at the doubled rate.
- Projects (BR-14, BR-15, BR-18 example 4): a case staff marked as project is never
  covered, and *all* its time is billed at the project rate (1,495.00), or the senior
  rate (1,895.00) when the project needs a senior consultant / IT specialist or
  concerns IT strategy ("Hvis et projekt kræver en senior konsulent / IT specialist
  eller omhandler IT strategi, er timeprisen 1895,00 kr."), whatever kind each entry
  was logged with: the rate belongs to the project, not to the entry (`ProjectTerms`).
- Agreed time: "Projektet estimeres, planlægges og udføres [...] Afregnes efter den
  aftalte tid." A project with an agreed estimate bills the estimate, not the minutes
  logged; the logged minutes are shown beside it (`ProjectBill.actual_minutes`), and
  each time entry's own line is then 0.00: the agreed lines (`Bill.agreed`) carry the
  amount. With no estimate, the project bills its time as logged, at its rate.
  **Decision (estimate and after hours):** "Alle henvendelser, som vi sætter i gang
  udenfor normal åbningstid, afregnes med 100% tillæg på timeprisen, uanset opgave og
  supportaftale." The surcharge is on the hourly *rate*, and the agreement fixes the
  *time*: of the agreed minutes, as many as were worked after hours (at most all of
  them) are billed at the doubled rate, the rest at the project rate. So an estimate
  of 4 h with 1 h worked on a Saturday bills 3 h + 1 h x 2; a project done wholly
  after hours bills its agreed time at the doubled rate; an estimate is never a way
  round the surcharge, and the surcharge never bills more hours than were agreed.
- The on-call fee (BR-10): 1,000.00 DKK + VAT for a non-critical call to the
  on-call duty. Whether a call was critical is a judgement, so the fee is never
  added automatically: staff add it as a `Fee` (`ONCALL_FEE`).
- **Decision (rounding):** each time entry is rounded to øre on its own, then the
  lines and fees are summed, so a bill's lines add up to its total exactly as
  printed. VAT (25%, BR-17) is computed on that total excl. VAT and rounded half-up
  to øre once; incl. VAT is the sum of the two.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Protocol

VAT_RATE = Decimal("0.25")  # BR-17: Danish moms
COVERED_MINUTES = 15  # BR-13/BR-14: a case of this total or less can be covered
AFTER_HOURS_FACTOR = Decimal(2)  # BR-16: +100% on the hourly rate
KINDS = ("support", "project", "senior")  # BR-15, in the order of the rate table
CURRENCY = "DKK"
# One time entry logs at most a day; a larger number is a typo, not a long day.
MAX_MINUTES = 24 * 60

# An agreed estimate of more than this is a typo (1000 h: half a year of one person).
MAX_ESTIMATE_MINUTES = 1000 * 60

_CENT = Decimal("0.01")
_ZERO = Decimal("0.00")
# Work whose kind makes a case "not simple" whatever its length (BR-14).
_NOT_SIMPLE_KINDS = frozenset({"project", "senior"})


def _check_money(name: str, value: object) -> Decimal:
    """``value`` if it is a finite, non-negative Decimal; else a clear error."""
    if not isinstance(value, Decimal):
        raise TypeError(f"{name} must be a Decimal, got {type(value).__name__}")
    if not value.is_finite() or value < 0:
        raise ValueError(f"{name} must be a finite amount of zero or more, got {value}")
    return value


def _to_ore(amount: Decimal) -> Decimal:
    return amount.quantize(_CENT, rounding=ROUND_HALF_UP)


def vat_of(amount_excl_vat: Decimal) -> Decimal:
    """The VAT on a total excl. VAT (BR-17): 25 %, rounded once, half-up to øre. Of a
    case's bill and of a report's total alike: never a sum of rounded lines."""
    return _to_ore(amount_excl_vat * VAT_RATE)


@dataclass(frozen=True)
class Rates:
    """Hourly rates excl. VAT, DKK (BR-15); a customer's own rates override these."""

    support: Decimal = Decimal("1095.00")
    project: Decimal = Decimal("1495.00")
    senior: Decimal = Decimal("1895.00")

    def __post_init__(self) -> None:
        for kind in KINDS:
            _check_money(f"the {kind} rate", getattr(self, kind))

    def hourly(self, kind: str) -> Decimal:
        """The hourly rate for ``kind`` ("support", "project" or "senior")."""
        if kind not in KINDS:
            raise ValueError(f"unknown kind of work {kind!r}; expected one of {KINDS}")
        rate: Decimal = getattr(self, kind)
        return rate


class Timed(Protocol):
    """One time entry as billing sees it: `Work`, `case_changes.TimeEntry` or a stored row."""

    @property
    def minutes(self) -> int: ...

    @property
    def kind(self) -> str: ...

    @property
    def after_hours(self) -> bool: ...


@dataclass(frozen=True)
class Work:
    """One time entry: how long, what kind, and whether it started outside normal hours."""

    minutes: int
    kind: str
    after_hours: bool

    def __post_init__(self) -> None:
        _check_minutes(self.minutes)
        if self.kind not in KINDS:
            raise ValueError(f"unknown kind of work {self.kind!r}; expected one of {KINDS}")


@dataclass(frozen=True)
class Fee:
    """A fixed charge on a case, excl. VAT, e.g. the on-call fee (BR-10).

    The amount must be whole øre; it is kept with two decimal places ("1000" -> 1000.00).
    """

    description: str
    amount: Decimal

    def __post_init__(self) -> None:
        amount = _check_money("a fee", self.amount)
        if amount != _to_ore(amount):
            raise ValueError(f"a fee is whole øre, got {amount}")
        object.__setattr__(self, "amount", _to_ore(amount))


# A fee typed by staff above this is a typo, not a charge.
MAX_FEE = Decimal("1000000")


def fee_amount(text: str) -> Decimal:
    """A fee's amount as staff type it (CLI and console alike): DKK excl. VAT, at most
    two decimals, "250,50" as a Dane writes it too; ValueError saying what is wrong."""
    try:
        amount = Decimal(text.strip().replace(",", "."))
    except ArithmeticError:
        raise ValueError(f"{text!r} is not an amount") from None
    if not amount.is_finite() or amount < 0:
        raise ValueError(f"{text!r}: the amount is DKK excl. VAT with at most two decimals")
    # Before quantize: "1e999999" has more digits than the context's precision, and
    # quantizing it raised InvalidOperation (a 500 in the console).
    if amount > MAX_FEE:
        raise ValueError(f"{text!r}: the amount is more than 1,000,000 DKK")
    if amount != amount.quantize(_CENT):
        raise ValueError(f"{text!r}: the amount is DKK excl. VAT with at most two decimals")
    return amount.quantize(_CENT)


# BR-10: a non-critical call to the on-call duty, charged when the task starts.
ONCALL_FEE = Fee("Gebyr for ikke-kritisk opkald til vagten", Decimal("1000.00"))


def oncall_fee_refusal(
    *, channel: str, after_hours: bool, critical: bool, fees: Sequence[Fee] = ()
) -> str | None:
    """Why the on-call fee does not apply to a case, or None when it does (BR-10: "Alle
    opkald til vagten der ikke er drifts-kritiske, bliver pålagt et gebyr"): only a
    call (a phone case) that reached the on-call duty, i.e. after hours, and only a
    non-critical one. A mail, even one sent at night, is no call to the duty. `fees`:
    the case's; one that has the on-call fee has been charged for its call (a command
    typed again, a form sent twice, would bill one call twice)."""
    if critical:
        return "the case is critical: the on-call duty is there for it, without a fee (BR-10)"
    if channel != "phone":
        return (f"the case came in by {channel}, not as a call to the on-call duty (BR-10);"
                " if the customer also called the duty, register the call")
    if not after_hours:
        return "the case came in during business hours, not to the on-call duty (BR-10)"
    if any(f.description == ONCALL_FEE.description for f in fees):
        return "the case has the on-call fee already: one fee a call (BR-10)"
    return None


@dataclass(frozen=True)
class ProposedFee:
    """A fee the rules suggest and staff confirm (`cases fee N --oncall`): never billed
    until they do, as whether a call was critical is their judgement (BR-10)."""

    kind: str  # "oncall"
    fee: Fee
    reason: str


def proposed_oncall_fee(
    *, channel: str, after_hours: bool, critical: bool, fees: Sequence[Fee]
) -> ProposedFee | None:
    """The on-call fee proposed for a case, or None (BR-10: "Alle opkald til vagten der
    ikke er drifts-kritiske, bliver pålagt et gebyr på 1.000,00 kr. + moms ved opstart
    af opgave"): a phone case registered after hours, i.e. a call to the on-call duty,
    that is not critical, and has no on-call fee yet. Mail is no call to the on-call
    duty, and a call in business hours reached the support desk, not the duty."""
    if oncall_fee_refusal(channel=channel, after_hours=after_hours, critical=critical,
                          fees=fees):
        return None  # not an on-call fee's case, or confirmed already
    return ProposedFee(
        "oncall",
        ONCALL_FEE,
        "a non-critical call to the on-call duty after hours (BR-10)",
    )


@dataclass(frozen=True)
class ProjectTerms:
    """How a case staff marked as project is billed (BR-14, BR-15, BR-18 example 4):
    at the senior rate or the project rate, and by the agreed time when there is one."""

    senior: bool = False
    estimate_minutes: int | None = None

    def __post_init__(self) -> None:
        if self.estimate_minutes is not None:
            if isinstance(self.estimate_minutes, bool) or not isinstance(
                self.estimate_minutes, int
            ):
                raise TypeError(f"an estimate is whole minutes, got {self.estimate_minutes!r}")
            if not 0 < self.estimate_minutes <= MAX_ESTIMATE_MINUTES:
                raise ValueError(
                    f"an estimate is 1 to {MAX_ESTIMATE_MINUTES} minutes,"
                    f" got {self.estimate_minutes}"
                )

    @property
    def rate_kind(self) -> str:
        """The kind of rate all the project's time is billed at (BR-15)."""
        return "senior" if self.senior else "project"


def project_terms(
    project: bool, *, senior: bool = False, estimate_minutes: int | None = None
) -> ProjectTerms | None:
    """A case's project terms from its columns; None for a case that is no project."""
    return ProjectTerms(bool(senior), estimate_minutes) if project else None


@dataclass(frozen=True)
class Line:
    """One time entry, priced: ``amount`` is 0.00 when the agreement covers it."""

    minutes: int
    kind: str
    after_hours: bool
    covered: bool
    amount: Decimal


@dataclass(frozen=True)
class Bill:
    """A case's billing: its priced lines, its fees and the totals (INTERFACE.md `billing`)."""

    lines: tuple[Line, ...]
    fees: tuple[Fee, ...]
    billable_minutes: int
    covered_minutes: int
    amount_excl_vat: Decimal
    vat: Decimal
    amount_incl_vat: Decimal
    currency: str = CURRENCY
    project: ProjectBill | None = None  # a case marked project: its rate and agreed time
    # The agreed time of a project with an estimate, priced (in hours, then after hours);
    # empty otherwise. Each time entry's line is then 0.00: these carry the amount.
    agreed: tuple[Line, ...] = ()


@dataclass(frozen=True)
class ProjectBill:
    """What a project's bill rests on, for the reader: its rate, the agreed time (None:
    billed as logged) and the minutes actually logged."""

    rate_kind: str
    estimate_minutes: int | None
    actual_minutes: int


def _check_minutes(minutes: object) -> int:
    # bool is an int; True minutes is a caller's bug, not one minute of work.
    if isinstance(minutes, bool) or not isinstance(minutes, int):
        raise TypeError(f"minutes must be an int, got {type(minutes).__name__}")
    if minutes < 0:
        raise ValueError(f"minutes must not be negative, got {minutes}")
    return minutes


def price(minutes: int, kind: str, after_hours: bool, rates: Rates = Rates()) -> Decimal:
    """What ``minutes`` of ``kind`` work cost excl. VAT, uncovered (BR-15..BR-17).

    By the minute, at twice the rate after hours, rounded half-up to øre.
    """
    _check_minutes(minutes)
    hourly = rates.hourly(kind) * (AFTER_HOURS_FACTOR if after_hours else 1)
    # Enough precision that the product is exact and the division is only rounded
    # far below the øre; quantize then rounds once, half-up.
    with localcontext() as ctx:
        ctx.prec = 60
        return _to_ore(hourly * minutes / 60)


def is_simple(work: Sequence[Timed], *, project: bool | ProjectTerms | None = False) -> bool:
    """Does the case stay within the existing IT solution (BR-13/BR-14)?

    Not when it is marked new/project, nor when any of its work is project or senior.
    """
    return not project and not any(w.kind in _NOT_SIMPLE_KINDS for w in work)


def agreement_covers(
    work: Sequence[Timed], *, agreement: bool, project: bool | ProjectTerms | None = False
) -> bool:
    """Does the agreement cover this case's in-hours time (BR-13, BR-14, BR-22)?

    With an agreement, a simple case of 15 minutes or less in all. After-hours
    entries are billed even then (BR-16, see the module docstring).
    """
    total = sum(_check_minutes(w.minutes) for w in work)
    return agreement and is_simple(work, project=project) and total <= COVERED_MINUTES


def bill_case(
    work: Sequence[Timed],
    *,
    agreement: bool,
    project: bool | ProjectTerms | None = False,
    fees: Sequence[Fee] = (),
    rates: Rates = Rates(),
) -> Bill:
    """Price a case: each time entry covered or billed, plus fees, plus VAT.

    ``agreement``: the customer has a support agreement (False for "no agreement",
    BR-22). ``project``: staff marked the case new/project (BR-14), with its terms
    (`ProjectTerms`; True is the project rate with no estimate). ``fees``: fixed
    charges staff added, such as `ONCALL_FEE`. ``rates``: the customer's rates.
    """
    terms = ProjectTerms() if project is True else (project or None)
    actual = sum(_check_minutes(w.minutes) for w in work)
    if terms is None:
        covers = agreement_covers(work, agreement=agreement)
        lines = tuple(_line(w, w.kind, covers and not w.after_hours, rates) for w in work)
        agreed: tuple[Line, ...] = ()
    elif terms.estimate_minutes is None:  # billed as logged, all at the project's rate
        lines = tuple(_line(w, terms.rate_kind, False, rates) for w in work)
        agreed = ()
    else:  # "Afregnes efter den aftalte tid": the entries' lines are shown at 0.00
        lines = tuple(Line(w.minutes, terms.rate_kind, w.after_hours, False, _ZERO) for w in work)
        late = sum(w.minutes for w in work if w.after_hours)
        agreed = _agreed_lines(terms.estimate_minutes, late, terms.rate_kind, rates)
    priced = agreed or lines
    excl = sum((line.amount for line in priced), _ZERO) + sum((f.amount for f in fees), _ZERO)
    if terms is not None and terms.estimate_minutes is not None:
        billable, covered = terms.estimate_minutes, 0
    else:
        billable = sum(line.minutes for line in lines if not line.covered)
        covered = actual - billable
    vat = vat_of(excl)
    return Bill(
        lines=lines,
        fees=tuple(fees),
        billable_minutes=billable,
        covered_minutes=covered,
        amount_excl_vat=excl,
        vat=vat,
        amount_incl_vat=excl + vat,
        project=(
            ProjectBill(terms.rate_kind, terms.estimate_minutes, actual) if terms else None
        ),
        agreed=agreed,
    )


def _agreed_lines(
    estimate: int, after_hours_minutes: int, kind: str, rates: Rates
) -> tuple[Line, ...]:
    """The agreed time, priced: the part worked after hours (at most all of it) at the
    doubled rate (BR-16), the rest at the rate (module docstring, "Decision")."""
    late = min(after_hours_minutes, estimate)
    parts = ((estimate - late, False), (late, True))
    return tuple(
        Line(minutes, kind, after_hours, False, price(minutes, kind, after_hours, rates))
        for minutes, after_hours in parts
        if minutes
    )


def _line(work: Timed, kind: str, covered: bool, rates: Rates) -> Line:
    amount = _ZERO if covered else price(work.minutes, kind, work.after_hours, rates)
    return Line(work.minutes, kind, work.after_hours, covered, amount)


def rates_for(
    support: Decimal | None = None, project: Decimal | None = None, senior: Decimal | None = None
) -> Rates:
    """A customer's rates: their agreed ones where set, the list rates elsewhere (BR-15)."""
    listed = Rates()
    return Rates(
        support=listed.support if support is None else Decimal(support).quantize(_CENT),
        project=listed.project if project is None else Decimal(project).quantize(_CENT),
        senior=listed.senior if senior is None else Decimal(senior).quantize(_CENT),
    )
