"""A deterministic corpus of realistic support mail, for ingestion benchmarks.

`generate(n, seed)` yields n RFC 5322 messages (CRLF line endings, 7-bit clean) as a
helpdesk mailbox would receive them: half Danish, half English, from customers of
~50 domains writing with Outlook, Gmail, Apple Mail or Thunderbird; 10 % with one
50-500 KB attachment, 10 % HTML-only, 10 % multipart/alternative, 15 % replies to an
earlier mail of the same corpus. The same (n, seed) always gives the same bytes: dates
are drawn back from a fixed END rather than from the clock, and MIME boundaries and
Message-IDs come from the seeded generator, never from the email package's own
randomness. The n mails are spread over the same four weeks whatever n is, so
generate(100) is not the first 100 mails of generate(5000).

Messages are assembled as text by corpus_mime.py (why: see there) with the stdlib's
encoders; `--check` parses every one back with email.policy.default and reports any
defect. The words come from corpus_text.py.

CLI: python -m benchmarks.corpus N OUTDIR [--seed S]   writes N .eml files
     python -m benchmarks.corpus N --check [--seed S]  parses them back, prints sizes
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from email.utils import encode_rfc2231, format_datetime, formataddr
from pathlib import Path

from benchmarks import corpus_mime as mime
from benchmarks import corpus_text as text

SUPPORT_ADDRESS = "support@oo.dk"
# The corpus ends here, not "now", so a seed gives the same bytes on any day.
END = datetime(2024, 11, 29, 18, 0, tzinfo=UTC)
SPAN_DAYS = 28
# November: Denmark is on CET, the UK on GMT.
ZONES = {"da": timezone(timedelta(hours=1)), "en": UTC}
DAY_WEIGHTS = (1.0, 1.0, 1.0, 1.0, 0.9, 0.15, 0.1)  # Monday..Sunday: some weekend mail
HOUR_WEIGHTS = (
    0.2, 0.1, 0.1, 0.1, 0.1, 0.2, 1, 4, 10, 10, 10, 9, 6, 9, 9, 8, 5, 2, 1, 1, 1, 1, 0.5, 0.3,
)
REPLY_SHARE, HTML_ONLY_SHARE, ALTERNATIVE_SHARE, ATTACHMENT_SHARE = 0.15, 0.10, 0.10, 0.10
ATTACHMENT_SIZES = (50 * 1024, 500 * 1024)
MAX_QUOTED_LINES = 60  # long threads would otherwise grow every reply's quote without end


@dataclass(frozen=True)
class Person:
    name: str
    address: str
    lang: str
    company: str
    client: str  # outlook | gmail | apple | thunderbird: decides headers and layout
    phone: str
    exchange_server: str  # Outlook's Message-IDs name the company's mailbox server


@dataclass(frozen=True)
class Sent:
    """What a later reply needs from a mail already in the corpus."""

    message_id: str
    references: tuple[str, ...]
    subject: str
    person: Person
    when: datetime
    lines: tuple[str, ...]


def _ascii_local(name: str) -> str:
    """'Søren Østergaard' -> 'soeren.oestergaard', the way Danish addresses are made."""
    table = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", " ": "."})
    return name.lower().translate(table)


def _phone(rng: random.Random, lang: str) -> str:
    if lang == "da":
        return "+45 " + " ".join(f"{rng.randint(10, 99)}" for _ in range(4))
    return f"+44 7700 900{rng.randint(0, 999):03d}"  # Ofcom's range for fiction


def _people(rng: random.Random) -> dict[str, list[Person]]:
    """2-6 people per company domain, 8 per free-mail domain, addresses unique."""
    people: dict[str, list[Person]] = {"da": [], "en": []}
    seen: set[str] = set()
    for lang, domains in text.DOMAINS.items():
        for domain, company, client in domains:
            server = (f"{rng.choice(('AM', 'DB', 'VI', 'PA'))}{rng.randint(0, 9)}"
                      f"PR0{rng.randint(1, 9)}MB{rng.randint(1000, 9999)}")
            for _ in range(rng.randint(2, 6) if company else 8):
                name = f"{rng.choice(text.FIRST_NAMES[lang])} {rng.choice(text.LAST_NAMES[lang])}"
                address = f"{_ascii_local(name)}@{domain}"
                if address not in seen:
                    seen.add(address)
                    people[lang].append(Person(name, address, lang, company, client,
                                               _phone(rng, lang), server))
    return people


def _timestamps(rng: random.Random, n: int) -> list[datetime]:
    """n sorted arrival times over SPAN_DAYS, weighted to weekday office hours (CET)."""
    local_end = END.astimezone(ZONES["da"]).replace(hour=0, minute=0, second=0)
    days = [local_end - timedelta(days=d) for d in range(SPAN_DAYS)]
    day_weights = [DAY_WEIGHTS[day.weekday()] for day in days]
    picked_days = rng.choices(days, day_weights, k=n)
    hours = rng.choices(range(24), HOUR_WEIGHTS, k=n)
    return sorted(
        day + timedelta(hours=hour, seconds=rng.randrange(3600))
        for day, hour in zip(picked_days, hours, strict=True)
    )


class _Writer:
    """Draws one mail after another from a seeded generator, remembering the sent ones."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.people = _people(self.rng)
        self.pool = mime.AttachmentPool(self.rng)
        self.sent: list[Sent] = []
        self.ids: set[str] = set()

    def message(self, when: datetime) -> bytes:
        rng = self.rng
        if self.sent and rng.random() < REPLY_SHARE:
            original = rng.choice(self.sent[-300:])  # people chase recent mail
            person = self._replier(original.person)
            lang = person.lang
            values = self._values(person)
            prefix = text.REPLY_PREFIX[lang]
            subject = (original.subject if original.subject.startswith(prefix)
                       else prefix + original.subject)
            lines = self._reply_lines(person, original, values)
            references = (*original.references, original.message_id)[-10:]
        else:
            lang = rng.choice(("da", "en"))
            person = rng.choice(self.people[lang])
            values = self._values(person)
            topic = rng.choice(text.TOPICS_DA if lang == "da" else text.TOPICS_EN)
            subject = rng.choice(topic.subjects).format_map(values)
            lines = self._body_lines(topic, person, values)
            references = ()
        message_id = self._message_id(person)
        self.sent.append(Sent(message_id, references, subject, person, when, tuple(lines)))
        return self._render(person, when, subject, message_id, references, lines)

    def _replier(self, person: Person) -> Person:
        """Mostly the sender chasing their own mail, sometimes a colleague in copy."""
        colleagues = [p for p in self.people[person.lang]
                      if p.address.split("@")[1] == person.address.split("@")[1]
                      and p is not person]
        if person.company and colleagues and self.rng.random() < 0.3:
            return self.rng.choice(colleagues)
        return person

    def _values(self, person: Person) -> dict[str, object]:
        rng, lang = self.rng, person.lang
        hour, minute = rng.randint(8, 16), rng.choice((0, 15, 30, 45))
        prefix = "".join(w[0] for w in (person.company or "Privat PC").split()[:2]).upper()
        return {
            "floor": rng.randint(1, 5), "room": rng.randint(101, 450),
            "pc": f"{prefix}-LT-{rng.randint(1, 400):04d}",
            "printer": rng.choice(text.PRINTERS), "code": rng.choice(text.ERROR_CODES),
            "time": f"{hour:02d}.{minute:02d}" if lang == "da" else f"{hour}:{minute:02d}",
            "weekday": rng.choice(text.WEEKDAYS[lang][:5]),
            "colleague": f"{rng.choice(text.FIRST_NAMES[lang])} "
                         f"{rng.choice(text.LAST_NAMES[lang])}",
            "phone": person.phone, "user": person.address.split("@")[0],
            "count": rng.randint(3, 95), "site": rng.choice(text.SITES[lang]),
            "isp": rng.choice(text.ISPS[lang]),
        }

    def _body_lines(self, topic: text.Topic, person: Person,
                    values: dict[str, object]) -> list[str]:
        """5-40 lines: greeting, problem, optional details/steps/signature/disclaimer."""
        rng, lang = self.rng, person.lang
        target = rng.randint(5, 40)
        head = [rng.choice(text.GREETINGS[lang]) + ",", ""]
        tail = ["", rng.choice(text.CLOSINGS[lang]), person.name.split()[0]
                if rng.random() < 0.3 else person.name]
        problems = rng.sample(topic.problems, len(topic.problems))
        paragraph = [problems.pop()]
        tried = rng.sample(topic.tried, rng.randint(0, len(topic.tried)))
        blocks = {
            "details": ["", *rng.sample(topic.details, rng.randint(1, len(topic.details)))],
            "tried": ["", rng.choice(text.TRIED_INTRO[lang]), *(f"- {t}" for t in tried)]
                     if tried else [],
            "signature": [line for line in (rng.choice(text.TITLES[lang]), person.company,
                                            f"Tlf. {person.phone}" if lang == "da"
                                            else f"Tel: {person.phone}") if line],
            "disclaimer": ["", *text.DISCLAIMERS[lang][:rng.randint(1, 3)]],
        }
        budget = target - len(head) - len(tail) - len(paragraph)
        kept: dict[str, list[str]] = {}
        for name in rng.sample(list(blocks), len(blocks)):
            if 0 < len(blocks[name]) <= budget and rng.random() < 0.7:
                kept[name] = blocks[name]
                budget -= len(blocks[name])
        extra = problems + rng.sample(text.CONTEXT[lang], len(text.CONTEXT[lang]))
        paragraph += [extra[i % len(extra)] for i in range(max(budget, 0))]
        lines = (head + paragraph + kept.get("details", []) + kept.get("tried", []) + tail
                 + kept.get("signature", []) + kept.get("disclaimer", []))
        return [line.format_map(values) for line in lines]

    def _reply_lines(self, person: Person, original: Sent, values: dict[str, object]) -> list[str]:
        """A short follow-up above the quoted original, quoted the way the client does."""
        rng, lang = self.rng, person.lang
        openers = rng.sample(text.REPLY_OPENERS[lang], rng.randint(1, 2))
        lines = [rng.choice(text.GREETINGS[lang]) + ",", "",
                 *(o.format_map(values) for o in openers),
                 "", rng.choice(text.CLOSINGS[lang]), person.name, ""]
        sender = f"{original.person.name} <{original.person.address}>"
        when = original.when.astimezone(ZONES[lang])
        quoted = list(original.lines[:MAX_QUOTED_LINES])
        if person.client == "outlook":
            # Outlook does not prefix quoted lines; it puts a header block above them.
            if lang == "da":
                sent = f"{when.day}. {text.MONTHS_DA[when.month - 1]} {when.year} {when:%H:%M}"
                block = [f"Fra: {sender}", f"Sendt: {sent}", f"Til: {SUPPORT_ADDRESS}",
                         f"Emne: {original.subject}"]
            else:
                block = [f"From: {sender}", f"Sent: {when:%A, %d %B %Y %H:%M}",
                         f"To: {SUPPORT_ADDRESS}", f"Subject: {original.subject}"]
            return [*lines, "_" * 32, *block, "", *quoted]
        if lang == "da":
            intro = (f"Den {when.day}. {text.MONTHS_DA[when.month - 1][:3]}. {when.year} "
                     f"kl. {when:%H.%M} skrev {sender}:")
        else:
            intro = f"On {when:%a, %d %b %Y} at {when:%H:%M}, {sender} wrote:"
        return [*lines, intro, *(f"> {line}" if line else ">" for line in quoted)]

    def _message_id(self, person: Person) -> str:
        """A fresh Message-ID in the sending client's style, unique within the corpus."""
        rng = self.rng
        while True:
            if person.client == "outlook":
                server = person.exchange_server
                mid = (f"<{server}{rng.getrandbits(96):024X}@{server}.eurprd0"
                       f"{rng.randint(1, 9)}.prod.outlook.com>")
            elif person.client == "gmail":
                token = self.pool.token(rng, 48).replace("/", "_")
                mid = f"<CA{token}@mail.gmail.com>"
            else:
                mid = f"<{rng.getrandbits(128):032X}@{person.address.split('@')[1]}>"
            if mid not in self.ids:
                self.ids.add(mid)
                return mid

    def _boundary(self, client: str, kind: int) -> str:
        rng = self.rng
        if client == "outlook":
            return f"_00{kind}_{rng.getrandbits(160):040X}_"
        if client == "gmail":
            return f"000000000000{rng.getrandbits(48):012x}"
        if client == "apple":
            return f"Apple-Mail={rng.getrandbits(128):032X}"
        return f"------------{rng.getrandbits(96):024x}"

    def _charset(self, person: Person, content: str) -> str:
        if person.lang == "da" and person.client == "outlook" and self.rng.random() < 0.5:
            try:
                content.encode("iso-8859-1")
                return "iso-8859-1"  # what older Outlook still sends for Danish
            except UnicodeEncodeError:
                pass
        if content.isascii() and person.client != "outlook":
            return "us-ascii"
        return "utf-8"

    def _content(self, person: Person, lines: list[str], when: datetime,
                 charset: str) -> tuple[mime.Part, bool]:
        """The MIME body: plain, HTML-only or alternative, maybe with an attachment."""
        rng, client = self.rng, person.client
        plain = "\n".join(lines) + "\n"
        form = rng.random()
        part: mime.Part
        if form < HTML_ONLY_SHARE:
            part = mime.text_part(mime.html_body(lines, client, charset), "html", charset)
        elif form < HTML_ONLY_SHARE + ALTERNATIVE_SHARE:
            part = mime.multipart("alternative", self._boundary(client, 0), [
                mime.text_part(plain, "plain", charset),
                mime.text_part(mime.html_body(lines, client, charset), "html", charset)])
        else:
            part = mime.text_part(plain, "plain", charset)
        if rng.random() >= ATTACHMENT_SHARE:
            return part, False
        attachment = self._attachment(person, when)
        return mime.multipart("mixed", self._boundary(client, 4), [part, attachment]), True

    def _attachment(self, person: Person, when: datetime) -> mime.Part:
        rng = self.rng
        _, mime_type, magic, names_da, names_en = rng.choice(text.ATTACHMENTS)
        local = when.astimezone(ZONES[person.lang])
        stamp = (f"{local:%Y-%m-%d %H%M%S}" if person.lang == "da"
                 else f"{local:%Y-%m-%d at %H.%M.%S}")
        filename = rng.choice(names_da if person.lang == "da" else names_en).format(
            stamp=stamp, num=rng.randint(1000, 99999))
        size = rng.randint(*ATTACHMENT_SIZES)
        if filename.isascii():
            name_param, file_param = f'name="{filename}"', f'filename="{filename}"'
        else:
            # RFC 2231 is the standard way to send a non-ASCII filename.
            encoded = encode_rfc2231(filename, "utf-8")
            name_param, file_param = f"name*={encoded}", f"filename*={encoded}"
        disposition = f"attachment;\n\t{file_param}"
        if person.client == "outlook":
            stamp_utc = format_datetime(when.astimezone(UTC), usegmt=True)
            disposition += f'; size={size};\n\tcreation-date="{stamp_utc}"'
        return ([("Content-Type", f"{mime_type};\n\t{name_param}"),
                 ("Content-Disposition", disposition),
                 ("Content-Transfer-Encoding", "base64")],
                self.pool.payload(rng, magic, size))

    def _render(self, person: Person, when: datetime, subject: str, message_id: str,
                references: tuple[str, ...], lines: list[str]) -> bytes:
        rng, client = self.rng, person.client
        domain = person.address.split("@")[1]
        charset = self._charset(person, "\n".join(lines))
        (content_headers, body), attached = self._content(person, lines, when, charset)
        # Headers use the body's charset, as mail clients do; ASCII bodies fall back to
        # UTF-8 for the odd non-ASCII name.
        charset = "utf-8" if charset == "us-ascii" else charset
        arrival = format_datetime((when + timedelta(seconds=rng.randint(1, 20)))
                                  .astimezone(ZONES["da"]))
        relay = f"mail-{rng.choice(('db8', 'am7', 'vi1'))}eur0{rng.randint(1, 5)}.{domain}"
        ip = f"{rng.choice(('192.0.2', '198.51.100', '203.0.113'))}.{rng.randint(1, 254)}"
        headers = [
            ("Return-Path", f"<{person.address}>"),
            ("Received", f"from mx1.oo.dk ([127.0.0.1])\n\tby mail.oo.dk with LMTP\n"
                         f"\tfor <{SUPPORT_ADDRESS}>; {arrival}"),
            ("Received", f"from {relay} ({relay} [{ip}])\n\tby mx1.oo.dk (Postfix) with "
                         f"ESMTPS id 4X{rng.getrandbits(40):010X}\n"
                         f"\tfor <{SUPPORT_ADDRESS}>; {arrival}"),
        ]
        if client in ("outlook", "gmail"):
            headers.append(("DKIM-Signature",
                            f"v=1; a=rsa-sha256; c=relaxed/relaxed; d={domain};\n"
                            "\ts=selector1; h=From:Date:Subject:Message-ID:Content-Type:"
                            f"MIME-Version;\n\tbh={self.pool.token(rng, 43)}=;\n"
                            f"\tb={mime.fold(self.pool.token(rng, 342) + '==', 70)}"))
        headers += [
            ("From", formataddr((person.name, person.address), charset)),
            ("To", f"OO Support <{SUPPORT_ADDRESS}>"),
            ("Subject", mime.encode_header("Subject", subject, charset)),
            ("Date", format_datetime(when.astimezone(ZONES[person.lang]))),
            ("Message-ID", message_id),
        ]
        if references:
            # Never RFC 2047-encode these: Exchange drops encoded threading headers.
            headers += [("In-Reply-To", references[-1]),
                        ("References", "\n\t".join(references))]
        headers += self._client_headers(person, subject, attached, charset)
        headers += [("MIME-Version", "1.0"), *content_headers]
        return mime.serialize((headers, body)).replace("\n", "\r\n").encode("ascii")

    def _client_headers(self, person: Person, subject: str, attached: bool,
                        charset: str) -> list[tuple[str, str]]:
        if person.client == "outlook":
            topic = subject.removeprefix(text.REPLY_PREFIX[person.lang])
            language = "da-DK" if person.lang == "da" else "en-GB"
            return [("Thread-Topic", mime.encode_header("Thread-Topic", topic, charset)),
                    ("Thread-Index", self.pool.token(self.rng, 30) + "=="),
                    ("Accept-Language", f"{language}, en-US"),
                    ("Content-Language", language),
                    ("X-MS-Has-Attach", "yes" if attached else "no")]
        if person.client == "apple":
            return [("X-Mailer", self.rng.choice(("iPhone Mail (21H16)",
                                                  "Apple Mail (2.3774.600.62)")))]
        if person.client == "thunderbird":
            return [("User-Agent", "Mozilla Thunderbird"),
                    ("Content-Language", "da" if person.lang == "da" else "en-GB")]
        return []


def generate(n: int, seed: int = 1) -> Iterator[bytes]:
    """Yield n support mails as RFC 5322 bytes, the same ones for the same seed."""
    writer = _Writer(seed)
    for when in _timestamps(writer.rng, n):
        yield writer.message(when)


def check(messages: Iterator[bytes]) -> dict[str, float]:
    """Parse every message as the daemon will (policy.default) and count defects."""
    from email import message_from_bytes, policy

    sizes: list[int] = []
    defective = danish_subjects = 0
    for raw in messages:
        sizes.append(len(raw))
        msg = message_from_bytes(raw, policy=policy.default)
        subject = msg["subject"]
        defects = [*msg.defects, *subject.defects, *msg["from"].defects]
        for part in msg.walk():
            defects += part.defects
            if part.get_content_maintype() != "multipart":
                part.get_content()  # raises on a broken encoding
        body = msg.get_body(("plain", "html"))
        if defects or body is None:
            defective += 1
            print(f"defective {msg['message-id']}: {defects!r}", file=sys.stderr)
        danish_subjects += any(ch in str(subject) for ch in "æøåÆØÅ")
    return {
        "mails": len(sizes), "defective": defective,
        "subjects_with_aeoeaa": danish_subjects,
        "average_kb": round(sum(sizes) / len(sizes) / 1024, 1),
        "median_kb": round(sorted(sizes)[len(sizes) // 2] / 1024, 1),
        "largest_kb": round(max(sizes) / 1024, 1),
        "total_mb": round(sum(sizes) / 1024 / 1024, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.corpus",
                                     description="Write or check the benchmark mail corpus.")
    parser.add_argument("n", type=int, help="number of mails")
    parser.add_argument("outdir", type=Path, nargs="?", help="write NNNNN.eml files here")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--check", action="store_true",
                        help="parse every mail back with policy.default and print sizes")
    args = parser.parse_args(argv)
    if args.check:
        started = time.perf_counter()
        report = check(generate(args.n, args.seed))
        print({**report, "seconds": round(time.perf_counter() - started, 2)})
        return 1 if report["defective"] else 0
    if args.outdir is None:
        parser.error("OUTDIR is required unless --check is given")
    args.outdir.mkdir(parents=True, exist_ok=True)
    width = max(5, len(str(args.n)))
    started = time.perf_counter()
    for index, raw in enumerate(generate(args.n, args.seed), start=1):
        (args.outdir / f"{index:0{width}d}.eml").write_bytes(raw)
    print(f"wrote {args.n} mails to {args.outdir} in {time.perf_counter() - started:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
