"""A reply whose new text says the problem is over ("SV: Min konto er låst" / "Det virker
igen, tak"): its subject is old news, and the classifier judges the new text alone
(__init__.py `classify`)."""

from __future__ import annotations

import re

from daemon.domain.triage.required import search

# A reply's new text saying the problem is over ("SV: Min konto er låst" / "Det virker
# igen, tak"), unless it also says something is still wrong.
_SETTLED = re.compile(
    # Thanks for the help given, the writer in again, the files restored (issue 16,
    # alarms): "Så kom jeg ind, mange tak", "Tak fordi I fik gendannet det hele",
    # "Thanks for the quick action yesterday".
    r"\b(?:så|nu) kom jeg ind\b|\b(?:tak|thanks?) (?:\S+ )?(?:fordi (?:i|du) (?:\S+ )?(?:fik|"
    r"reagerede|hjalp|var så)|for the (?:quick|fast|swift) (?:action|response|reaction))\b|"
    r"\b(?:fik|fået|har) (?:\S+ )?(?:gendannet|genskabt)\b|"
    # Back to normal, all fine, thanks for help given quickly (tune18, the round-out's
    # thanks replies above a quoted fault): "All back to normal", "All fine now", "Works
    # perfectly", "Tak for den hurtige hjælp", "Thanks for locking it down so quickly".
    r"\bback to normal\b|\btilbage til (?:det )?normal\w*|\b(?<!not )all (?:fine|good) (?:now|again)\b|"
    r"\b(?:works|working|worked|runs|running|virker|kører|fungerer) (?:\S+ )?(?:perfectly|perfekt)\b|"
    r"\b(?:tak|tusind tak|mange tak) for (?:den |jeres |din )?(?:hurtige |gode |super )?hjælp\w*|"
    r"\bthanks? (?:you )?for (?:\S+ ){1,4}?(?:so )?(?:quickly|promptly)\b|"
    # A prompt that nagged has stopped (tune18): "nu spørger den ikke mere", "it stopped
    # asking for my password", "no longer pops up". Only asking verbs: "den kommer ikke
    # mere op" may be a machine that no longer starts.
    r"\b(?:spørger|beder|popper|plager|maser) (?:\S+ ){0,2}?(?:ikke|ik) (?:mere|længere)\b|"
    r"\b(?:stopped|quit|no longer|doesn'?t|does not) (?:\S+ )?(?:asking|asks?|prompting|prompts?|"
    r"popping up|pops? up|nagging)\b(?:(?!\b(?:stopped|quit|no longer)\b) (?:\S+ ){0,4}?"
    r"(?:any ?more|any longer))?|"
    r"\b(?:virker|virkede|fungerer|fungerede|kører|kørte|printer|er oppe|er inde|kom ind|"
    r"kan logge (?:på|paa|pa|ind))\b(?: \S+){0,3}? (?:igen|nu|fint|som normalt)\b|"
    r"\b(?:works|working|log in|sign in) (?:\S+ )?(?:normally|as normal|as usual)\b|"
    r"\b(?:er|blev|er blevet) (?:nu )?(?:løst|fikset|fixet|ordnet)\b|\bproblemet er løst\b|"
    # "det kom op igen efter ti minutter", "it came back up", "det spiller nu".
    r"\b(?:kom|kommet|came|come) (?:\S+ )?(?:op|up|online|tilbage|back) (?:\S+ )?(?:igen|again)\b|"
    r"\b(?:kom|came) (?:op|tilbage|back up|back online)\b|\bspiller (?:nu|igen|fint)\b|"
    r"\b(?:er|is|'s) (?:\S+ )?(?:i orden|ok|okay|fine|fint) (?:nu|igen|now|again)\b|"
    # It settled by itself: "det løste sig", "det har ordnet sig", "det gik i orden",
    # "it sorted itself out", "the problem resolved itself", "never mind, found it".
    r"\b(?:løste|løst|ordnede|ordnet|rettede|rettet|fiksede|fikset|klarede|klaret) sig\b|"
    r"\bgik i orden\b|\b(?:sorted|fixed|resolved|solved|cleared) itself\b|\bfound it\b|"
    r"\b(?:lukke|luk) sagen\b|\bfalsk alarm\b|\b(?:tak|tusind tak) for (?:hjælpen|hurtig hjælp)\b|"
    r"\b(?:working|works|worked|running|up|printing) (?:\S+ )?(?:again|now|fine)\b|"
    r"\b(?:i'?m|i am|we'?re|we are) (?:back )?in (?:now|again)\b|\bgot in\b|"
    r"\b(?:og|så|and) (?:nu )?(?:det|den|it) (?:virker|fungerer|works)\b(?! ikke| not)|"
    r"\bthanks? (?:you )?for (?:your|all your) (?:quick )?help\b|"
    r"\bback (?:in|up|online)\b|"
    r"\b(?:is|has been|was|got) (?:now )?(?:fixed|resolved|sorted)\b|\bnever ?mind\b|"
    r"^\W*(?:sorted|fixed|solved|resolved|done|løst|fikset|fixet|ordnet|klaret)\b|"
    r"\b(?:hjalp|har hjulpet|helped) (?:mig|me|os|us)\b|"
    r"\b(?:got|fik) (?:it|det|den) (?:working|running|til at virke|fixed|sorted)\b|"
    # The writer found the cause: "fandt selv ud af det", "figured it out", "caps lock".
    r"\b(?:fandt|fundet) (?:\S+ )?ud af (?:det|problemet|fejlen)\b|"
    r"\b(?:figured|worked|found) (?:it|that|the problem|the issue) out\b|\bfigured out\b|"
    r"\bcaps ?lock\b|\bnum ?lock\b|"
    # Everything runs, said alone: "tak for i går, alt kører", "everything's running"; not
    # "alt kører langsomt" (tune17).
    r"\b(?:alt|everything|everything'?s|all) (?:is )?(?:kører|virker|fungerer|running|working|"
    r"works)(?=\s*(?:[.!,\n]|$|(?:igen|nu|fint|again|now|fine)\b))|"
    # The new password took: "the new password works", "den nye kode virker" (tune17).
    r"\b(?:the |my |den |min )?(?:new|nye) (?:password|adgangskode|kode|kodeord)\w* (?:works|"
    r"worked|virker|virkede)\b(?! ikke| not)|"
    r"\bfalse alarm\b|\bclose the (?:case|ticket)\b|\bthanks? (?:you )?for the (?:quick )?help\b|"
    r"\b(?:erledigt|funktioniert wieder|geht wieder)\b|"
    r"\b(?:nu|now) (?:virker|fungerer|kører|works?|working) (?:det|den|alt|it|everything)\b|"
    r"\ball good\b|\ball clear\b|"
    # After our check: "Godt at høre at der ikke har været nogen inde", "glad to hear it".
    r"\b(?:godt|rart|dejligt) at høre\b|\b(?:glad|good|great|nice) to hear\b|"
    r"\b(?:er|blev|is|was) (?:nu |now )?(?:åbnet|låst op|oplåst|genaktiveret|unlocked|reactivated|"
    r"open) (?:igen|again)\b|\b(?:all|alt) (?:er )?(?:sorted|fixed|løst|i orden)\b|\balt (?:er )?(?:godt|fint|ok)\b|"
    r"\b(?:fikset|fixet|løst|løste|ordnet|fixed|solved|sorted) (?:det|it|problemet|the problem)\b|"
    # The writer found the cause or owns the mistake: "min fejl", "sorry for the trouble".
    r"\b(?:min|my) (?:egen |own )?(?:fejl|skyld|mistake|fault|bad)\b|\bbrugerfejl\b|"
    r"\buser error\b|\b(?:det|it) (?:var|was) (?:bare|blot|kun|just|only|simply) (?!ikke|not)|"
    r"\b(?:undskyld|beklager) (?:\S+ )?(?:ulejligheden|forstyrrelsen|besværet)\b|"
    r"\bsorry for (?:the|any|all the) (?:trouble|bother|inconvenience|noise|confusion|fuss)\b|"
    # We may close it: "sagen kan lukkes", "feel free to close it".
    r"\b(?:sagen|den|det|ticket|case|it|this) (?:\S+ )?(?:kan|må|can|may) (?:\S+ )?"
    r"(?:lukkes|be closed)\b|\bclose (?:it|this|the (?:case|ticket|issue))\b|"
    # Back and working: "nettet er tilbage", "everyone can work again", "not seen it since".
    r"\b(?:is|are|'s|er) (?:nu |now )?(?:back|tilbage)\b|"
    r"\b(?:kan|can) (?:\S+ ){0,2}?(?:arbejde|work|printe|print|logge (?:på|ind)|log ?in|"
    r"komme (?:på|ind)|get in) (?:\S+ )?(?:igen|again)\b|"
    r"\b(?:ikke|not|(?:has|have|is|was)n'?t) (?:\S+ )?(?:kommet|set|sket|vist sig|happened|seen|"
    r"occurred|shown up|come back|returned) (?:\S+ )?(?:igen|siden|since|again)\b|"
    # Another matter, the old one behind it: a meeting time taken ("Torsdag kl. 13 passer
    # fint", "Thursday at 10 works for me") or the bill asked about ("bliver det opkrævet?",
    # "is that covered by the agreement?").
    r"\bpasser (?:\S+ )?(?:fint|godt|os|mig)\b|\bworks? (?:fine )?for (?:me|us|the)\b|"
    r"\b(?:vi ses|see you (?:then|there|on|at))\b|"
    r"\b(?:opkrævet|faktureret|faktureres|fakturaen|regningen|billed|on the invoice|the invoice|"
    r"(?:dækket|omfattet) af aftalen|inde under aftalen|covered by the agreement)\b"
)
STILL_BROKEN = re.compile(
    r"\b(?:stadig|fortsat|endnu ikke|igen ikke|still|not yet|again not)\b|"
    # Something new: "men nu er det væk igen", "the problem is back".
    r"\b(?:men|but) (?:nu|now|i dag|today)\b|"
    # Locked again (tune20): "Nu er den låst igen!" above our quoted unlock.
    r"\b(?:låst|laast|locked|spærret|blocked) (?:(?!op\b|up\b)\S+ )?(?:igen|again)\b|"
    r"\b(?:fejlen|problemet|the (?:problem|error|issue|fault)) (?:\S+ )?(?:er|is|came|kom) "
    r"(?:\S+ )?(?:tilbage|back)\b|\b(?:væk|nede|down|gone|gal|galt) (?:\S+ )?(?:igen|again)\b|"
    r"\b(?:virker|fungerer|kører) (?:\S+ )?(?:ikke|ik)\b|\bikke løst\b|"
    # "Det løste sig desværre ikke", "it didn't sort itself out".
    r"\b(?:løste|løst|ordnede|ordnet|gik) (?:sig |i orden )?(?:\S+ )?(?:ikke|ik)\b|"
    r"\b(?:didn'?t|did not|hasn'?t|has not|haven'?t|have not) (?:\S+ )?(?:sort|fix|resolve|solve|"
    r"sorted|fixed|resolved|solved) (?:it|them)?sel(?:f|ves)\b|"
    r"\b(?:doesn'?t|does not|isn'?t|is not|not) (?:\S+ )?work"
)


def settled(new_text: str) -> bool:
    """Does a reply's (normalised) new text say the problem is over, and nothing still
    wrong? Then its subject, the old problem, is not what the new case is about."""
    # search(): the same answer, cheaper (required.py; issue 18).
    return search(_SETTLED, new_text) is not None and search(STILL_BROKEN, new_text) is None


# Where a quoted original begins, line by line on the raw body (normalising joins the
# lines of a paragraph, and a header block is only recognisable as lines): a "> " quote,
# Outlook's "-----Oprindelig meddelelse-----" or "____" rule, a "Fra:" line with a
# "Sendt:"/"Emne:" line right under it, a Gmail "Den ... skrev ...:" / "On ... wrote:".
_QUOTE_LINE = re.compile(
    r"^(?:>|-{3,} ?(?:original message|oprindelig meddelelse) ?-{3,}|_{10,}\s*$)",
    re.IGNORECASE,
)
# A forward ("VS:", "Fwd:") passes on what is below: that is the matter, not old news.
_FORWARD = re.compile(r"^\s*(?:(?:re|sv|svar|aw)\s*:\s*)*(?:fw|fwd|vs|wg|tr)\s*:", re.IGNORECASE)
_HEADER_FROM = re.compile(r"^\**(?:fra|from|von)\**\s*:", re.IGNORECASE)
_HEADER_NEXT = re.compile(
    r"^\**(?:sendt|sent|dato|date|til|to|emne|subject|gesendet)\**\s*:", re.IGNORECASE
)
# One attribution line (or two, when the client wrapped it); bounded, anchored at a line.
_ATTRIBUTION = re.compile(
    r"^(?:on|den|d\.|am)\s[^\n]{0,200}?\b(?:wrote|skrev|schrieb)\b[^\n]{0,120}:\s*$",
    re.IGNORECASE,
)

# A line any of the above can start with (the test before the line-by-line look).
_MIGHT_QUOTE = re.compile(
    r"^[ \t]*(?:>|-{3,}|_{10,}|\**(?:fra|from|von)\**\s*:|(?:on|den|d\.|am)\s)",
    re.IGNORECASE | re.MULTILINE,
)


def own_words(subject: str, body: str) -> str | None:
    """The writer's own words above a quoted original in `body` (raw, not normalised),
    or None when nothing is quoted below them (or nothing is written above the quote:
    then the whole body is the writer's), or the mail forwards what is below. Pure text;
    the pipeline cuts quotes itself (daemon.mail.quotes); this serves a body that still
    holds them."""
    if is_forward(subject):
        return None
    if _MIGHT_QUOTE.search(body) is None:
        return None  # one scan in C: most mail has no line a quote could start at
    lines = body.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for index, raw in enumerate(lines):
        line = raw.strip()
        if not line:
            continue
        next_line = next((ln.strip() for ln in lines[index + 1 : index + 4] if ln.strip()), "")
        quoted = (
            _QUOTE_LINE.match(line) is not None
            or (_HEADER_FROM.match(line) is not None and _HEADER_NEXT.match(next_line) is not None)
            or _ATTRIBUTION.match(line) is not None
            # Gmail wraps a long attribution: "Den tors. 3. dec. 2026 kl. 10.02 skrev Lis <"
            # / "lis@firma.dk>:".
            or (len(line) < 200 and _ATTRIBUTION.match(f"{line} {next_line}") is not None)
        )
        if quoted:
            above = "\n".join(lines[:index]).strip()
            return above or None
    return None


def is_forward(subject: str) -> bool:
    """Does the (raw) subject forward a mail ("VS:", "Fwd:")? What it passes on is the
    matter, whatever thanks are written above it."""
    return _FORWARD.match(subject) is not None
