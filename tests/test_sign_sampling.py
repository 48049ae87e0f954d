"""The signing self-checks: OpenSSL checks every signature, dkimpy verifies a sample.

A damaged key must never produce a sent signature (SignatureFault), and one failed dkimpy
check must turn end-to-end verification back on for every later message.
"""

from __future__ import annotations

import dkim
import pytest

from gateway.signing import DkimSigner, SignatureFault, generate_key
from gateway.stages.sign import SAMPLE_MAX_BYTES, SelfVerify

MESSAGE = (
    b"From: Ann <ann@relay.example.com>\r\n"
    b"To: Bo <bo@relay.example.com>\r\n"
    b"Subject: Your quote\r\n"
    b"\r\n"
    b"Thanks for the quote, it looks good.\r\n"
)


@pytest.fixture(params=["rsa-sha256", "ed25519-sha256"])
def signer(request, tmp_path) -> DkimSigner:
    path = tmp_path / "key.pem"
    generate_key(path, algorithm=request.param)
    return DkimSigner.load(
        domain="relay.example.com",
        selector="s1",
        private_key_file=path,
        algorithm=request.param,
    )


def test_every_signature_is_checked_against_the_public_key(signer, tmp_path):
    """A signer whose public half does not match (a damaged key) refuses to sign."""
    other = tmp_path / "other.pem"
    generate_key(other, algorithm=signer.algorithm)
    wrong = DkimSigner.load(
        domain="relay.example.com",
        selector="s1",
        private_key_file=other,
        algorithm=signer.algorithm,
    )
    assert signer.verify(signer.sign(MESSAGE))
    signer.__dict__["_public_key"] = wrong.private_key.public_key()  # the fault: a wrong half
    with pytest.raises(SignatureFault):
        signer.sign(MESSAGE)
    assert issubclass(SignatureFault, ValueError)  # the sign stage holds the copy


def test_sampling_pattern():
    """The first N signatures are verified, then one in `every`."""
    sample = SelfVerify(first=3, every=5)
    due = [sample.due() for _ in range(20)]
    assert due[:3] == [True, True, True]
    assert [i + 1 for i, d in enumerate(due) if d][3:] == [5, 10, 15, 20]


def test_one_failed_check_turns_verification_on_for_every_message(signer):
    sample = SelfVerify(first=0, every=1000)
    good = signer.sign(MESSAGE)
    assert sample.check(signer, good) is True
    assert not any(sample.due() for _ in range(10))
    tampered = good.replace(b"looks good", b"looks bad!")
    assert dkim.verify(tampered, dnsfunc=lambda *_a, **_k: signer.dns_txt.encode()) is False
    assert sample.check(signer, tampered) is False
    assert all(sample.due() for _ in range(50))


def test_large_copies_are_verified_only_after_a_failure(signer):
    """dkimpy's verify of a 25 MB copy costs seconds; OpenSSL's check still runs on it."""
    sample = SelfVerify(first=100, every=1)
    assert sample.due(SAMPLE_MAX_BYTES + 1) is False
    assert sample.due(1000) is True
    assert sample.check(signer, signer.sign(MESSAGE).replace(b"looks good", b"looks bad!")) is False
    assert sample.due(SAMPLE_MAX_BYTES + 1) is True


def test_the_start_up_burst_ends_after_its_byte_budget():
    """100 KB copies: the burst verifies until the budget is spent, then one in `every`."""
    sample = SelfVerify(first=100, every=20, first_bytes=1_000_000)
    due = [sample.due(100_000) for _ in range(100)]
    assert [i + 1 for i, d in enumerate(due) if d] == [*range(1, 11), 20, 40, 60, 80, 100]
    small = SelfVerify(first=100, every=20, first_bytes=1_000_000)
    assert all(small.due(5_000) for _ in range(100))  # 500 KB: the whole burst, as before
    assert [small.due(5_000) for _ in range(20)].count(True) == 1
