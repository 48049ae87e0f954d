"""Sender authentication against an in-memory DNS zone: DKIM, SPF, DMARC, the verdict per
[auth] policy, trusted and forged Authentication-Results, DNS failures and timeouts, caching."""

from __future__ import annotations

import asyncio

import pytest
import spf as pyspf

from gateway import mime
from gateway.auth import dkim_verify, dmarc, spf
from gateway.auth.authenticator import Authenticator, client_ip
from gateway.auth.resolver import CachingResolver, DnsTemporaryError, MessageResolver
from gateway.auth.results import trusted_results
from gateway.config import AuthSettings
from tests.dns_zone import DkimKey, Zone, mail

ANN = "ann@example.org"
RELAY_BO = "bo.chen.x1@relay.gigbridge.io"


@pytest.fixture(scope="module")
def key() -> DkimKey:
    return DkimKey("example.org")


@pytest.fixture
def zone(key: DkimKey) -> Zone:
    """example.org: a DKIM key, SPF for 192.0.2.0/24 (-all), DMARC p=reject."""
    zone = Zone()
    key.publish(zone)
    zone.txt("example.org", "v=spf1 ip4:192.0.2.0/24 -all")
    zone.txt("_dmarc.example.org", "v=DMARC1; p=reject; rua=mailto:d@example.org")
    return zone


async def run_check(
    zone: Zone,
    raw: bytes,
    *,
    ip: str = "192.0.2.10",
    mail_from: str = ANN,
    participant: bool = True,
    **settings,
):
    auth = Authenticator(AuthSettings(mode="verify", **settings), zone)
    message = mime.parse(raw)
    return await auth.check(
        message,
        raw,
        from_address=ANN,
        from_is_participant=participant,
        mail_from=mail_from,
        helo="mail.example.org",
        peer=f"{ip}:40000",
    )


# ------------------------------------------------------------------ DKIM


async def test_dkim_pass_fail_and_none(zone, key):
    signed = key.sign(mail(ANN, RELAY_BO))
    (result,) = await dkim_verify.verify(signed, zone)
    assert (result.result, result.domain, result.selector) == ("pass", "example.org", "sel")

    tampered = signed.replace(b"the sketches", b"the invoice")
    (result,) = await dkim_verify.verify(tampered, zone)
    assert result.result == "fail"

    assert await dkim_verify.verify(mail(ANN, RELAY_BO), zone) == []


async def test_dkim_missing_key_is_permerror_and_dns_failure_temperror(zone, key):
    other = DkimKey("example.org", selector="gone")
    (result,) = await dkim_verify.verify(other.sign(mail(ANN, RELAY_BO)), zone)
    assert (result.result, result.reason) == ("permerror", "no key published")

    zone.fail(key.name)
    (result,) = await dkim_verify.verify(key.sign(mail(ANN, RELAY_BO)), zone)
    assert (result.result, result.reason) == ("temperror", "SERVFAIL")


async def test_dkim_malformed_signature_is_permerror(zone):
    raw = b"DKIM-Signature: v=1; a=rsa-sha256; garbage\r\n" + mail(ANN, RELAY_BO)
    (result,) = await dkim_verify.verify(raw, zone)
    assert result.result == "permerror"


# ------------------------------------------------------------------ SPF


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        ("v=spf1 ip4:192.0.2.0/24 -all", "pass"),
        ("v=spf1 ip4:198.51.100.0/24 -all", "fail"),
        ("v=spf1 ip4:198.51.100.0/24 ~all", "softfail"),
        ("v=spf1 ?all", "neutral"),
        ("v=spf1 include:_spf.provider.example -all", "pass"),
        ("v=spf1 a:mail.example.org -all", "pass"),
        ("v=spf1 mx -all", "pass"),
        ("v=spf1 ip4:192.0.2.0/24 moo -all", "permerror"),
    ],
)
async def test_spf_results(record, expected):
    zone = Zone().txt("example.org", record)
    zone.txt("_spf.provider.example", "v=spf1 ip4:192.0.2.0/28 -all")
    zone.add("mail.example.org", "A", "192.0.2.10")
    zone.add("example.org", "MX", "10 mail.example.org")
    result = await spf.check("192.0.2.10", ANN, "mail.example.org", zone)
    assert (result.result, result.domain, result.scope) == (expected, "example.org", "mailfrom")


async def test_spf_none_and_temperror():
    zone = Zone()
    assert (await spf.check("192.0.2.10", ANN, "h", zone)).result == "none"
    zone.fail("example.org", "TXT")
    result = await spf.check("192.0.2.10", ANN, "h", zone)
    assert result.result == "temperror"
    assert "SERVFAIL" in result.explanation


async def test_spf_null_sender_checks_the_helo_name():
    zone = Zone().txt("mail.example.org", "v=spf1 ip4:192.0.2.10 -all")
    result = await spf.check("192.0.2.10", "", "mail.example.org", zone)
    assert (result.result, result.scope, result.domain) == ("pass", "helo", "mail.example.org")


def test_pyspf_cannot_reach_real_dns_outside_a_check():
    """The module-level hook refuses lookups that do not come through our resolver."""
    with pytest.raises(pyspf.TempError, match="outside"):
        pyspf.DNSLookup("example.org", "TXT")


# ------------------------------------------------------------------ DMARC


@pytest.mark.parametrize(
    ("signing_domain", "adkim", "expected"),
    [
        ("example.org", "r", "pass"),
        ("mail.example.org", "r", "pass"),  # relaxed: same organisational domain
        ("mail.example.org", "s", "fail"),  # strict: must be the same name
        ("example.net", "r", "fail"),  # another domain's valid signature
        ("org", "r", "fail"),  # a public suffix is never aligned
    ],
)
async def test_dmarc_dkim_alignment(signing_domain, adkim, expected):
    zone = Zone().txt("_dmarc.example.org", f"v=DMARC1; p=reject; adkim={adkim}")
    key = DkimKey(signing_domain).publish(zone)
    dkim_results = await dkim_verify.verify(key.sign(mail(ANN, RELAY_BO)), zone)
    assert dkim_results[0].result == "pass"
    result = await dmarc.evaluate("example.org", None, dkim_results, zone)
    assert result.result == expected
    if expected == "fail":
        assert result.disposition == "reject"


@pytest.mark.parametrize(
    ("mail_from", "aspf", "expected"),
    [
        ("bounce@example.org", "r", "pass"),
        ("bounce@news.example.org", "r", "pass"),
        ("bounce@news.example.org", "s", "fail"),
        ("bounce@esp.example", "r", "fail"),
    ],
)
async def test_dmarc_spf_alignment(mail_from, aspf, expected):
    zone = Zone().txt("_dmarc.example.org", f"v=DMARC1; p=quarantine; aspf={aspf}")
    domain = mail_from.rpartition("@")[2]
    zone.txt(domain, "v=spf1 ip4:192.0.2.0/24 -all")
    spf_result = await spf.check("192.0.2.10", mail_from, "h", zone)
    assert spf_result.result == "pass"
    result = await dmarc.evaluate("example.org", spf_result, [], zone)
    assert result.result == expected


async def test_dmarc_subdomain_uses_the_organisational_record_and_sp():
    zone = Zone().txt("_dmarc.example.co.uk", "v=DMARC1; p=reject; sp=quarantine")
    result = await dmarc.evaluate("shop.example.co.uk", None, [], zone)
    assert (result.result, result.disposition) == ("fail", "quarantine")
    assert ("_dmarc.shop.example.co.uk", "TXT") in zone.queries
    assert dmarc.organizational_domain("a.b.example.co.uk") == "example.co.uk"


async def test_dmarc_none_temperror_and_invalid_records():
    zone = Zone()
    assert (await dmarc.evaluate("example.org", None, [], zone)).result == "none"
    zone.txt("_dmarc.example.org", "v=DMARC1; p=bogus")  # no rua: not a record at all
    assert (await dmarc.evaluate("example.org", None, [], zone)).result == "none"
    zone.fail("_dmarc.example.org")
    result = await dmarc.evaluate("example.org", None, [], zone)
    assert result.result == "temperror"


# ------------------------------------------------------------------ verdict


async def test_authenticated_mail_is_accepted(zone, key):
    outcome = await run_check(zone, key.sign(mail(ANN, RELAY_BO)))
    assert (outcome.action, outcome.check) == ("accept", "authenticated")
    assert outcome.dmarc.aligned_by == "dkim"
    lines = outcome.lines()
    assert "auth spf=pass smtp.mailfrom=example.org" in lines[0]
    assert lines[-1] == "auth verdict (verify): authenticated -> accept"


async def test_dmarc_reject_gives_5726(zone):
    outcome = await run_check(zone, mail(ANN, RELAY_BO), ip="198.51.100.7")
    assert (outcome.action, outcome.check) == ("reject", "dmarc_fail")
    assert outcome.reply.startswith("550 5.7.26 Unauthenticated email from example.org")
    assert "p=reject" in outcome.reply


async def test_dmarc_fail_follows_the_published_policy_or_the_configured_action(zone):
    zone.records[("_dmarc.example.org", "TXT")] = ["v=DMARC1; p=quarantine"]
    unsigned = mail(ANN, RELAY_BO)
    outcome = await run_check(
        zone, unsigned, ip="198.51.100.7", on_forged_participant="flag", on_spf_fail="flag"
    )
    assert (outcome.action, outcome.check) == ("hold", "dmarc_fail")
    outcome = await run_check(
        zone,
        unsigned,
        ip="198.51.100.7",
        on_dmarc_fail="flag",
        on_forged_participant="flag",
        on_spf_fail="flag",
    )
    assert outcome.action == "flag"


@pytest.mark.parametrize(
    ("action", "expected_reply"),
    [
        ("reject", "550 5.7.1 The From address ann@example.org could not be authenticated"),
        ("hold", ""),
    ],
)
async def test_forged_participant_rejected_or_held_as_configured(action, expected_reply):
    """example.org has SPF -all and no DMARC record: a forgery from elsewhere."""
    zone = Zone().txt("example.org", "v=spf1 ip4:192.0.2.0/24 -all")
    outcome = await run_check(
        zone, mail(ANN, RELAY_BO), ip="198.51.100.7", on_forged_participant=action
    )
    assert (outcome.action, outcome.check) == (action, "forged_participant")
    assert outcome.reply.startswith(expected_reply)
    if action == "reject":
        assert "spf=fail" in outcome.reply


async def test_not_a_participant_from_is_judged_by_spf_only():
    zone = Zone().txt("example.org", "v=spf1 ip4:192.0.2.0/24 -all")
    outcome = await run_check(zone, mail(ANN, RELAY_BO), ip="198.51.100.7", participant=False)
    assert (outcome.action, outcome.check) == ("hold", "spf_fail")


async def test_softfail_and_dkim_fail_and_none():
    zone = Zone().txt("example.org", "v=spf1 ip4:192.0.2.0/24 ~all")
    outcome = await run_check(
        zone, mail(ANN, RELAY_BO), ip="198.51.100.7", on_forged_participant="accept"
    )
    assert (outcome.action, outcome.check) == ("flag", "spf_softfail")

    zone = Zone()
    key = DkimKey("example.org").publish(zone)
    tampered = key.sign(mail(ANN, RELAY_BO)).replace(b"sketches", b"invoices")
    outcome = await run_check(zone, tampered, on_forged_participant="accept", on_dkim_fail="hold")
    assert (outcome.action, outcome.check) == ("hold", "dkim_fail")
    assert outcome.reply == ""

    outcome = await run_check(Zone(), mail(ANN, RELAY_BO), on_none="reject")
    assert (outcome.action, outcome.check) == ("reject", "none")
    assert outcome.reply.startswith("550 5.7.1 Message refused: mail from example.org")


async def test_dns_failure_is_a_temporary_answer_never_an_accept(zone):
    zone.fail("_dmarc.example.org")
    outcome = await run_check(zone, mail(ANN, RELAY_BO), ip="198.51.100.7")
    assert outcome.action == "tempfail"
    assert outcome.reply.startswith("451 4.4.3 Temporary DNS failure while authenticating")
    assert "dmarc=temperror" in outcome.reply


async def test_dns_timeout_is_451_within_the_budget(zone):
    zone.hang("example.org", "TXT")
    loop = asyncio.get_running_loop()
    started = loop.time()
    outcome = await run_check(zone, mail(ANN, RELAY_BO), ip="198.51.100.7", dns_timeout=0.3)
    assert loop.time() - started < 3
    assert outcome.action == "tempfail"
    assert outcome.reply.startswith("451 4.4.3")
    assert "timeout" in outcome.reply


async def test_a_temporary_error_does_not_matter_once_dkim_aligned_passes(zone, key):
    zone.fail("example.org", "TXT")  # SPF cannot be checked
    outcome = await run_check(zone, key.sign(mail(ANN, RELAY_BO)))
    assert (outcome.action, outcome.spf.result) == ("accept", "temperror")


async def test_on_temperror_hold(zone):
    zone.fail("example.org", "TXT")
    outcome = await run_check(zone, mail(ANN, RELAY_BO), on_temperror="hold")
    assert (outcome.action, outcome.reply) == ("hold", "")


async def test_off_checks_nothing(zone):
    auth = Authenticator(AuthSettings(), zone)
    raw = mail(ANN, RELAY_BO)
    result = await auth.check(
        mime.parse(raw),
        raw,
        from_address=ANN,
        from_is_participant=True,
        mail_from=ANN,
        helo="h",
        peer="127.0.0.1:1",
    )
    assert result is None
    assert zone.queries == []


def test_client_ip_from_peer():
    assert client_ip("192.0.2.1:2525") == "192.0.2.1"
    assert client_ip("::1:2525") == "::1"


# ------------------------------------------------------------------ caching


async def test_lookups_are_cached_per_message_and_across_messages(zone, key):
    signed = key.sign(mail(ANN, RELAY_BO))
    auth = Authenticator(AuthSettings(mode="verify"), zone)
    for _ in range(3):
        outcome = await auth.check(
            mime.parse(signed),
            signed,
            from_address=ANN,
            from_is_participant=True,
            mail_from=ANN,
            helo="h",
            peer="192.0.2.10:1",
        )
        assert outcome.action == "accept"
    assert len(zone.queries) == len(set(zone.queries)) == 3  # SPF, DKIM key, DMARC: once each


async def test_temporary_errors_are_not_cached():
    zone = Zone().fail("example.org")
    cache = CachingResolver(zone, ttl=60)
    for _ in range(2):
        with pytest.raises(DnsTemporaryError):
            await cache.query("example.org", "TXT")
    assert len(zone.queries) == 2
    del zone.failing[("example.org", "TXT")]
    zone.txt("example.org", "v=spf1 -all")
    assert await cache.query("EXAMPLE.org.", "TXT") == ("v=spf1 -all",)
    assert await cache.query("example.org", "TXT") == ("v=spf1 -all",)
    assert len(zone.queries) == 3


async def test_message_budget_applies_to_every_query():
    zone = Zone().hang("slow.example")
    resolver = MessageResolver(zone, timeout=0.2)
    with pytest.raises(DnsTemporaryError, match="budget"):
        await resolver.query("slow.example", "TXT")
    with pytest.raises(DnsTemporaryError):  # the budget is spent: no further waiting
        await resolver.query("other.example", "TXT")


# ------------------------------------------------------------------ Authentication-Results

OURS = "mx.gigbridge.io"


def headers_then(raw_headers: str) -> bytes:
    return raw_headers.replace("\n", "\r\n").encode() + mail(ANN, RELAY_BO)


def test_trusted_authentication_results_are_read():
    raw = headers_then(
        f"Authentication-Results: {OURS}; dmarc=pass (p=reject) header.from=example.org\n"
        f"Authentication-Results: {OURS}; spf=pass smtp.mailfrom=ann@example.org;\n"
        " dkim=pass header.d=example.org header.s=sel\n"
        "Received: from mail.example.org by mx.gigbridge.io; Wed, 25 Nov 2026 07:00:00 +0000\n"
    )
    found = trusted_results(mime.parse(raw), OURS)
    assert (found.trusted, found.ignored) == (2, 0)
    assert (found.spf.result, found.spf.domain) == ("pass", "example.org")
    assert [(d.result, d.domain) for d in found.dkim] == [("pass", "example.org")]
    assert (found.dmarc.result, found.dmarc.from_domain, found.dmarc.policy.p) == (
        "pass",
        "example.org",
        "reject",
    )


def test_untrusted_and_forged_authentication_results_are_ignored():
    raw = headers_then(
        f"Authentication-Results: {OURS}; dmarc=fail (p=reject) header.from=example.org\n"
        "Authentication-Results: evil.example; dmarc=pass header.from=example.org\n"
        "Received: from x by mx.gigbridge.io; Wed, 25 Nov 2026 07:00:00 +0000\n"
        f"Authentication-Results: {OURS}; dmarc=pass header.from=example.org\n"  # topmost wins
        "X-Mailer: forger\n"
        f"Authentication-Results: {OURS}; spf=pass smtp.mailfrom=ann@example.org\n"  # below
        "Authentication-Results: this is not ; ; valid\n"
    )
    found = trusted_results(mime.parse(raw), OURS)
    assert found.dmarc.result == "fail"
    assert found.spf is None
    assert (found.trusted, found.ignored) == (2, 3)


async def test_trust_header_mode_verdicts():
    settings = AuthSettings(mode="trust-header", authserv_id=OURS, on_none="reject")
    auth = Authenticator(settings, Zone())

    async def verdict(raw: bytes):
        return await auth.check(
            mime.parse(raw),
            raw,
            from_address=ANN,
            from_is_participant=True,
            mail_from=ANN,
            helo="h",
            peer="127.0.0.1:1",
        )

    good = headers_then(f"Authentication-Results: {OURS}; dkim=pass header.d=example.org\n")
    outcome = await verdict(good)
    assert (outcome.action, outcome.dmarc.aligned_by) == ("accept", "dkim")

    forged = headers_then("Authentication-Results: evil.example; dkim=pass header.d=example.org\n")
    outcome = await verdict(forged)
    assert (outcome.action, outcome.check) == ("reject", "none")
    assert (
        "0 Authentication-Results header(s) of mx.gigbridge.io trusted, 1 ignored" in outcome.note
    )

    failed = headers_then(
        f"Authentication-Results: {OURS}; spf=fail smtp.mailfrom=ann@example.org;"
        " dmarc=fail (p=reject) header.from=example.org\n"
    )
    outcome = await verdict(failed)
    assert (outcome.action, outcome.check) == ("reject", "dmarc_fail")
    assert outcome.reply.startswith("550 5.7.26")


def test_trust_header_needs_an_authserv_id():
    from gateway.config import ConfigError, parse_settings

    with pytest.raises(ConfigError) as caught:
        parse_settings(
            '[platform]\nname = "G"\n[relay]\ndomain = "relay.g.io"\n'
            '[auth]\nmode = "trust-header"\n'
        )
    assert "[auth]" in str(caught.value)
    assert "authserv_id" in str(caught.value)


# ------------------------------------------------------------------ ARC

LIST = "lists.example.net"


def forwarded_through_list(key: DkimKey, list_key: DkimKey) -> bytes:
    """Ann's signed mail as a mailing list passes it on: checked, subject tagged, ARC-sealed."""
    import dkim

    original = key.sign(mail(ANN, RELAY_BO))
    checked = (
        f"Authentication-Results: {LIST}; dkim=pass header.d=example.org;"
        " dmarc=pass header.from=example.org\r\n"
    ).encode() + original.replace(b"Subject: Logo sketches", b"Subject: [design] Logo sketches")
    seal = dkim.arc_sign(
        checked,
        list_key.selector.encode(),
        LIST.encode(),
        list_key.private_pem,
        LIST.encode(),
        include_headers=[b"from", b"to", b"subject", b"date", b"message-id"],
    )
    return b"".join(seal) + checked


async def test_arc_of_a_trusted_forwarder_vouches_for_a_broken_signature(zone, key):
    list_key = DkimKey(LIST, selector="arc").publish(zone)
    raw = forwarded_through_list(key, list_key)
    trusted = {"arc_trusted_forwarders": (LIST,)}
    outcome = await run_check(zone, raw, ip="198.51.100.7", **trusted)
    assert outcome.dkim[0].result == "fail"  # the subject tag broke Ann's signature
    assert (outcome.action, outcome.check) == ("accept", "arc_trusted_forwarder")
    assert outcome.arc.cv == "pass"
    assert outcome.arc.sealer == LIST
    assert any(
        line.startswith("auth arc=pass sealer=lists.example.net") for line in outcome.lines()
    )

    untrusted = await run_check(
        zone, raw, ip="198.51.100.7", arc_trusted_forwarders=("other.example",)
    )
    assert (untrusted.action, untrusted.check) == ("reject", "dmarc_fail")

    tampered = raw.replace(b"the sketches", b"the invoice")
    outcome = await run_check(zone, tampered, ip="198.51.100.7", **trusted)
    assert outcome.arc.cv == "fail"
    assert outcome.action == "reject"


async def test_arc_is_not_looked_at_without_trusted_forwarders(zone, key):
    list_key = DkimKey(LIST, selector="arc").publish(zone)
    raw = forwarded_through_list(key, list_key)
    outcome = await run_check(zone, raw, ip="198.51.100.7")
    assert outcome.arc is None
    assert ("arc._domainkey.lists.example.net", "TXT") not in zone.queries


# ------------------------------------------------------------------ hostile headers

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_tag_text = st.text(
    alphabet=st.characters(min_codepoint=32, max_codepoint=126), min_size=0, max_size=80
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    name=st.sampled_from(["DKIM-Signature", "ARC-Seal", "ARC-Message-Signature"]),
    value=st.one_of(
        _tag_text,
        st.builds(
            lambda i, d, s, rest: f"i={i}; a=rsa-sha256; d={d}; s={s}; {rest}",
            st.integers(-3, 60),
            st.sampled_from(["example.org", "", "..", "lists.example.net"]),
            st.sampled_from(["sel", "arc", "", "a.b"]),
            _tag_text,
        ),
    ),
)
def test_hostile_signature_headers_never_raise(name, value):
    """Garbage in signature headers is a fail/permerror verdict, never an exception (a 451
    would make the sender retry the same bytes forever)."""
    from gateway.auth import arc

    zone = Zone()
    DkimKey.cached().publish(zone)
    raw = f"{name}: {value}\r\n".encode() + mail(ANN, RELAY_BO)

    async def run():
        dkim_results = await dkim_verify.verify(raw, zone)
        arc_result = await arc.verify(raw, zone)
        return dkim_results, arc_result

    dkim_results, arc_result = asyncio.run(run())
    assert all(r.result in {"fail", "permerror", "pass"} for r in dkim_results)
    assert arc_result.cv in {"none", "fail", "pass", "temperror"}
