"""`kbcheck report`: a self-contained, escaped, linked report, and what a browser makes of it."""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
import zlib
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from kbcheck.cli.main import cli
from kbcheck.engine import assess, read_case
from kbcheck.explain import report, style
from kbcheck.explain.explanation import Explanation
from kbcheck.explain.text import value_text

SHARED = Path(__file__).parent / "scenarios" / "shared"
WHATSAPP = SHARED / "seed-whatsapp-director-filth.yaml"
HOSTILE_TITLE = (
    "<script>alert(1)</script> \"><img src=x onerror=alert(2)> & 'quoted' | *bold* [link](https://evil.example)"
)


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def whatsapp_html() -> str:
    result = invoke("report", str(WHATSAPP))
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def whatsapp(kb):  # type: ignore[no-untyped-def]
    return assess(read_case(WHATSAPP, kb), kb)


class Tags(HTMLParser):
    """Every start tag with its attributes, the text, and the contents of <style> elements."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.styles: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        self.tags.append((tag, dict(attrs)))
        self._in_style = tag == "style"

    def handle_startendtag(self, tag, attrs):  # type: ignore[no-untyped-def]
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag):  # type: ignore[no-untyped-def]
        self._in_style = False

    def handle_data(self, data):  # type: ignore[no-untyped-def]
        (self.styles if self._in_style else self.text).append(data)


def parse(document: str) -> Tags:
    parser = Tags()
    parser.feed(document)
    parser.close()
    return parser


def hostile_case(tmp_path: Path) -> Path:
    path = tmp_path / "hostile.yaml"
    title = HOSTILE_TITLE.replace("\\", "\\\\").replace('"', '\\"')
    path.write_text(
        f'case: hostile-title\ntitle: "{title}"\noffence_date: 2025-03-14\nassessment_date: 2025-06-01\n'
        "facts:\n  medium: messaging_app\n  content_grossly_offensive: true\n",
        encoding="utf-8",
    )
    return path


# --- Safety ---------------------------------------------------------------------------------------
def test_case_text_is_escaped_and_cannot_change_the_page(tmp_path):
    out = tmp_path / "report.html"
    result = invoke("report", str(hostile_case(tmp_path)), "-o", str(out))
    assert result.exit_code == 0, result.output
    document = out.read_text(encoding="utf-8")
    parsed = parse(document)
    tags = [tag for tag, _ in parsed.tags]
    assert "script" not in tags and "img" not in tags
    for _, attrs in parsed.tags:
        assert not [name for name in attrs if name.startswith("on")], attrs
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in document
    assert "&quot;&gt;&lt;img src=x onerror=alert(2)&gt;" in document
    # The title reaches the reader as text, exactly as written
    assert HOSTILE_TITLE in "".join(parsed.text)
    # and the only links are the report's own (to sections, and to the legal sources)
    hrefs = [attrs.get("href") or "" for tag, attrs in parsed.tags if tag == "a"]
    assert hrefs and "https://evil.example" not in hrefs


def test_case_text_is_escaped_in_markdown(tmp_path):
    out = tmp_path / "report.md"
    result = invoke("report", str(hostile_case(tmp_path)), "-o", str(out))
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert "<script" not in text and "<img" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "\\[link\\](https://evil.example)" in text  # not a link
    assert "\\*bold\\*" in text and " \\| " in text  # no emphasis, no table cell break


def test_escape_covers_attribute_quotes_and_line_breaks():
    assert report.e("\"'<>&") == "&quot;&#x27;&lt;&gt;&amp;"
    assert report.e("two\nlines") == "two lines"
    assert "\n" not in report.m("# heading\n- item")


# --- Nothing loaded from outside ----------------------------------------------------------------------
LOADING_TAGS = {"script", "link", "img", "image", "iframe", "frame", "object", "embed", "video", "audio", "source"}
LOADING_TAGS |= {"track", "base", "use", "feimage", "input", "form", "portal", "picture"}
LOADING_ATTRS = {"src", "srcset", "data", "poster", "background", "action", "formaction", "ping", "lowsrc"}


def test_nothing_is_loaded_from_outside(whatsapp_html):
    parsed = parse(whatsapp_html)
    for tag, attrs in parsed.tags:
        assert tag not in LOADING_TAGS, tag
        assert not LOADING_ATTRS & set(attrs), (tag, attrs)
        for name in ("href", "xlink:href"):
            if name in attrs:  # a hyperlink is not a resource the page loads; nothing else may refer out
                assert tag == "a", (tag, attrs)
                assert (attrs[name] or "").startswith(("https://", "#")), attrs
        if tag == "meta" and (attrs.get("http-equiv") or "").lower() == "refresh":
            pytest.fail("a meta refresh loads another page")
        assert "url(" not in (attrs.get("style") or ""), attrs
    css = "".join(parsed.styles)
    assert css and "@import" not in css and "url(" not in css
    assert not re.search(r"<\?xml|<!DOCTYPE svg|<script", whatsapp_html, re.I)
    csp = [a for t, a in parsed.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"]
    assert csp and "default-src 'none'" in (csp[0].get("content") or "")


# --- Structure ------------------------------------------------------------------------------------------
def rows(document: str) -> dict[str, str]:
    """Each conclusion's row in the conclusions tables: id -> its text."""
    found = {}
    for match in re.finditer(r'<tr id="c-([^"]+)">(.*?)</tr>', document, re.S):
        found[match.group(1)] = " ".join("".join(parse(match.group(2)).text).split())
    return found


def test_every_public_conclusion_appears_with_its_value_and_status(whatsapp_html, whatsapp, kb):
    shown = rows(whatsapp_html)
    status = Explanation(whatsapp).status()
    assert set(shown) == set(kb.public_conclusions())
    for name in kb.public_conclusions():
        value = whatsapp.value(name)
        text = shown[name]
        members = value if isinstance(value, list) else [value_text(value)]
        for member in members or ["none"]:
            assert member in text, (name, member, text)
        assert status[name] in text, name


def test_conclusions_are_grouped_by_stage_in_order(whatsapp_html, kb):
    headings = re.findall(r"<h3>([^<]+)</h3>", whatsapp_html)
    stages = [title for title in kb.stages.values() if title in headings]
    assert stages == list(kb.stages.values())
    assert [h for h in headings if h in stages] == stages


def test_citations_are_https_links_to_the_sources(whatsapp_html, whatsapp, kb):
    links = re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', whatsapp_html)
    external = [(url, text) for url, text in links if not url.startswith("#")]
    assert external and all(url.startswith("https://") for url, _ in external)
    import html

    pairs = {(html.unescape(url), html.unescape(text)) for url, text in external}
    for name in kb.public_conclusions():
        for firing in whatsapp.justifications(name):
            assert (kb.url_of(firing.rule), kb.citation(firing.rule)) in pairs, firing.rule.id


def test_the_report_has_what_a_reader_needs(whatsapp_html, whatsapp, kb):
    text = " ".join("".join(parse(whatsapp_html).text).split())
    for heading in ("Summary", "The facts of the case", "The law as at the dates used", "Points for and against"):
        assert heading in text
    assert "Not legal advice" in text
    assert "14 March 2025" in text and "1 June 2025" in text  # the offence and assessment dates
    assert "indecent_or_grossly_offensive" in text and "not in force" in text  # the limbs on the offence date
    assert "For the complainant" in text and "For the defence" in text
    for firing in whatsapp.justifications("points.complainant"):
        assert firing.rule.title in text
    assert "Preserve evidence" in text and "Assess your position" in text and "Take the right action" in text
    guide = kb.sources["guide"]
    assert f'href="{guide.url}"' in whatsapp_html
    for name, value in whatsapp.case.given.items():  # every fact given, with its value
        assert name in text and value_text(value) in text


def test_next_steps_follow_the_case(tmp_path, kb):
    weak = tmp_path / "weak.yaml"
    weak.write_text(
        "case: weak-proof\noffence_date: 2025-03-14\nassessment_date: 2025-06-01\nfacts:\n"
        "  medium: messaging_app\n  content_grossly_offensive: true\n  screenshot_only: true\n"
        "  full_thread_preserved: false\n",
        encoding="utf-8",
    )
    assessment = assess(read_case(weak, kb), kb)
    assert "proof_of_sending" in assessment.value("evidence.weaknesses")
    steps = report.gather(assessment).steps
    assert "Keep the full thread" in " ".join(steps[0].notes)


def test_the_diagram_is_inlined(whatsapp_html):
    assert whatsapp_html.count("<svg") == 1
    svg = whatsapp_html[whatsapp_html.index("<svg") : whatsapp_html.index("</svg>")]
    assert 'class="node"' in svg and "offence.mca_s1" in svg and "made_out" in svg
    assert "MCA 1988 s.1(1)" in svg  # the rule that concludes it, with its citation
    assert 'viewBox="' in svg
    figure = whatsapp_html[whatsapp_html.index('<figure class="diagram">') : whatsapp_html.index("</figure>")]
    assert "<svg" in figure and "a rule from: Statute" in figure  # the key, as text beside it


def test_another_conclusion_can_be_drawn(tmp_path):
    out = tmp_path / "report.html"
    result = invoke("report", str(WHATSAPP), "--conclusion", "evidence.strength", "-o", str(out))
    assert result.exit_code == 0, result.output
    document = out.read_text(encoding="utf-8")
    assert "Why evidence.strength is strong" in document


# --- Files --------------------------------------------------------------------------------------------------
def test_markdown_writes_the_diagram_beside_it(tmp_path, whatsapp, kb):
    out = tmp_path / "report.md"
    result = invoke("report", str(WHATSAPP), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.md", "report.svg"]
    text = out.read_text(encoding="utf-8")
    assert "](report.svg)" in text
    svg = (tmp_path / "report.svg").read_bytes()
    assert b"<svg" in svg and b"offence.mca_s1" in svg
    for name in kb.public_conclusions():
        assert f"`{name}`" in text
    assert "| `offence.mca_s1`: all elements met, no defence | `made_out` (relies on inference) | provisional |" in text
    assert "| `mca_s1` (relies on inference) | provisional |" in text  # the charge carries its basis too
    assert "[MCA 1988 s.1(1)](https://www.legislation.gov.uk/ukpga/1988/27/section/1)" in text


def test_format_comes_from_the_suffix_or_the_option(tmp_path):
    assert invoke("report", str(WHATSAPP), "-o", str(tmp_path / "a.html")).exit_code == 0
    assert (tmp_path / "a.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert invoke("report", str(WHATSAPP), "--format", "md", "-o", str(tmp_path / "b.txt")).exit_code == 0
    assert (tmp_path / "b.txt").read_text(encoding="utf-8").startswith("# ")
    assert (tmp_path / "b.svg").exists()
    assert invoke("report", str(WHATSAPP), "-o", str(tmp_path / "c.out")).exit_code == 2  # which format?
    assert not (tmp_path / "c.out").exists()
    assert invoke("report", str(WHATSAPP), "--format", "html", "-o", str(tmp_path / "c.out")).exit_code == 0
    assert (tmp_path / "c.out").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert invoke("report", str(WHATSAPP), "-o", str(tmp_path / "report")).exit_code == 0  # no suffix: html
    assert (tmp_path / "report").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_html_goes_to_stdout_without_output(whatsapp_html):
    assert whatsapp_html.startswith("<!DOCTYPE html>") and whatsapp_html.rstrip().endswith("</html>")


def test_writes_are_atomic_and_leave_no_temporary_files(tmp_path):
    out = tmp_path / "report.html"
    out.write_text("old report", encoding="utf-8")
    assert invoke("report", str(WHATSAPP), "-o", str(out)).exit_code == 0
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert invoke("report", str(WHATSAPP), "-o", str(tmp_path / "r.md")).exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.md", "r.svg", "report.html"]


@pytest.mark.parametrize(
    "args, message",
    [
        (["missing.yaml"], "missing.yaml"),
        (["GOOD", "--conclusion", "offence.nope"], "not a conclusion"),
        (["GOOD", "--format", "md"], "-o"),
        (["GOOD", "-o", "no/such/folder/report.html"], "does not exist"),
    ],
)
def test_bad_input_exits_2_and_writes_nothing(tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    args = [str(WHATSAPP) if a == "GOOD" else a for a in args]
    result = CliRunner().invoke(cli, ["report", *args])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert list(tmp_path.iterdir()) == []


def test_a_bad_case_file_exits_2(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("case: bad\noffence_date: 2025-13-45\nfacts: {medium: carrier_pigeon}\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["report", str(bad), "-o", str(tmp_path / "r.html")])
    assert result.exit_code == 2
    assert "bad.yaml" in result.output
    assert not (tmp_path / "r.html").exists()


# --- In a real browser ------------------------------------------------------------------------------------
def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        if os.environ.get("KBCHECK_BROWSER_TESTS") == "required":  # make test installs it
            pytest.fail("headless Chromium is not installed (apt-get install chromium)")
        pytest.skip("headless Chromium is not installed (apt-get install chromium)")
    return found


def png_pixels(data: bytes) -> tuple[int, int, Counter[tuple[int, int, int]]]:
    """Width, height and how many pixels of each colour an 8-bit RGB or RGBA PNG has (what Chromium
    writes), counting every other pixel, which is enough to measure filled areas."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat = 8, b""
    width = height = channels = 0
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and colour in (2, 6) and interlace == 0
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * channels
    previous = bytearray(stride)
    colours: Counter[tuple[int, int, int]] = Counter()
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        if kind == 1:
            for i in range(channels, stride):
                line[i] = (line[i] + line[i - channels]) & 0xFF
        elif kind == 2:
            line = bytearray((a + b) & 0xFF for a, b in zip(line, previous, strict=True))
        elif kind == 3:
            for i in range(stride):
                left = line[i - channels] if i >= channels else 0
                line[i] = (line[i] + ((left + previous[i]) >> 1)) & 0xFF
        elif kind == 4:
            for i in range(stride):
                a = line[i - channels] if i >= channels else 0
                b = previous[i]
                c = previous[i - channels] if i >= channels else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
        pixels = bytes(line)
        colours.update((pixels[i], pixels[i + 1], pixels[i + 2]) for i in range(0, stride, channels * 2))
        previous = line
    return width, height, colours


def rgb(hex_colour: str) -> tuple[int, int, int]:
    value = int(hex_colour.lstrip("#"), 16)
    return (value >> 16, (value >> 8) & 0xFF, value & 0xFF)


def headless(browser: str, tmp_path: Path, *args: str) -> list[str]:
    """Headless Chromium with its own profile and nothing fetched from the network but the page."""
    return [
        browser,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
        *args,
    ]


def test_chromium_renders_the_diagram_and_the_conclusions(tmp_path):
    browser = chromium()
    page = tmp_path / "report.html"
    shot = tmp_path / "report.png"
    assert invoke("report", str(WHATSAPP), "-o", str(page)).exit_code == 0
    command = headless(browser, tmp_path, "--window-size=1400,2400", f"--screenshot={shot}", page.resolve().as_uri())
    subprocess.run(command, capture_output=True, timeout=120, check=False)
    assert shot.exists(), "Chromium wrote no screenshot"
    width, height, colours = png_pixels(shot.read_bytes())
    assert (width, height) == (1400, 2400)
    # The diagram is drawn: its facts and its statute, case-law and guide rules fill areas in their own
    # colours, far larger than the swatches of the key beside it (about 120 counted pixels each)
    assert colours[rgb(style.FACT_GIVEN["fillcolor"])] > 2000
    for kind in ("statute", "case_law", "practice"):
        assert colours[rgb(style.SOURCE_KINDS[kind][1])] > 600, kind
    # and so are the conclusions of the summary, with their values and provisional status
    assert colours[rgb("#eef2f7")] > 2000  # the values
    assert colours[rgb("#fdf0d9")] > 2000  # the provisional badges
    assert "#eef2f7" in report.CSS and "#fdf0d9" in report.CSS


def test_chromium_sees_the_conclusions_in_the_page(tmp_path):
    browser = chromium()
    page = tmp_path / "report.html"
    assert invoke("report", str(WHATSAPP), "-o", str(page)).exit_code == 0
    command = headless(browser, tmp_path, "--dump-dom", page.resolve().as_uri())
    done = subprocess.run(command, capture_output=True, timeout=120, check=False, text=True)
    dom = done.stdout
    assert "<svg" in dom and 'id="c-offence.mca_s1"' in dom and "made_out" in dom
    assert "<script" not in dom


# --- Templates: kbcheck's own, or the report writer's --------------------------------------------------
EXAMPLE = Path(__file__).parent.parent / "examples" / "whatsapp-director.yaml"


def test_the_report_holds_no_markup_and_ships_its_templates():
    source = Path(report.__file__).read_text(encoding="utf-8")
    assert "<html" not in source and "<table" not in source and "{ box-sizing" not in source
    templates = Path(report.__file__).parent / "templates"
    assert {"report.html.j2", "report.md.j2", "report.css"} <= {p.name for p in templates.iterdir()}


def test_a_custom_template_is_used_and_still_escapes(tmp_path):
    mine = tmp_path / "my.html.j2"
    mine.write_text(
        "<h1>{{ report.title }}</h1>\n{% for f in report.key %}<p>{{ key_questions[f.id] }} {{ f.text }}</p>\n"
        "{% endfor %}<p>{{ report.key[0].reasons[0].cite|href }}</p>{{ diagram }}\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.html"
    result = invoke("report", str(hostile_case(tmp_path)), "--template", str(mine), "-o", str(out))
    assert result.exit_code == 0, result.output
    document = out.read_text(encoding="utf-8")
    assert document.startswith("<h1>&lt;script&gt;alert(1)&lt;/script&gt;")  # the case's title, escaped
    assert "<p>Is the s.1 offence made out? " in document
    assert '<a href="https://www.legislation.gov.uk/' in document and "<svg" in document


def test_a_custom_markdown_template_is_used(tmp_path):
    mine = tmp_path / "my.md.j2"
    mine.write_text("# {{ report.case_id }}\n\n![diagram]({{ diagram_file|path }})\n", encoding="utf-8")
    out = tmp_path / "out.md"
    result = invoke("report", str(EXAMPLE), "--template", str(mine), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8") == "# whatsapp-director\n\n![diagram](out.svg)\n"


@pytest.mark.parametrize(
    "body, where, problem",
    [
        ("<p>\n{% for f in report.key %}\n{{ f.id }\n", "my.html.j2:3:", "unexpected '}'"),
        ("<p>\n{{ report.no_such_thing }}\n", "my.html.j2:2:", "no_such_thing"),
        ('{% include "missing.html" %}\n', "my.html.j2:", "missing.html"),
        (None, "my.html.j2:", "no such template file"),
    ],
)
def test_a_bad_template_is_one_line_naming_its_file_and_line(tmp_path, body, where, problem):
    mine = tmp_path / "my.html.j2"
    if body is not None:
        mine.write_text(body, encoding="utf-8")
    out = tmp_path / "out.html"
    result = CliRunner().invoke(cli, ["report", str(EXAMPLE), "--template", str(mine), "-o", str(out)])
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and "Traceback" not in result.output, result.output
    assert where in lines[0] and problem in lines[0], lines[0]
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == (["my.html.j2"] if body is not None else [])


# --- What would settle the open points ----------------------------------------------------------------
def test_the_open_points_show_the_effect_on_the_headline_conclusions_first(kb, tmp_path):
    assessment = assess(read_case(EXAMPLE, kb), kb)
    row = next(q for q in report.gather(assessment).questions if q.fact == "purpose_distress_anxiety")
    offence = next(c for c in row.headline if c.conclusion == "offence.mca_s1")
    assert offence.current == "made_out" and offence.outcomes == ((("false",), "not_made_out"),)
    assert offence.reason and offence.cite  # the rule that would then decide, from the trace
    assert [c.conclusion for c in row.headline] == [
        n for n in report.KEY_CONCLUSIONS if n in {c.conclusion for c in row.headline}
    ]
    assert "alternatives[osa2023.s179]" in row.settles and "offence.mca_s1" not in row.settles + row.changes
    out = tmp_path / "report.md"
    assert invoke("report", str(EXAMPLE), "-o", str(out)).exit_code == 0
    line = next(x for x in out.read_text(encoding="utf-8").splitlines() if "`purpose_distress_anxiety`" in x)
    said = line.index("Is the s.1 offence made out? Now `made_out`; if `false`, `not_made_out`: ")
    assert said < line.index("`alternatives[osa2023.s179]`")


# --- PDF ------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def whatsapp_pdf(tmp_path_factory) -> Path:
    pytest.importorskip("weasyprint", reason="WeasyPrint is not installed")
    out = tmp_path_factory.mktemp("pdf") / "report.pdf"
    result = invoke("report", str(EXAMPLE), "-o", str(out))
    assert result.exit_code == 0, result.output
    return out


def test_the_pdf_is_a_pdf_of_a_sensible_length(whatsapp_pdf):
    data = whatsapp_pdf.read_bytes()
    assert data.startswith(b"%PDF-")
    if not shutil.which("pdfinfo"):
        pytest.skip("pdfinfo is not installed (apt-get install poppler-utils)")
    info = subprocess.run(["pdfinfo", str(whatsapp_pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))  # type: ignore[union-attr]
    assert 15 <= pages <= 60, pages


def test_the_pdf_has_the_headline_conclusions_and_no_chip_split(whatsapp_pdf, kb):
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext is not installed (apt-get install poppler-utils)")
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(whatsapp_pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Late-night WhatsApp abuse" in text and "Not legal advice" in text
    assessment = assess(read_case(EXAMPLE, kb), kb)
    for f in report.gather(assessment).key:  # each headline value whole, on one line
        assert re.search(rf"(?<![\w]){re.escape(f.text)}(?![\w])", text), f.text
    assert "favours_pr\nosecution" not in text and "favours_pr osecution" not in text


def test_the_pdf_page_one_is_not_left_nearly_blank(whatsapp_pdf):
    """The diagram used to start a page of its own, leaving page 2 nearly blank."""
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext is not installed (apt-get install poppler-utils)")
    pages = []
    for n in (1, 2):
        done = subprocess.run(
            ["pdftotext", "-f", str(n), "-l", str(n), str(whatsapp_pdf), "-"],
            capture_output=True,
            text=True,
            check=True,
        )
        pages.append(done.stdout)
    assert "Summary" in pages[0] and "1. Why offence.mca_s1 is made_out" in pages[1]
    assert len(pages[1].split()) > 120, pages[1]
