"""Split a job description or a free-text work log into activities.

A text is cut into lines; each line into bullet or numbered items
(``•``, ``-``, ``*``, ``·``, ``–``, ``1.``, ``1)``, ``a)``, ``(i)``, ``iv.``),
semicolon-separated duty lists and sentences (spaCy's rule-based
sentencizer on a blank English pipeline; nothing is downloaded).

Pieces that describe no work are kept, with the reason in ``kind``:
headings ("Responsibilities:"), company blurbs, requirements and
qualifications, salary, benefits, equal-opportunity statements, job details
("Location: Leeds") and application instructions. A piece takes the kind of
the section its heading names ("Requirements:", "What we offer"), and a few
unmistakable patterns ("5+ years of experience", "£45,000 per annum", "equal
opportunity employer") mark a piece wherever it stands. Lines without a letter
or digit (rules such as ``---``) are treated as blank lines.

>>> [(a.kind, a.text) for a in split_activities("Duties:\\n- Patch servers; rotate backups\\n2) Run the CAB")]
[('heading', 'Duties:'), ('activity', 'Patch servers'), ('activity', 'rotate backups'), ('activity', 'Run the CAB')]
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from classifier import spacy_resources

__all__ = ["Activity", "split_activities", "ACTIVITY", "NON_ACTIVITY_KINDS"]

ACTIVITY = "activity"
#: Why a piece is not an activity, in the order used for reports.
NON_ACTIVITY_KINDS = (
    "heading",
    "company_blurb",
    "requirement",
    "salary",
    "benefits",
    "equal_opportunity",
    "job_detail",
    "application",
)


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


# --- section headings --------------------------------------------------------------------------------------------

_SECTION_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern))
    for kind, pattern in (
        ("requirement", r"about you|who you are|what you(?:'ll| will)? (?:bring|need|have)|you(?:'ll)? have"),
        (
            ACTIVITY,
            r"(?:key |main |core |your )?(?:responsibilities|duties|tasks|accountabilities|activities)"
            r"|what you(?:'ll| will) (?:do|be doing|work on)|(?:about |in )?(?:the|this|your) role|the job"
            r"|role (?:overview|description|purpose)|job (?:description|purpose|summary)|day[- ]to[- ]day"
            r"|in this role(?: you will)?|what the (?:job|role) involves|your (?:job|mission)|the opportunity",
        ),
        (
            "requirement",
            r"(?:key |essential |desirable |minimum |preferred |technical |required )?"
            r"(?:requirements|qualifications|skills|experience|competencies|criteria|certifications?|education)"
            r"(?: (?:and|&) (?:experience|skills|qualifications|requirements))?"
            r"|essential|desirable|must[- ]haves?|nice[- ]to[- ]haves?|bonus points"
            r"|what we(?:'re| are) looking for|person specification|skills (?:and|&) experience",
        ),
        ("salary", r"salary(?: range)?|compensation|pay(?: range)?|remuneration|salary (?:and|&) benefits"),
        (
            "benefits",
            r"benefits|perks|what we offer|what's in it for you|why (?:join|work (?:for|with)) us|(?:the )?package"
            r"|rewards?|benefits (?:and|&) perks",
        ),
        (
            "equal_opportunity",
            r"equal (?:employment )?opportunit(?:y|ies)|eeo|diversity(?:,? equity)?(?: (?:and|&) inclusion)?"
            r"|inclusion|our commitment",
        ),
        ("application", r"how to apply|to apply|application(?: process)?|next steps|apply"),
        (
            "job_detail",
            r"location|job title|title|position|contract(?: type)?|(?:working )?hours|reports? to|reporting to"
            r"|start date|closing date|job type|employment type|department|ref(?:erence)?|grade|working pattern",
        ),
        (
            "company_blurb",
            r"about [\w&.'’ -]{1,40}|who we are|our (?:company|story|mission|values)|the company"
            r"|company (?:overview|description|profile)",
        ),
    )
)

# --- patterns that mark a piece wherever it stands ---------------------------------------------------------------

_CURRENCY = r"(?:[£$€]\s?\d|\d[\d,.]*\s?(?:k\b|K\b)|\b(?:usd|eur|gbp)\s?\d|\d[\d,.]*\s?(?:usd|eur|gbp)\b)"
_STRONG: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern, re.IGNORECASE))
    for kind, pattern in (
        (
            "equal_opportunity",
            r"equal[- ]opportunit|regardless of (?:race|age|gender|sex|religion|disability)|\beeo\b"
            r"|(?:race|religion|colou?r|gender identity|sexual orientation|disability),.*(?:age|status|origin)"
            r"|we (?:welcome|encourage) applications from|reasonable adjustments|inclusive employer",
        ),
        (
            "salary",
            rf"{_CURRENCY}.*(?:per (?:annum|year|hour|day|month)|p\.?a\.?\b|a year|an hour|/ ?(?:yr|year|hr|hour|day)"
            r"|\bote\b|salary|base|\bdoe\b|depending on experience|plus benefits|\+ ?benefits)"
            rf"|^(?:salary|pay|compensation|remuneration)\b.*{_CURRENCY}|\bcompetitive salary\b|salary (?:range|band)",
        ),
        (
            "requirement",
            r"\b\d+\+? ?(?:years|yrs)['’]? (?:of )?(?:\w+ ){0,3}(?:experience|exp)\b"
            r"|^(?:you have|you(?:'ll| will) have|you bring|you(?:'ll| will) bring|you are an?\b"
            r"|you(?:'re| are) comfortable)"
            r"|^(?:proven |solid |strong |demonstrable |hands-on |previous |prior |significant |good )?"
            r"(?:experience (?:with|in|of|using|managing|running|building|working)|knowledge of|understanding of"
            r"|familiarity with|proficiency (?:in|with)|proficient (?:in|with)|background in)"
            r"|^(?:a |an )?(?:bachelor'?s|master'?s|degree|phd|relevant degree)\b|\bdegree in\b"
            r"|^(?:excellent|strong|good|great) (?:\w+ ){0,3}(?:skills|communicator|knowledge|understanding)"
            r"|^(?:ability to|able to|must have|must be|nice to have|should have|willingness to)\b"
            r"|\b(?:is|are|would be) (?:a plus|an advantage|a bonus|desirable|essential|preferred|required)\b"
            r"|^(?:certifications?|certified)\b|\bcertification (?:in|such as)\b",
        ),
    )
)
_WEAK: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern, re.IGNORECASE))
    for kind, pattern in (
        (
            "benefits",
            r"^(?:we offer|you(?:'ll| will) (?:get|receive|enjoy)|in return)\b|\b\d+ days'? (?:annual leave|holiday)"
            r"|\bpension (?:scheme|contribution|plan|matching)|\bprivate (?:medical|health)|\bhealth (?:insurance|plan)"
            r"|\blife (?:assurance|insurance)\b|\b401\(?k\)?|\bcycle[- ]to[- ]work\b|\bshare options\b"
            r"|\bstock options\b|\bparental leave\b|\bpaid time off\b|\bgym membership\b|\bwellbeing allowance\b",
        ),
        (
            "company_blurb",
            r"^(?:we(?:'re| are) (?:a|an|the|one of)|we have been|our (?:mission|vision|values|purpose)|founded in"
            r"|at [A-Z][\w&.'-]*,? we|join (?:us|our|a|the)\b|headquartered in)"
            r"|^[A-Z][\w&.'-]*(?: [A-Z&][\w&.'-]*){0,4} (?:is|are) (?:a|an|the|one of)\b"
            r".*\b(?:company|business|group|firm|provider|organi[sz]ation|retailer|leader|employer|charity|startup"
            r"|scale-up|brand|bank|insurer|manufacturer|operator|specialist)\b"
            r"|\b(?:founded in \d{4}|employees (?:in|across)|offices (?:in|across)|customers in \d+ countries)\b",
        ),
        (
            "application",
            r"^(?:to apply|apply (?:now|today|by|via|with|online|through)|please (?:send|apply|submit)"
            r"|send (?:your|us your) (?:cv|resume)|closing date|interviews? will)\b",
        ),
    )
)
# A sentence with one of these is about the job even in a paragraph that began with a company blurb.
_ACTIVITY_CUE = re.compile(r"\b(?:you will|you'll|in this role|the role|your role|responsible for)\b", re.IGNORECASE)
_INHERITED_KINDS = {"company_blurb", "benefits", "equal_opportunity", "salary", "application"}

# --- markers, headings, splitting --------------------------------------------------------------------------------

_BULLET = re.compile(
    r"[ \t]*(?!\*\*)(?:[•·*\-–—▪◦‣●○■□➢►]|\(?(?:\d{1,3}|[a-zA-Z]|[ivxlcIVXLC]{1,6})[.)](?!\d))(?:[ \t]+|(?=[^\w\s]))"
)
_BULLET_NO_SPACE = re.compile(r"[ \t]*[•·▪◦‣●■➢►](?=\S)")
_INLINE_BULLET = re.compile(r"[ \t]+[•·▪●■][ \t]+")
_MARKDOWN_HEADING = re.compile(r"^#{1,6}[ \t]+|^\*\*(?=.*\*\*:?$)|\*\*(?=:?$)|__")
_KEY_VALUE = re.compile(r"^([A-Za-z][\w '&/-]{0,40}?)\s*:\s*(\S.*)$")
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
_SENTENCE_END = re.compile(r"[.!?][\"')\]]*\s+\S")
_HAS_TEXT = re.compile(r"[^\W_]")
_TRAILING = " \t\r\n;,"


@dataclass
class _Piece:
    start: int
    end: int
    line: int
    bullet: bool


def _section_kind(name: str) -> str | None:
    """The kind of piece a heading announces ("Requirements" -> "requirement"), or None."""
    key = " ".join(name.replace("’", "'").lower().split()).strip(" :.-–")
    for kind, pattern in _SECTION_PATTERNS:
        if pattern.fullmatch(key):
            return kind
    return None


_ROLE = re.compile(
    r"\b(?:engineer|developer|programmer|manager|analyst|administrator|admin|architect|specialist|technician|lead"
    r"|consultant|officer|director|designer|scientist|tester|head|coordinator|owner|partner|advisor|adviser"
    r"|cio|cto|ciso|intern|apprentice|graduate|sre|devops|dba)s?\b",
    re.IGNORECASE,
)


def _is_title_case(text: str) -> bool:
    words = _WORD.findall(text)
    long_words = [word for word in words if len(word) >= 4]
    return (
        2 <= len(words) <= 8
        and bool(long_words)
        and sum(word[0].isupper() for word in long_words) >= 0.75 * len(long_words)
    )


def _heading(content: str, bullet: bool, first_line: bool) -> str | None:
    """The section kind if the whole of ``content`` is a heading ("unknown" if it names no known section).

    A Title-Cased first line that names a role ("Senior Platform Engineer") is a job title.
    """
    plain = _MARKDOWN_HEADING.sub("", content).strip()
    name = plain.rstrip(":").strip()
    words = len(_WORD.findall(name))
    if not words or words > 8 or _SENTENCE_END.search(name):
        return None
    kind = _section_kind(name)
    if kind is not None and kind != "job_detail":
        return kind
    if bullet:
        return None
    if (plain.endswith(":") and words <= 6) or content.startswith("#") or name.isupper():
        return kind or "unknown"
    if first_line and _is_title_case(name) and _ROLE.search(name) and not name.endswith((".", "!", "?")):
        return "unknown"
    return None


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in " \t\r\n":
        start += 1
    while end > start and text[end - 1] in _TRAILING:
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
    if sum(len(_WORD.findall(text[a:b])) >= 2 for a, b in parts) < 2:
        return [(start, end)]
    result = []
    for a, b in parts:
        a, b = _strip(text, a, b)
        match = re.match(r"(?:and|or)\s+", text[a:b], re.IGNORECASE)
        if match and len(_WORD.findall(text[a + match.end() : b])) >= 2:
            a += match.end()
        if a < b:
            result.append((a, b))
    return result


def _split_sentences(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    nlp = spacy_resources.sentence_pipeline()
    result = []
    for start, end in spans:
        segment = text[start:end]
        if not _SENTENCE_END.search(segment):
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
    match = _BULLET.match(segment) or _BULLET_NO_SPACE.match(segment)
    bullet = bool(match) and bool(_HAS_TEXT.search(segment[match.end() :]))
    if bullet:
        start += match.end()
        segment = text[start:end]
    bounds, position = [], start
    for inline in _INLINE_BULLET.finditer(segment):
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


def _detect(sentence: str, strong_only: bool) -> str | None:
    for kind, pattern in _STRONG:
        if pattern.search(sentence):
            return kind
    if not strong_only:
        for kind, pattern in _WEAK:
            if pattern.search(sentence):
                return kind
    return None


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
    result: list[Activity] = []
    section: str | None = None  # the kind set by the last heading
    section_name: str | None = None
    section_had_bullets = False
    after_blank = False
    previous_kind: str | None = None  # kind of the previous prose piece in the same paragraph
    seen_text = False
    title_block = False  # lines right under a job title at the top ("Acme Ltd - Leeds, hybrid") are job details
    offset = 0
    for number, raw_line in enumerate(text.splitlines(keepends=True), start=1):
        line_start, line_end = offset, offset + len(raw_line.rstrip("\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"))
        offset += len(raw_line)
        content = text[line_start:line_end].strip()
        if not _HAS_TEXT.search(content):
            after_blank, previous_kind, title_block = True, None, False
            continue
        pieces, bullet = _pieces_of_line(text, line_start, line_end, number)
        if section is not None and after_blank and not bullet and section_had_bullets:
            section, section_name = None, None  # a paragraph after a list ends the list's section
        after_blank = False

        first = pieces[0]
        heading_kind = _heading(text[first.start : first.end], bullet, not seen_text) if len(pieces) == 1 else None
        seen_before, seen_text = seen_text, True
        if heading_kind is not None:
            result.append(Activity(text[first.start : first.end], "heading", number, first.start, first.end, None))
            section = None if heading_kind == "unknown" else heading_kind
            title_block = heading_kind == "unknown" and not seen_before
            section_name = _MARKDOWN_HEADING.sub("", text[first.start : first.end]).strip(" :")
            section_had_bullets, previous_kind = False, None
            continue

        line_kind = None
        key_value = None if bullet else _KEY_VALUE.match(text[first.start : first.end])
        if key_value is not None:
            key_kind = _section_kind(key_value.group(1))
            if key_kind is not None:
                value_start = first.start + key_value.start(2)
                if key_kind in (ACTIVITY, "requirement"):
                    head_end = first.start + text[first.start : first.end].index(":") + 1
                    result.append(
                        Activity(text[first.start : head_end], "heading", number, first.start, head_end, None)
                    )
                    section, section_name, section_had_bullets = key_kind, key_value.group(1).strip(), False
                    pieces[0] = _Piece(value_start, first.end, number, bullet)
                else:
                    line_kind = key_kind
        section_had_bullets = section_had_bullets or bullet

        spans: list[tuple[int, int]] = []
        for piece in pieces:
            for a, b in _split_semicolons(text, piece.start, piece.end):
                spans.append((a, b))
        if line_kind is None:
            spans = _split_sentences(text, spans)
        for a, b in spans:
            sentence = text[a:b]
            kind = line_kind
            if kind is None:
                kind = _detect(sentence, strong_only=section == ACTIVITY)
            if kind is None and section is not None:
                kind = section
            if kind is None and title_block and not bullet:
                kind = "job_detail"
            if kind is None and not bullet and previous_kind in _INHERITED_KINDS and not _ACTIVITY_CUE.search(sentence):
                kind = previous_kind
            kind = kind or ACTIVITY
            previous_kind = None if bullet else kind
            result.append(Activity(sentence, kind, number, a, b, section_name))
    return result
