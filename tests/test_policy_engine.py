"""The policy language: order of precedence, rules, stages, roles, allowlists, escalation, checks."""

from __future__ import annotations

import pytest

from gateway.config import ConfigError, parse_settings, semantic_problems
from gateway.context import Finding
from gateway.policy import Exemption, History, decide, policy_version
from gateway.policy.accumulate import join_scan
from gateway.policy.checks import policy_problems
from gateway.scanning.scanner import Scanner

BASE = '[platform]\nname = "GigBridge"\n[relay]\ndomain = "relay.gigbridge.io"\n[dkim]\nenabled = false\n'

PHONE = Finding("contact", "phone", "+1 415 555 2671", 0, 15, "body.1", 0.95, "phones/2")
EMAIL = Finding("contact", "email", "ann@calendly.com", 20, 36, "body.1", 0.99, "emails/2")
WEAK = Finding("contact", "handle", "@ann", 40, 44, "body.1", 0.4, "messengers/1")
IBAN = Finding("payment", "iban", "DE44 5001 0517 5407 3249 31", 0, 27, "body.1", 0.98, "banking/1")


def policy(text: str = ""):
    return parse_settings(BASE + text, source="site.toml").policy


STAGED = """
[policy]
contact = "flag"
payment = "hold"
min_confidence = 0.5
[[policy.rules]]
name = "inquiry-contact"
stages = ["inquiry"]
categories = ["contact"]
min_confidence = 0.9
action = "redact"
[[policy.rules]]
name = "freelancer-phone"
roles = ["freelancer"]
kinds = ["phone"]
action = "hold"
[policy.kinds]
email = "deliver"
"""


def test_first_matching_rule_wins_and_is_recorded():
    """Inquiry stage: the stage rule (listed first) decides; its name is in the decision."""
    decision = decide([PHONE], policy(STAGED), History(stage="inquiry", sender_role="freelancer"))
    assert (decision.action, decision.rule) == ("redact", "rules.inquiry-contact")
    assert decision.provenance["findings"][0]["rule"] == "rules.inquiry-contact"
    assert decision.provenance["stage"] == "inquiry"


def test_stage_and_role_select_other_rules():
    """Under contract the stage rule no longer applies; the role rule then holds a phone."""
    contract = History(stage="contract", sender_role="freelancer")
    assert decide([PHONE], policy(STAGED), contract).rule == "rules.freelancer-phone"
    client = History(stage="contract", sender_role="client")
    decision = decide([PHONE], policy(STAGED), client)
    assert (decision.action, decision.rule) == ("flag", "contact")


def test_default_stage_applies_when_thread_has_none():
    """A thread without a stage is in [policy] default_stage."""
    settings = policy(STAGED.replace("min_confidence = 0.5", 'default_stage = "contract"'))
    assert decide([PHONE], settings, History(sender_role="client")).action == "flag"


def test_rule_confidence_threshold_and_global_minimum():
    """A rule's min_confidence skips weaker findings; [policy] min_confidence ignores them."""
    settings = policy(STAGED)
    weak_phone = Finding("contact", "phone", "415 555", 0, 7, "body.1", 0.7, "phones/2")
    decision = decide([weak_phone], settings, History(stage="inquiry", sender_role="client"))
    assert (decision.action, decision.rule) == ("flag", "contact")
    decision = decide([WEAK], settings, History(stage="inquiry"))
    assert (decision.action, decision.rule) == ("deliver", "default")
    assert decision.provenance["findings"][0]["rule"] == "min_confidence"


def test_kind_overrides_category_after_rules():
    """[policy.kinds] email = deliver: the email is recorded but not acted on."""
    decision = decide([EMAIL], policy(STAGED), History(stage="contract", sender_role="client"))
    assert decision.action == "deliver"
    assert decision.provenance["findings"][0]["rule"] == "kinds.email"
    assert decision.provenance["categories"] == []


def test_allowlist_addresses_and_domains():
    """Allowed addresses and domains (and their subdomains) are never acted on."""
    settings = policy('[policy.allow]\ndomains = ["calendly.com"]\naddresses = ["pay@x.io"]\n')
    assert decide([EMAIL], settings).provenance["findings"][0]["rule"] == "allow.domains"
    sub = Finding("contact", "url", "https://eu.calendly.com/ann", 0, 9, "body.1", 0.9, "urls/1")
    assert decide([sub], settings).action == "deliver"
    mail = Finding("contact", "email", "PAY@x.io", 0, 8, "body.1", 0.99, "emails/2")
    assert decide([mail], settings).provenance["findings"][0]["rule"] == "allow.addresses"
    assert decide([PHONE], settings).action == "flag"


def test_exemption_by_category_kind_or_all():
    """A thread exemption delivers what it covers, naming the exemption in the decision."""
    settings = policy()
    assert decide([IBAN], settings, History(exemptions=(Exemption(7, "payment"),))).rule == (
        "default"
    )
    decision = decide([PHONE, IBAN], settings, History(exemptions=(Exemption(3, "phone"),)))
    assert (decision.action, decision.rule) == ("hold", "payment")
    assert decision.provenance["findings"][0]["rule"] == "exemption.3"
    assert decide([PHONE, IBAN], settings, History(exemptions=(Exemption(1, "all"),))).action == (
        "deliver"
    )


def test_third_flagged_message_is_held():
    """flags_before_hold = 3: the first two flagged messages are flagged, the third held."""
    settings = policy("[policy.escalation]\nflags_before_hold = 3\n")
    assert decide([PHONE], settings, History(flagged=1)).action == "flag"
    decision = decide([PHONE], settings, History(flagged=2))
    assert (decision.action, decision.rule) == ("hold", "escalation.flags_before_hold")


def test_payment_after_contact_share_is_rejected():
    """A payment finding from a sender who shared contact details earlier gets the escalation."""
    settings = policy('[policy.escalation]\npayment_after_contact = "reject"\n')
    assert decide([IBAN], settings).action == "hold"
    decision = decide([IBAN], settings, History(shared_contact=True))
    assert (decision.action, decision.rule) == ("reject", "escalation.payment_after_contact")
    assert decide([PHONE], settings, History(shared_contact=True)).action == "flag"


def test_emergency_switch_holds_everything_but_reject():
    """emergency_hold: a clean message is held; a rejected one stays rejected."""
    settings = policy('[policy]\nemergency_hold = true\n[policy.kinds]\niban = "reject"\n')
    decision = decide([], settings)
    assert (decision.action, decision.rule) == ("hold", "emergency_hold")
    assert decide([IBAN], settings).action == "reject"


def test_policy_version_is_a_stable_hash_of_the_policy():
    """Same policy, same version; any change, a new version; recorded in every decision."""
    a, b = policy(STAGED), policy(STAGED)
    assert policy_version(a) == policy_version(b)
    assert len(policy_version(a)) == 64
    assert policy_version(a) != policy_version(policy(STAGED.replace("0.9", "0.8")))
    assert decide([PHONE], a).provenance["policy_version"] == policy_version(a)


def test_old_simple_keys_still_work():
    """contact/payment/limit and [policy.kinds], as before the rules existed."""
    settings = policy('[policy]\ncontact = "redact"\n[policy.kinds]\nphone = "reject"\n')
    assert decide([EMAIL], settings).action == "redact"
    assert decide([PHONE, EMAIL], settings).rule == "kinds.phone"


def problems_of(text: str) -> list[str]:
    settings = parse_settings(BASE + text, source="site.toml")
    return [p.render("site.toml") for p in policy_problems(settings)]


def test_config_check_explains_policy_mistakes():
    """Unreachable rule, duplicate name, unknown category: each named with key and fix."""
    lines = problems_of(
        '[[policy.rules]]\nname = "all"\naction = "flag"\n'
        '[[policy.rules]]\nname = "all"\ncategories = ["contacts"]\naction = "hold"\n'
    )
    assert any("#2 (all) name: the name 'all' is used by an earlier rule" in x for x in lines)
    assert any(
        "'contacts' is not a finding category" in x and "Fix: use one of" in x for x in lines
    )
    assert any("can never fire: the earlier rule 'all'" in x for x in lines)
    assert all(x.startswith("site.toml: [[policy.rules]]") for x in lines)


def test_config_check_type_errors_name_the_key():
    """A wrong action or stage is a load error naming [policy...] and the allowed values."""
    with pytest.raises(ConfigError) as caught:
        parse_settings(
            BASE + '[[policy.rules]]\nname = "x"\naction = "drop"\nstages = ["draft"]\n',
            source="site.toml",
        )
    text = str(caught.value)
    assert "site.toml: [[policy.rules]] #1 action: Input should be 'deliver', 'flag'" in text
    assert "'deliver', 'flag', 'redact', 'hold' or 'reject' (got 'drop')" in text
    assert "[[policy.rules]] #1 stages: Input should be 'inquiry', 'contract' or 'closed'" in text


def test_broken_notice_template_is_reported(tmp_path):
    """An admin's notice template that does not compile is named with its line and the fix."""
    folder = tmp_path / "t" / "notices"
    folder.mkdir(parents=True)
    text = BASE + '[policy.notices]\non = ["hold"]\n[templates]\ndir = "t"\n'
    settings = parse_settings(text, source="site.toml", base_dir=tmp_path)
    assert semantic_problems(settings) == []  # the built-in template serves
    (folder / "hold.txt.j2").write_text("Hello\n{% if words %}\nunclosed\n")
    (problem,) = semantic_problems(settings)
    line = problem.render("site.toml")
    assert line.startswith("site.toml: [templates] dir: ")
    assert "hold.txt.j2 line" in line
    assert "Fix: correct the Jinja2 syntax of notices/hold.txt.j2" in line


def test_join_scan_finds_a_number_split_over_two_messages():
    """Half a phone number in one message and the rest in the next is found on the join."""
    scanner = Scanner()
    found = join_scan(scanner, ["+1 415 555"], ["2671"])
    assert [(a.finding.kind, a.finding.text, a.here) for a in found] == [
        ("phone", "+1 415 555 2671", ("2671",))
    ]
    assert found[0].finding.detector.startswith("accumulate/1+phones/")
    assert join_scan(scanner, ["+1 415 555 2671"], []) == []
    assert join_scan(scanner, ["12"], ["2026"]) == []


def test_only_numbers_at_a_message_boundary_are_joined():
    """Dates and sizes in the middle of a message leave no tail; an ending number does."""
    from gateway import mime
    from gateway.policy.accumulate import fragments

    middle = mime.parse(
        b"Subject: x\r\n\r\nHi Bo, thanks for the files you sent last week.\r\n"
        b"Delivered on 2024-11-19 at 1920 x 1080, 30 revisions, invoice 4711 paid.\r\n"
        b"I will review everything tomorrow and get back to you with my comments. Best, Ann\r\n"
    )
    assert fragments(middle, [], 4) == ([], [])
    ending = mime.parse(b"Subject: x\r\n\r\nSure, ring me. It starts +1 415 555\r\n")
    assert fragments(ending, [], 4) == ([], ["+1 415 555"])
    starting = mime.parse(b"Subject: x\r\n\r\n...2671, then. Talk to you soon about the logo\r\n")
    assert fragments(starting, [], 4) == (["2671"], [])
    quoted = mime.parse(b"Subject: x\r\n\r\nok\r\n> +1 415 555\r\n")
    assert fragments(quoted, [], 4) == ([], [])
