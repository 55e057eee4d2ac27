"""What every step of the pipeline is: one job, one `process(run, plan)`."""

from __future__ import annotations

import functools

from daemon.domain.business_calendar import BusinessCalendar
from daemon.domain.triage import Rule, default_rules, rules_from_config
from daemon.domain.triage.follow_up import reply_rules
from daemon.mail.render import TemplateRenderer
from daemon.pipeline.batch import Run
from daemon.pipeline.plan import Plan
from daemon.settings import Settings


class Tools:
    """What steps are built with; `settings` is replaced on SIGHUP, so steps read it
    from here each time rather than keeping their own copy."""

    def __init__(
        self, settings: Settings, renderer: TemplateRenderer, calendar: BusinessCalendar
    ) -> None:
        self.settings = settings
        self.renderer = renderer
        self.calendar = calendar
        self._custom_rules = rules_from_config(settings.triage.rules)

    @functools.cached_property
    def triage_rules(self) -> tuple[Rule, ...]:
        """Configured rules first, then the built-in ones (built on first use), which
        judge `[triage] outside_services` outside the IT we run."""
        triage = self.settings.triage
        if triage.replace_defaults:
            return self._custom_rules
        return self._custom_rules + default_rules(tuple(triage.outside_services))

    @property
    def reply_rules(self) -> tuple[Rule, ...]:
        """`triage_rules` without the learned model (follow_up.reply_rules), for judging
        a reply in the daemon's own process when no parsing worker judged it ahead
        (Prepared.reply_verdicts)."""
        return reply_rules(self.triage_rules)


class Step:
    """One job in the path of a mail. The pipeline calls `process` for each mail of a
    run in turn, then `finish` once; a step skips the mails that are not its business."""

    def __init__(self, tools: Tools) -> None:
        self.tools = tools

    def process(self, run: Run, plan: Plan) -> None:
        raise NotImplementedError

    def finish(self, run: Run) -> None:
        """After every mail of the run was processed: where a step that writes for many
        mails writes them in one statement (the store step). Nothing by default."""
