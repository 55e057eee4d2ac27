"""MIME assembly for the benchmark corpus: parts as (headers, encoded body) pairs.

Messages are written as text rather than built with EmailMessage, whose header
registry parses and refolds every header it is given: rebuilding 1,000 corpus mails
through it took 2.8 s, against ~0.2 s here, so a 5,000-mail benchmark would mostly
have measured its own setup. The encodings are still the stdlib's (email.header for
RFC 2047, binascii for quoted-printable and base64), and corpus.check() parses every
message back with email.policy.default. Line endings are "\n" until the caller turns
the finished message into CRLF bytes.
"""

from __future__ import annotations

import base64
import binascii
import html
import random
from email.charset import Charset
from email.header import Header

Part = tuple[list[tuple[str, str]], str]  # (headers, already encoded body), "\n" endings


class AttachmentPool:
    """Random bytes base64-encoded once; an attachment is a slice of whole lines.

    Drawing and encoding every attachment afresh would add about two thirds to the
    time 5,000 mails take; slicing at line boundaries keeps each attachment valid
    base64, at the cost of attachments sharing content, which neither Dovecot nor the
    parser notices.
    """

    RAW_LINE = 57  # bytes per 76-character base64 line
    TEXT_LINE = 77  # 76 characters and "\n"

    def __init__(self, rng: random.Random, size: int = 1 << 20) -> None:
        self.lines = size // self.RAW_LINE
        raw = rng.randbytes(self.lines * self.RAW_LINE)
        self.text = base64.encodebytes(raw).decode("ascii")

    def payload(self, rng: random.Random, magic: bytes, size: int) -> str:
        """Base64 text of `size` bytes that start with the file type's magic bytes."""
        head = magic + rng.randbytes(self.RAW_LINE - len(magic))
        middle, rest = divmod(size - self.RAW_LINE, self.RAW_LINE)
        start = rng.randrange(self.lines - middle)
        parts = [binascii.b2a_base64(head).decode("ascii"),
                 self.text[start * self.TEXT_LINE:(start + middle) * self.TEXT_LINE]]
        if rest:
            parts.append(binascii.b2a_base64(rng.randbytes(rest)).decode("ascii"))
        return "".join(parts)

    def token(self, rng: random.Random, length: int) -> str:
        """Base64 characters for signatures and thread indexes."""
        line = rng.randrange(self.lines - length // 76 - 1)
        chunk = self.text[line * self.TEXT_LINE:(line + length // 76 + 1) * self.TEXT_LINE]
        return chunk.replace("\n", "")[:length]


def encode_header(name: str, value: str, charset: str) -> str:
    """RFC 2047 only when needed; Header folds long values either way."""
    if value.isascii():
        return Header(value, header_name=name).encode(linesep="\n")
    return Header(value, Charset(charset), header_name=name).encode(linesep="\n")


def fold(value: str, width: int) -> str:
    """Break an unspaced token (a signature) over continuation lines, as signers do."""
    return "\n\t ".join(value[i:i + width] for i in range(0, len(value), width))


def serialize(part: Part) -> str:
    headers, body = part
    return "".join(f"{name}: {value}\n" for name, value in headers) + "\n" + body


def multipart(subtype: str, boundary: str, parts: list[Part]) -> Part:
    # Each serialized part ends in "\n", which becomes the CRLF that belongs to the
    # following delimiter line (RFC 2046 5.1.1).
    body = "".join(f"--{boundary}\n{serialize(part)}" for part in parts)
    return ([("Content-Type", f'multipart/{subtype};\n\tboundary="{boundary}"')],
            body + f"--{boundary}--\n")


def text_part(content: str, subtype: str, charset: str) -> Part:
    """Quoted-printable unless the text is plain ASCII sent by a client that uses 7bit."""
    if charset == "us-ascii":
        return ([("Content-Type", f"text/{subtype}; charset=\"us-ascii\""),
                 ("Content-Transfer-Encoding", "7bit")], content)
    data = binascii.b2a_qp(content.encode(charset), istext=True).decode("ascii")
    return ([("Content-Type", f'text/{subtype}; charset="{charset}"'),
             ("Content-Transfer-Encoding", "quoted-printable")], data)


def html_body(lines: list[str], client: str, charset: str) -> str:
    escaped = [html.escape(line, quote=False) for line in lines]
    if client == "outlook":
        # Word's HTML: a style block and one <p class=MsoNormal> per line, which is
        # what makes real Outlook mail several times larger than its text.
        paragraphs = "\n".join(
            f"<p class=\"MsoNormal\">{line or '&nbsp;'}<o:p></o:p></p>" for line in escaped
        )
        return (
            "<html xmlns:o=\"urn:schemas-microsoft-com:office:office\">\n<head>\n"
            f"<meta http-equiv=\"Content-Type\" content=\"text/html; charset={charset}\">\n"
            "<style><!--\n@font-face {font-family:Aptos;}\n"
            "p.MsoNormal, li.MsoNormal, div.MsoNormal {margin:0cm; font-size:11.0pt;"
            " font-family:\"Aptos\",sans-serif;}\n"
            "a:link, span.MsoHyperlink {color:#467886; text-decoration:underline;}\n"
            "span.EmailStyle17 {font-family:\"Aptos\",sans-serif; color:windowtext;}\n"
            "@page WordSection1 {size:612.0pt 792.0pt; margin:72.0pt 72.0pt 72.0pt 72.0pt;}\n"
            "div.WordSection1 {page:WordSection1;}\n--></style>\n</head>\n"
            "<body lang=\"DA\" link=\"#467886\" vlink=\"#96607D\">\n"
            f"<div class=\"WordSection1\">\n{paragraphs}\n</div>\n</body>\n</html>\n"
        )
    body = "<br>\n".join(escaped)
    return f"<html><head></head><body><div dir=\"ltr\">{body}<br></div></body></html>\n"
