import pytest

from classifier.jobs.patterns import (
    BULLET,
    NON_ACTIVITY_KINDS,
    detect_kind,
    heading_kind,
    is_title_case,
    section_kind,
)


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("Key Responsibilities", "activity"),
        ("What you'll do:", "activity"),
        ("Requirements", "requirement"),
        ("Nice to have", "requirement"),
        ("Salary", "salary"),
        ("What we offer", "benefits"),
        ("Equal opportunities", "equal_opportunity"),
        ("How to apply", "application"),
        ("Location", "job_detail"),
        ("About Acme Freight", "company_blurb"),
        ("Patch the servers", None),
    ],
)
def test_section_names(name, kind):
    assert section_kind(name) == kind


def test_every_kind_a_section_can_name_is_known():
    kinds = {section_kind(name) for name in ("Duties", "Skills", "Pay", "Perks", "EEO", "Apply", "Title", "Who we are")}
    assert kinds - {"activity"} <= set(NON_ACTIVITY_KINDS)


def test_strong_patterns_apply_everywhere_and_weak_ones_only_when_asked():
    assert detect_kind("3 years of experience with Terraform", strong_only=True) == "requirement"
    assert detect_kind("£40,000 per annum", strong_only=True) == "salary"
    assert detect_kind("We offer a pension scheme", strong_only=True) is None
    assert detect_kind("We offer a pension scheme", strong_only=False) == "benefits"
    assert detect_kind("Patch the servers", strong_only=False) is None


def test_headings():
    assert heading_kind("Responsibilities:", bullet=False, first_line=False) == "activity"
    assert heading_kind("## Our stack", bullet=False, first_line=False) == "unknown"
    assert heading_kind("Senior Platform Engineer", bullet=False, first_line=True) == "unknown"
    assert heading_kind("Senior Platform Engineer", bullet=False, first_line=False) is None
    assert heading_kind("Patch the servers.", bullet=False, first_line=False) is None
    assert is_title_case("Senior Platform Engineer") and not is_title_case("patch the claims servers")


@pytest.mark.parametrize("line", ["• Patch", "- Patch", "1. Patch", "a) Patch", "(iv) Patch"])
def test_bullet_markers(line):
    assert line[BULLET.match(line).end() :] == "Patch"
