"""Pattern tables that find where activities start and end in a job text, and what the other pieces are.

Bullet and numbering markers, Markdown headings and ``Key: value`` lines
delimit pieces; section headings ("Requirements:", "What we offer") name the
kind of what follows; a few strong patterns ("5+ years of experience",
"£45,000 per annum", "equal opportunity employer") mark a piece wherever it
stands, and weaker ones (benefits, company blurbs, application instructions)
only outside a duties section. Word lists and regular expressions only: the
walk through a text is :class:`classifier.jobs.splitter.ActivitySplitter`.

>>> section_kind("What we offer"), section_kind("Key Responsibilities:")
('benefits', 'activity')
>>> detect_kind("5+ years of experience with AWS", strong_only=True)
'requirement'
>>> heading_kind("Senior Platform Engineer", bullet=False, first_line=True)
'unknown'
"""

from __future__ import annotations

import re

__all__ = [
    "ACTIVITY",
    "NON_ACTIVITY_KINDS",
    "INHERITED_KINDS",
    "SECTION_PATTERNS",
    "STRONG_PATTERNS",
    "WEAK_PATTERNS",
    "ACTIVITY_CUE",
    "BULLET",
    "BULLET_NO_SPACE",
    "INLINE_BULLET",
    "MARKDOWN_HEADING",
    "KEY_VALUE",
    "WORD",
    "SENTENCE_END",
    "HAS_TEXT",
    "TRAILING",
    "ROLE",
    "section_kind",
    "heading_kind",
    "detect_kind",
    "is_title_case",
]

ACTIVITY = "activity"
#: Why a piece is not an activity, in the order used for reports.
NON_ACTIVITY_KINDS = (
    "heading",
    "company_blurb",
    "role_description",
    "requirement",
    "salary",
    "benefits",
    "equal_opportunity",
    "job_detail",
    "application",
)


# --- section headings --------------------------------------------------------------------------------------------

SECTION_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
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

CURRENCY = r"(?:[£$€]\s?\d|\d[\d,.]*\s?(?:k\b|K\b)|\b(?:usd|eur|gbp)\s?\d|\d[\d,.]*\s?(?:usd|eur|gbp)\b)"
STRONG_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
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
            rf"{CURRENCY}.*(?:per (?:annum|year|hour|day|month)|p\.?a\.?\b|a year|an hour|/ ?(?:yr|year|hr|hour|day)"
            r"|\bote\b|salary|base|\bdoe\b|depending on experience|plus benefits|\+ ?benefits)"
            rf"|^(?:salary|pay|compensation|remuneration)\b.*{CURRENCY}|\bcompetitive salary\b|salary (?:range|band)",
        ),
        (
            "role_description",
            r"^(?:this|it)(?: is|'s|’s) (?:an?|the|one)\b.{0,60}\b(?:role|position|job|post|opportunity|vacancy)\b"
            r"|^(?:this|the|our|an?)(?: [\w-]+){0,3} (?:role|position|job|post|vacancy) (?:is (?!responsible)|sits"
            r"|reports|offers|suits|would suit|will suit|combines|blends|splits|gives|provides|has been created)\b"
            r"|^(?:we(?:'re|’re| are) (?:looking for|seeking|hiring|recruiting)"
            r"|we have an? (?:[\w-]+ ){0,3}(?:opportunity|vacancy|opening)"
            r"|(?:an? |this is an? )?(?:exciting|great|fantastic|rare|unique) opportunity)\b"
            r"|^you(?:'ll|’ll| will) (?:join (?:a|the|our) (?:[\w-]+ ){0,3}team|be joining|be part of|become part of"
            r"|report (?:to|into)|be reporting (?:to|into)|be based)\b",
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
WEAK_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
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
ACTIVITY_CUE = re.compile(r"\b(?:you will|you'll|in this role|the role|your role|responsible for)\b", re.IGNORECASE)
INHERITED_KINDS = {"company_blurb", "benefits", "equal_opportunity", "salary", "application"}

# --- markers and line shapes -------------------------------------------------------------------------------------

BULLET = re.compile(
    r"[ \t]*(?!\*\*)(?:[•·*\-–—▪◦‣●○■□➢►]|\(?(?:\d{1,3}|[a-zA-Z]|[ivxlcIVXLC]{1,6})[.)](?!\d))(?:[ \t]+|(?=[^\w\s]))"
)
BULLET_NO_SPACE = re.compile(r"[ \t]*[•·▪◦‣●■➢►](?=\S)")
INLINE_BULLET = re.compile(r"[ \t]+[•·▪●■][ \t]+")
MARKDOWN_HEADING = re.compile(r"^#{1,6}[ \t]+|^\*\*(?=.*\*\*:?$)|\*\*(?=:?$)|__")
KEY_VALUE = re.compile(r"^([A-Za-z][\w '&/-]{0,40}?)\s*:\s*(\S.*)$")
WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
SENTENCE_END = re.compile(r"[.!?][\"')\]]*\s+\S")
HAS_TEXT = re.compile(r"[^\W_]")
TRAILING = " \t\r\n;,"  # stripped off the end of a piece
ROLE = re.compile(
    r"\b(?:engineer|developer|programmer|manager|analyst|administrator|admin|architect|specialist|technician|lead"
    r"|consultant|officer|director|designer|scientist|tester|head|coordinator|owner|partner|advisor|adviser"
    r"|cio|cto|ciso|intern|apprentice|graduate|sre|devops|dba)s?\b",
    re.IGNORECASE,
)

# --- what the tables say about a piece ---------------------------------------------------------------------------


def section_kind(name: str) -> str | None:
    """The kind of piece a heading announces ("Requirements" -> "requirement"), or None."""
    key = " ".join(name.replace("’", "'").lower().split()).strip(" :.-–")
    for kind, pattern in SECTION_PATTERNS:
        if pattern.fullmatch(key):
            return kind
    return None


def is_title_case(text: str) -> bool:
    """Whether ``text`` reads like a title: 2 to 8 words, and most words of four letters or more capitalized."""
    words = WORD.findall(text)
    long_words = [word for word in words if len(word) >= 4]
    return (
        2 <= len(words) <= 8
        and bool(long_words)
        and sum(word[0].isupper() for word in long_words) >= 0.75 * len(long_words)
    )


def heading_kind(content: str, bullet: bool, first_line: bool) -> str | None:
    """The section kind if the whole of ``content`` is a heading ("unknown" if it names no known section).

    A Title-Cased first line that names a role ("Senior Platform Engineer") is a job title.
    """
    plain = MARKDOWN_HEADING.sub("", content).strip()
    name = plain.rstrip(":").strip()
    words = len(WORD.findall(name))
    if not words or words > 8 or SENTENCE_END.search(name):
        return None
    kind = section_kind(name)
    if kind is not None and kind != "job_detail":
        return kind
    if bullet:
        return None
    if (plain.endswith(":") and words <= 6) or content.startswith("#") or name.isupper():
        return kind or "unknown"
    if first_line and is_title_case(name) and ROLE.search(name) and not name.endswith((".", "!", "?")):
        return "unknown"
    return None


def detect_kind(sentence: str, strong_only: bool) -> str | None:
    """The kind a pattern marks ``sentence`` as wherever it stands, or None; ``strong_only`` skips the weak ones."""
    for kind, pattern in STRONG_PATTERNS:
        if pattern.search(sentence):
            return kind
    if not strong_only:
        for kind, pattern in WEAK_PATTERNS:
            if pattern.search(sentence):
                return kind
    return None
