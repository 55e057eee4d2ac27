from daemon.mail.html_text import html_to_text


def test_html_becomes_readable_text() -> None:
    html = (
        "<html><head><style>p{color:red}</style><script>alert(1)</script></head>"
        "<body><p>Hej&nbsp;med&nbsp;dig</p><div>Printeren &aelig;der papir</div>"
        "<br>Mvh<br>S&oslash;ren</body></html>"
    )
    assert html_to_text(html) == "Hej med dig\n\nPrinteren æder papir\n\nMvh\nSøren"


def test_broken_html_still_yields_text() -> None:
    assert "Hallo" in html_to_text("<div><p>Hallo <b>verden</div></span></p><")
