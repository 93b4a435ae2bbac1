"""Lists of duties inside one prose sentence: "patching our CRM, resetting passwords and building an app".

A sentence of a job description often packs several activities into one
comma or "and" list. :func:`split_duty_list` cuts such a sentence where a new
duty starts: after a ``,``/``and``/``or`` that is followed by a verb of the
same form as the list's first duty (``-ing``, past tense, or base form). The
verb forms come from spaCy's English lookup tables (``spacy-lookups-data``:
the lemma table, the lemmatizer's word lists per part of speech and its
irregular forms); no tagger, nothing downloaded.

A noun list inside one duty ("servers, storage and networks") is not cut,
and a list is cut only on enough evidence that its items are verb phrases,
two of: the first verb follows a subject or auxiliary (*you will be*
patching) or opens the sentence (*Patch* ..., *Restarted* ...); a verb is
followed by a determiner, pronoun or particle (patching *our* CRM); an
``-ing`` word that is no noun or adjective (*resetting*). "Testing tools,
monitoring dashboards and logging pipelines" stays one piece.

>>> text = "You will be patching our CRM, resetting passwords for staff, and building a new mobile app."
>>> [text[a:b] for a, b in split_duty_list(text, 0, len(text))]
['You will be patching our CRM', 'resetting passwords for staff', 'building a new mobile app.']
>>> text = "You will look after servers, storage and networks."
>>> [text[a:b] for a, b in split_duty_list(text, 0, len(text))]
['You will look after servers, storage and networks.']
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from classifier import spacy_resources

__all__ = ["split_duty_list", "verb_forms"]

_TOKEN = re.compile(r"[A-Za-z][A-Za-z'’-]*|\d[\d.,:]*\d|\d|[^\w\s]")
_SEPARATORS = {",", "and", "or", "&"}
# -ing words that act as prepositions ("supporting our systems, including the CRM").
_NOT_VERBS = {"including", "excluding", "regarding", "concerning", "following", "according", "during", "pending"}
# Words between a separator and the verb it introduces ("and then restarted the job").
_SKIPPED = {"also", "then", "sometimes", "occasionally", "regularly", "often", "later", "finally"}
# Verbs whose past tense is their base form ("Patched the CRM, reset passwords and ...").
_SAME_IN_PAST = {
    "reset", "set", "put", "cut", "shut", "let", "hit", "read", "spread", "split", "upset", "broadcast", "forecast",
    "quit", "rid", "cost", "beat", "run",
}  # fmt: skip
# A word after a verb that marks it as a verb taking an object or a particle ("patching *our* CRM").
_OBJECT_START = {
    "the", "a", "an", "our", "your", "their", "its", "his", "her", "my", "this", "that", "these", "those", "all",
    "any", "each", "every", "some", "both", "several", "new", "existing", "them", "it", "us", "up", "out", "down",
    "off", "back", "over", "into", "across", "after", "with",
}  # fmt: skip
# Words before a list's first -ing verb that make the list examples or means, not duties ("such as creating ...").
_ING_SUBORDINATE = {"as", "like", "by", "without", "before", "after", "while", "when", "through", "via"}
# A word before a separator that leaves its object to the next item ("consult with and assist users").
_PREPOSITIONS = {"with", "to", "for", "of", "on", "in", "about", "from", "into", "at", "by"}
# The word before a list's first verb that makes it a verb of a clause ("you will *be* patching").
_CLAUSAL = {
    "ing": {"be", "am", "is", "are", "was", "were", "been", "involves", "involve", "include", "includes", "including",
            "spend", "spent", "enjoy", "love"},
    "ed": {"i", "we", "he", "she", "they", "you", "have", "has", "had", "i've", "we've", "they've", "you've"},
    "base": {"will", "'ll", "to", "can", "could", "must", "should", "shall", "would", "may", "might", "you", "we",
             "i", "they", "help", "helps"},
}  # fmt: skip


@functools.cache
def _word_lists() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """Verb lemmas, nouns and adjectives of the English lemmatizer's index (``lemma_index``)."""
    index = spacy_resources.lookup_table("lemma_index")
    return frozenset(index["verb"]), frozenset(index["noun"]), frozenset(index["adj"])


@functools.cache
def _irregular_verbs() -> frozenset[str]:
    """Irregular verb forms of the English lemmatizer's exceptions (``lemma_exc``): "built", "ran", "wrote"."""
    return frozenset(spacy_resources.lookup_table("lemma_exc")["verb"])


def verb_forms(word: str) -> set[str]:
    """The verb forms ``word`` can be: ``"ing"``, ``"ed"`` (past tense or participle) or ``"base"``.

    >>> sorted(verb_forms("resetting")), sorted(verb_forms("built")), sorted(verb_forms("patch"))
    (['ing'], ['ed'], ['base'])
    >>> sorted(verb_forms("reset"))
    ['base', 'ed']
    >>> verb_forms("servers")
    set()
    """
    verbs, _, _ = _word_lists()
    word = word.lower().replace("’", "'")
    if word in _NOT_VERBS:
        return set()
    lemma = spacy_resources.lemma_lookup().get(word, word)
    forms = set()
    if lemma != word and lemma in verbs:
        if word.endswith("ing"):
            forms.add("ing")
        elif word.endswith("ed") or (word in _irregular_verbs() and not word.endswith("s")):
            forms.add("ed")
    elif lemma == word and word in verbs:
        forms.add("base")
        if word in _SAME_IN_PAST:
            forms.add("ed")
    return forms


@dataclass
class _Token:
    word: str
    start: int
    end: int


def _strong(tokens: list[_Token], index: int, form: str) -> bool:
    """Whether the verb at ``index`` surely is one: an object or particle follows; or it is an -ing word that is
    no noun or adjective ("resetting"), a base form that is no noun ("migrate") or an irregular past ("built")."""
    after = tokens[index + 1].word if index + 1 < len(tokens) else ""
    if after in _OBJECT_START or after[:1].isdigit():
        return True
    _, nouns, adjectives = _word_lists()
    word = tokens[index].word
    if form == "ed":
        return not word.endswith("ed")
    return word not in nouns and word not in adjectives


def _word_before(tokens: list[_Token], index: int) -> str:
    """The word before ``index``, adverbs such as "also" and "-ly" words skipped ("" at the start)."""
    index -= 1
    while index >= 0 and (tokens[index].word in _SKIPPED or tokens[index].word.endswith("ly")):
        index -= 1
    return tokens[index].word if index >= 0 else ""


def _clausal(tokens: list[_Token], index: int, form: str) -> bool:
    """Whether a subject or auxiliary stands before the verb at ``index`` (adverbs such as "also" skipped).

    A base or past form that opens the sentence counts too.
    """
    word = _word_before(tokens, index)
    if not word:
        return form != "ing"  # an imperative ("Patch the servers, ...") or a work log ("Restarted the job, ...")
    return word in _CLAUSAL[form] or (form == "base" and word.endswith("'ll"))


def split_duty_list(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Cut the sentence ``text[start:end]`` into its duties; the spans (one if it holds no list) in order."""
    tokens = [
        _Token(match.group().lower().replace("’", "'"), match.start(), match.end())
        for match in _TOKEN.finditer(text, start, end)
    ]
    # separator groups: (index of the first separator token, index of the verb after it)
    groups: list[tuple[int, int]] = []
    index = 0
    while index < len(tokens):
        if tokens[index].word not in _SEPARATORS or index == 0:
            index += 1
            continue
        first = index
        while index < len(tokens) and tokens[index].word in _SEPARATORS:
            index += 1
        head = index
        while head < len(tokens) and tokens[head].word in _SKIPPED:
            head += 1
        if head < len(tokens):
            groups.append((first, head))
    for form in ("ing", "ed", "base"):
        cuts = _cuts(tokens, groups, form)
        if cuts:
            return _spans(text, start, end, tokens, cuts)
    return [(start, end)]


def _words(tokens: list[_Token], start: int, stop: int) -> int:
    return sum(token.word[0].isalnum() for token in tokens[start:stop])


def _cuts(tokens: list[_Token], groups: list[tuple[int, int]], form: str) -> list[tuple[int, int]]:
    """The separator groups where a new duty of verb form ``form`` starts, or [] if this is no duty list."""
    candidates = [group for group in groups if form in verb_forms(tokens[group[1]].word)]
    if not candidates:
        return []
    lead = next((i for i in range(candidates[0][0] - 1, -1, -1) if form in verb_forms(tokens[i].word)), None)
    if lead is None or (form == "ing" and _word_before(tokens, lead) in _ING_SUBORDINATE):
        return []  # "such as creating moodboards, ..." lists examples, "by reviewing ..., talking ..." means
    clausal = _clausal(tokens, lead, form)
    following = {first for first, _ in candidates}
    kept = []
    for first, head in candidates:
        before = tokens[first - 1].word
        if form in verb_forms(before) or before in _PREPOSITIONS:
            continue  # "design and build the portal", "consult with and assist users": one shared object
        if not (_strong(tokens, head, form) or (form == "ing" and clausal)):
            continue  # "servers, systems, and network devices": "network" is a noun here
        later = [group[0] for group in groups if group[0] > head]
        stop = later[0] if later else len(tokens)
        # a one-word item ("staffing" in "budgeting, staffing and ...") is a noun, unless a verb follows at once
        if _words(tokens, head, stop) >= 2 or stop in following:
            kept.append((first, head))
    # An item of one word is merged into the next.
    cuts, item = [], lead
    for first, head in kept:
        if _words(tokens, item, first) >= 2:
            cuts.append((first, head))
            item = head
    if not cuts:
        return []
    verbs = [lead] + [head for _, head in cuts]
    evidence = int(clausal) + sum(_strong(tokens, verb, form) for verb in verbs)
    return cuts if evidence >= 2 else []


def _spans(text: str, start: int, end: int, tokens: list[_Token], cuts: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Each duty runs from the end of its separator group to the start of the next group."""
    begins = [start] + [_after_separators(tokens, first) for first, _ in cuts]
    ends = [tokens[first].start for first, _ in cuts] + [end]
    return [(a, b) for a, b in (_trim(text, a, b) for a, b in zip(begins, ends)) if a < b]


def _after_separators(tokens: list[_Token], first: int) -> int:
    index = first
    while index < len(tokens) and tokens[index].word in _SEPARATORS:
        index += 1
    return tokens[index].start


def _trim(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1] in " \t\r\n;,":
        b -= 1
    return a, b
