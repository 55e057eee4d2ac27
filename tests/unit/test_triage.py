"""Criticality and priority at ingestion (BR-8, BR-9, BR-10, BR-18's worked examples).

Each example is a subject and body as a customer would write it; the expected rule
name is asserted too, so a case that is right for the wrong reason fails.
"""

from __future__ import annotations

import dataclasses
import re
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks import triage_accuracy
from daemon.domain.sla import Priority
from daemon.domain.triage import (
    BODY_CHARS,
    Rule,
    Triage,
    classify,
    default_rules,
    normalise_text,
    rules_from_config,
)
from daemon.domain.triage import learned as triage_learned
from daemon.domain.triage import model as triage_model
from daemon.domain.triage import starts as triage_starts
from daemon.domain.triage.learned import LearnedRule
from daemon.domain.triage.replies import own_words

DEFAULT_RULES = default_rules()

# (subject, body, rule that must match) - all critical, priority high.
CRITICAL = [
    # BR-8, the seed's own three examples, verbatim.
    (
        "Internet",
        "Der er ikke forbindelse til internettet fra kontoret. Alle er berørt.",
        "internet_down_everyone",
    ),
    (
        "IT-løsning",
        "Det er ikke muligt at forbinde til din IT-løsning. Alle er berørt.",
        "it_solution_down_everyone",
    ),
    ("Print", "Kan ikke printe. Alle er berørt.", "printing_down_everyone"),
    # BR-8 as customers write it.
    (
        "Internettet er nede!!",
        "Hej\n\nInternettet er nede på hele kontoret siden kl. 9.\n\nMvh Lone",
        "internet_down_everyone",
    ),
    (
        "ingen internet",
        "hej ingen af os kan komme på nettet, ring venligst",
        "internet_down_everyone",
    ),
    ("Nettet er nede", "Nettet er nede og ingen kan arbejde. Mvh Jens", "internet_down_everyone"),
    ("Akut", "Vi har ikke noget internet i butikken i dag.", "internet_down_everyone"),
    (
        "Internet down",
        "Hi, the internet is down for everyone in the office. Please call me.",
        "internet_down_everyone",
    ),
    (
        "Urgent: no internet",
        "We have no internet since this morning, the whole office is offline.",
        "internet_down_everyone",
    ),
    (
        "Serveren",
        "Serveren er gået ned, og ingen af medarbejderne kan komme ind i økonomisystemet.",
        "it_solution_down_everyone",
    ),
    ("Citrix", "Vi kan ikke forbinde til Citrix. Det gælder alle.", "it_solution_down_everyone"),
    (
        "Cannot connect",
        "Nobody can connect to the server this morning.",
        "it_solution_down_everyone",
    ),
    ("Printer", "Vi kan ikke printe, heller ikke fra den anden printer.", "printing_down_everyone"),
    ("Printeren", "Printeren virker ikke for nogen af os på kontoret.", "printing_down_everyone"),
    (
        "Printing",
        "None of us can print. All of our computers say the printer is offline.",
        "printing_down_everyone",
    ),
    # BR-9, the seed's own examples.
    ("Konto", "Din konto er låst til systemet.", "account_locked"),
    ("Hack", "Mistanke om hack.", "suspected_hack"),
    ("Kode", "Din kode virker ikke.", "password_not_working"),
    ("Fejl", "Din computer melder om systemfejl.", "system_error"),
    # BR-9 as customers write it: one person is enough.
    (
        "Låst ude",
        "Hej, jeg er blevet låst ude af min konto efter for mange forsøg.",
        "account_locked",
    ),
    ("Kontoen er spærret", "Min brugerkonto er spærret. Kan I låse den op?", "account_locked"),
    ("Låst!", "Hjælp", "account_locked"),
    ("SV: VS: Konto låst", "Se nedenfor.", "account_locked"),
    (
        "Account locked",
        "My account has been locked after I typed the wrong password.",
        "account_locked",
    ),
    ("Help", "I'm locked out of Office 365 and have a meeting in an hour.", "account_locked"),
    (
        "Hacket?",
        "Jeg tror min mail er blevet hacket, mine kontakter får mærkelige mails.",
        "suspected_hack",
    ),
    ("Hacked", "I think my mailbox was hacked - please help.", "suspected_hack"),
    (
        "Phishing",
        "Jeg har desværre klikket på et link i en phishing mail og tastet min kode.",
        "suspected_hack",
    ),
    # A phishing story: a password given to a lure, a fake mail's link opened.
    (
        "PostNord",
        "Jeg klikkede på et link i en sms fra PostNord og tastede mit password. Det var svindel.",
        "phishing_credentials",
    ),
    ("DHL", "Min kollega har åbnet et link i en mail fra DHL. Den var falsk.", "phishing_link"),
    (
        "Unusual sign-in activity",
        "Microsoft says there was unusual sign-in activity on my account.",
        "suspected_hack",
    ),
    ("Adgangskode", "Min adgangskode virker ikke længere på Outlook.", "password_not_working"),
    ("password", "password virker ikke!!", "password_not_working"),
    ("Password not working", "My password is not working on the laptop.", "password_not_working"),
    ("Kodeord", "Jeg har glemt mit kodeord til Teams.", "password_not_working"),
    ("Blå skærm", "Min pc giver blå skærm hver gang jeg starter den.", "system_error"),
    ("BSOD", "Laptop keeps crashing with a BSOD, stop code CRITICAL_PROCESS_DIED.", "system_error"),
    ("System error", "My computer shows a system error at startup.", "system_error"),
    # BR-10: log-on problems and password reset, out of hours too.
    ("Kan ikke logge på", "Hej, jeg kan ikke logge på min computer i dag.", "login_failure"),
    ("Login", "Kan desværre ikke logge ind i Outlook. Mvh Bente", "login_failure"),
    ("Can't log in", "I can't log in to my laptop after the update.", "login_failure"),
    (
        "Nulstil adgangskode",
        "Kan I nulstille min adgangskode? Jeg skal bruge den nu.",
        "password_reset",
    ),
    ("Password reset", "Please reset my password, I cannot get any work done.", "password_reset"),
    # BR-18's worked examples, told as a customer would.
    (
        "Kan ikke logge på systemet",
        "En medarbejder kan ikke logge på systemet. Vi tror hans kode er løbet ud.",
        "password_not_working",
    ),
    (
        "Kode er løbet ud",
        "Min kode er løbet ud og jeg skal lave et nyt kodeord.",
        "password_not_working",
    ),
    ("BIOS", "Min computer viser en BIOS fejl ved opstart.", "system_error"),
    (
        "Login problem",
        "I couldn't log in this morning; it turned out the password had expired.",
        "password_not_working",
    ),
    # Common misspellings and ASCII stand-ins for æ/ø/å.
    ("login", "kan ikke logge ind paa min pc", "login_failure"),
    ("Konto", "min konto er laast", "account_locked"),
    ("pasword", "Mit pasword virker ikke i Outlook", "password_not_working"),
    ("Internetet", "internetet er nede for hele kontoret", "internet_down_everyone"),
    # Hard-wrapped mail, Outlook's typographic apostrophe, a signature after it.
    (
        "Printer",
        "Hej\n\nIngen af os kan printe\nfra vores pc’er i dag.\n\n"
        "Med venlig hilsen\nKirsten\nTlf. 12 34 56 78",
        "printing_down_everyone",
    ),
    # BR-9 "mistanke om hack": account activity the user denies; a PC handed to a caller.
    (
        "Login-advarsel",
        "Jeg har fået besked om et login på min konto fra Peru. Det var altså ikke mig.",
        "account_misuse",
    ),
    (
        "Cold call",
        "A caller claiming to be from Microsoft got me to install TeamViewer and took over.",
        "remote_access_scam",
    ),
    # BR-9: mail in the user's name they deny; a reused password leaked elsewhere; a log-on
    # handed to the page a mail's attachment opened.
    (
        "Faktura",
        "En kunde har fået en faktura fra min adresse med et nyt kontonummer. "
        "Den har jeg ikke sendt.",
        "mail_in_my_name",
    ),
    (
        "Lækket",
        "Min kode til en webshop er lækket, og jeg bruger samme kode til min arbejdsmail.",
        "leaked_password_reused",
    ),
    (
        "Vedhæftet fil",
        "Jeg åbnede en vedhæftet fil, og den bad mig logge ind med min Microsoft-konto. "
        "Det gjorde jeg.",
        "phishing_login_prompt",
    ),
    # No rule has these words; the learned second opinion reads them (learned.py).
    (
        "Adgang",
        "Jeg bliver afvist når jeg prøver at komme ind på vores system hjemmefra.",
        "learned_wording",
    ),
]

# (subject, body) - not critical, priority normal, no rule.
NORMAL = [
    # BR-18's other worked examples: ordinary tasks and a project.
    ("Office 365", "Kan I hjælpe med at installere og konfigurere Office 365 på min nye pc?"),
    ("Ny printer", "Vi får en ny printer sat op den kommende uge, kan I hjælpe med det?"),
    ("New printer", "We are getting a new printer next week and need it set up."),
    # BR-8 without "everyone affected": one person's problem.
    ("Printeren virker ikke", "Min printer virker ikke, den siger papirstop."),
    ("Printer", "I can't print from my laptop, the others can."),
    ("Internet", "Mit internet derhjemme virker ikke, hvad gør jeg?"),
    ("VPN", "Jeg kan ikke få forbindelse til VPN hjemmefra."),
    ("Mailbox", "I have no access to the shared mailbox."),
    ("Kalender", "Vi kan ikke få adgang til den fælles kalender."),
    ("Shared mailbox", "We cannot access the shared mailbox from the new laptop."),
    # BR-13's simple tasks.
    ("OneDrive", "OneDrive synkroniserer ikke på min pc."),
    ("Licens", "Min Office-licens kan ikke aktiveres."),
    ("Excel", "Excel vil ikke starte op, den lukker med det samme."),
    # Negations and resolved problems.
    ("Internettet virker igen", "Internettet virker igen for alle, I kan lukke sagen. Tak!"),
    ("Back up", "The internet is working again for everyone, thanks."),
    ("Hvad gør vi?", "Hvad skal vi gøre hvis internettet går ned for alle på kontoret?"),
    ("Ikke hacket", "Jeg er ikke blevet hacket, men vil gerne have 2-faktor slået til."),
    ("Konto låst op", "Min konto er blevet låst op igen, tak for hjælpen."),
    ("Fil", "Excel-filen er låst til redigering af en anden bruger."),
    ("Låst", "Filen budget.xlsx er låst, selvom ingen har den åben."),
    ("Phishing?", "Jeg har modtaget en mistænkelig mail, er det phishing? Jeg har ikke klikket."),
    ("Nyhedsbrev", "Sådan undgår du at blive hacket: fem gode råd."),
    # Planned requests and notices that only look alarming.
    ("Ny medarbejder", "Kan I nulstille adgangskoden for Anne, der starter i næste uge?"),
    ("Password reset", "Password reset for the new employee who starts on Monday."),
    ("Udløber", "Din adgangskode udløber om 14 dage."),
    ("Tilbud", "Kan I sende et tilbud på en ny server?"),
    ("BIOS", "Skal vi opdatere BIOS på de nye computere?"),
    ("Teams", "Teams-lyden hakker lidt i møder."),
    ("Kontoret", "Kontoret er låst mellem jul og nytår."),
    # A denial of sending that is a delay; a reused password and no leak; a prompt obeyed
    # with no lure; a hack ruled out.
    ("GLS", "Vi har fået en mail fra GLS om pakken. De har ikke sendt den endnu."),
    ("Koder", "Jeg bruger den samme kode til det hele. Er det en dårlig idé?"),
    ("Teams", "Teams bad mig logge ind igen, og det gjorde jeg. Nu virker det."),
    ("Regel", "Jeg troede først jeg var hacket, men det er ikke et hack, bare en regel."),
]


@pytest.mark.parametrize(("subject", "body", "rule"), CRITICAL)
def test_critical_examples(subject: str, body: str, rule: str) -> None:
    assert classify(subject, body) == Triage(critical=True, priority="high", rule=rule)


@pytest.mark.parametrize(("subject", "body"), NORMAL)
def test_not_critical_examples(subject: str, body: str) -> None:
    assert classify(subject, body) == Triage(critical=False, priority="normal", rule=None)


def test_the_examples_are_many_and_mixed() -> None:
    # At least 40 realistic examples, critical and not, as the requirement asks.
    assert len(CRITICAL) + len(NORMAL) >= 40
    assert len(NORMAL) >= 20
    assert {rule for _, _, rule in CRITICAL} == {rule.name for rule in DEFAULT_RULES}


def test_priority_is_a_priority_value() -> None:
    result = classify("Konto", "Min konto er låst.")
    assert result.priority == Priority.HIGH == "high"


# --- What is read --------------------------------------------------------------------


def test_subject_alone_is_enough() -> None:
    assert classify("Min konto er låst", "").rule == "account_locked"


def test_text_after_the_first_body_chars_is_not_read() -> None:
    filler = "Vi har et spørgsmål om fakturaen. " * (BODY_CHARS // 30)
    assert classify("Spørgsmål", filler[:BODY_CHARS] + "Min konto er låst.").rule is None
    assert classify("Spørgsmål", filler[:1000] + "Min konto er låst.").rule == "account_locked"


def test_everyone_affected_may_be_its_own_sentence_or_paragraph() -> None:
    assert classify("Print", "Kan ikke printe.\n\nAlle er berørt.").critical
    assert not classify("Print", "Kan ikke printe.\n\nKun mig.").critical


def test_an_exclude_counts_in_the_sentence_of_the_match_only() -> None:
    # "virker igen" is about the printer; the internet is still down for everyone.
    body = "Printeren virker igen. Men internettet er nede for alle."
    assert classify("Status", body).rule == "internet_down_everyone"
    assert classify("Status", "Internettet virker igen for alle.").rule is None


def test_an_exclude_in_the_body_cancels_a_match_in_the_subject() -> None:
    assert classify("Nulstil password", "For Anne, der starter i næste uge.").rule is None
    assert classify("Nulstil password", "Jeg skal bruge den i dag.").rule == "password_reset"


def test_a_hypothetical_is_not_an_outage() -> None:
    assert not classify(
        "Spørgsmål", "Hvis internettet går ned, hvad gør vi så? Alle er jo berørt."
    ).critical
    assert classify("Hjælp", "Hvis muligt, ring: internettet er nede for alle.").critical


# --- Normalisation -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Printeren  VIRKER\tikke", "printeren virker ikke"),
        ("ÆØÅ æøå", "æøå æøå"),
        ("a\u030a", "å"),  # Apple Mail's decomposed å
        ("Café naïve", "cafe naive"),
        ("Spärrad Lösenord", "spærrad løsenord"),
        ("pc’en – «nede»", 'pc\'en - "nede"'),
        ("hard\nwrapped  line\n\n\nnext paragraph", "hard wrapped line\nnext paragraph"),
        # Spaces around a blank line (its regex begins at the "\n": classify20, issue 18).
        ("one \t\r\n \t\n\v two\f\n\nthree \n four", "one\ntwo\nthree four"),
        ("2. sal, kl. 9. Alle er ramt", "2 sal, kl 9 alle er ramt"),
        ("oo.dk", "oo.dk"),
        ("soft\u00adhyphen\u00a0nbsp", "softhyphen nbsp"),
    ],
)
def test_normalise_text(raw: str, expected: str) -> None:
    assert normalise_text(raw) == expected


# --- Rules from the config file -------------------------------------------------------

PROJECT = {
    "name": "project_request",
    "priority": "low",
    "patterns": [r"\bny(?:e)? printer", r"\bnew printer"],
}


def test_config_rule_sets_a_lower_priority() -> None:
    rules = rules_from_config([PROJECT]) + DEFAULT_RULES
    result = classify("Ny printer", "Vi får en ny printer sat op i næste uge.", rules)
    assert result == Triage(critical=False, priority="low", rule="project_request")


def test_a_critical_rule_wins_over_an_earlier_non_critical_one() -> None:
    rules = rules_from_config([PROJECT]) + DEFAULT_RULES
    result = classify(
        "Ny printer", "Den nye printer er sat op, men internettet er nede for alle.", rules
    )
    assert result == Triage(critical=True, priority="high", rule="internet_down_everyone")


def test_of_non_critical_rules_the_highest_priority_wins() -> None:
    rules = rules_from_config(
        [
            {"name": "low", "priority": "low", "patterns": ["faktura"]},
            {"name": "medium", "priority": "medium", "patterns": ["rykker"]},
            {"name": "normal", "patterns": ["faktura"]},
        ]
    )
    assert classify("Faktura", "Vi har fået en rykker.", rules) == Triage(False, "medium", "medium")
    assert classify("Faktura", "", rules) == Triage(False, "normal", "normal")


def test_of_critical_rules_the_first_wins() -> None:
    rules = rules_from_config(
        [
            {"name": "first", "critical": True, "patterns": ["server"]},
            {"name": "second", "critical": True, "patterns": ["nede"]},
        ]
    )
    assert classify("", "serveren er nede", rules) == Triage(True, "high", "first")
    assert classify("", "serveren er nede", rules[::-1]) == Triage(True, "high", "second")


def test_no_rules_means_nothing_matches() -> None:
    # triage.replace_defaults with no rules of its own: not the defaults in disguise.
    assert classify("Internettet er nede", "Alle er berørt.", ()) == Triage(False, "normal", None)


def test_config_rule_defaults_and_equality() -> None:
    (plain, critical) = rules_from_config(
        [
            {"name": "plain", "patterns": ["x"]},
            {"name": "critical", "critical": True, "patterns": ["y"], "excludes": ["z"]},
        ]
    )
    assert plain == Rule(name="plain", critical=False, priority="normal", patterns=("x",))
    assert critical == Rule("critical", True, "high", ("y",), excludes=("z",))


def test_config_rule_with_everyone_qualifier_and_excludes() -> None:
    (rule,) = rules_from_config(
        [
            {
                "name": "phones_down",
                "critical": True,
                "patterns": [r"\btelefon(?:erne|en)? (?:virker|fungerer) ikke"],
                "requires_any": [r"\balle\b"],
                "excludes": [r"\bigen\b"],
            }
        ]
    )
    assert classify("", "Telefonerne virker ikke. Alle er ramt.", [rule]).rule == "phones_down"
    assert classify("", "Telefonerne virker ikke.", [rule]).rule is None
    assert classify("", "Telefonerne virker ikke igen. Alle er ramt.", [rule]).rule is None


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ({"name": "r1", "patterns": ["x"], "severity": "high"}, r"'r1'.*unknown key\(s\) severity"),
        ({"name": "r2", "patterns": ["(unclosed"]}, r"'r2'.*bad regex in patterns"),
        ({"name": "r3", "patterns": ["x"], "excludes": ["[z"]}, r"'r3'.*bad regex in excludes"),
        ({"name": "r4", "patterns": ["x"], "priority": "urgent"}, r"'r4'.*priority 'urgent'"),
        ({"name": "r5", "critical": True, "priority": "low", "patterns": ["x"]}, r"'r5'.*high"),
        ({"name": "r6", "patterns": "internet"}, r"'r6'.*patterns must be a list"),
        ({"name": "r7", "patterns": []}, r"'r7'.*patterns must not be empty"),
        ({"name": "r8"}, r"'r8'.*patterns is required"),
        ({"patterns": ["x"]}, r"#1.*name is required"),
        ({"name": "r10", "critical": "yes", "patterns": ["x"]}, r"'r10'.*critical must be"),
        ({"name": "r11", "patterns": ["Internet"]}, r"'r11'.*upper case"),
        ({"name": "r12", "patterns": [r"(a)\1"]}, r"'r12'.*backreferences"),
        ({"name": "r13", "patterns": [""]}, r"'r13'.*non-empty strings"),
        ({"name": "r14", "patterns": ["x"], "requires_any": [3]}, r"'r14'.*non-empty strings"),
        ("internet", r"#1.*expected a table"),
    ],
)
def test_bad_config_rule_raises_naming_it(item: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        rules_from_config([item])  # type: ignore[list-item]


def test_duplicate_rule_names_are_refused() -> None:
    with pytest.raises(ValueError, match=r"'twice'.*used twice"):
        rules_from_config(
            [{"name": "twice", "patterns": ["x"]}, {"name": "twice", "patterns": ["y"]}]
        )


def test_escapes_and_group_names_may_hold_capitals() -> None:
    (rule,) = rules_from_config([{"name": "ok", "patterns": [r"(?P<Word>\bnede\S*)\W"]}])
    assert classify("", "serveren er nede!", [rule]).rule == "ok"


# --- Where a match can start (the prefilter) ---------------------------------------------


def _unfiltered(rules: tuple[Rule, ...]) -> tuple[Rule, ...]:
    """The same rules with no start words: every regex scans the whole text (and the
    learned rule's gates are searched: learned.asked_about)."""
    with (mock.patch.object(triage_model, "start_words", return_value=None),
          mock.patch.object(triage_learned, "_GATE_SETS", ())):
        plain = tuple(dataclasses.replace(rule) for rule in rules)
    assert all(rule.start_sets == () for rule in plain)
    return plain


PLAIN_DEFAULTS = _unfiltered(DEFAULT_RULES)


def test_every_default_rule_has_start_words() -> None:
    # Without them a rule's regex scans the whole text: correct, but several times slower.
    # The learned model (learned.py) is not a regex: it reads every text it is asked about.
    for rule in (r for r in DEFAULT_RULES if not isinstance(r, LearnedRule)):
        assert triage_starts.start_words(rule.patterns), rule.name
        assert triage_starts.start_words(rule.requires_any) or not rule.requires_any, rule.name


@pytest.mark.parametrize(
    ("regex", "text", "matched"),
    [
        (r"(?<!ikke )\balle\b", "ikke alle", False),
        (r"(?<!ikke )\balle\b", "næsten alle", True),
        (r"(?:the )?server\b is down", "our server is down", True),
        (r"x{2}yz|[ab]cd", "a bcd", True),
        (r"\w+fejl", "en systemfejl", True),  # no start words: the whole text is scanned
        (r"(?i:netværk) nede", "netværk nede", True),
        (r"net(?:tet)? nede|internettet virker ikke", "internettet virker ikke", True),
        (r"(?:meget )*nede", "serveren er nede", True),  # a repeat may be absent
        (r"(?:meget )+nede", "meget meget nede", True),
        (r"\bnet", "internet", False),
        (r"net", "internet", True),
        # The corners of the syntax the start words are read from.
        (r"abc{}", "xabc{}", True),  # "{}" is no quantifier
        (r"(?:ab){,}cde", "cde", True),  # "{,}" is "*"
        (r"(?:nul){0,1}stil kode", "stil kode", True),
        (r"[a-c]bcd", "xbbcd", True),  # a range is not followed
        (r"[-x]abc", "-abc", True),
        (r"[]x]abc", "]abc", True),
        (r"\x61bc(?=d)", "abcd", True),
        (r"(?P<word>kode)n", "koden", True),
        (r"(?#a comment)kode", "kode", True),
        (r"(?>kodeord|kode)n", "koden", True),
        (r"kode(?!ord)", "kodeord kode", True),
        (r"(?s:a.c)def", "a\ncdef", True),
    ],
)
def test_start_words_find_every_match(regex: str, text: str, matched: bool) -> None:
    rules = rules_from_config([{"name": "r", "patterns": [regex]}])
    assert (classify("", text, rules).rule == "r") is matched
    assert (classify("", text, _unfiltered(rules)).rule == "r") is matched


# Regexes from the syntax the start words are read from, over a small alphabet: some
# spelled out at the start (start words are found), others not (usually none).
_SUFFIXES = ["?", "*", "+", "{2}", "{1,2}", "{,2}", "??", "+?"]


def _regexes(leaves: list[str]) -> st.SearchStrategy[str]:
    def wrapped(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        options = [
            st.lists(inner, min_size=2, max_size=3).map("".join),
            st.lists(inner, min_size=2, max_size=3).map(lambda rs: f"(?:{'|'.join(rs)})"),
            st.tuples(inner, st.sampled_from(_SUFFIXES)).map(lambda p: f"(?:{p[0]}){p[1]}"),
            inner.map(lambda r: f"(?=a|{r})"),
            inner.map(lambda r: f"(?<!a)({r})"),
            inner.map(lambda r: f"(?i:{r})"),  # matches "A" too
        ]
        return st.one_of(options)

    return st.recursive(st.sampled_from(leaves), wrapped, max_leaves=6)


_spelled = _regexes(["abc", "bca", "cab", "[ab]bc", r"\babc", "^ab"])
_unspelled = _regexes(["a", "c", " ", "[^a]", "[a-c]", r"\w", ".", "$", r"\b"])
_regex = st.one_of(st.tuples(_spelled, _unspelled).map("".join), _unspelled)


@settings(max_examples=500, deadline=None)
@given(_regex, st.lists(st.sampled_from(["abc", "bca", "cab", "ABC", "a", "c", " "])).map("".join))
def test_start_words_begin_every_match_of_any_regex(regex: str, text: str) -> None:
    # Soundness: where the regex matches, one of its start words begins.
    words = triage_starts.start_words([regex])
    if words is None:
        return  # not followed: the whole text is scanned
    compiled = re.compile(regex)
    for position in range(len(text) + 1):
        if compiled.match(text, position):
            assert any(text.startswith(word, position) for word in words), (regex, position)


# Words from the default rules, so generated text does match them now and then.
_VOCABULARY = sorted(
    {
        word
        for rule in DEFAULT_RULES
        for regex in rule.patterns + rule.requires_any + rule.excludes
        for word in re.findall(r"[a-zæøå'-]{2,}", regex)
    }
)
_words = st.lists(st.sampled_from(_VOCABULARY) | st.sampled_from([".", "!", "\n\n", ",", "hej"]))
_mails = st.tuples(_words.map(" ".join), _words.map(" ".join))


@settings(max_examples=300, deadline=None)
@given(_mails)
def test_start_words_never_hide_a_match(mail: tuple[str, str]) -> None:
    subject, body = mail
    # Each tail of the list: the first rule of it that matches shows every rule that does.
    for first in range(len(DEFAULT_RULES)):
        filtered = classify(subject, body, DEFAULT_RULES[first:])
        assert filtered == classify(subject, body, PLAIN_DEFAULTS[first:])


def test_equal_rules_without_start_words_do_not_spoil_the_scanner() -> None:
    # The scanner is cached per set of start words, not per (field-equal) rule list.
    triage_starts.scanner_for.cache_clear()
    assert classify("Konto", "Min konto er låst.", PLAIN_DEFAULTS).rule == "account_locked"
    assert classify("Konto", "Min konto er låst.").rule == "account_locked"


def test_a_start_inside_another_rules_start_is_found() -> None:
    rules = rules_from_config(
        [
            {"name": "down", "patterns": [r"internet\w* er nede"]},
            {"name": "net", "patterns": ["net virker"]},
        ]
    )
    # "internet" is found at 0 for the first rule; "net" at 5 must still be found.
    assert classify("", "internet virker", rules).rule == "net"


# --- Properties ----------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(st.text(), st.text())
def test_classify_never_raises_and_is_deterministic(subject: str, body: str) -> None:
    first = classify(subject, body)
    assert classify(subject, body) == first
    assert first.priority in {"high", "medium", "normal", "low"}
    assert first.critical == (first.priority == "high")  # the defaults give no other high
    assert first.rule is None or first.rule in {rule.name for rule in DEFAULT_RULES}


@settings(deadline=None)
@given(_mails, st.text(min_size=1))
def test_body_past_the_limit_is_ignored(mail: tuple[str, str], tail: str) -> None:
    subject, body = mail
    body = (body + " " * BODY_CHARS)[:BODY_CHARS]
    assert classify(subject, body + tail) == classify(subject, body)


_EXAMPLES = [(subject, body) for subject, body, _ in CRITICAL] + NORMAL


@given(st.sampled_from(_EXAMPLES))
def test_case_and_line_wrapping_do_not_matter(example: tuple[str, str]) -> None:
    subject, body = example
    expected = classify(subject, body)
    assert classify(subject.upper(), body.upper()) == expected
    # Mail is hard-wrapped anywhere: a line break inside a paragraph reads as a space.
    assert classify(subject, re.sub(r"(?<=\S) (?=\S)", "\n", body)) == expected


# --- The agreement's wording, as checked against it ----------------------------------
# The classifier was checked against driftsaftale-retningslinjer.da.txt (BR-8..BR-10);
# each group below is one cause of a wrong answer it gave, with sentences beyond the
# ones that showed it.

AGREEMENT_CRITICAL = [
    # BR-10 "log-on problemer", everyone: our own acknowledgement's example of critical.
    ("", "Ingen kan logge på.", "login_failure"),
    ("", "Ingen af os kan logge på.", "login_failure"),
    ("Everyone down", "Nobody in the office can log in this morning.", "login_failure"),
    # BR-8 with the impact words: "alle", "hele firmaet", "nogen af os", "samtlige".
    ("Vores netværk er nede", "Vores netværk er nede. Alle er berørt.", "internet_down_everyone"),
    (
        "Outlook",
        "Outlook vil ikke starte for nogen af os. Det gælder hele firmaet.",
        "it_solution_down_everyone",
    ),
    ("", "Samtlige medarbejdere kan ikke åbne Outlook.", "it_solution_down_everyone"),
    ("", "Ingen har adgang til fællesdrevet.", "it_solution_down_everyone"),
    ("", "Ingen internet på kontoret", "internet_down_everyone"),
    ("", "The printer isn't working for anyone.", "printing_down_everyone"),
    # BR-9 for a third person: a colleague, an employee, the bookkeeper.
    ("Konto", "Min kollega har fået låst sin konto.", "account_locked"),
    ("", "Vores bogholder kan ikke logge på.", "login_failure"),
    ("", "En medarbejder har glemt sin adgangskode.", "password_not_working"),
    ("", "Hendes password virker ikke.", "password_not_working"),
    # BR-10 "mistanke om hack": a phishing story.
    (
        "PostNord",
        "Jeg fik en mail fra PostNord om en pakke og klikkede på linket. Jeg skrev mit "
        "password ind på siden, og nu kan jeg se at mailen var falsk.",
        "phishing_credentials",
    ),
    ("", "I typed my Office 365 password into a website from a link in a text message.",
     "phishing_credentials"),
    ("", "Jeg fik en falsk mail fra Danske Bank og klikkede på linket.", "phishing_link"),
    ("", "Min mail sender spam ud til alle mine kontakter.", "suspected_hack"),
    # A reply whose new text says the problem goes on is judged with its subject.
    ("SV: Konto låst", "Den er stadig låst, kan I ringe?", "account_locked"),
    # Typos and no æøå.
    ("Login", "kan ikke logge pa", "login_failure"),
    ("Passwrd", "my pasword dosnt work", "password_not_working"),
]

AGREEMENT_NORMAL = [
    # Negation within the clause: "ikke", "ingen", "intet", "aldrig", "not", "no".
    ("Hack?", "Vi har ikke mistanke om hack, men vil gerne have tjekket vores firewall."),
    ("Spam", "Der er ingen mistanke om hack. Vi får bare en masse spam."),
    ("Spam", "Det er ikke et hack, men vi får meget spam i indbakken."),
    ("", "Jeg tror ikke, at vi er blevet hacket, men vil gerne være sikker."),
    ("", "Ingen af os har klikket på linket i den falske mail."),
    ("", "Vi har aldrig været hacket, men vores forsikring spørger om backup."),
    ("", "We do not suspect a hack, we just get a lot of spam."),
    ("", "Det er ikke hele kontoret, kun min pc kan ikke printe."),
    # Services outside the customer's IT that OneOffice runs.
    ("Facebook", "Jeg kan ikke logge på Facebook."),
    ("Netflix", "Jeg kan ikke logge på Netflix på mødelokalets tv."),
    ("", "Min private Gmail er blevet hacket."),
    ("", "Min kollega er låst ude af sin Instagram."),
    ("", "Jeg kan ikke logge på med MitID i netbanken."),
    ("", "I can't sign in to my Amazon account."),
    # A reply's subject is old news: judged with its new text.
    ("SV: Min konto er låst", "Det virker igen nu, tak for hjælpen!"),
    ("SV: Min konto er låst", "Nu virker det. Mange tak."),
    ("RE: Kan ikke logge på", "Jeg kan logge på igen, I kan lukke sagen."),
    ("Fwd: Konto låst", "Den er låst op igen, tak."),
    ("RE: Locked out", "All good now, thanks!"),
    # Asking about a case that has not happened.
    ("Hvis låst", "Hvad gør jeg, hvis min konto bliver låst i weekenden?"),
    ("", "Er der en risiko for at vi bliver hacket hvis vi bruger gammel Windows?"),
]


@pytest.mark.parametrize(("subject", "body", "rule"), AGREEMENT_CRITICAL)
def test_agreement_critical(subject: str, body: str, rule: str) -> None:
    assert classify(subject, body) == Triage(critical=True, priority="high", rule=rule)


@pytest.mark.parametrize(("subject", "body"), AGREEMENT_NORMAL)
def test_agreement_not_critical(subject: str, body: str) -> None:
    assert classify(subject, body) == Triage(critical=False, priority="normal", rule=None)


def test_a_negation_in_another_clause_does_not_cancel() -> None:
    assert classify("", "Outlook virker ikke, og min konto er låst.").rule == "account_locked"
    assert classify("", "Jeg ved ikke hvad der sker, men min konto er låst.").critical
    assert classify("", "Det er ikke kun mig, alle er berørt: printeren virker ikke.").critical


def test_an_outside_service_elsewhere_in_the_sentence_does_not_cancel() -> None:
    body = "MitID virker fint, men jeg kan ikke logge på min pc."
    assert classify("", body).rule == "login_failure"


def test_the_outside_services_are_a_setting_of_the_rules() -> None:
    # INTERFACE.md fixes no key; the domain default can be replaced by the caller.
    assert not classify("", "Jeg kan ikke logge på Facebook.").critical
    everything_ours = default_rules(outside=())
    assert classify("", "Jeg kan ikke logge på Facebook.", everything_ours).critical
    our_erp = default_rules(outside=(r"\be-?conomic\b",))
    assert not classify("", "Jeg kan ikke logge på e-conomic.", our_erp).critical
    assert classify("", "Jeg kan ikke logge på Facebook.", our_erp).critical


def test_the_body_decides_over_a_subject_it_negates() -> None:
    assert classify("Hack?", "Mistanke om hack på min pc.").rule == "suspected_hack"
    assert classify("Hack?", "Nej, vi er ikke blevet hacket.").rule is None


def test_a_reply_subject_without_new_text_still_counts() -> None:
    assert classify("SV: Min konto er låst", "").rule == "account_locked"
    assert classify("SV: Min konto er låst", "Tak for hjælpen, men den er stadig låst.").critical


def test_every_classification_says_why() -> None:
    # `cases show` prints it: the rule and the words, or why nothing counted.
    found = classify("Konto", "Min konto er låst.")
    assert found.reason == 'account_locked: "konto er låst"'
    everyone = classify("Print", "Kan ikke printe. Alle er berørt.")
    assert everyone.reason == 'printing_down_everyone: "kan ikke printe / alle er berørt"'
    negated = classify("", "Vi har ikke mistanke om hack.")
    assert negated.reason == 'no rule matched; suspected_hack: "hack" is negated by "ikke"'
    outside = classify("", "Jeg kan ikke logge på Facebook.")
    assert "facebook, outside the IT we run" in outside.reason
    settled = classify("SV: Min konto er låst", "Det virker igen, tak.")
    assert 'subject "min konto er låst" is set aside' in settled.reason
    one_user = classify("Print", "Kan ikke printe.")
    assert one_user.reason == (
        'no rule matched; printing_down_everyone: "kan ikke printe", but not everyone is affected'
    )
    assert classify("Faktura", "Spørgsmål til fakturaen.").reason == "no rule matched"


def test_config_rules_may_be_negatable_and_name_outside_services() -> None:
    (plain, negatable) = rules_from_config(
        [
            {"name": "plain", "patterns": [r"\btelefon\w* virker ikke"]},
            {
                "name": "negatable",
                "critical": True,
                "patterns": [r"\bnedbrud\b"],
                "negatable": True,
                "outside": [r"\bnetflix\b"],
            },
        ]
    )
    assert classify("", "Det er aldrig telefonen virker ikke", [plain]).rule == "plain"
    assert classify("", "Der er intet nedbrud.", [negatable]).rule is None
    assert classify("", "Nedbrud hos Netflix.", [negatable]).rule is None
    assert classify("", "Nedbrud på serveren.", [negatable]).rule == "negatable"
    with pytest.raises(ValueError, match=r"'x'.*negatable must be"):
        rules_from_config([{"name": "x", "patterns": ["y"], "negatable": "yes"}])


# --- The sentence set (tests/unit/triage_sentences.tsv) ---------------------------------
# Written before the rules were tuned; a hashed fifth held out (benchmarks/triage_accuracy.py
# prints precision and recall of "critical" on both slices).

SENTENCES = triage_accuracy.load()


def test_the_sentence_set_is_large_and_mixed() -> None:
    assert len(SENTENCES) >= 300
    critical = sum(sentence.critical for sentence in SENTENCES)
    assert 0.3 < critical / len(SENTENCES) < 0.7
    assert any(not sentence.body for sentence in SENTENCES)  # a subject alone
    assert any(sentence.subject.lower().startswith(("sv:", "re:")) for sentence in SENTENCES)


def _label(critical: bool) -> str:
    return "critical" if critical else "normal"


# One test per slice, not one per sentence (~1,600 tests' set-up was most of the file's
# time); a failure still names every sentence missed, with its line, text and reason.
@pytest.mark.parametrize("part", ["tune", "held-out"])
def test_sentence_set(part: str) -> None:
    sentences = triage_accuracy.slices(SENTENCES)[part]
    assert sentences
    misses = []
    for sentence in sentences:
        found = classify(sentence.subject, sentence.body)
        if found.critical is not sentence.critical:
            misses.append(
                f"triage_sentences.tsv line {sentence.line}: expected "
                f"{_label(sentence.critical)}, got {_label(found.critical)} ({found.reason}): "
                f"{sentence.subject!r} / {sentence.body!r}"
            )
    assert not misses, f"{len(misses)} of {len(sentences)} sentences ({part}) missed:\n" + (
        "\n".join(misses)
    )


def test_sentence_set_precision_and_recall() -> None:
    for part in triage_accuracy.slices(SENTENCES).values():
        score = triage_accuracy.score(part)
        assert score.recall >= 0.97
        assert score.precision >= 0.9


# --- Issue 16: causes behind the blind set's misses, by category ---------------------


def test_a_negation_of_possible_is_not_a_negation_of_nobody() -> None:
    # BR-8: "ikke muligt for nogen af os" says nobody can; "ikke" negates "muligt".
    found = classify("Server", "Det er ikke muligt for nogen af os at forbinde til serveren.")
    assert found.rule == "it_solution_down_everyone"
    assert classify("", "It hasn't been possible for anyone to print today.").critical
    # A real negation of who is affected still counts.
    assert not classify("", "Det er ikke hele kontoret, kun min pc kan ikke forbinde.").critical


def test_nobody_can_in_danish_verb_first_order() -> None:
    # BR-8/BR-10: after an adverb Danish puts the verb first: "i dag kan ingen ...".
    assert classify("", "I morges kunne ingen af os logge på.").rule == "login_failure"
    assert classify("", "Nu kan ingen på kontoret printe.").rule == "printing_down_everyone"


def test_an_outside_service_in_the_sentence_or_the_subject() -> None:
    # BR-13: Facebook, Netflix, a bank are outside the IT we run, also when the fault is
    # told in the next clause or sentence.
    found = classify("", "Vi bruger firmaets Facebook-side, der står at adgangskoden er forkert.")
    assert not found.critical
    assert "facebook, outside the IT we run" in found.reason
    assert not classify("Netflix", "Den siger at kontoen er låst.").critical
    # What we run named in the match's own clause keeps it ours.
    assert classify("Facebook", "Min pc siger at adgangskoden er forkert.").critical
    assert classify("", "Facebook virker fint, men min konto er låst.").critical


def test_mail_that_reports_no_fault_is_not_judged() -> None:
    auto = classify("Automatisk svar: Min konto er låst", "Jeg er på ferie til den 5.")
    assert auto == Triage(critical=False, priority="normal", rule=None)
    assert auto.reason == 'not judged, automatic_reply: "automatisk svar:"'
    letter = classify("Phishing", "Hackere sender falske mails. Afmeld nyhedsbrevet her.")
    assert letter.reason == 'not judged, newsletter: "afmeld nyhedsbrevet"'
    withdrawn = classify("Hacket", "Min konto var ikke hacket, falsk alarm.")
    assert withdrawn.reason == 'not judged, withdrawn: "falsk alarm"'
    # A withdrawal with something new still wrong is judged; so is a question.
    assert classify("", "Falsk alarm med mailen, men nu er min konto låst.").critical
    assert classify("Hack", "Min mail sender spam. Er det falsk alarm?").critical


def test_a_past_fault_already_fixed_is_not_the_request() -> None:
    # BR-8 is about a fault now: "i sidste uge ... det løste I" is old news.
    body = "I sidste uge kunne ingen af os logge på, men det løste I. Nu vil vi bestille en mus."
    assert not classify("Bestilling", body).critical
    assert classify("", "I sidste uge løste I printeren, men i dag kan ingen logge på.").critical


def test_account_misuse_and_remote_access_name_their_rule() -> None:
    # BR-9 "mistanke om hack".
    found = classify("", "Der er en regel i min Outlook som jeg ikke selv har lavet.")
    assert found.reason == (
        'account_misuse: "regel / som jeg ikke selv har lavet"'
    )
    scam = classify("", "En mand ringede, og jeg installerede AnyDesk for ham.")
    assert scam.rule == "remote_access_scam"
    # Our own technician asking for it is no scam.
    ours = "Jeres tekniker ringede, og jeg installerede AnyDesk for ham."
    assert classify("", ours).rule is None


def test_for_anyone_follows_its_negation_and_is_not_cancelled_by_it() -> None:
    # BR-8: "for anyone" / "for nogen" only follow a negation; "no email for anyone" is
    # everyone without email, not "not everyone".
    assert classify("", "Total outage: no internet, no email for anyone.").critical
    assert classify("", "Teams virker ikke i nogen af vores afdelinger.").critical


def test_a_fault_in_any_words_beside_a_system_needs_everyone() -> None:
    # BR-8: "giver fejl", "is broken" count as a fault of the IT solution, for everyone.
    found = classify("", "Outlook giver fejl for alle medarbejdere i dag.")
    assert found.rule == "it_solution_down_everyone"
    assert not classify("", "Outlook giver fejl, når jeg vedhæfter store filer.").critical
    # A fault denied is none: "gav ingen fejl hos nogen af os", by the rules and, since
    # the learned second opinion is not asked about a denied fault, by the whole
    # classifier (test_triage_learned.py holds that part).
    rules_only = DEFAULT_RULES[:-1]
    assert not classify("", "Serveren gav ingen fejl hos nogen af os i nat.", rules_only).critical
    assert not classify("", "Serveren gav ingen fejl hos nogen af os i nat.").critical


# --- Issue 16: the categories behind blind2's public misses (tune2) ------------------


def test_the_formal_register_of_a_password_or_log_on_that_no_longer_works() -> None:
    # BR-9 "Din kode virker ikke", BR-10 log-on problems, in a letter's words.
    formal = "Undertegnede skal hermed meddele, at min adgangskode ikke længere accepteres."
    found = classify("", formal)
    assert found.rule == "password_not_working"
    assert classify("", "Please be advised that my credentials are no longer accepted.").critical
    found = classify("", "Undertegnede er afskåret fra at tilgå min konto.")
    assert found.rule == "login_failure"
    assert classify("", "I am unable to access my workstation this morning.").critical
    # The same register about anything else is no log-on.
    assert not classify("", "Kontant betaling accepteres ikke længere i kantinen.").critical
    assert not classify("", "Undertegnede er afskåret fra at parkere i gården.").critical


def test_nobody_gets_in_is_a_log_on_failure_for_everyone_unless_it_is_a_place() -> None:
    # BR-10: "Ingen kommer ind på Windows" is everyone's log-on; a door or a meeting is not.
    assert classify("", "Ingen kommer ind på Windows i dag.").rule == "login_failure"
    assert classify("Login", "Der er fejl ved login for alle brugere.").rule == "login_failure"
    assert classify("", "No one is getting in - the sign-in screen spins for all users.").critical
    assert not classify("", "Ingen kommer ind på kontoret før låsesmeden har været her.").critical
    assert not classify("", "Ingen kommer ind til mødet før kl. 10.").critical


def test_a_reply_that_says_it_settled_by_itself_sets_its_subject_aside() -> None:
    # BR-6: the new text says the problem is over; the subject is old news.
    assert not classify("SV: Kan ikke logge på", "Det løste sig, tak.").critical
    assert not classify("Re: Locked out", "It sorted itself out, thanks.").critical
    # ... unless it did not, or came back.
    assert classify("SV: Kan ikke logge på", "Det løste sig desværre ikke.").critical
    assert classify("Re: Locked out", "It didn't sort itself out, still locked out.").critical


def test_everyone_else_can_means_one_user() -> None:
    # BR-8 "Kan ikke printe. Alle er berørt." - the others printing says they are not.
    assert not classify("Printer", "I can't print though everyone else can.").critical
    assert not classify("", "Jeg har ikke internet, men alle andre på kontoret har.").critical
    assert not classify("", "Outlook won't open on my PC, everyone else's works.").critical
    # The others who cannot either are everyone.
    found = classify("", "Jeg kan ikke printe, og det kan alle de andre heller ikke.")
    assert found.rule == "printing_down_everyone"
    assert classify("", "I can't print and neither can anyone else in the office.").critical
    assert classify("", "Det er ikke kun mig, internettet er nede for alle.").critical


def test_an_outside_service_that_mail_is_sent_to_is_not_what_fails() -> None:
    # BR-9 "Mistanke om hack": a rule forwarding our mail to a gmail address is our
    # account misused; gmail is where the mail goes, not the service at issue.
    text = "A forwarding rule in my mailbox sends everything to a gmail address. I never made it."
    assert classify("", text).rule == "account_misuse"
    assert not classify("", "Min private gmail er blevet hacket, kan I hjælpe?").critical


# --- Issue 16, tuneb: everyone affected, planned outages, solved replies over a quote ---


def test_own_words_stop_at_a_quoted_original() -> None:
    outlook = "Nettet er tilbage.\n\nFra: Bente\nSendt: 4. december\nEmne: Net\n\nIngen har net."
    assert own_words("Re: x", outlook) == "Nettet er tilbage."
    # A forward passes on what is below it.
    assert own_words("VS: Net", outlook) is None
    assert own_words("Fwd: Net", "Tak!\n\n> Ingen af os kan printe") is None
    assert own_words("Re: x", "Tak!\n\n> Ingen af os kan printe") == "Tak!"
    wrapped = "Kører igen.\n\nDen tors. 3. dec. 2026 kl. 10.02 skrev Lis <\nlis@firma.dk>:\n> x"
    assert own_words("Re: x", wrapped) == "Kører igen."
    assert own_words("Re: x", "Hi\n-----Original Message-----\nFrom: a") == "Hi"
    # Nothing quoted, or nothing written above the quote: the whole body is the writer's.
    assert own_words("Re: x", "Ingen af os kan printe.\nFra i morges.") is None
    assert own_words("Re: x", "> Ingen af os kan printe") is None
    # "Fra:" alone is prose, not a header block.
    assert own_words("Re: x", "Virker igen.\nFra: i morges virkede intet.") is None


def test_a_solved_reply_over_a_quoted_critical_original_is_not_critical() -> None:
    # BR-8: the quoted "ingen har internet" is the old problem; the new text says it is over.
    body = "Nettet er tilbage, tak.\n\nFra: Bente\nSendt: 4. dec\nEmne: Net\n\nIngen har internet."
    found = classify("SV: Ingen internet", body)
    assert not found.critical
    assert "quoted original is set aside" in found.reason
    quoted = "All good now.\n\nOn Thu, Mark wrote:\n> The server is down for everyone."
    assert not classify("Re: Server", quoted).critical
    # Still broken above the quote: the quote still counts, and so does the new text.
    assert classify("SV: Printer", "Virker stadig ikke.\n\n> Ingen af os kan printe.").critical
    assert classify("Re: Server", "Still down for everyone.\n\n> Have you restarted it?").critical


def test_an_outage_announced_ahead_is_not_critical() -> None:
    # BR-8 is about what stops the office now, not planned work told ahead.
    ahead = "The internet will be down for the whole office on Saturday night."
    assert not classify("ISP", ahead).critical
    assert not classify("", "Serveren vil være nede for alle søndag pga. opdatering.").critical
    # After the planned work it is a fault like any other.
    after = "Efter den planlagte opdatering i nat kan ingen af os komme på serveren."
    assert classify("", after).critical


def test_everyone_said_of_machines_drives_and_shops() -> None:
    # BR-8 "Alle er berørt", said of the office's machines, drives, shops or "herude".
    assert classify("", "Siden strømsvigtet har ingen computere på kontoret forbindelse.").critical
    assert classify("", "Efter udfaldet har ingen af pc'erne forbindelse til serveren.").critical
    assert classify("", "Alle vores netværksdrev (P:, S: og F:) er væk på samtlige pc'er.").critical
    assert classify("", "Kasseapparaterne i alle tre butikker er gået i sort.").critical
    assert classify("", "Serveren er nede, og alle herude får en fejl i sagsystemet.").critical
    # One machine, one person: not BR-8.
    assert not classify("", "Min pc har ingen forbindelse til serveren, de andre har.").critical
    assert not classify("", "Jeg har ingen forbindelse med det nye projekt endnu.").critical


def test_a_machine_that_reports_an_error_at_its_own_start_is_a_system_error() -> None:
    # BR-9 "Din computer melder om systemfejl": Windows that cannot start, a repair screen.
    assert classify("", "Min computer melder fejl når den starter.").rule == "system_error"
    assert classify("", "Windows kunne ikke starte korrekt, står der.").rule == "system_error"
    assert classify("", "My PC says 'Your PC needs to be repaired'.").rule == "system_error"
    # A program's error, or an update that failed, is one user's simple task (BR-13).
    assert not classify("", "Computeren giver fejl når jeg starter Excel.").critical
    assert not classify("", "Windows kunne ikke installere opdateringen i nat.").critical


def test_nobody_where_they_work_and_a_paralysed_office_are_everyone() -> None:
    # BR-8 "Alle er berørt" in the words offices use for it.
    assert classify("", "Ingen i huset kommer på nettet siden i morges.").critical
    assert classify("", "Vi er lammet, internettet er nede på alle arbejdspladser.").critical
    assert classify("", "None of us have been able to receive email since 8.").critical


def test_aa_for_å_is_read_as_å() -> None:
    # A keyboard without å: "paa", "naar" are "på", "når"; words that merely hold "aa" stay.
    assert normalise_text("Vi kan ikke komme paa serveren naar vi er her") == (
        "vi kan ikke komme på serveren når vi er her"
    )
    assert normalise_text("Aalborg og Kaas") == "aalborg og kaas"
    assert classify("", "vi kan ikk komme paa nogen af vores systemer, ingen af os").critical


def test_a_fault_the_writer_took_for_one_or_that_has_not_come_back() -> None:
    # BR-9/BR-8: nothing is wrong now.
    over = (
        "Jeg troede det var en systemfejl, men det var bare en opdatering.",
        "I had a system error once last week, it has not come back since.",
        "I går var nettet nede for alle, men det kom igen af sig selv.",
    )
    for text in over:
        assert not classify("", text).critical, text
    # "Jeg troede det løste sig, men ..." is a fault again.
    again = "Jeg troede det løste sig, men nettet er nede igen for alle."
    assert classify("SV: Net", again).critical


def test_the_machine_cannot_find_or_read_its_disk() -> None:
    # BR-9: what a machine says when it cannot start from its disk.
    assert classify("", "Min pc siger 'Boot device not found'.").rule == "system_error"
    assert classify("", "Computeren skriver 'A disk read error occurred'.").rule == "system_error"
    assert classify("", "min bærbare viser operating system not found").rule == "system_error"


def test_outages_asked_about_ahead_are_not_critical() -> None:
    # BR-8: monitoring asked for, or downtime agreed to, is nothing down now.
    alert = "Can you set up an alert if the internet goes down at the office?"
    assert not classify("Monitoring", alert).critical
    agreed = "Kan I genstarte serveren i aften? Det er ok at den er nede for alle i en halv time."
    assert not classify("Genstart", agreed).critical
    assert not classify("", "Har I et kursus i hvad man gør ved systemfejl?").critical


def test_formal_and_slow_outages_for_everyone() -> None:
    # BR-8 in a formal clause, and a system too slow for anyone to work.
    formal = "Vi oplever at der ikke er adgang til netværket i hele virksomheden."
    assert classify("", formal).rule == "internet_down_everyone"
    slow = "Business Central is so slow that none of us can work."
    assert classify("", slow).rule == "it_solution_down_everyone"
    said = "Min pc skriver at der er opstået en fejl i systemet."
    assert classify("", said).rule == "system_error"


def test_a_forward_keeps_what_it_passes_on() -> None:
    # BR-8: "VS:"/"Fwd:" passes on the matter below; a thank-you above it settles nothing.
    body = "Tak for hjælpen sidst. Se nedenfor.\n\nFra: Dorte\nSendt: 4. dec\nEmne: Net\n\n"
    body += "Ingen af os her i Aarhus har internet i dag."
    assert classify("VS: Ingen net i Aarhus", body).critical
    assert not classify("SV: Ingen net i Aarhus", body).critical


def test_everyone_told_by_the_office_itself() -> None:
    # BR-8 "Alle er berørt" as offices say it: all offline, all of them say so, general.
    assert classify("", "Nu er vi alle offline.").rule == "internet_down_everyone"
    assert classify("", "We're all offline. Phones too.").rule == "internet_down_everyone"
    colleagues = "Fem kolleger der alle siger at Teams ikke kan forbinde."
    assert classify("", colleagues).rule == "it_solution_down_everyone"
    general = "Outlook får fejl hos mig og hos Per. Det må være noget generelt."
    assert classify("", general).critical
    kicked = "Navision har smidt alle af."
    assert classify("", kicked).rule == "it_solution_down_everyone"
    assert classify("", "Our accounting system has been down for all users.").critical


def test_blue_in_danish_and_a_disk_warning_are_system_errors_unless_fine_since() -> None:
    # BR-9: "går i blåt" is a blue screen; a disk warning from the machine is its error.
    assert classify("", "Pc'en går i blåt flere gange om dagen.").rule == "system_error"
    disk = "Min computer melder at der er problemer med harddisken."
    assert classify("", disk).rule == "system_error"
    fine = "Min pc gav en blå skærm i morges, men efter genstart har den kørt fint hele dagen."
    assert not classify("", fine).critical
    again = "Pc'en har kørt fint siden mandag, men nu giver den blå skærm igen."
    assert classify("", again).critical


def test_over_now_in_the_same_sentence() -> None:
    # BR-8/BR-9: a fault told as over, or asked about afterwards, wakes no one.
    over = (
        "Tak for hjælpen med systemfejlen på min pc i går, den kører perfekt nu.",
        "The file server was down for everyone for about two hours this morning.",
        "Could you send a short report on Tuesday's outage, when the server was down for all?",
    )
    for text in over:
        assert not classify("", text).critical, text
    # Still down, or a fault reported now, stays critical.
    still = "Serveren var nede i to timer i morges og er det stadig for alle."
    assert classify("", still).critical
    assert classify("", "I want to report a fault on the server: it is down for everyone.").critical


def test_a_nationwide_provider_outage_is_not_the_offices_it() -> None:
    # BR-8 "din IT-løsning": a mobile network down across the country is the provider's.
    mobiles = "Telenor har nedbrud i hele landet, så ingen af vores mobiler kan ringe."
    assert not classify("", mobiles).critical
    assert classify("", "Vi er ti mand her der ikke kan sende mails.").critical


def test_a_past_fault_told_in_the_past_tense_and_an_if_are_not_critical() -> None:
    # BR-8 is about now: a past time with a past tense, or an "if", stops nobody today.
    past = "I sidste uge var printerne nede for alle i en halv dag. Hvad kan vi gøre?"
    assert not classify("", past).critical
    ahead = "Kan I være klar, hvis nettet er nede for alle et par timer?"
    assert not classify("", ahead).critical
    # Still so, or not fixed: critical.
    assert classify("", "I går var nettet nede for alle, og det er det stadig.").critical
    assert classify("", "I går var printerne nede for alle, og det er ikke løst.").critical


def test_a_building_alarm_is_outside_our_it() -> None:
    # BR-13: the burglar alarm's code is not a password of ours.
    alarm = "Tyverialarmen virker ikke for nogen af os i morges, koden bliver afvist."
    assert not classify("", alarm).critical


def test_system_files_and_blue_screens_that_stopped() -> None:
    # BR-9: damaged system files are the machine's error; blue screens that stopped are not.
    files = "Min pc melder om fejl i systemfilerne og beder mig køre en reparation."
    assert classify("", files).rule == "system_error"
    stopped = "The blue screens stopped after I updated the graphics driver."
    assert not classify("", stopped).critical


def test_across_the_company_and_everyone_kicked_off() -> None:
    # BR-8 "Alle er berørt": across the company, a whole floor, all kicked off.
    assert classify("", "Email and Teams are down across the company.").critical
    assert classify("", "Netforbindelsen er væk på hele 2. sal.").critical
    kicked = "Serveren bipper og alle er blevet smidt af systemet."
    assert classify("", kicked).rule == "it_solution_down_everyone"
    # BR-9: Windows' own words for a failed start.
    windows = "Computeren siger 'Windows er ikke startet korrekt' hver morgen."
    assert classify("", windows).rule == "system_error"


def test_someone_cannot_get_into_windows_is_a_log_on_failure_but_its_settings_are_not() -> None:
    # BR-10 log-on problems, of a colleague too: a password reset asked for a new colleague
    # who "cannot get into Windows" (a kind of miss of benchmarks/triage_loso.py).
    found = classify("Password reset", "Could you reset the password for our new colleague "
                     "Tom? He cannot get into Windows.")
    assert found.rule == "login_failure"
    assert classify("", "She cannot get into her laptop after the holiday.").critical
    # Windows' settings or Update is a place in Windows, no log-on.
    rules_only = DEFAULT_RULES[:-1]
    assert not classify("", "I cannot get into Windows settings to change the background.",
                        rules_only).critical


def test_a_lock_told_as_too_many_tries_is_a_locked_account_but_trying_to_call_is_not() -> None:
    # BR-9 "kontoen er låst", told as its cause: "har prøvet for mange gange og skal vente".
    rules_only = DEFAULT_RULES[:-1]
    found = classify("", "Den siger at jeg har prøvet for mange gange og skal vente 30 minutter.",
                     rules_only)
    assert found.rule == "account_locked"
    assert classify("", "It says I have tried too many times, wait 15 minutes.",
                    rules_only).rule == "account_locked"
    for other in ("Jeg har prøvet for mange gange at ringe til jer, nu skriver jeg.",
                  "I have tried too many times to reach you by phone."):
        assert not classify("", other, rules_only).critical, other


# --- Issue 16, tune16: kinds of false alarm and cancelled hack that a round out showed ---


def test_a_suppliers_web_shop_or_portal_is_outside_our_it_but_a_portal_we_run_is_not() -> None:
    # BR-13 "din eksisterende IT-løsning": a log-on at a wholesaler's web shop or a
    # supplier's order portal is the supplier's to run (benchmarks/triage_loso.py --round:
    # the most common false alarm of the rules on the fresh sets).
    rules_only = DEFAULT_RULES[:-1]
    for other in ("Grossistens webshop siger at min kode er forkert, hvem skal jeg ringe til?",
                  "I can't log in to the supplier's order portal, it says my user is unknown.",
                  "Jeg er låst ude af vognmandens bookingportal efter tre forsøg.",
                  "Min adgangskode virker ikke på deres hjemmeside, det er vel ikke jer?"):
        assert not classify("", other, rules_only).critical, other
    for ours in ("Jeg kan ikke logge på klientportalen som I hoster for os.",
                 "I can't log in to portal.office.com with my work account."):
        assert classify("", ours, rules_only).critical, ours


def test_a_bank_that_reports_a_hack_of_our_pc_does_not_make_it_the_banks() -> None:
    # BR-9 "mistanke om hack": the bank is who tells of the hack (it called, it thinks),
    # the PC is ours; a log-on to the bank itself stays outside.
    rules_only = DEFAULT_RULES[:-1]
    told = ("Banken mener at nogen har adgang til vores bogholderi-pc, for der er lavet "
            "betalinger ingen af os kender.")
    assert classify("Betalinger", told, rules_only).rule == "suspected_hack"
    assert not classify("", "Jeg kan ikke logge på netbanken, den siger koden er forkert.",
                        rules_only).critical
    assert not classify("", "My personal Gmail says my password is wrong.", rules_only).critical


def test_a_mouse_moving_by_itself_is_our_pc_whatever_it_opened() -> None:
    # BR-9: someone at the controls of our PC; the bank page it opened is not the topic.
    rules_only = DEFAULT_RULES[:-1]
    body = "Markøren kører rundt af sig selv og har lige åbnet vores netbank i browseren."
    assert classify("Hjælp", body, rules_only).rule == "suspected_hack"
    english = "The mouse pointer moved on its own and opened our online banking page."
    assert classify("Help", english, rules_only).rule == "suspected_hack"


def test_a_rule_sending_our_mail_far_down_the_sentence_to_gmail_is_still_ours() -> None:
    # BR-9: the outside service is where the mail goes, a few more words away, or what
    # our account's recovery address was changed to.
    rules_only = DEFAULT_RULES[:-1]
    body = ("Der er en regel der videresender alt med ordet løn til en gmail-adresse og "
            "sletter det. Den har jeg ikke lavet.")
    assert classify("Ukendt regel i min Outlook", body, rules_only).rule == "account_misuse"
    changed = ("I got a notice that the recovery address on my work account was changed to a "
               "hotmail address. I did not do that.")
    assert classify("Security info changed", changed, rules_only).rule == "account_misuse"


def test_a_hack_the_writer_takes_back_is_no_suspicion() -> None:
    # BR-9 "mistanke om hack": none is left when the writer says it was not one.
    rules_only = DEFAULT_RULES[:-1]
    for withdrawn in (
        "En kunde spurgte om vi var blevet hacket. Det er ikke et hack, jeg sendte tilbuddet "
        "to gange.",
        "Our partners wondered if we were hacked. It's not a hack, the mail merge ran twice.",
        "Jeg troede min mail var hacket. Det viste sig at det var min chef der havde "
        "sendt fra min pc. Undskyld forvirringen.",
        "The sign-in alert from Norway was me on the ferry. So no hack after all.",
    ):
        assert not classify("Hacket?", withdrawn, rules_only).critical, withdrawn
    # Not taken back: a question, or the fault goes on.
    assert classify("", "Det viste sig at det var en hacker der havde været inde på min mail.",
                    rules_only).critical
    assert classify("", "Det er ikke et hack? Min konto sender spam til alle mine kunder.",
                    rules_only).critical


def test_a_leak_looked_up_with_none_of_ours_in_it_is_no_hack() -> None:
    # BR-9: a leak in the news, looked up, and the customer's addresses are not in it.
    rules_only = DEFAULT_RULES[:-1]
    body = "Vi har slået vores domæne op på haveibeenpwned, og ingen af vores adresser er med."
    assert not classify("Læk", body, rules_only).critical
    assert classify("Læk", "My work address is on haveibeenpwned, in a leak from last week.",
                    rules_only).critical


def test_locked_out_of_an_account_is_a_lock_out_even_beside_a_key_card() -> None:
    # BR-9/BR-10 "kontoen er låst": the account is named, the key card system is what it
    # stops; locked out of the building is still no log-on.
    rules_only = DEFAULT_RULES[:-1]
    body = "Nattevagten er låst ude af sin konto og kan ikke lave nøglekort til gæsterne."
    assert classify("Låst", body, rules_only).rule == "account_locked"
    assert not classify("", "Jeg er låst ude af bygningen, nøglen virker ikke.",
                        rules_only).critical


def test_a_reply_on_another_matter_sets_its_subject_and_quote_aside() -> None:
    # Issue 16 "judges a reply's subject only with its new text": a meeting time taken or
    # the bill asked about is a new matter; the old problem is the subject and the quote.
    rules_only = DEFAULT_RULES[:-1]
    meeting = "Onsdag kl. 10 passer fint til gennemgangen.\nMvh Ole\n\n> Min konto er låst."
    assert not classify("SV: Konto låst", meeting, rules_only).critical
    bill = ("Is that covered by the agreement, or will it be on the invoice?\nAnn\n\n"
            "> Nobody can log in to the server.")
    assert not classify("RE: Server", bill, rules_only).critical
    # The new text still judged: a new fault beside the meeting time.
    worse = "Onsdag passer fint, men nu kan ingen af os logge på."
    assert classify("SV: Konto låst", worse, rules_only).critical


def test_a_withdrawal_under_the_faults_own_subject_is_withdrawn() -> None:
    # BR-6: "glem min sidste mail" withdraws the alarm, though the subject still says it.
    rules_only = DEFAULT_RULES[:-1]
    body = "Glem min sidste mail, jeg havde skrevet koden forkert. Nu er jeg inde."
    assert not classify("Koden virker ikke - glem det", body, rules_only).critical
    assert classify("Glem det", "Glem min sidste mail. Men nu er min konto låst.",
                    rules_only).critical


def test_a_web_page_our_filter_blocks_is_a_change_not_a_log_on() -> None:
    # BR-8/BR-10: "blokeret af jeres filter" is a page to open, not a system down.
    rules_only = DEFAULT_RULES[:-1]
    body = "Vi kan ikke komme ind på en opskriftsside, den er blokeret af jeres filter."
    assert not classify("Side", body, rules_only).critical
    assert classify("", "Vi kan ikke komme ind på serveren, ingen af os.", rules_only).critical


def test_a_server_nas_or_ups_reporting_its_disks_or_power_failing_is_a_system_error() -> None:
    # BR-9 "Din computer melder om systemfejl": the machine's own alarm about its storage
    # or power, told in the device's words.
    rules_only = DEFAULT_RULES[:-1]
    for alarm in ("Serveren viser 'RAID degraded' på displayet og lyser rødt.",
                  "Our NAS mailed us: 'Volume 2 has crashed, data may be lost'.",
                  "Ved opstart står der 'SMART status bad' på min bærbare.",
                  "The UPS says it is on battery and the server will shut down in 3 minutes."):
        assert classify("Advarsel", alarm, rules_only).rule == "system_error", alarm
    # "ups" is also Danish for "oops"; a smart trick is no disk.
    assert not classify("", "Ups, jeg sendte den forkerte fil. Her er den rigtige.",
                        rules_only).critical


def test_a_hack_as_a_trick_or_advice_is_no_suspicion() -> None:
    # BR-9 "mistanke om hack": a trick for Excel, or our newsletter's advice, is none.
    rules_only = DEFAULT_RULES[:-1]
    for harmless in ("Har du et smart hack til at fryse den øverste række i Excel?",
                     "Jeg har hacket mig frem til en løsning med skabelonen, så glem det.",
                     "Husk: hvis du har mistanke om hack, så ring til os med det samme.",
                     "This month: how to report a suspected hack, and our opening hours."):
        assert not classify("Nyt", harmless, rules_only).critical, harmless
    assert classify("", "Jeg har mistanke om hack, min mail sender spam.", rules_only).critical


def test_the_channel_a_message_came_by_is_not_the_service_at_fault() -> None:
    # BR-9/BR-10: a colleague wrote on Messenger that his account is locked; the account
    # is ours, Messenger is only how the word came.
    rules_only = DEFAULT_RULES[:-1]
    body = ("Min kollega har skrevet til mig på messenger at hans konto er låst efter for "
            "mange forsøg.")
    assert classify("Kollega", body, rules_only).rule == "account_locked"
    assert not classify("", "Min Messenger-konto er låst.", rules_only).critical


def test_a_reply_saying_the_account_works_normally_sets_the_subject_aside() -> None:
    # Issue 16: a reply's subject judged only with its new text; "works normally" is over.
    rules_only = DEFAULT_RULES[:-1]
    body = "I didn't click anything and my account works normally.\n\n> Your account is locked."
    assert not classify("Re: Your account has been locked", body, rules_only).critical
    dansk = "Jeg har ikke trykket på noget, og jeg kan logge ind som normalt."
    assert not classify("SV: Din konto er låst", dansk, rules_only).critical


def test_a_take_back_withdraws_only_what_comes_before_it() -> None:
    # BR-8/BR-9 (issue 16 review): "Undskyld forvirringen", "det viste sig at det var ...
    # der" take back the earlier alarm; a fault the writer goes on to report is judged.
    rules_only = DEFAULT_RULES[:-1]
    for fault in (
        "Undskyld forvirringen i morges. Nu er hele netværket nede og ingen kan arbejde!",
        "Sorry for the confusion earlier. Now the whole network is down and nobody can work.",
        "Beklager alarmen i går. I dag er min konto blevet hacket og sender spam til alle kunder.",
        "Sorry about the alarm. Our server has been hit by ransomware, all files are encrypted.",
        "Det viste sig, at det var nogen fra Rusland der var logget ind på min konto og nu er "
        "den hacket.",
        "Det viste sig at det var Peter der klikkede på linket, og nu er hans konto hacket.",
        "Undskyld forvirringen. Vi er blevet ramt af ransomware, alle filer er krypteret.",
        "Beklager alarmen - men serveren er nede og ingen kan arbejde.",
        "It's not a hack, it's worse: all our files are encrypted and there is a ransom note.",
    ):
        assert classify("Hack", fault, rules_only).critical, fault
    # Someone unknown is the hack, not its end: judged, not withdrawn.
    russia = "Det viste sig, at det var nogen fra Rusland der var logget ind på min konto."
    assert not classify("", russia, rules_only).reason.startswith("not judged")
    assert classify("Hack", russia, rules_only).rule == "suspected_hack"
    # Two of the reviewer's: the rules see no fault after the take-back ("sender hans
    # konto spam", "someone has my password"); the learned wording does, which a
    # withdrawn mail never reached.
    for fault in (
        "The sign-in from Germany was me on the train, but the one from Nigeria was not. "
        "Someone has my password!",
        "Det viste sig at det var en kollega der havde delt sin kode med en fremmed, og nu "
        "sender hans konto spam.",
    ):
        assert classify("Hack", fault).critical, fault
    # Nothing after the take-back, or nothing wrong there: still withdrawn.
    for withdrawn in (
        "Undskyld forvirringen i morges, det var mig der havde slukket routeren.",
        "Beklager alarmen. Det var bare en test fra vores side, alt kører.",
        "Det viste sig at det var Bodil der havde lånt min pc. Sorry for the confusion.",
        "Sorry for the confusion, the login from Spain was me on holiday.",
    ):
        found = classify("Hacket?", withdrawn, rules_only)
        assert not found.critical and found.reason.startswith("not judged"), withdrawn
    # A quoted original under the take-back is what it takes back, not a new fault.
    reply = ("Beklager alarmen, login fra Polen var mig på skiitur.\nMvh Jens\n\n"
             "> Fra: Jens\n> Der er et login fra Polen på min konto, ingen af os kan logge på.")
    assert not classify("SV: Login fra Polen", reply, rules_only).critical


def test_oops_the_courier_and_a_clever_mistake_are_no_device_alarm() -> None:
    # BR-9 "systemet melder fejl" (issue 16 review): the UPS, the RAID, the disk's SMART
    # report a failure; Danish "Ups," (oops), the courier UPS, "smart fejl" (a clever
    # mistake), "a bad sector in sales" and "has the drive ever crashed?" do not.
    rules_only = DEFAULT_RULES[:-1]
    for normal in (
        "Ups, min bærbare kører på batteri fordi jeg har glemt laderen derhjemme. Kan I "
        "sende en ny oplader?",
        "Ups - pc'en står på batteri, hvor bestiller jeg en ny lader?",
        "Ups, jeg glemte at skrive: musen skal udskift batteri, har I nogle?",
        "UPS har leveret pakken, men den står på batteri-hylden. Hvem tager den?",
        "The UPS driver left the box on battery shelf.",
        "Vi venter på en pakke fra UPS med batterier til replace the battery i musen.",
        "Er vores RAID-opsætning kritisk vigtig at backup'e? Bare et spørgsmål til næste møde.",
        "Mit drev er crashet i spillet, haha. Men ellers har jeg et spørgsmål om licenser.",
        "Has the drive ever crashed before? Just curious for our documentation.",
        "We had a bad sector in sales this quarter, can you help me make a chart in Excel?",
        "Er det smart fejl at sende fakturaer som PDF? Hvad anbefaler I?",
        "Is it a smart error handling approach to put everything in one sheet?",
        # Variants of our own.
        "Ups, jeg sendte den forkerte faktura - min laptop var på batteri og gik ud.",
        "Is a RAID critical for a small office? We are planning the new server.",
    ):
        assert not classify("Spørgsmål", normal, rules_only).critical, normal
        assert not classify("Spørgsmål", normal).critical, normal
    for alarm in (
        "UPS'en bipper og siger on battery, strømmen er gået i hele bygningen.",
        "The UPS says replace battery and beeps every minute.",
        "Mail fra serveren: UPS on battery, shutdown in 5 minutes.",
        "Serveren melder RAID degraded og en disk lyser rødt.",
        "Status på RAID: kritisk, disk 2 mangler.",
        "NAS'en siger Volume 1 has crashed.",
        "The NAS says drive 2 has crashed.",
        "Backup fejlede i nat med bad blocks på disken.",
        "Pc'en skriver SMART status bad ved opstart.",
        "Windows siger SMART-fejl på harddisken.",
        "The server log shows 12 bad sectors on disk 0.",
    ):
        assert classify("Alarm", alarm, rules_only).rule == "system_error", alarm


def test_tune16s_outside_filter_lock_and_trick_cues_cancel_only_their_own_case() -> None:
    # Issue 16 review. BR-9: "skiftet adgangskoden til MitID" is the password for MitID
    # (outside the IT we run), not mail sent to it; "et lille hack til Excel" is a trick
    # only when no hack follows. BR-10: a log-on blocked by the firewall fails; a sentence
    # listing ours beside "deres portal" is ours too. BR-13: locked out of the office,
    # the account working, is no lock-out.
    rules_only = DEFAULT_RULES[:-1]
    for outside in (
        "Jeg har skiftet adgangskoden til MitID og nu kan jeg ikke logge ind.",
        "Jeg har ændret min kode til netbank og nu kan jeg ikke logge på.",
        "I changed my password to amazon yesterday and now I cannot log in.",
    ):
        found = classify("Konto", outside, rules_only)
        assert not found.critical and "outside the IT we run" in found.reason, outside
    changed = ("I got a notice that the recovery address on my work account was changed to "
               "a hotmail address. I did not do that.")
    assert classify("Security info changed", changed, rules_only).rule == "account_misuse"
    for fault in (
        "Ingen kan logge på VPN, den er blokeret af firewall efter opdateringen.",
        "Nobody can log in, everything is blocked by the firewall since this morning.",
        "Ingen kan logge på, hverken Outlook eller deres portal.",
        "Nobody can sign in, neither Teams nor their portal.",
        "Jeg har fundet et lille hack til Excel, men nu er min konto hacket og sender spam.",
        "I found a neat hack for Excel, but now my account is hacked and sends spam.",
    ):
        assert classify("Ned", fault, rules_only).critical, fault
    for normal in (
        "Vi kan ikke komme ind på en opskriftsside, den er blokeret af jeres filter.",
        "Ingen af os kan komme ind på nyhedssiden, den er blokeret af firewall.",
        "Jeg har fundet et lille hack til Excel, som sparer mig en time om ugen.",
    ):
        assert not classify("Spørgsmål", normal, rules_only).critical, normal
    for door in (
        "Jeg er låst ude af kontoret i dag, min konto virker fint, men døren vil ikke åbne.",
        "I'm locked out of the building, my account works but the door won't open.",
    ):
        assert not classify("Låst ude", door, rules_only).critical, door
    locked = "Nattevagten er låst ude af sin konto og kan ikke lave nøglekort til gæsterne."
    assert classify("Låst", locked, rules_only).rule == "account_locked"
