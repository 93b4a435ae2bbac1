import pytest

from classifier import Activity, split_activities
from classifier.jobs import NON_ACTIVITY_KINDS


def pieces(text):
    return [(piece.kind, piece.text) for piece in split_activities(text)]


def activities(text):
    return [piece.text for piece in split_activities(text) if piece.is_activity]


@pytest.mark.parametrize(
    "marker",
    ["•", "-", "*", "·", "–", "1.", "1)", "a)", "(i)", "iv.", "(b)", "10."],
    ids=["dot", "hyphen", "star", "middle-dot", "en-dash", "1.", "1)", "a)", "(i)", "iv.", "(b)", "10."],
)
def test_bullet_and_number_markers_are_removed(marker):
    text = f"{marker} Patch the claims servers\n{marker} Build the partner booking API"
    assert activities(text) == ["Patch the claims servers", "Build the partner booking API"]


def test_markers_glued_to_the_text_and_inline_bullets():
    assert activities("•Patch the servers • Rotate the tapes · Build the portal") == [
        "Patch the servers",
        "Rotate the tapes",
        "Build the portal",
    ]


def test_hyphenated_words_and_decimal_numbers_are_not_markers():
    assert activities("Self-service portal work for 2.5 days\n3.5 hours of patching") == [
        "Self-service portal work for 2.5 days",
        "3.5 hours of patching",
    ]


def test_text_is_the_exact_original_span_with_line_numbers():
    text = "Duties:\r\n  • Patch servers;  rotate tapes;\n\n(ii) Run the CAB."
    result = split_activities(text)
    for piece in result:
        assert text[piece.start : piece.end] == piece.text
    assert [(p.line, p.text) for p in result] == [
        (1, "Duties:"),
        (2, "Patch servers"),
        (2, "rotate tapes"),
        (4, "Run the CAB."),
    ]
    assert result[1].section == "Duties" and isinstance(result[1], Activity)


@pytest.mark.parametrize(
    "heading",
    ["Responsibilities:", "RESPONSIBILITIES", "## What you'll do", "**Key duties**", "About the role", "Your role:"],
    ids=["colon", "caps", "markdown", "bold", "about-the-role", "your-role"],
)
def test_headings_are_set_aside_and_open_an_activity_section(heading):
    assert pieces(f"{heading}\n- Design the customer loyalty app\n- Patch the billing system") == [
        ("heading", heading),
        ("activity", "Design the customer loyalty app"),
        ("activity", "Patch the billing system"),
    ]


@pytest.mark.parametrize(
    ("heading", "kind"),
    [
        ("Requirements:", "requirement"),
        ("Qualifications", "requirement"),
        ("What you'll bring", "requirement"),
        ("About you:", "requirement"),
        ("Nice to have:", "requirement"),
        ("Benefits:", "benefits"),
        ("What we offer", "benefits"),
        ("About us", "company_blurb"),
        ("About Harbourline:", "company_blurb"),
        ("Equal opportunities", "equal_opportunity"),
        ("How to apply:", "application"),
    ],
    ids=lambda value: value if isinstance(value, str) and value.islower() else None,
)
def test_non_activity_sections_set_their_lines_aside(heading, kind):
    result = pieces(f"{heading}\n- Kubernetes and Terraform\n- Working with stakeholders")
    assert result == [("heading", heading), (kind, "Kubernetes and Terraform"), (kind, "Working with stakeholders")]


def test_job_ad_sections_and_patterns():
    ad = """Senior Platform Engineer
Harbourline Logistics - Bristol (hybrid)

Harbourline is a family-owned freight company founded in 1962. We move goods for UK retailers.

Responsibilities:
• Build the online booking portal for retail customers
• Run the out-of-hours on-call rota
• 3+ years of experience with Azure

Requirements:
• Kubernetes, Terraform
• A degree in computer science

Salary: £62,000 - £70,000 per annum.
We offer 27 days holiday and a pension scheme.
Harbourline is an equal opportunity employer.
To apply, send your CV to the careers team.
"""
    kinds = [(piece.line, piece.kind) for piece in split_activities(ad)]
    assert kinds == [
        (1, "heading"),
        (2, "job_detail"),
        (4, "company_blurb"),
        (4, "company_blurb"),
        (6, "heading"),
        (7, "activity"),
        (8, "activity"),
        (9, "requirement"),
        (11, "heading"),
        (12, "requirement"),
        (13, "requirement"),
        (15, "salary"),
        (16, "benefits"),
        (17, "equal_opportunity"),
        (18, "application"),
    ]
    assert {kind for _, kind in kinds} - {"activity"} <= set(NON_ACTIVITY_KINDS)


def test_inline_heading_with_duties_after_the_colon():
    assert pieces("Responsibilities: patch the servers; build the partner API; and run the weekly CAB") == [
        ("heading", "Responsibilities:"),
        ("activity", "patch the servers"),
        ("activity", "build the partner API"),
        ("activity", "run the weekly CAB"),
    ]


def test_key_value_details_are_set_aside():
    assert pieces("Location: Leeds, hybrid\nReports to: Head of IT\nNote: restarted the print spooler") == [
        ("job_detail", "Location: Leeds, hybrid"),
        ("job_detail", "Reports to: Head of IT"),
        ("activity", "Note: restarted the print spooler"),
    ]


def test_semicolon_lists_split_only_between_phrases():
    assert activities("Patch servers; rotate backup tapes; and update the runbook") == [
        "Patch servers",
        "rotate backup tapes",
        "update the runbook",
    ]
    assert activities("Fix the ERP; urgent") == ["Fix the ERP; urgent"]


def test_sentences_of_a_work_log_are_split():
    log = "Restarted the print spooler on the finance server. Then met sales about the new portal! Done?"
    assert activities(log) == [
        "Restarted the print spooler on the finance server.",
        "Then met sales about the new portal!",
        "Done?",
    ]


def test_a_paragraph_after_a_list_leaves_the_section():
    text = "Requirements:\n- Python\n- SQL\n\nYou will also mentor two junior engineers."
    assert pieces(text)[-1] == ("activity", "You will also mentor two junior engineers.")


def test_blurb_paragraph_keeps_its_kind_until_a_role_sentence():
    text = "We are a fast-growing logistics business. We have nine depots. In this role you will run the WMS."
    assert [kind for kind, _ in pieces(text)] == ["company_blurb", "company_blurb", "activity"]


@pytest.mark.parametrize("text", ["", "   \n\t\n", "-----\n====\n* * *"], ids=["empty", "whitespace", "rules"])
def test_empty_input_gives_an_empty_list(text):
    assert split_activities(text) == []


@pytest.mark.parametrize("value", [None, 3, b"Patch servers", ["Patch servers"]], ids=["none", "int", "bytes", "list"])
def test_non_str_is_rejected(value):
    with pytest.raises(TypeError, match="text must be a str, got"):
        split_activities(value)


def test_large_input_of_50000_characters():
    block = (
        "Responsibilities:\n"
        "• Patch the in-house claims system and rerun the failed exports\n"
        "• Build a self-service returns flow for customers; reset passwords for users\n"
        "Investigated the overnight batch failure. Restarted the job and told the users.\n"
        "Requirements:\n- 5 years of experience with SQL\n\n"
    )
    copies = 50_000 // len(block) + 1
    text = block * copies
    assert len(text) >= 50_000
    result = split_activities(text)
    # "Restarted the job and told the users." lists two duties
    assert sum(piece.is_activity for piece in result) == 6 * copies
    assert sum(piece.kind == "requirement" for piece in result) == copies
    assert all(text[piece.start : piece.end] == piece.text for piece in result)


def test_single_line_of_50000_characters_without_spaces():
    text = "x" * 50_000
    (piece,) = split_activities(text)
    assert piece.kind == "activity" and len(piece.text) == 50_000


def test_a_job_title_is_a_heading_but_a_title_cased_work_log_line_is_not():
    assert pieces("Senior Platform Engineer\nAcme Ltd, Leeds\n\nPatch servers") == [
        ("heading", "Senior Platform Engineer"),
        ("job_detail", "Acme Ltd, Leeds"),
        ("activity", "Patch servers"),
    ]
    assert pieces("Patched Exchange Servers\nRotated Backup Tapes") == [
        ("activity", "Patched Exchange Servers"),
        ("activity", "Rotated Backup Tapes"),
    ]


def test_inline_requirement_heading():
    assert pieces("Skills: Python, SQL") == [("heading", "Skills:"), ("requirement", "Python, SQL")]


def test_the_splitter_keeps_its_state_in_named_attributes():
    from classifier.jobs import ActivitySplitter

    splitter = ActivitySplitter("Senior Data Engineer\nAcme Ltd - Leeds\n\nBenefits:\n- Pension\n\nBuild the lakehouse")
    kinds = [piece.kind for piece in splitter.split()]
    assert kinds == ["heading", "job_detail", "heading", "benefits", "activity"]
    assert splitter.section is None and splitter.section_name is None  # the paragraph after the list ended it
    assert splitter.previous_kind == "activity" and splitter.seen_text and not splitter.title_block
    assert splitter.pieces[-1].text == "Build the lakehouse"


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (
            "You will be patching our in-house CRM, resetting passwords for store staff, and building a new "
            "customer mobile app.",
            [
                "You will be patching our in-house CRM",
                "resetting passwords for store staff",
                "building a new customer mobile app.",
            ],
        ),
        (
            "Restarted the print spooler, patched the file servers and called the vendor about the SAN.",
            ["Restarted the print spooler", "patched the file servers", "called the vendor about the SAN."],
        ),
        (
            "You will patch our CRM, reset the passwords and build a new app.",
            ["You will patch our CRM", "reset the passwords", "build a new app."],
        ),
        (
            "You will design and build the booking portal, and run the weekly CAB.",
            ["You will design and build the booking portal", "run the weekly CAB."],
        ),
        (
            "You will be patching our CRM, building and testing the app.",
            ["You will be patching our CRM", "building and testing the app."],
        ),
        (
            "Patch servers, storage and networks and build the new portal.",
            ["Patch servers, storage and networks", "build the new portal."],
        ),
    ],
    ids=["gerunds", "past-tense-log", "imperatives", "shared-object", "verb-pair", "noun-list-inside-a-duty"],
)
def test_a_prose_sentence_listing_duties_is_split_into_them(sentence, expected):
    result = split_activities(sentence)
    assert [piece.text for piece in result] == expected
    assert all(piece.is_activity and sentence[piece.start : piece.end] == piece.text for piece in result)


@pytest.mark.parametrize(
    "sentence",
    [
        "You'll also look after servers, storage and networks.",
        "Testing tools, monitoring dashboards and logging pipelines.",
        "You will be working with sales, marketing and finance.",
        "You will be supporting our systems, including the CRM and the website.",
        "Managed services, hosted desktops and outsourced printing.",
        "You will design and build the booking portal.",
    ],
    ids=["noun-list", "gerund-noun-compounds", "one-word-items", "including", "participle-adjectives", "shared-object"],
)
def test_lists_inside_one_duty_are_not_split(sentence):
    assert activities(sentence) == [sentence]


def test_a_bullet_item_listing_duties_stays_one_activity():
    text = "- Reset passwords, unlock the accounts and rebuild the laptops"
    assert activities(text) == ["Reset passwords, unlock the accounts and rebuild the laptops"]


@pytest.mark.parametrize(
    "sentence",
    [
        "This is a hands-on role split between keeping our systems running and building new things.",
        "It's a varied position in a small team.",
        "The role sits within the IT operations team.",
        "We are looking for a platform engineer to join our team.",
        "You will join a team of six engineers and report to the CTO.",
        "This is an exciting opportunity to shape our cloud platform.",
    ],
    ids=["hands-on-role", "varied-position", "role-sits", "looking-for", "join-a-team", "opportunity"],
)
def test_descriptions_of_the_role_are_set_aside_even_under_a_duties_heading(sentence):
    assert pieces(f"About the role:\n{sentence} You will run the weekly CAB.") == [
        ("heading", "About the role:"),
        ("role_description", sentence),
        ("activity", "You will run the weekly CAB."),
    ]


def test_a_role_sentence_that_names_duties_stays_an_activity():
    assert activities("This role is responsible for the CRM.\nThe role involves patching the CRM.") == [
        "This role is responsible for the CRM.",
        "The role involves patching the CRM.",
    ]
