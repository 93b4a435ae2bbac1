"""Split a job description or a free-text work log into activities.

A text is cut into lines; each line into bullet or numbered items
(``•``, ``-``, ``*``, ``·``, ``–``, ``1.``, ``1)``, ``a)``, ``(i)``, ``iv.``),
semicolon-separated duty lists and sentences (spaCy's rule-based
sentencizer on a blank English pipeline; nothing is downloaded). A prose
sentence that lists duties ("patching our CRM, resetting passwords and
building an app") is cut into them (:mod:`classifier.jobs.duty_lists`); a
bullet item stays one activity.

Pieces that describe no work are kept, with the reason in ``kind``:
headings ("Responsibilities:"), company blurbs, descriptions of the role
("This is a hands-on role split between..."), requirements and
qualifications, salary, benefits, equal-opportunity statements, job details
("Location: Leeds") and application instructions. A piece takes the kind of
the section its heading names ("Requirements:", "What we offer"), and a few
unmistakable patterns ("5+ years of experience", "£45,000 per annum", "equal
opportunity employer") mark a piece wherever it stands (the tables are in
:mod:`classifier.jobs.patterns`). Lines without a letter or digit (rules such
as ``---``) are treated as blank lines.

>>> [(a.kind, a.text) for a in split_activities("Duties:\\n- Patch servers; rotate backups\\n2) Run the CAB")]
[('heading', 'Duties:'), ('activity', 'Patch servers'), ('activity', 'rotate backups'), ('activity', 'Run the CAB')]
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from classifier import spacy_resources
from classifier.jobs.duty_lists import split_duty_list
from classifier.jobs.patterns import (
    ACTIVITY,
    ACTIVITY_CUE,
    BULLET,
    BULLET_NO_SPACE,
    HAS_TEXT,
    INHERITED_KINDS,
    INLINE_BULLET,
    KEY_VALUE,
    MARKDOWN_HEADING,
    SENTENCE_END,
    TRAILING,
    WORD,
    detect_kind,
    heading_kind,
    section_kind,
)

__all__ = ["Activity", "ActivitySplitter", "split_activities"]

# Line ends str.splitlines knows, stripped off each line.
_LINE_BREAKS = "\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"


@dataclass(frozen=True)
class Activity:
    """One piece of a text: an activity, or a piece set aside and why.

    ``text`` is exactly ``original[start:end]`` (bullet markers, surrounding
    spaces and trailing ``;``/``,`` removed); ``line`` is 1-based; ``section``
    is the heading the piece stands under, if any.
    """

    text: str
    kind: str
    line: int
    start: int
    end: int
    section: str | None = None

    @property
    def is_activity(self) -> bool:
        return self.kind == ACTIVITY

    def to_dict(self) -> dict[str, object]:
        return {
            "text": self.text,
            "kind": self.kind,
            "line": self.line,
            "start": self.start,
            "end": self.end,
            "section": self.section,
        }


@dataclass
class _Piece:
    start: int
    end: int
    line: int
    bullet: bool


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in " \t\r\n":
        start += 1
    while end > start and text[end - 1] in TRAILING:
        end -= 1
    return start, end


def _split_semicolons(text: str, start: int, end: int) -> list[tuple[int, int]]:
    segment = text[start:end]
    if ";" not in segment:
        return [(start, end)]
    parts, position = [], start
    for part in segment.split(";"):
        parts.append((position, position + len(part)))
        position += len(part) + 1
    if sum(len(WORD.findall(text[a:b])) >= 2 for a, b in parts) < 2:
        return [(start, end)]
    result = []
    for a, b in parts:
        a, b = _strip(text, a, b)
        match = re.match(r"(?:and|or)\s+", text[a:b], re.IGNORECASE)
        if match and len(WORD.findall(text[a + match.end() : b])) >= 2:
            a += match.end()
        if a < b:
            result.append((a, b))
    return result


def _split_sentences(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    nlp = spacy_resources.sentence_pipeline()
    result = []
    for start, end in spans:
        segment = text[start:end]
        if not SENTENCE_END.search(segment):
            result.append((start, end))
            continue
        for sentence in nlp(segment).sents:
            a, b = _strip(text, start + sentence.start_char, start + sentence.end_char)
            if a < b:
                result.append((a, b))
    return result


def _pieces_of_line(text: str, start: int, end: int, line: int) -> tuple[list[_Piece], bool]:
    """The items of one line (without their bullet markers) and whether the line was a bullet item."""
    segment = text[start:end]
    match = BULLET.match(segment) or BULLET_NO_SPACE.match(segment)
    bullet = False
    if match is not None and HAS_TEXT.search(segment[match.end() :]):
        bullet = True
        start += match.end()
        segment = text[start:end]
    bounds, position = [], start
    for inline in INLINE_BULLET.finditer(segment):
        bounds.append((position, start + inline.start()))
        position = start + inline.end()
        bullet = True
    bounds.append((position, end))
    pieces = []
    for a, b in bounds:
        a, b = _strip(text, a, b)
        if a < b:
            pieces.append(_Piece(a, b, line, bullet))
    return pieces, bullet


class ActivitySplitter:
    """One walk through one text, line by line; the attributes are what one line tells the next.

    >>> splitter = ActivitySplitter("Requirements:\\n- 5+ years of Linux")
    >>> [piece.kind for piece in splitter.split()], splitter.section, splitter.section_name
    (['heading', 'requirement'], 'requirement', 'Requirements')
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.pieces: list[Activity] = []
        #: The kind the last heading announced ("requirement", "benefits"...), or None.
        self.section: str | None = None
        #: The words of that heading, kept on every piece under it.
        self.section_name: str | None = None
        #: Whether the current section is a list: a paragraph after a blank line then ends it.
        self.section_had_bullets = False
        self.after_blank = False
        #: Kind of the previous prose piece in the same paragraph (a blurb's next sentence is blurb too).
        self.previous_kind: str | None = None
        self.seen_text = False
        #: Lines right under a job title at the top ("Acme Ltd - Leeds, hybrid") are job details.
        self.title_block = False

    def split(self) -> list[Activity]:
        """Every piece of the text, in order."""
        text, offset = self.text, 0
        for number, raw_line in enumerate(text.splitlines(keepends=True), start=1):
            start, end = offset, offset + len(raw_line.rstrip(_LINE_BREAKS))
            offset += len(raw_line)
            self._line(number, start, end)
        return self.pieces

    def _line(self, number: int, start: int, end: int) -> None:
        text = self.text
        if not HAS_TEXT.search(text[start:end].strip()):
            self.after_blank, self.previous_kind, self.title_block = True, None, False
            return
        pieces, bullet = _pieces_of_line(text, start, end, number)
        if self.section is not None and self.after_blank and not bullet and self.section_had_bullets:
            self.section, self.section_name = None, None  # a paragraph after a list ends the list's section
        self.after_blank = False

        first = pieces[0]
        kind = heading_kind(text[first.start : first.end], bullet, not self.seen_text) if len(pieces) == 1 else None
        seen_before, self.seen_text = self.seen_text, True
        if kind is not None:
            self._heading(first, kind, number, first_text=not seen_before)
            return

        line_kind = None if bullet else self._key_value(pieces, number)
        self.section_had_bullets = self.section_had_bullets or bullet
        spans = [span for piece in pieces for span in _split_semicolons(text, piece.start, piece.end)]
        if line_kind is None:
            spans = _split_sentences(text, spans)
        for a, b in spans:
            kind = line_kind or self._kind(text[a:b], bullet)
            self.previous_kind = None if bullet else kind
            # A prose sentence may list several duties; a bullet item is one duty as its author wrote it.
            duties = split_duty_list(text, a, b) if kind == ACTIVITY and not bullet else [(a, b)]
            for c, d in duties:
                self.pieces.append(Activity(text[c:d], kind, number, c, d, self.section_name))

    def _heading(self, piece: _Piece, kind: str, number: int, first_text: bool) -> None:
        """A heading line: it starts a section (of no known kind if ``kind`` is "unknown")."""
        words = self.text[piece.start : piece.end]
        self.pieces.append(Activity(words, "heading", number, piece.start, piece.end, None))
        self.section = None if kind == "unknown" else kind
        self.title_block = kind == "unknown" and first_text
        self.section_name = MARKDOWN_HEADING.sub("", words).strip(" :")
        self.section_had_bullets, self.previous_kind = False, None

    def _key_value(self, pieces: list[_Piece], number: int) -> str | None:
        """Handle a ``Key: value`` line whose key names a section; return the kind of the whole line, if it has one.

        "Duties: patch servers" is a heading and its first activity (``pieces[0]`` becomes the
        value); "Location: Leeds" is one job detail.
        """
        first = pieces[0]
        match = KEY_VALUE.match(self.text[first.start : first.end])
        if match is None:
            return None
        key_kind = section_kind(match.group(1))
        if key_kind is None:
            return None
        if key_kind not in (ACTIVITY, "requirement"):
            return key_kind
        head_end = first.start + self.text[first.start : first.end].index(":") + 1
        self.pieces.append(Activity(self.text[first.start : head_end], "heading", number, first.start, head_end, None))
        self.section, self.section_name, self.section_had_bullets = key_kind, match.group(1).strip(), False
        pieces[0] = _Piece(first.start + match.start(2), first.end, number, first.bullet)
        return None

    def _kind(self, sentence: str, bullet: bool) -> str:
        """The kind of one sentence or item: a pattern's, else the section's, else what the context says."""
        kind = detect_kind(sentence, strong_only=self.section == ACTIVITY)
        if kind is None and self.section is not None:
            kind = self.section
        if kind is None and self.title_block and not bullet:
            kind = "job_detail"
        if kind is None and not bullet and self.previous_kind in INHERITED_KINDS and not ACTIVITY_CUE.search(sentence):
            kind = self.previous_kind
        return kind or ACTIVITY


def split_activities(text: str) -> list[Activity]:
    """Split ``text`` into activities and set-aside pieces, in the order they appear.

    >>> ad = '''Acme Freight is a family-owned logistics company founded in 1987.
    ... Responsibilities:
    ... • Design the partner booking API with the sales team.
    ... • Run the weekly change advisory board
    ... Requirements:
    ... • 5+ years of experience with AWS
    ... Salary: £55,000 per annum plus benefits.'''
    >>> for piece in split_activities(ad):
    ...     print(piece.line, piece.kind, "|", piece.text)
    1 company_blurb | Acme Freight is a family-owned logistics company founded in 1987.
    2 heading | Responsibilities:
    3 activity | Design the partner booking API with the sales team.
    4 activity | Run the weekly change advisory board
    5 heading | Requirements:
    6 requirement | 5+ years of experience with AWS
    7 salary | Salary: £55,000 per annum plus benefits.
    >>> split_activities("")
    []
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}; pass one job description or work log as text")
    return ActivitySplitter(text).split()
