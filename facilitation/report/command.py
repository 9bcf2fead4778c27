"""The report as a file to send: built from the closed rounds, drawn off the event loop."""

from __future__ import annotations

from collections.abc import Mapping

from facilitation.exercises import Exercise, ExerciseContext
from facilitation.i18n import t
from facilitation.model import Language, RoundKind, Workshop
from facilitation.ports import Attachment
from facilitation.report.content import workshop_report
from facilitation.report.pdf import render_pdf

PDF = "application/pdf"


async def report_pdf(
    ctx: ExerciseContext, exercises: Mapping[RoundKind, Exercise], workshop: Workshop, lang: Language
) -> Attachment:
    """The workshop's report as a PDF attachment, drawn in a chart worker (a PDF of ten rounds
    takes seconds, and votes in other rooms must not wait for it). Raises DomainError when the
    workshop has no closed round."""
    report = await workshop_report(ctx, exercises, workshop, lang)
    data = await ctx.renderer.run(render_pdf, report)
    stem = "rapport" if lang is Language.SV else "report"
    return Attachment(
        f"{stem}-{workshop.id}.pdf",
        data,
        PDF,
        t("report.pdf_caption", lang, title=workshop.title, rounds=len(report.sections)),
    )
