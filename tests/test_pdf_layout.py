"""The PDFs as a reader sees them: pages rendered by poppler, read back as text and pixels.

The matrix (seed 000): a first page for the reader in a hurry; title and round on every
page; groups never split unless longer than a page (then their heading repeats); no
near-empty page; a legend with a label for every swatch; states that part in greyscale.
The unit's sheet (seed 001): its title and columns, own items, headings never alone.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import replace
from itertools import combinations
from pathlib import Path

from PIL import Image

from conversations.questions import Question
from models.snapshot import load_snapshot
from render.documents.palette import MIN_GREY_STEP, PALETTE
from render.documents.pdf import render_matrix_pdf, render_sheet_pdf
from render.documents.sheets import OPTIONAL_FIELDS, sheet_columns, sheet_data
from render.words import worded_matrix
from reporting.comparison import Missing, MissingKind, compare
from reporting.form import labelled
from reporting.snapshot import Snapshot, make_snapshot
from service.comparisons import compile_comparison
from tests.matrix_support import ROUND_NAME
from tests.test_documents import matrix_data, pdf_pages, seed000
from tests.test_matrix_comparison import two_rounds
from tests.test_publication import synthetic

TITLE = "Fremdrift på tværs af landsdelsprogrammerne"
SEED000_MEETING = (
    "Indsendt ved 12. møde i den fællesoffentlige porteføljestyregruppe for landsdækkende"
    " udbredelse af telemedicinsk hjemmemonitorering til borgere med KOL 20. juni 2018."
)
GROUP_HEADING = re.compile(r"Milepæl (\d+): ")
MILESTONE_LABEL = re.compile(r"Milepæl \d+\.\d+ ?[AB]? – ")


def pages_text(content: bytes, folder: Path, *, layout: bool = False) -> list[str]:
    """Each page's text by poppler's pdftotext, whitespace folded; with `layout`, in the
    order it stands on the page (top to bottom), one line of the page per line."""
    path = folder / "doc.pdf"
    path.write_bytes(content)
    found = subprocess.run(
        ["pdftotext", *(["-layout"] if layout else []), str(path), "-"],
        capture_output=True,
        check=True,
        text=True,
    ).stdout.split("\f")
    if layout:
        return [page for page in found if page.strip()]
    return [" ".join(page.split()) for page in found if page.strip()]


def render_page(content: bytes, folder: Path, page: int, dpi: int, *, gray: bool) -> Image.Image:
    """One page as an image by poppler's pdftoppm, in colour or in greyscale."""
    path = folder / "page.pdf"
    path.write_bytes(content)
    stem = folder / ("g" if gray else "c")
    mode = ["-gray"] if gray else ["-png"]
    subprocess.run(
        ["pdftoppm", *mode, "-r", str(dpi), "-f", str(page), "-l", str(page), str(path), str(stem)],
        check=True,
    )
    return Image.open(next(folder.glob(f"{stem.name}-*"))).copy()


def used_height(image: Image.Image) -> float:
    """How far down the page's body (between the margins' boxes) something is printed."""
    grey = image.convert("L")
    width, height = grey.size
    per_mm = height / 210
    top, bottom = int(15 * per_mm), int(height - 14 * per_mm)
    pixels = grey.tobytes()
    last = max(
        (y for y in range(top, bottom) if min(pixels[y * width : (y + 1) * width]) < 200),
        default=top,
    )
    return (last - top) / (bottom - top)


async def test_page_one_is_for_the_reader_in_a_hurry(db: str, tmp_path: Path) -> None:
    _, matrix, comparison = await seed000()
    first = pages_text(render_matrix_pdf(matrix, comparison).content, tmp_path)[0]
    assert first.startswith(f"{TITLE} 12. møde, 20. juni 2018 {TITLE}")  # the header, then h1
    assert SEED000_MEETING in first
    counts = ("✓ 134", "◐ 23", "✕ 1", "– 2", "? 0", "⚠ 24")
    labels = (
        "Følger tidsplanen",
        "Op til 3 måneder forsinket",
        "Mere end 3 måneder forsinket",
        "Intet angivet",
        "Ikke indberettet",
        "KRITISK: Kritisk for hele",
    )
    assert all(count.replace(" ", "") in first.replace(" ", "") for count in counts), first
    assert all(label in first for label in labels), first
    assert "Grøn markering angiver, at milepælen overholder tidsplanen." in first
    critical_late = first.index("Kritiske og forsinkede milepæle")
    late = first.index("Forsinkede milepæle")
    changes = first.index("Ændringer siden sidste runde")
    assert critical_late < late < changes
    for label in (
        "Milepæl 11.4 – Mindst 95 pct. af relevante borgere er inkluderet i hvert",
        "Milepæl 6.4 – Telemedicinsk infrastruktur og løsninger er idriftsat",
    ):
        assert critical_late < first.index(label) < late
    assert late < first.index("Milepæl 3.1 – Behandlingstilbud inden for landsdelen") < changes
    assert "Hovedstaden ⚠, Midtjylland ⚠, Nordjylland ⚠, Sjælland ⚠, Syddanmark ⚠" in first
    assert "Kritiske milepæle uden forsinkelse: 4.1, 4.2, 6.1 B, 6.3," in first
    assert "Der er ingen tidligere runde at sammenligne med." in first
    assert "Har ikke svaret: Alle har svaret." in first


async def test_page_one_says_what_changed_and_where_the_rest_is(db: str, tmp_path: Path) -> None:
    _, june = await two_rounds()
    matrix = worded_matrix(await load_snapshot(june.id))
    pdf = render_matrix_pdf(matrix, await compile_comparison(june.id))
    pages = pages_text(pdf.content, tmp_path)
    first = pages[0]
    assert "Ændringer siden 11. møde" in first
    assert "Værre (1) 4.1, Hovedstaden: Grøn → Rød" in first
    assert "Bedre (1) 3.1, Midtjylland: Gul → Grøn" in first
    assert "Forventet dato rykket senere (1) 4.1, Syddanmark: Medio 2019 → Ultimo 2019" in first
    assert "Har ikke svaret: Nordjylland (ansvarlig: Projektleder Nordjylland)" in first
    where = re.search(r"Alle ændringer står fra side (\d+)\.", first)
    assert where is not None
    page = int(where[1])
    assert "Ændringer siden sidste runde" in pages[page - 1]
    assert "Ændringer siden sidste runde" not in " ".join(pages[: page - 1])


async def test_every_page_carries_title_round_key_and_number(db: str, tmp_path: Path) -> None:
    _, matrix, comparison = await seed000()
    pdf = render_matrix_pdf(matrix, comparison)
    pages = pages_text(pdf.content, tmp_path)
    assert len(pages) == pdf.pages == pdf_pages(pdf.content, tmp_path)
    for number, text in enumerate(pages, start=1):
        assert text.startswith(f"{TITLE} {ROUND_NAME}"), (number, text[:80])
        assert f"Side {number} af {pdf.pages}" in text
        assert "✓ Følger tidsplanen · ◐ Op til 3 måneder forsinket" in text
        assert "? Ikke indberettet · ⚠ Kritisk for hele projektet" in text


async def test_groups_are_never_split_and_no_page_is_near_empty(db: str, tmp_path: Path) -> None:
    _, matrix, comparison = await seed000()
    pdf = render_matrix_pdf(matrix, comparison)
    pages = pages_text(pdf.content, tmp_path)
    seen: dict[str, list[int]] = {}
    for number, text in enumerate(pages, start=1):
        for heading in GROUP_HEADING.findall(text):
            seen.setdefault(heading, []).append(number)
    assert sorted(seen, key=int) == [str(n) for n in range(1, 12)]
    assert all(len(found) == 1 for found in seen.values()), seen  # a heading repeats if split
    for number in range(1, pdf.pages + 1):
        page = render_page(pdf.content, _mkdir(tmp_path / str(number)), number, 30, gray=True)
        assert used_height(page) >= 0.5, number


def _mkdir(path: Path) -> Path:
    path.mkdir()
    return path


def test_a_group_longer_than_a_page_repeats_its_heading(tmp_path: Path) -> None:
    snapshot = synthetic(5, 40, seed=3, size=40)
    matrix = worded_matrix(snapshot)
    pdf = render_matrix_pdf(matrix, compare(matrix, None, snapshot))
    pages = pages_text(pdf.content, tmp_path)
    heading = " ".join(f"Milepæl 1: {matrix.groups[0].title}".split())
    with_heading = [number for number, text in enumerate(pages, start=1) if heading in text]
    assert len(with_heading) >= 2
    assert with_heading == list(range(with_heading[0], with_heading[-1] + 1))
    for number in with_heading:  # each continuation starts with the heading and the units
        body = pages[number - 1].split(heading, 1)[1]
        assert body.lstrip().startswith("Enhed nummer 0 med et langt navn")
    first_row = pages[with_heading[0] - 1]
    assert "Milepæl 1.1 – " in first_row and "Milepæl 1.40 – " in pages[with_heading[-1] - 1]


async def test_the_four_states_part_in_greyscale(db: str, tmp_path: Path) -> None:
    """Seed 000's page 1 in colour and in greyscale: each state's fill, found by its colour
    in the legend and the cells, must differ from every other's by MIN_GREY_STEP grey levels
    in the greyscale render (pdftoppm -gray), as on a black-and-white printer."""
    _, matrix, comparison = await seed000()
    content = render_matrix_pdf(matrix, comparison).content
    colour = render_page(content, _mkdir(tmp_path / "c"), 1, 50, gray=False).convert("RGB")
    grey = render_page(content, _mkdir(tmp_path / "g"), 1, 50, gray=True).convert("L")
    assert colour.size == grey.size
    rgb, levels = colour.tobytes(), grey.tobytes()
    width, height = colour.size
    found: dict[str, list[int]] = {name: [] for name in PALETTE}
    targets = {
        name: tuple(int(swatch.fill[i : i + 2], 16) for i in (1, 3, 5))
        for name, swatch in PALETTE.items()
    }
    for y in range(height // 3):  # the title, the legend with its swatches, the first lists
        for x in range(width):
            at = y * width + x
            pixel = rgb[3 * at : 3 * at + 3]
            for name, target in targets.items():
                if all(abs(a - b) <= 2 for a, b in zip(pixel, target, strict=True)):
                    found[name].append(levels[at])
    measured = {}
    for name, values in found.items():
        assert len(values) >= 100, f"no {name} swatch on page 1"
        values.sort()
        measured[name] = values[len(values) // 2]
    for (a, level_a), (b, level_b) in combinations(measured.items(), 2):
        assert abs(level_a - level_b) >= MIN_GREY_STEP, (a, level_a, b, level_b)


async def test_not_reported_cells_are_grey_and_say_so(db: str, tmp_path: Path) -> None:
    _, june = await two_rounds()
    matrix = worded_matrix(await load_snapshot(june.id))
    comparison = await compile_comparison(june.id)
    cells = [
        cell
        for table in matrix_data(matrix, comparison)["matrix"]["tables"]
        for row in table["rows"]
        for cell in row["cells"]
    ]
    assert ["not_reported", False, "? Ikke indberettet"] in cells
    assert ["none", False, "– Intet angivet"] in cells  # 5.1 Sjælland stated nothing
    text = " ".join(pages_text(render_matrix_pdf(matrix, comparison).content, tmp_path))
    assert "? Ikke indberettet" in text and "– Intet angivet" in text


async def test_the_sheet_has_seed001s_title_columns_and_own_items(db: str, tmp_path: Path) -> None:
    snapshot, matrix, _ = await seed000()
    content = render_sheet_pdf(snapshot, matrix, "syddanmark").content
    pages = pages_text(content, tmp_path)
    first = pages[0]
    assert "Porteføljestyringsværktøj" in first
    assert "Landsdelsprogram Syddanmark" in first
    assert SEED000_MEETING in first
    data = sheet_data(snapshot, matrix, [unit for unit in matrix.units if unit.key == "syddanmark"])
    assert data["headings"] == [
        "Nationale milepæle",
        "Status på milepælen",
        "Angivet deadline for indfrielse af milepæl",
        "Øvrige bemærkninger/ Evt. hvornår de første resultater af indsatsen kan ses",
    ]
    for number, text in enumerate(pages, start=1):
        assert text.startswith("Porteføljestyringsværktøj – Syddanmark"), number
        assert ROUND_NAME in text[:200], number
        for heading in ("Nationale milepæle", "Status på milepælen", "Øvrige bemærkninger/"):
            assert heading in text, (number, heading)  # the headings on every page
    lines = pages_text(content, tmp_path, layout=True)[0].splitlines()

    def line_of(text: str) -> int:
        return next(i for i, line in enumerate(lines) if text in line)

    own = line_of("Egne punkter")
    assert own < line_of("SYD-1 – Leveranceplan for 2018") < line_of("Milepæl 1.1 – ")
    assert own < line_of("SYD-2 – Leverancebeskrivelser") < line_of("Milepæl 1.1 – ")
    assert "Milepæl SYD-1" not in " ".join(pages)
    assert "Evt. delmilepæle" not in " ".join(pages)  # KOL asks for neither optional field


def _asking(snapshot: Snapshot, *questions: Question, label: str = "") -> Snapshot:
    """The snapshot of a programme that asks `questions` too, every answer giving them."""
    programme = replace(
        snapshot.programme,
        questions=(*snapshot.programme.questions, *questions),
        labels=(labelled(Question.READY.value, {"da": label}),) if label else (),
    )
    answers = tuple(
        replace(answer, sub_milestones="Delmilepæl A nået", ready_text="Marts 2019")
        for answer in snapshot.answers
    )
    return make_snapshot(programme, snapshot.round, snapshot.units, snapshot.groups, answers)


def test_the_sheet_shows_the_optional_columns_a_programme_asks_for(tmp_path: Path) -> None:
    plain = synthetic(1, 3, seed=1)
    assert [column.field for column in sheet_columns()] == [
        "milestone",
        "status",
        "deadline",
        "remark",
    ]
    data = sheet_data(plain, worded_matrix(plain), plain.units)
    assert "Evt. delmilepæle" not in str(data)  # not asked: not shown
    assert all(len(row) == 4 for table in data["units"][0]["tables"] for row in table["rows"])
    asking = _asking(plain, Question.SUB_MILESTONES, Question.READY)
    matrix = worded_matrix(asking)
    data = sheet_data(asking, matrix, matrix.units)
    assert data["headings"] == [
        "Nationale milepæle",
        "Status på milepælen",
        "Evt. delmilepæle",
        "Forventes at være klar til fremlæggelse for SKU/DAK",
        "Angivet deadline for indfrielse af milepæl",
        "Øvrige bemærkninger/ Evt. hvornår de første resultater af indsatsen kan ses",
    ]
    assert sum(column.width for column in sheet_columns(OPTIONAL_FIELDS)) == 100
    text = " ".join(pages_text(render_sheet_pdf(asking, matrix).content, tmp_path))
    assert "Delmilepæl A nået" in text and "Marts 2019" in text
    one = sheet_columns(OPTIONAL_FIELDS[:1])
    assert [c.field for c in one][2] == "sub_milestones" and sum(c.width for c in one) == 100
    labelled_ready = _asking(plain, Question.READY, label="Klar til SKU")
    headings = sheet_data(labelled_ready, worded_matrix(labelled_ready), plain.units)["headings"]
    assert headings[2] == "Klar til SKU"  # the programme's own label
    assert "Evt. delmilepæle" not in headings


async def test_a_sheet_heading_never_stands_alone_at_a_pages_foot(db: str, tmp_path: Path) -> None:
    snapshot, matrix, _ = await seed000()
    big = synthetic(2, 60, seed=9, size=15)  # groups that split across pages
    for content in (
        render_sheet_pdf(snapshot, matrix, "syddanmark").content,
        render_sheet_pdf(big, worded_matrix(big), "u000").content,
    ):
        pages = pages_text(content, tmp_path, layout=True)
        assert len(pages) >= 3
        for number, text in enumerate(pages, start=1):
            lines = text.splitlines()
            headings = [i for i, line in enumerate(lines) if GROUP_HEADING.search(line)]
            assert headings, number  # every page has a group's heading: new or repeated
            below = lines[headings[-1] + 1 :]
            assert any(MILESTONE_LABEL.search(line) for line in below), (number, below)


def test_a_long_item_in_the_changes_wraps_inside_the_page(tmp_path: Path) -> None:
    """Who did not answer runs on as one paragraph, each short item kept on one line; an
    item longer than a line (a unit with many leads) wraps rather than run off the page."""
    snapshot = synthetic(3, 4, seed=5, size=10)
    matrix = worded_matrix(snapshot)
    leads = tuple(f"Projektleder nummer {n} med et langt navn" for n in range(8))
    many = Missing(MissingKind.UNIT, "mange", "Enhed med mange projektledere", leads)
    comparison = replace(compare(matrix, matrix, snapshot), missing=(many,))
    pdf = render_matrix_pdf(matrix, comparison)
    words = subprocess.run(
        ["pdftotext", "-bbox", "-", "-"], input=pdf.content, capture_output=True, check=True
    ).stdout.decode()
    page = re.search(r'<page width="([\d.]+)"', words)
    assert page is not None
    page_width = float(page.group(1))
    right_edges = [float(x) for x in re.findall(r'xMax="([\d.]+)"', words)]
    assert max(right_edges) <= page_width - 12 / 25.4 * 72 + 1  # inside the 12 mm margin
    text = " ".join(" ".join(pages_text(pdf.content, tmp_path)).split())
    assert "Projektleder nummer 7 med et langt navn" in text
