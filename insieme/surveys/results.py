"""What a survey's responses add up to, for the staff's results page, the public results and the
CSV export.

Method (also in docs/surveys.md):

- a choice question: for each option, how many respondents chose it and what share of the
  respondents who answered the question that is (a multiple-choice question's shares may add up
  to more than 100%);
- a scale: how many chose each value, the mean and the median of the values chosen;
- a text question: the texts, for the staff only.

Public results show only choice and scale questions, never the texts, and protect small counts:
a question answered by fewer than MIN_PUBLIC people shows no figures at all; any other count
from 1 to MIN_PUBLIC - 1 reads "fewer than 5" (its share too), and where that leaves a single
hidden count in a question whose counts add up to its total (a single choice, a scale), the next
smallest count is hidden too, so that no hidden count can be worked out by subtraction. The
mean and median of a public scale are shown only when no value is hidden.
"""

from __future__ import annotations

import csv
import io
import statistics
from dataclasses import dataclass, field

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from insieme.catalog import i18n
from insieme.core.csvsafe import neutralise
from insieme.surveys.models import Answer, Question, Response, Survey

MIN_PUBLIC = 5


@dataclass
class Row:
    key: str
    label: str
    count: int
    share: float | None  # 0..100, None when there is nobody to share among
    hidden: bool = False


@dataclass
class QuestionSummary:
    question: Question
    answered: int
    rows: list[Row] = field(default_factory=list)
    mean: float | None = None
    median: float | None = None
    texts: list[str] = field(default_factory=list)
    withheld: bool = False  # public: too few answers to show any figure

    @property
    def kind(self) -> str:
        return self.question.kind


@dataclass
class Summary:
    responses: int
    questions: list[QuestionSummary]
    public: bool

    @property
    def responses_hidden(self) -> bool:
        return self.public and 0 < self.responses < MIN_PUBLIC


def _share(count: int, total: int) -> float | None:
    return round(100 * count / total, 1) if total else None


def _suppress(rows: list[Row], partition: bool) -> None:
    small = [r for r in rows if 0 < r.count < MIN_PUBLIC]
    for row in small:
        row.hidden = True
    if partition and len(small) == 1:
        others = [r for r in rows if not r.hidden and r.count > 0]
        if others:
            min(others, key=lambda r: (r.count, r.key)).hidden = True
    for row in rows:
        if row.hidden:
            row.share = None


def summarise(survey: Survey, questions: list[Question], *, public: bool) -> Summary:
    """The figures of every question (`public`: choice and scale only, small counts hidden).
    Three queries, whatever the number of questions and responses."""
    responses = Response.objects.filter(survey=survey).count()
    answered = dict(
        Answer.objects.filter(response__survey=survey)
        .values_list("question")
        .annotate(n=Count("pk"))
        .values_list("question", "n")
    )
    wanted = [q for q in questions if not (public and q.kind == Question.Kind.TEXT)]
    chosen: dict[int, dict] = {q.pk: {} for q in wanted}
    texts: dict[int, list[str]] = {q.pk: [] for q in wanted}
    numbers: dict[int, list[int]] = {q.pk: [] for q in wanted}
    rows = Answer.objects.filter(response__survey=survey, question__in=[q.pk for q in wanted])
    if public:
        rows = rows.exclude(question__kind=Question.Kind.TEXT)
    for question_id, choices, number, text in rows.order_by("pk").values_list(
        "question_id", "choices", "number", "text"
    ):
        for key in choices or []:
            chosen[question_id][key] = chosen[question_id].get(key, 0) + 1
        if number is not None:
            numbers[question_id].append(number)
        if text:
            texts[question_id].append(text)
    out = []
    for question in wanted:
        total = answered.get(question.pk, 0)
        item = QuestionSummary(question=question, answered=total)
        if question.is_choice:
            item.rows = [
                Row(o["key"], o["label"], chosen[question.pk].get(o["key"], 0), None)
                for o in question.option_labels()
            ]
        elif question.kind == Question.Kind.SCALE:
            values = numbers[question.pk]
            item.rows = [
                Row(str(v), str(v), values.count(v), None) for v in question.scale_values()
            ]
            if values:
                item.mean = round(statistics.fmean(values), 2)
                item.median = statistics.median(values)
        else:
            item.texts = texts[question.pk]
        for row in item.rows:
            row.share = _share(row.count, total)
        if public:
            if total < MIN_PUBLIC:
                item.withheld = True
                item.rows, item.mean, item.median = [], None, None
            else:
                _suppress(item.rows, partition=question.kind != Question.Kind.MULTIPLE)
                if any(r.hidden for r in item.rows):
                    item.mean = item.median = None
        out.append(item)
    return Summary(responses=responses, questions=out, public=public)


def attached_url(survey: Survey) -> str | None:
    """The public page of what the survey is attached to (the process first)."""
    if survey.process_id:
        process = survey.process
        return reverse("participation_process", args=[process.administration.slug, process.slug])
    if survey.service_id:
        service = survey.service
        return reverse("catalogue_service", args=[service.administration.slug, service.code])
    return None


# --- CSV ------------------------------------------------------------------------------------------


def _cell(value):
    return neutralise(value)


def csv_text(survey: Survey, questions: list[Question], language: str) -> str:
    """One row per response (number, date and time, language, then one column per question),
    headers and option labels in `language`; no one's identity. UTF-8 with a byte-order mark,
    so that spreadsheets read the accents right; every text cell formula-neutralised."""
    labels = {
        q.pk: {o["key"]: str(o["label"]) for o in q.option_labels(language)} for q in questions
    }
    header = [_("Response"), _("Submitted at"), _("Language")]
    header += [f"{n}. {i18n.text(q, 'text', language)}" for n, q in enumerate(questions, 1)]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_cell(str(h)) for h in header])
    answers: dict[int, dict[int, Answer]] = {}
    for answer in Answer.objects.filter(response__survey=survey).only(
        "response_id", "question_id", "choices", "number", "text"
    ):
        answers.setdefault(answer.response_id, {})[answer.question_id] = answer
    responses = Response.objects.filter(survey=survey).order_by("submitted_at", "pk")
    for n, (pk, submitted_at, lang) in enumerate(
        responses.values_list("pk", "submitted_at", "language"), 1
    ):
        row = [n, timezone.localtime(submitted_at).strftime("%Y-%m-%d %H:%M"), lang]
        mine = answers.get(pk, {})
        for question in questions:
            answer = mine.get(question.pk)
            if answer is None:
                row.append("")
            elif question.is_choice:
                row.append("; ".join(labels[question.pk].get(k, k) for k in answer.choices))
            elif question.kind == Question.Kind.SCALE:
                row.append(answer.number if answer.number is not None else "")
            else:
                row.append(answer.text)
        writer.writerow([_cell(v) if isinstance(v, str) else v for v in row])
    return "\ufeff" + buffer.getvalue()
