"""The reports kit renders one document to real PDF, DOCX and HTML files, read back here."""

from __future__ import annotations

import io
import zipfile

import docx
import pypdf
import pytest

from resilia.core import reports as r


def sample(**kwargs) -> r.Document:
    doc = r.Document(
        title="业务影响分析报告",
        subtitle="2026年度",
        organisation="示例银行股份有限公司",
        date="2026-12-02",
        classification="内部资料",
        numbered=True,
        **kwargs,
    )
    chart = r.charts.bar_chart(["支付清算", "核心账务"], [4, 8], unit=" h")
    return doc.add(
        r.Heading("范围"),
        r.Paragraph(["覆盖 ", r.Run("全部业务单元", bold=True), "；负责人 龑堃喆"]),
        r.Bullets(["第一项", "第二项"]),
        r.Heading("关键业务活动", 2),
        r.Table(
            [r.Column("活动", 3), r.Column("RTO（小时）", 1, numeric=True)],
            [["支付清算", 4], [r.Cell("核心账务", shade="red"), r.Cell(8.0, shade="yellow")]]
            + [["网上银行", 24]] * 60,
        ),
        r.Figure(chart, caption="图1 恢复时间目标"),
        r.PageBreak(),
        r.Heading("影响"),
    )


def pdf_fonts(reader) -> dict[str, dict]:
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            fonts[str(font["/BaseFont"])] = font
    return fonts


def test_it_embeds_the_chinese_font_as_a_subset_and_the_text_extracts():
    content = r.render(sample(toc=True), "pdf")
    reader = pypdf.PdfReader(io.BytesIO(content))
    text = "".join(page.extract_text() for page in reader.pages)
    assert "1.1 关键业务活动" in text and "龑堃喆" in text and "内部资料" in text
    fonts = pdf_fonts(reader)
    embedded = [
        name
        for name, font in fonts.items()
        if "/FontDescriptor" in font and "/FontFile2" in font["/FontDescriptor"].get_object()
    ]
    # A subset font's name carries a six-letter tag: ABCDEF+Name.
    assert embedded and all("+" in name for name in embedded)
    assert not any("STSong" in name for name in fonts)  # the CID font viewers must supply
    assert len(reader.pages) >= 3  # 60 rows: the table spans pages


def test_it_repeats_the_table_header_on_every_page():
    reader = pypdf.PdfReader(io.BytesIO(r.render(sample(), "pdf")))
    pages_with_rows = [p.extract_text() for p in reader.pages if "网上银行" in p.extract_text()]
    assert len(pages_with_rows) >= 2
    assert all("RTO（小时）" in text for text in pages_with_rows)


def test_it_writes_headings_tables_and_shades_to_docx():
    content = r.render(sample(), "docx")
    document = docx.Document(io.BytesIO(content))
    styles = {p.style.name: p.text for p in document.paragraphs if p.text}
    assert styles["Title"] == "业务影响分析报告"
    assert [p.text for p in document.paragraphs if p.style.name.startswith("Heading")] == [
        "1 范围",
        "1.1 关键业务活动",
        "2 影响",
    ]
    table = document.tables[0]
    assert [c.text for c in table.rows[0].cells] == ["活动", "RTO（小时）"]
    assert [c.text for c in table.rows[2].cells] == ["核心账务", "8"]
    assert 'w:tblHeader w:val="true"' in table.rows[0]._tr.xml
    assert 'w:fill="F8D7DA"' in table.rows[2].cells[0]._tc.xml
    assert len(document.inline_shapes) == 1


def test_it_builds_the_docx_on_the_organisations_template_keeping_its_header_and_styles():
    template = docx.Document()
    template.sections[0].header.paragraphs[0].text = "示例银行 业务连续性管理 公文"
    template.styles["Heading 1"].font.size = docx.shared.Pt(22)
    del template.styles["List Bullet"]._element.getparent()[
        list(template.styles._element).index(template.styles["List Bullet"]._element)
    ]
    template.add_paragraph("红头：示例银行文件")
    template.add_paragraph("{{report}}")
    template.add_paragraph("此段模板示例文字应被移除")
    buffer = io.BytesIO()
    template.save(buffer)

    content = r.render(sample(), "docx", template=buffer.getvalue())
    document = docx.Document(io.BytesIO(content))
    assert document.sections[0].header.paragraphs[0].text == "示例银行 业务连续性管理 公文"
    assert document.styles["Heading 1"].font.size == docx.shared.Pt(22)
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == "红头：示例银行文件" and texts[1] == "业务影响分析报告"
    assert "{{report}}" not in texts and "此段模板示例文字应被移除" not in texts
    # The template lacks "List Bullet": the items are still there, with a bullet sign.
    assert "• 第一项" in texts


def test_it_renders_html_with_classes_not_inline_styles(rf):
    html = r.render(sample(toc=True), "html", request=None).decode()
    assert "report-shade-red" in html and "<h3" in html and "1.1 关键业务活动" in html
    assert "style=" not in html and "<script>" not in html  # CSP: no inline script or style
    assert 'src="data:image/png;base64,' in html


def test_it_refuses_what_is_not_a_report_block_or_shade():
    with pytest.raises(ValueError):
        r.Cell("x", shade="purple")
    with pytest.raises(ValueError):
        r.Table([r.Column("a")], [["1", "2"]]).cells()
    with pytest.raises(ValueError):
        r.Figure(b"GIF89a")


def test_it_draws_a_heat_grid_to_png():
    png = r.charts.heat_grid(["支付"], ["1小时", "1天"], [["green", "red"]], [["低", "高"]])
    assert png.startswith(b"\x89PNG")
    assert zipfile.is_zipfile(io.BytesIO(r.render(sample(), "docx")))


def test_it_warns_at_start_up_when_the_font_cannot_be_embedded(settings, tmp_path):
    from resilia.core.reports.fonts import check_font

    assert check_font() == []
    settings.REPORT_FONT_FILE = str(tmp_path / "missing.ttf")
    [warning] = check_font()
    assert warning.id == "resilia.W101" and "not embedded" in warning.msg


def test_it_prints_its_own_words_in_the_language_active_at_each_render():
    from django.utils import translation

    doc = sample(toc=True)
    with translation.override("zh-hans"):
        chinese = "".join(
            p.extract_text() for p in pypdf.PdfReader(io.BytesIO(r.render(doc, "pdf"))).pages
        )
    with translation.override("en"):
        english = "".join(
            p.extract_text() for p in pypdf.PdfReader(io.BytesIO(r.render(doc, "pdf"))).pages
        )
    assert "目录" in chinese and "第 1 页" in chinese
    assert "Contents" in english and "Page 1 of" in english
