"""Writes the real-world corpus beside this file: one NAME.eml per mail and NAME.json with
what a person reads in it. Run it after changing a mail here:

    python tests/corpus/realworld/make_corpus.py

Each mail is built byte by byte as the client it imitates writes it (its charset
labels, raw 8-bit headers, structure), from the text its sender meant; the expectation
is that text, not anything the parser produced. A JSON file:
  client, family   what the mail imitates (for the corpus report)
  subject, sender, name   exact
  text             excerpts that must all be in the body text
  absent           excerpts that must not be (mojibake a wrong reading produces)
  attachments      [[file name, size or null when not fixed by the mail's bytes]]
"""

from __future__ import annotations

import base64
import json
import quopri
from pathlib import Path

HERE = Path(__file__).resolve().parent
MAILS: dict[str, tuple[bytes, dict[str, object]]] = {}
DATE = b"Date: Fri, 04 Dec 2026 09:12:00 +0100\r\n"


def b64(data: bytes) -> bytes:
    return base64.encodebytes(data).replace(b"\n", b"\r\n")


def qp(data: bytes) -> bytes:
    return quopri.encodestring(data).replace(b"\n", b"\r\n")


def word(text: str, charset: str, codec: str | None = None, q: bool = False) -> bytes:
    """An RFC 2047 encoded word: `text` encoded with `codec`, labelled `charset`."""
    data = text.encode(codec or charset)
    if q:
        body = b"".join(bytes([c]) if chr(c).isalnum() and c < 128 else b"_" if c == 32
                        else b"=%02X" % c for c in data)
        return b"=?" + charset.encode() + b"?Q?" + body + b"?="
    return b"=?" + charset.encode() + b"?B?" + base64.b64encode(data) + b"?="


def add(name: str, raw: bytes, *, client: str, family: str, subject: str, sender: str,
        display: str, text: list[str], absent: list[str] | None = None,
        attachments: list[tuple[str, int | None]] | None = None) -> None:
    assert name not in MAILS
    MAILS[name] = (raw, {
        "client": client, "family": family, "subject": subject, "sender": sender,
        "name": display, "text": text, "absent": absent or [],
        "attachments": [list(a) for a in attachments or []],
    })


def head(sender: bytes, subject: bytes, *extra: bytes, mid: str = "") -> bytes:
    return (b"From: " + sender + b"\r\nTo: support@oo.dk\r\nSubject: " + subject + b"\r\n"
            + DATE + b"Message-ID: <" + (mid or "x").encode() + b"@corpus.example>\r\n"
            + b"MIME-Version: 1.0\r\n" + b"".join(extra))


def plain(body: bytes, charset: str, cte: str = "8bit") -> bytes:
    return (b"Content-Type: text/plain; charset=" + charset.encode() + b"\r\n"
            b"Content-Transfer-Encoding: " + cte.encode() + b"\r\n\r\n" + body)


# -- Chinese ------------------------------------------------------------------------
ZH_SUBJECT = "关于服务器故障的紧急请求（王喆）"  # 喆 is GBK, not GB2312
ZH_BODY = "您好，\r\n我们办公室的打印机无法连接网络，同事们都受影响。\r\n王喆 敬上\r\n"
add("zh-foxmail-gb2312-labelled-gbk", head(
    word("王喆", "gb2312", "gbk") + b" <wangzhe@kunde-cn.example>",
    word(ZH_SUBJECT, "gb2312", "gbk"), b"X-Mailer: Foxmail 7.2.25\r\n", mid="zh1")
    + plain(b64(ZH_BODY.encode("gbk")), "gb2312", "base64"),
    client="Foxmail", family="chinese-gbk", subject=ZH_SUBJECT,
    sender="wangzhe@kunde-cn.example", display="王喆",
    text=["打印机无法连接网络", "王喆 敬上"])

add("zh-webmail-raw-8bit-subject", head(
    "李娜".encode("gbk") + b" <lina@kunde-cn.example>",
    "发票已收到，请确认付款日期".encode("gbk"), mid="zh2")
    + plain("请查收附件中的发票。谢谢！\r\n".encode("gbk"), "gbk"),
    client="Chinese webmail", family="chinese-gbk",
    subject="发票已收到，请确认付款日期", sender="lina@kunde-cn.example", display="李娜",
    text=["请查收附件中的发票。谢谢！"])

add("zh-raw-subject-ascii-body", head(
    b"zhang.wei@kunde-cn.example", "关于服务器故障的紧急请求".encode("gbk"), mid="zh3")
    + plain(b"Please see the subject. Server is down since 08:00.\r\n", "us-ascii", "7bit"),
    client="Chinese webmail", family="chinese-gbk", subject="关于服务器故障的紧急请求",
    sender="zhang.wei@kunde-cn.example", display="",
    text=["Server is down since 08:00."])

ZH_FILE = "报价单（第二版）.xlsx"
XLSX = b"PK\x03\x04" + bytes(range(256)) * 8
add("zh-rfc2231-and-raw-filenames", head(
    word("陈静", "gb2312", "gbk", q=True) + b" <chenjing@kunde-cn.example>",
    word("报价单", "GB2312"), b"Content-Type: multipart/mixed; boundary=\"zhb\"\r\n",
    mid="zh4")
    + b"\r\n--zhb\r\n" + plain(b64("附件是报价单和合同。\r\n".encode("gbk")), "gbk", "base64")
    + b"\r\n--zhb\r\nContent-Type: application/vnd.ms-excel\r\n"
    b"Content-Disposition: attachment; filename*=gb2312''"
    + "".join(f"%{b:02X}" for b in ZH_FILE.encode("gbk")).encode()
    + b"\r\nContent-Transfer-Encoding: base64\r\n\r\n" + b64(XLSX)
    + b"\r\n--zhb\r\nContent-Type: application/pdf; name=\"" + "合同草案.pdf".encode("gbk")
    + b"\"\r\nContent-Disposition: attachment; filename=\"" + "合同草案.pdf".encode("gbk")
    + b"\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" + b64(b"%PDF-1.4 contract")
    + b"\r\n--zhb--\r\n",
    client="Chinese Outlook", family="chinese-gbk", subject="报价单",
    sender="chenjing@kunde-cn.example", display="陈静", text=["附件是报价单和合同。"],
    attachments=[(ZH_FILE, len(XLSX)), ("合同草案.pdf", 17)])

add("zh-split-encoded-words", head(
    b"<liu@kunde-cn.example>",
    # A multibyte character cut across two encoded words, as some mailers fold.
    b"=?gb2312?B?" + base64.b64encode("网络中断".encode("gbk")[:3]) + b"?=\r\n =?gb2312?B?"
    + base64.b64encode("网络中断".encode("gbk")[3:]) + b"?=", mid="zh5")
    + plain(b64("网络从早上开始中断。".encode("gbk")), "GB2312", "base64"),
    client="Chinese mailer", family="chinese-gbk", subject="网络中断",
    sender="liu@kunde-cn.example", display="", text=["网络从早上开始中断。"])

ZH_IDEO = "打印机　故障"
add("zh-ideographic-space-utf8", head(
    word("山田　太郎", "utf-8") + b" <yamada@kunde-jp.example>", word(ZH_IDEO, "utf-8"),
    mid="zh6") + plain("本文です。\r\n".encode(), "utf-8"),
    client="Thunderbird", family="utf-8", subject=ZH_IDEO,
    sender="yamada@kunde-jp.example", display="山田　太郎", text=["本文です。"])

add("zh-gb18030-four-byte", head(
    b"<zhou@kunde-cn.example>", word("𠮷野家订单 €", "gb2312", "gb18030"), mid="zh7")
    + plain(b64("订单号 𠮷-42，金额 €120。".encode("gb18030")), "gb2312", "base64"),
    client="Chinese mailer", family="chinese-gbk", subject="𠮷野家订单 €",
    sender="zhou@kunde-cn.example", display="", text=["订单号 𠮷-42，金额 €120。"])

add("zh-webmail-us-ascii-labelled-gbk", head(
    b"<sun@kunde-cn.example>", word("网络故障", "gbk"), mid="zh8")
    + plain("公司的网络从今天早上开始一直断断续续。\r\n".encode("gbk"), "us-ascii"),
    client="Chinese webmail", family="chinese-gbk", subject="网络故障",
    sender="sun@kunde-cn.example", display="", text=["网络从今天早上开始一直断断续续。"])

add("zh-html-meta-charset-only", head(
    b"<zhao@kunde-cn.example>", word("邮箱满了", "utf-8"), mid="zh9")
    + b"Content-Type: text/html\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
    b"<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=gb2312\">"
    b"</head><body><p>" + "我的邮箱满了，无法接收邮件。王喆".encode("gbk")
    + b"</p></body></html>\r\n",
    client="Chinese HTML mailer", family="chinese-gbk", subject="邮箱满了",
    sender="zhao@kunde-cn.example", display="", text=["我的邮箱满了，无法接收邮件。王喆"])

# -- Big5 ---------------------------------------------------------------------------
HK_SUBJECT = "部門電腦啱啱壞咗"  # 啱 and 咗 are HKSCS, not Big5
add("big5-hkscs-labelled-big5", head(
    word("黃志明", "big5") + b" <wong@kunde-hk.example>", word(HK_SUBJECT, "big5", "big5hkscs"),
    mid="hk1") + plain(b64("我哋嘅電腦今朝開唔到機，麻煩你哋跟進。\r\n".encode("big5hkscs")),
                       "big5", "base64"),
    client="Outlook (Hong Kong)", family="chinese-big5", subject=HK_SUBJECT,
    sender="wong@kunde-hk.example", display="黃志明", text=["電腦今朝開唔到機"])

add("big5-raw-8bit-subject", head(
    "林美玲".encode("big5") + b" <lin@kunde-tw.example>", "印表機無法連線，請協助".encode("big5"),
    mid="tw1") + plain("辦公室的印表機從昨天開始無法列印。\r\n".encode("big5"), "big5"),
    client="Taiwanese webmail", family="chinese-big5", subject="印表機無法連線，請協助",
    sender="lin@kunde-tw.example", display="林美玲", text=["無法列印"])

# -- Japanese -----------------------------------------------------------------------
add("ja-shift-jis-nec-specials", head(
    word("㈱山田商事　佐藤", "shift_jis", "cp932") + b" <sato@kunde-jp.example>",
    word("①サーバー停止のお知らせ", "shift_jis", "cp932"), mid="ja1")
    + plain(b64("①メールサーバーが停止しています。\r\n㈱山田商事\r\n".encode("cp932")),
            "Shift_JIS", "base64"),
    client="Becky!", family="japanese", subject="①サーバー停止のお知らせ",
    sender="sato@kunde-jp.example", display="㈱山田商事　佐藤",
    text=["①メールサーバーが停止しています。", "㈱山田商事"])

add("ja-iso-2022-jp-halfwidth-kana", head(
    b"=?ISO-2022-JP?B?" + base64.b64encode("鈴木".encode("iso2022_jp"))
    + b"?= <suzuki@kunde-jp.example>",
    b"=?ISO-2022-JP?B?" + base64.b64encode("ﾃｽﾄ送信".encode("iso2022_jp_ext")) + b"?=",
    mid="ja2")
    + plain("ﾌﾟﾘﾝﾀｰが動きません。\r\n".encode("iso2022_jp_ext"), "ISO-2022-JP", "7bit"),
    client="Japanese mobile mailer", family="japanese", subject="ﾃｽﾄ送信",
    sender="suzuki@kunde-jp.example", display="鈴木", text=["ﾌﾟﾘﾝﾀｰが動きません。"])

add("ja-raw-iso-2022-jp-subject", head(
    b"tanaka@kunde-jp.example", "見積書の件".encode("iso2022_jp"), mid="ja3")
    + plain("見積書を添付します。\r\n".encode("iso2022_jp"), "iso-2022-jp", "7bit"),
    client="old Japanese mailer", family="japanese", subject="見積書の件",
    sender="tanaka@kunde-jp.example", display="", text=["見積書を添付します。"])

add("ja-raw-sjis-subject-with-hint", head(
    "高橋".encode("cp932") + b" <takahashi@kunde-jp.example>", "請求書①の再発行".encode("cp932"),
    mid="ja4") + plain("請求書を再発行してください。\r\n".encode("cp932"), "shift_jis"),
    client="Japanese webmail", family="japanese", subject="請求書①の再発行",
    sender="takahashi@kunde-jp.example", display="高橋", text=["請求書を再発行してください。"])

# -- Korean -------------------------------------------------------------------------
KO_SUBJECT = "똠얌꿍 식당 네트워크 장애"  # 똠 and 꿍 are not in KS X 1001: cp949 only
add("ko-ks-c-5601-1987-outlook", head(
    word("김민준", "ks_c_5601-1987", "cp949") + b" <kim@kunde-kr.example>",
    word(KO_SUBJECT, "ks_c_5601-1987", "cp949"), b"X-Mailer: Microsoft Outlook 16.0\r\n",
    mid="ko1") + plain(b64("안녕하세요. 똠얌꿍 식당의 인터넷이 안 됩니다.\r\n".encode("cp949")),
                       "ks_c_5601-1987", "base64"),
    client="Outlook (Korean)", family="korean", subject=KO_SUBJECT,
    sender="kim@kunde-kr.example", display="김민준", text=["인터넷이 안 됩니다."])

add("ko-raw-8bit-euc-kr", head(
    "박서연".encode("cp949") + b" <park@kunde-kr.example>", "견적서 요청드립니다".encode("cp949"),
    mid="ko2") + plain("견적서를 보내주세요.\r\n".encode("euc-kr"), "euc-kr"),
    client="Korean webmail", family="korean", subject="견적서 요청드립니다",
    sender="park@kunde-kr.example", display="박서연", text=["견적서를 보내주세요."])

KO_FILE = "똠얌꿍 견적서.hwp"
add("ko-rfc2231-filename", head(
    b"<choi@kunde-kr.example>", word("견적서", "ks_c_5601-1987", "cp949"),
    b"Content-Type: multipart/mixed; boundary=\"ko\"\r\n", mid="ko3")
    + b"\r\n--ko\r\n" + plain(b64("견적서 첨부합니다.\r\n".encode("cp949")), "ks_c_5601-1987",
                               "base64")
    + b"\r\n--ko\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment;"
    b" filename*=ks_c_5601-1987''" + "".join(f"%{b:02X}" for b in KO_FILE.encode("cp949")).encode()
    + b"\r\nContent-Transfer-Encoding: base64\r\n\r\n" + b64(b"HWP Document File" + b"\x00" * 83)
    + b"\r\n--ko--\r\n",
    client="Outlook (Korean)", family="korean", subject="견적서", sender="choi@kunde-kr.example",
    display="", text=["견적서 첨부합니다."], attachments=[(KO_FILE, 100)])

# -- Czech --------------------------------------------------------------------------
CZ_SUBJECT = "Tiskárna nefunguje – žádost o opravu"
CZ_BODY = "Dobrý den,\r\ntiskárna ve 2. patře píše chybu. Šéf říká, že je to naléhavé.\r\n"
add("cs-iso-8859-2-correct", head(
    word("Jiří Dvořák", "iso-8859-2", q=True) + b" <jiri.dvorak@kunde-cz.example>",
    word("Tiskárna nefunguje - žádost o opravu", "iso-8859-2", q=True), mid="cs1")
    + plain(qp(CZ_BODY.encode("iso-8859-2")), "iso-8859-2", "quoted-printable"),
    client="Thunderbird", family="czech", subject="Tiskárna nefunguje - žádost o opravu",
    sender="jiri.dvorak@kunde-cz.example", display="Jiří Dvořák", text=["Šéf říká"])

add("cs-iso-8859-2-labelled-cp1250", head(
    word("Tomáš Šťastný", "iso-8859-2", "cp1250", q=True) + b" <stastny@kunde-cz.example>",
    word(CZ_SUBJECT, "iso-8859-2", "cp1250", q=True), b"X-Mailer: Microsoft Outlook 14.0\r\n",
    mid="cs2") + plain(qp(CZ_BODY.encode("cp1250")), "iso-8859-2", "quoted-printable"),
    client="Outlook (Czech)", family="czech", subject=CZ_SUBJECT,
    sender="stastny@kunde-cz.example", display="Tomáš Šťastný",
    text=["Šéf říká, že je to naléhavé."])

add("cs-raw-8bit-windows-1250", head(
    "Věra Nováková".encode("cp1250") + b" <novakova@kunde-cz.example>",
    "Účet za září – oprava".encode("cp1250"), mid="cs3")
    + plain("Prosím o opravu účtu.\r\n".encode("cp1250"), "windows-1250"),
    client="Czech webmail", family="czech", subject="Účet za září – oprava",
    sender="novakova@kunde-cz.example", display="Věra Nováková", text=["Prosím o opravu účtu."])

# -- German -------------------------------------------------------------------------
DE_BODY = ("Sehr geehrte Damen und Herren,\r\n"
           "die Rechnung über 1.250 € ist „überfällig“ – bitte prüfen.\r\n"
           "Mit freundlichen Grüßen\r\n")
add("de-latin1-labelled-cp1252", head(
    word("Jürgen Müller", "iso-8859-1", q=True) + b" <j.mueller@kunde-de.example>",
    word("Rechnung 1.250 € „überfällig“", "iso-8859-1", "cp1252", q=True), mid="de1")
    + plain(qp(DE_BODY.encode("cp1252")), "iso-8859-1", "quoted-printable"),
    client="Outlook (German)", family="german-cp1252", subject="Rechnung 1.250 € „überfällig“",
    sender="j.mueller@kunde-de.example", display="Jürgen Müller",
    text=["die Rechnung über 1.250 € ist „überfällig“ – bitte prüfen."])

add("de-us-ascii-with-8bit", head(
    b"Stefan Wei\xdf <weiss@kunde-de.example>", b"Drucker defekt", mid="de2")
    + plain("Grüße aus München – der Drucker druckt nur noch Streifen…\r\n".encode("cp1252"),
            "us-ascii"),
    client="old German client", family="german-cp1252", subject="Drucker defekt",
    sender="weiss@kunde-de.example", display="Stefan Weiß",
    text=["Grüße aus München – der Drucker druckt nur noch Streifen…"])

add("de-windows-1252-outlook-control", head(
    word("Anna Schäfer", "Windows-1252", q=True) + b" <schaefer@kunde-de.example>",
    word("AW: „Zugang“ gesperrt", "Windows-1252", q=True), mid="de3")
    + plain(qp("Mein Zugang ist seit heute gesperrt.\r\n".encode("cp1252")), "Windows-1252",
            "quoted-printable"),
    client="Outlook (German)", family="german-cp1252", subject="AW: „Zugang“ gesperrt",
    sender="schaefer@kunde-de.example", display="Anna Schäfer",
    text=["Mein Zugang ist seit heute gesperrt."])

# -- Danish -------------------------------------------------------------------------
DK_SUBJECT = "Printeren på 2. sal æder papir – ØJEBLIKKELIG hjælp"
DK_FILE = "Fejlrapport æøå ÆØÅ.pdf"
PDF = b"%PDF-1.4\n" + b"0123456789" * 300
add("da-outlook-every-place", head(
    word("Søren Ærbø", "utf-8", q=True) + b" <Soeren.Aerboe@Kunde.DK>",
    word(DK_SUBJECT, "utf-8", q=True), b"X-Mailer: Microsoft Outlook 16.0\r\n"
    b"Content-Type: multipart/mixed; boundary=\"dk1\"\r\n", mid="da1")
    + b"\r\n--dk1\r\nContent-Type: multipart/alternative; boundary=\"dk1a\"\r\n\r\n--dk1a\r\n"
    + plain(qp("Hej,\r\nprinteren på 2. sal æder papiret. Kan I hjælpe?\r\nMvh Søren\r\n".encode()),
            "utf-8", "quoted-printable")
    + b"\r\n--dk1a\r\nContent-Type: text/html; charset=\"utf-8\"\r\n"
    b"Content-Transfer-Encoding: quoted-printable\r\n\r\n"
    + qp("<html><body><p>Hej,</p><p>printeren på 2. sal æder papiret.</p></body></html>".encode())
    + b"\r\n--dk1a--\r\n\r\n--dk1\r\nContent-Type: application/pdf; name=\""
    + word(DK_FILE, "utf-8") + b"\"\r\nContent-Disposition: attachment;\r\n filename*=utf-8''"
    + "".join(f"%{b:02X}" for b in DK_FILE.encode()).encode()
    + b"\r\nContent-Transfer-Encoding: base64\r\n\r\n" + b64(PDF) + b"\r\n--dk1--\r\n",
    client="Outlook", family="danish", subject=DK_SUBJECT, sender="Soeren.Aerboe@kunde.dk",
    display="Søren Ærbø", text=["printeren på 2. sal æder papiret. Kan I hjælpe?", "Mvh Søren"],
    attachments=[(DK_FILE, len(PDF))])

add("da-raw-latin1-headers", head(
    "Bjørn Ågesen".encode("latin-1") + b" <bjorn@kunde.dk>",
    "Adgangskoden virker ikke på kontoret i Ærøskøbing".encode("latin-1"),
    b"Content-Type: multipart/mixed; boundary=\"dk2\"\r\n", mid="da2")
    + b"\r\n--dk2\r\n" + plain("Jeg kan ikke logge på. Hilsen Bjørn\r\n".encode("latin-1"),
                               "iso-8859-1")
    + b"\r\n--dk2\r\nContent-Type: application/octet-stream; name=\""
    + "skærmbillede øst.png".encode("latin-1") + b"\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
    + b64(b"\x89PNG\r\n\x1a\n" + b"\x00" * 120) + b"\r\n--dk2--\r\n",
    client="Eudora", family="danish", subject="Adgangskoden virker ikke på kontoret i Ærøskøbing",
    sender="bjorn@kunde.dk", display="Bjørn Ågesen", text=["Hilsen Bjørn"],
    attachments=[("skærmbillede øst.png", 128)])

add("da-raw-utf8-headers", head(
    "Åse Øster".encode() + b" <aase@kunde.dk>", "Spørgsmål om licens – Office".encode(),
    mid="da3") + plain("Hvornår udløber vores licens?\r\n".encode(), "utf-8"),
    client="webmail (SMTPUTF8)", family="danish", subject="Spørgsmål om licens – Office",
    sender="aase@kunde.dk", display="Åse Øster", text=["Hvornår udløber vores licens?"])

add("da-raw-cp1252-no-charset-anywhere", head(
    b"Lars Kr\xe6mmer <lars@kunde.dk>", b"K\xe6re support, l\xe5st konto", mid="da4")
    + b"Content-Type: text/plain\r\n\r\n" + "Min konto er låst.\r\n".encode("cp1252"),
    client="old client", family="danish", subject="Kære support, låst konto",
    sender="lars@kunde.dk", display="Lars Kræmmer", text=["Min konto er låst."])

add("da-case-kept-in-local-part", head(
    b"\"Hansen, Mette\" <Mette.Hansen@KUNDE.dk>", b"Ny medarbejder", mid="da5")
    + plain(b"Vi har en ny medarbejder fra mandag.\r\n", "us-ascii", "7bit"),
    client="Outlook", family="ascii", subject="Ny medarbejder",
    sender="Mette.Hansen@kunde.dk", display="Hansen, Mette",
    text=["Vi har en ny medarbejder fra mandag."])

add("da-unknown-8bit-charset", head(
    b"ole@kunde.dk", word("Netværk nede", "unknown-8bit", "latin-1", q=True), mid="da6")
    + plain("Netværket på kontoret er nede.\r\n".encode("latin-1"), "unknown-8bit"),
    client="broken gateway", family="danish", subject="Netværk nede", sender="ole@kunde.dk",
    display="", text=["Netværket på kontoret er nede."])

# -- Stray lines before the header section -------------------------------------------
BASIC = head(b"Kim Lund <kim@kunde.dk>", b"Server nede", mid="st") + plain(
    b"Serveren svarer ikke.\r\n", "us-ascii", "7bit")
for name, prefix, client in [
    ("stray-mbox-from-line", b"From kim@kunde.dk  Fri Dec  4 09:12:00 2026\r\n", "mbox export"),
    ("stray-quoted-from-line", b">From kim@kunde.dk Fri Dec  4 09:12:00 2026\r\n", "mboxrd"),
    ("stray-blank-line", b"\r\n", "broken relay"),
    ("stray-gateway-banner", b"*** Message scanned by MailGate 3.1 ***\r\n", "mail gateway"),
    ("stray-two-junk-lines", b"\r\nX-Junk line without colon here\r\n", "broken relay"),
]:
    add(name, prefix + BASIC.replace(b"<st@", f"<{name}@".encode()), client=client,
        family="ascii", subject="Server nede", sender="kim@kunde.dk", display="Kim Lund",
        text=["Serveren svarer ikke."])

FAX_PDF = b"%PDF-1.3 fax page\n" * 40
add("fax-gateway-junk-first-line", b"FAX RECEIVED 04/12/2026 09:11 FROM +4570211813 PAGES 2\r\n"
    + head(b"Fax Gateway <fax@kunde.dk>", b"Fax fra +45 70 21 18 13 (2 sider)",
           b"Content-Type: multipart/mixed; boundary=\"fx\"\r\n", mid="fax1")
    + b"\r\n--fx\r\n" + plain(b"Fax modtaget: 2 sider fra +45 70 21 18 13.\r\n", "us-ascii",
                              "7bit")
    + b"\r\n--fx\r\nContent-Type: application/pdf; name=Fax_4570211813_20261204.pdf\r\n"
    b"Content-Transfer-Encoding: base64\r\n\r\n" + b64(FAX_PDF) + b"\r\n--fx--\r\n",
    client="fax-to-mail", family="ascii", subject="Fax fra +45 70 21 18 13 (2 sider)",
    sender="fax@kunde.dk", display="Fax Gateway", text=["Fax modtaget: 2 sider"],
    attachments=[("Fax_4570211813_20261204.pdf", len(FAX_PDF))])

add("fax-tiff-latin1-cover", head(
    b"\"Faxserver Kontor\" <faxserver@kunde.dk>", b"=?iso-8859-1?Q?Fax_fra_K=F8ge?=",
    b"Content-Type: multipart/mixed; boundary=\"tf\"\r\n", mid="fax2")
    + b"\r\n--tf\r\n" + plain(qp("Forside: fax fra Køge, 1 side.\r\n".encode("latin-1")),
                              "iso-8859-1", "quoted-printable")
    + b"\r\n--tf\r\nContent-Type: image/tiff\r\nContent-Disposition: attachment; "
    b"filename=\"fax00042.tif\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
    + b64(b"II*\x00" + b"\x01" * 500) + b"\r\n--tf--\r\n",
    client="fax-to-mail", family="danish", subject="Fax fra Køge", sender="faxserver@kunde.dk",
    display="Faxserver Kontor", text=["Forside: fax fra Køge, 1 side."],
    attachments=[("fax00042.tif", 504)])

add("headerless-with-mbox-sender", b"From hanne@kunde.dk Fri Dec  4 09:12:00 2026\r\n"
    b"\r\nHej, vores VPN virker ikke. Hanne\r\n",
    client="broken export", family="ascii", subject="", sender="hanne@kunde.dk", display="",
    text=["vores VPN virker ikke"])

add("junk-then-from-field-in-text", b"=== forwarded by legacy gateway ===\r\n"
    b"this line is noise\r\nand so is this one\r\nFrom: Per <per@kunde.dk>\r\n"
    b"Subject: Mail virker ikke\r\n\r\nMin mail virker ikke.\r\n",
    client="legacy gateway", family="ascii", subject="Mail virker ikke", sender="per@kunde.dk",
    display="Per", text=["Min mail virker ikke."])

add("no-from-only-return-path", b"Return-Path: <bounce-handler@kunde.dk>\r\n"
    b"Subject: Uden afsender\r\nMessage-ID: <rp@corpus.example>\r\n\r\nTekst uden From.\r\n",
    client="script", family="ascii", subject="Uden afsender",
    sender="bounce-handler@kunde.dk", display="", text=["Tekst uden From."])

# -- Client quirks ------------------------------------------------------------------
TNEF = b"\x78\x9f\x3e\x22" + b"\x01\x06\x90\x08\x00" * 60
add("outlook-winmail-dat", head(
    b"Birgitte Holm <bh@kunde.dk>", b"VS: Kontrakt", b"X-MS-Has-Attach: yes\r\n"
    b"X-MS-TNEF-Correlator: <00000000A1@kunde.dk>\r\n"
    b"Content-Type: multipart/mixed; boundary=\"ol\"\r\n", mid="ol1")
    + b"\r\n--ol\r\n" + plain(b"Se vedhaeftede kontrakt.\r\n", "us-ascii", "7bit")
    + b"\r\n--ol\r\nContent-Type: application/ms-tnef; name=\"winmail.dat\"\r\n"
    b"Content-Disposition: attachment; filename=\"winmail.dat\"\r\n"
    b"Content-Transfer-Encoding: base64\r\n\r\n" + b64(TNEF) + b"\r\n--ol--\r\n",
    client="Outlook", family="ascii", subject="VS: Kontrakt", sender="bh@kunde.dk",
    display="Birgitte Holm", text=["Se vedhaeftede kontrakt."],
    attachments=[("winmail.dat", len(TNEF))])

JPEG = b"\xff\xd8\xff\xe0" + b"\x10" * 700 + b"\xff\xd9"
add("apple-mail-inline-image", head(
    b"=?utf-8?Q?Mads_M=C3=B8ller?= <mads@kunde.dk>", b"=?utf-8?Q?Sk=C3=A6rm_sort?=",
    b"X-Mailer: Apple Mail (2.3774)\r\n"
    b"Content-Type: multipart/alternative; boundary=\"Apple-Mail=_A1\"\r\n", mid="ap1")
    + b"\r\n--Apple-Mail=_A1\r\n" + plain(qp("Skærmen er sort, se billedet.\r\n".encode()),
                                            "utf-8", "quoted-printable")
    + b"\r\n--Apple-Mail=_A1\r\nContent-Type: multipart/related; type=\"text/html\";"
    b" boundary=\"Apple-Mail=_B2\"\r\n\r\n--Apple-Mail=_B2\r\nContent-Type: text/html;"
    b" charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
    + qp("<html><body>Skærmen er sort<img src=\"cid:IMG_0001@ap\"></body></html>".encode())
    + b"\r\n--Apple-Mail=_B2\r\nContent-Disposition: inline; filename=IMG_0001.jpeg\r\n"
    b"Content-Type: image/jpeg; x-unix-mode=0644; name=\"IMG_0001.jpeg\"\r\n"
    b"Content-Id: <IMG_0001@ap>\r\nContent-Transfer-Encoding: base64\r\n\r\n" + b64(JPEG)
    + b"\r\n--Apple-Mail=_B2--\r\n\r\n--Apple-Mail=_A1--\r\n",
    client="Apple Mail", family="danish", subject="Skærm sort", sender="mads@kunde.dk",
    display="Mads Møller", text=["Skærmen er sort, se billedet."],
    attachments=[("IMG_0001.jpeg", len(JPEG))])

add("lotus-notes-latin1-cp1252", head(
    b"Henrik Dahl/KUNDE/DK@KUNDE <henrik.dahl@kunde.dk>", b"Ventilation i serverrum",
    b"X-Mailer: Lotus Notes Release 8.5.3 September 15, 2011\r\n"
    b"Content-Type: multipart/alternative; boundary=\"=_alternative 0040\"\r\n", mid="lo1")
    + b"\r\n--=_alternative 0040\r\n"
    + plain(qp("Temperaturen i serverrummet er 35° – kan I se på det?\r\n„Hurtigst muligt“\r\n"
               .encode("cp1252")), "ISO-8859-1", "quoted-printable")
    + b"\r\n--=_alternative 0040\r\nContent-Type: text/html; charset=\"ISO-8859-1\"\r\n"
    b"Content-Transfer-Encoding: quoted-printable\r\n\r\n"
    + qp("<br><font size=2 face=\"sans-serif\">Temperaturen er 35° – „Hurtigst muligt“</font>"
         .encode("cp1252")) + b"\r\n--=_alternative 0040--\r\n",
    client="Lotus Notes", family="danish", subject="Ventilation i serverrum",
    sender="henrik.dahl@kunde.dk", display="Henrik Dahl/KUNDE/DK@KUNDE",
    text=["Temperaturen i serverrummet er 35° – kan I se på det?", "„Hurtigst muligt“"])

PHOTO = b"\xff\xd8\xff\xe1" + b"\x22" * 900 + b"\xff\xd9"
add("ios-text-image-text", head(
    b"=?utf-8?Q?Line_Str=C3=B8m?= <line@kunde.dk>", "Fejl på skærm".encode(),
    b"X-Mailer: iPhone Mail (21A329)\r\n"
    b"Content-Type: multipart/mixed; boundary=\"Apple-Mail-ios\"\r\n", mid="ios1")
    + b"\r\n--Apple-Mail-ios\r\n" + plain(b"Se billedet her:\r\n", "utf-8",
                                          "7bit")
    + b"\r\n--Apple-Mail-ios\r\nContent-Type: image/jpeg; name=image0.jpeg\r\n"
    b"Content-Disposition: inline; filename=image0.jpeg\r\nContent-Transfer-Encoding: base64"
    b"\r\n\r\n" + b64(PHOTO) + b"\r\n--Apple-Mail-ios\r\n"
    + plain(b"\r\nSendt fra min iPhone\r\n", "utf-8", "7bit")
    + b"\r\n--Apple-Mail-ios--\r\n",
    client="iOS Mail", family="danish", subject="Fejl på skærm", sender="line@kunde.dk",
    display="Line Strøm", text=["Se billedet her:"],
    attachments=[("image0.jpeg", len(PHOTO))])

GMAIL_TEXT = "Hej support\r\n\r\nOneDrive synkroniserer ikke på min bærbare.\r\n\r\nVh Ida\r\n"
add("gmail-alternative-base64", head(
    word("Ida Kjær", "UTF-8") + b" <ida.kjaer@gmail.com>",
    word("OneDrive synkroniserer ikke – bærbar", "UTF-8"),
    b"Content-Type: multipart/alternative; boundary=\"000000000000gm\"\r\n", mid="gm1")
    + b"\r\n--000000000000gm\r\n" + plain(b64(GMAIL_TEXT.encode()), "\"UTF-8\"", "base64")
    + b"\r\n--000000000000gm\r\nContent-Type: text/html; charset=\"UTF-8\"\r\n"
    b"Content-Transfer-Encoding: base64\r\n\r\n"
    + b64(b"<div dir=\"ltr\">Hej support<div>OneDrive synkroniserer ikke.</div></div>")
    + b"\r\n--000000000000gm--\r\n",
    client="Gmail", family="danish", subject="OneDrive synkroniserer ikke – bærbar",
    sender="ida.kjaer@gmail.com", display="Ida Kjær",
    text=["OneDrive synkroniserer ikke på min bærbare.", "Vh Ida"])

INNER = (b"From: Kunde <kunde@andet.dk>\r\nTo: bh@kunde.dk\r\nSubject: =?iso-8859-1?Q?M=F8de?="
         b"\r\nDate: Thu, 03 Dec 2026 15:00:00 +0100\r\nContent-Type: text/plain; charset=us-ascii"
         b"\r\n\r\nKan vi holde moede i morgen?\r\n")
add("exchange-forward-as-attachment", head(
    b"Birgitte Holm <bh@kunde.dk>", b"VS: =?iso-8859-1?Q?M=F8de?=",
    b"Content-Type: multipart/mixed; boundary=\"ex\"\r\n", mid="ex1")
    + b"\r\n--ex\r\n" + plain(b"Se den vedhaeftede mail.\r\n", "us-ascii", "7bit")
    + b"\r\n--ex\r\nContent-Type: message/rfc822\r\nContent-Disposition: attachment\r\n\r\n"
    + INNER + b"\r\n--ex--\r\n",
    client="Exchange", family="ascii", subject="VS: Møde", sender="bh@kunde.dk",
    display="Birgitte Holm", text=["Se den vedhaeftede mail."],
    absent=["Kan vi holde moede"], attachments=[("Møde.eml", None)])

add("mailing-list-footer-part", head(
    b"Jens Bak <jens@kunde.dk>", b"[it-drift] Backup fejlede i nat",
    b"List-Id: IT drift <it-drift.lists.kunde.dk>\r\n"
    b"Content-Type: multipart/mixed; boundary=\"ml\"\r\n", mid="ml1")
    + b"\r\n--ml\r\n" + plain(b"Backup-jobbet fejlede kl. 02:00 med fejl 0x80070005.\r\n",
                              "utf-8")
    + b"\r\n--ml\r\n" + plain(b"_______________________________________________\r\n"
                              b"it-drift mailing list\r\nhttps://lists.kunde.dk/it-drift\r\n",
                              "us-ascii", "7bit") + b"\r\n--ml--\r\n",
    client="Mailman list", family="ascii", subject="[it-drift] Backup fejlede i nat",
    sender="jens@kunde.dk", display="Jens Bak", text=["fejlede kl. 02:00 med fejl 0x80070005."],
    absent=["it-drift mailing list"])

P7S = b"\x30\x82\x05\x00" + b"\x06" * 400
add("smime-signed-outlook", head(
    b"Karen Vinter <karen@kunde.dk>", b"=?utf-8?Q?Bekr=C3=A6ftelse?=",
    b"Content-Type: multipart/signed; protocol=\"application/pkcs7-signature\"; "
    b"micalg=sha-256; boundary=\"sm\"\r\n", mid="sm1")
    + b"\r\nThis is an S/MIME signed message\r\n\r\n--sm\r\n"
    + plain(qp("Jeg bekræfter hermed ordren.\r\n".encode()), "utf-8", "quoted-printable")
    + b"\r\n--sm\r\nContent-Type: application/pkcs7-signature; name=\"smime.p7s\"\r\n"
    b"Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment; "
    b"filename=\"smime.p7s\"\r\n\r\n" + b64(P7S) + b"\r\n--sm--\r\n",
    client="Outlook S/MIME", family="danish", subject="Bekræftelse", sender="karen@kunde.dk",
    display="Karen Vinter", text=["Jeg bekræfter hermed ordren."],
    attachments=[("smime.p7s", len(P7S))])

SIG = (b"-----BEGIN PGP SIGNATURE-----\r\n\r\niQEzBAEBCAAdFiEE\r\n=abcd\r\n"
       b"-----END PGP SIGNATURE-----\r\n")
add("pgp-mime-signed", head(
    b"Nikolaj Berg <nb@kunde.dk>", b"=?utf-8?Q?N=C3=B8gle_udl=C3=B8bet?=",
    b"Content-Type: multipart/signed; micalg=pgp-sha256; protocol=\"application/pgp-signature\";"
    b" boundary=\"pg\"\r\n", mid="pg1")
    + b"\r\n--pg\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: "
    b"quoted-printable\r\n\r\n" + qp("Vores SSL-nøgle er udløbet.\r\n".encode())
    + b"\r\n--pg\r\nContent-Type: application/pgp-signature; name=\"signature.asc\"\r\n"
    b"Content-Description: OpenPGP digital signature\r\nContent-Disposition: attachment; "
    b"filename=\"signature.asc\"\r\n\r\n" + SIG + b"\r\n--pg--\r\n",
    client="Thunderbird PGP/MIME", family="danish", subject="Nøgle udløbet",
    sender="nb@kunde.dk", display="Nikolaj Berg", text=["Vores SSL-nøgle er udløbet."],
    attachments=[("signature.asc", len(SIG))])

add("pgp-inline-clearsigned", head(b"nb@kunde.dk", b"Signeret besked", mid="pg2")
    + plain(b"-----BEGIN PGP SIGNED MESSAGE-----\r\nHash: SHA256\r\n\r\n"
            + "Firewallen blokerer port 443.\r\n".encode("latin-1")
            + b"-----BEGIN PGP SIGNATURE-----\r\n\r\niQEz\r\n-----END PGP SIGNATURE-----\r\n",
            "iso-8859-1"),
    client="GnuPG inline", family="ascii", subject="Signeret besked", sender="nb@kunde.dk",
    display="", text=["Firewallen blokerer port 443."])

ICS = ("BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nPRODID:Microsoft Exchange Server 2016\r\n"
       "BEGIN:VEVENT\r\nSUMMARY;LANGUAGE=da-DK:Gennemgang af netværk\r\n"
       "DTSTART;TZID=Romance Standard Time:20261207T100000\r\n"
       "DTEND;TZID=Romance Standard Time:20261207T110000\r\n"
       "LOCATION;LANGUAGE=da-DK:Mødelokale 2\\, Vesterbrogade 12\\, København\r\n"
       "UID:040000008200E00074C5B7101A82E008\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
add("outlook-meeting-request", head(
    b"Camilla Friis <camilla@kunde.dk>", b"Invitation: =?utf-8?Q?Gennemgang_af_netv=C3=A6rk?=",
    b"Content-Type: multipart/alternative; boundary=\"cal\"\r\n", mid="cal1")
    + b"\r\n--cal\r\n" + plain(qp("Vi gennemgår netværket sammen.\r\n".encode()), "utf-8",
                               "quoted-printable")
    + b"\r\n--cal\r\nContent-Type: text/calendar; charset=\"utf-8\"; method=REQUEST\r\n"
    b"Content-Transfer-Encoding: base64\r\n\r\n" + b64(ICS.encode()) + b"\r\n--cal--\r\n",
    client="Outlook calendar", family="danish", subject="Invitation: Gennemgang af netværk",
    sender="camilla@kunde.dk", display="Camilla Friis",
    text=["Vi gennemgår netværket sammen.", "2026-12-07 10:00",
          "Mødelokale 2, Vesterbrogade 12, København"])

GICS = ("BEGIN:VCALENDAR\nMETHOD:REQUEST\nBEGIN:VEVENT\nDTSTART:20261209T130000Z\n"
        "DTEND:20261209T133000Z\nSUMMARY:Opfølgning på sag\nLOCATION:Teams-møde\n"
        "END:VEVENT\nEND:VCALENDAR\n")
add("calendar-only-invitation", head(
    b"kalender@kunde.dk", b"=?utf-8?Q?Opf=C3=B8lgning?=", mid="cal2")
    + b"Content-Type: text/calendar; charset=utf-8; method=REQUEST\r\n"
    b"Content-Transfer-Encoding: 8bit\r\n\r\n" + GICS.encode(),
    client="Google Calendar", family="utf-8", subject="Opfølgning", sender="kalender@kunde.dk",
    display="", text=["When: 2026-12-09 13:00 UTC", "Where: Teams-møde", "Opfølgning på sag"],
    absent=["BEGIN:VCALENDAR"])

add("broken-multipart-no-boundary", head(
    b"<anders@kunde.dk>", b"Brudt struktur", b"Content-Type: multipart/mixed\r\n", mid="br1")
    + "\r\nTeksten står her alligevel.\r\n".encode("latin-1"),
    client="broken script", family="danish", subject="Brudt struktur", sender="anders@kunde.dk",
    display="", text=["Teksten står her alligevel."])


# -- Variants, made blind (before the code was changed for them) ----------------------
# Other mislabelled charsets, raw 8-bit headers in other scripts, other junk and
# duplicate shapes, addresses cut by encoded words in new ways, harder HTML.
PL_BODY = "Dzień dobry,\r\ndrukarka w księgowości nie drukuje. Proszę o pilną pomoc.\r\n"
add("pl-iso-8859-2-labelled-cp1250", head(
    word("Paweł Wiśniewski", "iso-8859-2", "cp1250", q=True) + b" <p.wisniewski@kunde-pl.example>",
    word("Drukarka nie działa – proszę o szybką odpowiedź", "iso-8859-2", "cp1250", q=True),
    b"X-Mailer: Microsoft Outlook 15.0\r\n", mid="pl1")
    + plain(qp(PL_BODY.encode("cp1250")), "iso-8859-2", "quoted-printable"),
    client="Outlook (Polish)", family="polish",
    subject="Drukarka nie działa – proszę o szybką odpowiedź",
    sender="p.wisniewski@kunde-pl.example", display="Paweł Wiśniewski",
    text=["drukarka w księgowości nie drukuje. Proszę o pilną pomoc."])

add("pl-raw-iso-8859-2-headers", head(
    "Łukasz Wójcik".encode("iso-8859-2") + b" <wojcik@kunde-pl.example>",
    "Błąd logowania do poczty".encode("iso-8859-2"), mid="pl2")
    + plain("Nie mogę się zalogować od rana.\r\n".encode("iso-8859-2"), "iso-8859-2"),
    client="Polish webmail", family="polish", subject="Błąd logowania do poczty",
    sender="wojcik@kunde-pl.example", display="Łukasz Wójcik",
    text=["Nie mogę się zalogować od rana."])

add("en-cp1252-words-labelled-us-ascii", head(
    word("Renée O’Brien", "us-ascii", "cp1252", q=True) + b" <renee@kunde-ie.example>",
    word("Invoice – “overdue”", "us-ascii", "cp1252", q=True),
    b"X-Mailer: Microsoft Outlook Express 6.00.2900.5512\r\n", mid="ie1")
    + plain(b"Please check invoice 4711.\r\n", "us-ascii", "7bit"),
    client="Outlook Express", family="german-cp1252", subject="Invoice – “overdue”",
    sender="renee@kunde-ie.example", display="Renée O’Brien", text=["check invoice 4711."])

KO_EXT_SUBJECT = "뷁햏 온라인 주문 시스템 오류"  # 뷁 and 햏 are Windows-949 only
add("ko-euc-kr-labelled-cp949", head(
    word("정하늘", "euc-kr", "cp949") + b" <jung@kunde-kr.example>",
    word(KO_EXT_SUBJECT, "EUC-KR", "cp949"), mid="ko4")
    + plain(b64("뷁햏 쇼핑몰의 주문 시스템이 멈췄습니다.\r\n".encode("cp949")), "euc-kr", "base64"),
    client="Korean webmail (Daum)", family="korean", subject=KO_EXT_SUBJECT,
    sender="jung@kunde-kr.example", display="정하늘", text=["주문 시스템이 멈췄습니다."])

add("ko-raw-short-subject-no-charset", head(
    b"<lee@kunde-kr.example>", "서버 장애".encode("cp949"), mid="ko5")
    + plain(b"Our file server is down since this morning.\r\n", "us-ascii", "7bit"),
    client="Korean webmail", family="korean", subject="서버 장애",
    sender="lee@kunde-kr.example", display="", text=["file server is down"])

add("ko-raw-name-and-subject-no-charset", head(
    "이지은".encode("euc-kr") + b" <jieun@kunde-kr.example>", "비밀번호 재설정".encode("euc-kr"),
    mid="ko6") + b"Content-Type: text/plain\r\n\r\nPlease reset my password.\r\n",
    client="old Korean client", family="korean", subject="비밀번호 재설정",
    sender="jieun@kunde-kr.example", display="이지은", text=["Please reset my password."])

JA_SUBJECT = "会議室予約 10:00～12:00"  # ～ is Windows-31J's FULLWIDTH TILDE
add("ja-shift-jis-labelled-cp932-ibm", head(
    word("髙橋 一郎", "shift_jis", "cp932") + b" <takahashi.i@kunde-jp.example>",
    word(JA_SUBJECT, "Shift_JIS", "cp932"), mid="ja5")
    + plain(b64("髙橋です。会議室のプロジェクターが映りません。\r\n".encode("cp932")),
            "shift_jis", "base64"),
    client="Outlook (Japanese)", family="japanese", subject=JA_SUBJECT,
    sender="takahashi.i@kunde-jp.example", display="髙橋 一郎",
    text=["会議室のプロジェクターが映りません。"])

# -- Cyrillic, Greek, Hebrew --
add("ru-raw-cp1251-no-charset", head(
    "Иван Петров".encode("cp1251") + b" <ivan@kunde-ru.example>",
    "Не работает принтер в офисе".encode("cp1251"), mid="ru1")
    + b"Content-Type: text/plain\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
    + "Здравствуйте! Принтер не печатает с утра.\r\n".encode("cp1251"),
    client="old Russian client", family="cyrillic", subject="Не работает принтер в офисе",
    sender="ivan@kunde-ru.example", display="Иван Петров",
    text=["Здравствуйте! Принтер не печатает с утра."])

add("ru-raw-koi8-r-no-charset", head(
    "Ольга Смирнова".encode("koi8-r") + b" <olga@kunde-ru.example>",
    "Счёт за ноябрь".encode("koi8-r"), mid="ru2")
    + b"Content-Type: text/plain\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
    + "Пришлите, пожалуйста, счёт ещё раз.\r\n".encode("koi8-r"),
    client="old Unix mailer", family="cyrillic", subject="Счёт за ноябрь",
    sender="olga@kunde-ru.example", display="Ольга Смирнова",
    text=["Пришлите, пожалуйста, счёт ещё раз."])

add("ru-raw-subject-beside-cp1251-body", head(
    b"Sergei Volkov <volkov@kunde-ru.example>", "Вопрос".encode("cp1251"), mid="ru3")
    + plain("Можно ли продлить лицензию?\r\n".encode("cp1251"), "windows-1251"),
    client="Russian webmail", family="cyrillic", subject="Вопрос",
    sender="volkov@kunde-ru.example", display="Sergei Volkov",
    text=["Можно ли продлить лицензию?"])

add("el-raw-greek-headers", head(
    "Γιώργος Παπαδόπουλος".encode("iso-8859-7") + b" <papadopoulos@kunde-gr.example>",
    "Πρόβλημα με το email".encode("iso-8859-7"), mid="el1")
    + plain("Καλημέρα, δεν μπορώ να στείλω email.\r\n".encode("iso-8859-7"), "iso-8859-7"),
    client="Greek webmail", family="greek", subject="Πρόβλημα με το email",
    sender="papadopoulos@kunde-gr.example", display="Γιώργος Παπαδόπουλος",
    text=["δεν μπορώ να στείλω email."])

add("he-raw-hebrew-subject", head(
    b"David Levi <david@kunde-il.example>", "בעיה במדפסת".encode("cp1255"), mid="he1")
    + plain("שלום, המדפסת לא עובדת.\r\n".encode("cp1255"), "windows-1255"),
    client="Hebrew Outlook", family="hebrew", subject="בעיה במדפסת",
    sender="david@kunde-il.example", display="David Levi", text=["המדפסת לא עובדת."])

# -- More junk before the header section, another duplicate shape --
for name, prefix, client in [
    ("stray-smtp-transcript", b"MAIL FROM:<kim@kunde.dk>\r\nRCPT TO:<support@oo.dk>\r\nDATA\r\n",
     "SMTP session dump"),
    ("stray-outlook-internet-headers", b"Microsoft Mail Internet Headers Version 2.0\r\n",
     "Outlook saved headers"),
]:
    add(name, prefix + BASIC.replace(b"<st@", f"<{name}@".encode()), client=client,
        family="ascii", subject="Server nede", sender="kim@kunde.dk", display="Kim Lund",
        text=["Serveren svarer ikke."])

add("duplicate-from-first-empty", b"From: \r\n" + head(
    b"Kirsten Dam <kirsten@kunde.dk>", b"Ny bruger", b"Reply-To: noreply@crm.example\r\n",
    mid="dup2") + plain(b"Opret venligst en ny bruger.\r\n", "us-ascii", "7bit"),
    client="CRM relay", family="ascii", subject="Ny bruger", sender="kirsten@kunde.dk",
    display="Kirsten Dam", text=["Opret venligst en ny bruger."])

# -- Encoded words that cut an address in a new way --
add("address-encoded-semicolon", head(
    word("Jensen; Jørgen", "iso-8859-1", q=True) + b" <jj@kunde.dk>", b"Kalender", mid="ad1")
    + plain(b"Kalenderen synkroniserer ikke.\r\n", "us-ascii", "7bit"),
    client="Outlook (Notes migration)", family="danish", subject="Kalender", sender="jj@kunde.dk",
    display="Jensen; Jørgen", text=["Kalenderen synkroniserer ikke."])

add("address-encoded-word-in-quotes", head(
    b"\"" + word("Sørensen, Anne", "utf-8", q=True) + b"\" <anne.sorensen@kunde.dk>",
    b"Telefon", mid="ad2") + plain(b"Min telefon ringer ikke.\r\n", "us-ascii", "7bit"),
    client="Exchange (GAL name)", family="danish", subject="Telefon",
    sender="anne.sorensen@kunde.dk", display="Sørensen, Anne", text=["Min telefon ringer ikke."])

add("address-encoded-angle-brackets", head(
    b"=?utf-8?Q?Hans_M=C3=BCller_=3Chans.mueller@firma.de=3E?=", b"Zugang", mid="ad3")
    + plain(b"Mein Zugang ist gesperrt.\r\n", "us-ascii", "7bit"),
    client="PHP mail script", family="german-cp1252", subject="Zugang",
    sender="hans.mueller@firma.de", display="Hans Müller", text=["Mein Zugang ist gesperrt."])

# -- HTML a person reads as a form --
FORM = ("<html><body><table width=\"600\"><tr><td><h2>Ny henvendelse</h2>"
        "<table border=\"1\"><tr><th>Felt</th><th>Værdi</th></tr>"
        "<tr><td>Navn</td><td>Jens Ravn</td></tr>"
        "<tr><td>Adresse</td><td>Vesterbrogade 12<br>1620 København V</td></tr>"
        "<tr><td>Kontakt</td><td><table><tr><td>Telefon</td><td>70 21 18 13</td></tr>"
        "</table></td></tr></table>"
        "<dl><dt>Emne</dt><dd>Printer på 1. sal</dd><dt>Beskrivelse</dt>"
        "<dd>Papirstop hver morgen.</dd></dl></td></tr></table></body></html>")
add("html-form-nested-tables", head(
    b"Webformular <web@kunde.dk>", b"Ny henvendelse", mid="ht1")
    + b"Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable"
    b"\r\n\r\n" + qp(FORM.encode()),
    client="web form (HTML only)", family="danish", subject="Ny henvendelse",
    sender="web@kunde.dk", display="Webformular",
    text=["Navn | Jens Ravn", "Vesterbrogade 12\n1620 København V", "Telefon | 70 21 18 13",
          "Printer på 1. sal", "Papirstop hver morgen."],
    absent=["NavnJens", "121620", "EmnePrinter", "Jens RavnAdresse", "<td>"])

# -- Other clients' quirks --
AP_FILE = "Tilbud på ny server æøå.pdf"
AP_QUOTED = "".join(f"%{b:02X}" if b > 127 or b in b" %'" else chr(b) for b in AP_FILE.encode())
add("apple-mail-rfc2231-continuations", head(
    b"=?utf-8?Q?Mette_Kj=C3=A6r?= <mette@kunde.dk>", b"Tilbud",
    b"X-Mailer: Apple Mail (2.3774.300.61.1.2)\r\n"
    b"Content-Type: multipart/mixed; boundary=\"Apple-Mail=_C3\"\r\n", mid="ap2")
    + b"\r\n--Apple-Mail=_C3\r\n" + plain(b"Se tilbuddet.\r\n", "us-ascii", "7bit")
    + b"\r\n--Apple-Mail=_C3\r\nContent-Disposition: attachment;\r\n\tfilename*0*=utf-8''"
    + AP_QUOTED[:20].encode() + b";\r\n\tfilename*1*=" + AP_QUOTED[20:].encode()
    + b"\r\nContent-Type: application/pdf;\r\n\tx-unix-mode=0644;\r\n\tname=\""
    + word(AP_FILE, "utf-8", q=True) + b"\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
    + b64(PDF) + b"\r\n--Apple-Mail=_C3--\r\n",
    client="Apple Mail", family="danish", subject="Tilbud", sender="mette@kunde.dk",
    display="Mette Kjær", text=["Se tilbuddet."], attachments=[(AP_FILE, len(PDF))])

YA_TEXT = "Vi har brug for et møde om backup på fredag.\r\n"
YA_QP = qp(YA_TEXT.encode()).replace(b"m=C3=B8de", b"m=C3=\r\n=B8de")
YA_SUBJECT = "Møde om backup".encode()
add("yahoo-split-utf8-everywhere", head(
    b"=?UTF-8?B?" + base64.b64encode("Søs Ørum".encode()[:2]) + b"?= =?UTF-8?B?"
    + base64.b64encode("Søs Ørum".encode()[2:]) + b"?= <soes@yahoo.dk>",
    b"=?UTF-8?B?" + base64.b64encode(YA_SUBJECT[:2]) + b"?=\r\n =?UTF-8?B?"
    + base64.b64encode(YA_SUBJECT[2:]) + b"?=", b"X-Mailer: YahooMailWebService/0.8\r\n",
    mid="ya1") + plain(YA_QP, "UTF-8", "QUOTED-PRINTABLE"),
    client="Yahoo Mail", family="utf-8", subject="Møde om backup", sender="soes@yahoo.dk",
    display="Søs Ørum", text=["Vi har brug for et møde om backup på fredag."])


def main() -> None:
    for old in HERE.glob("*.eml"):
        old.unlink()
    for old in HERE.glob("*.json"):
        old.unlink()
    for name, (raw, expected) in MAILS.items():
        (HERE / f"{name}.eml").write_bytes(raw)
        (HERE / f"{name}.json").write_text(
            json.dumps(expected, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"{len(MAILS)} mails written to {HERE}")


if __name__ == "__main__":
    main()
