"""Sender authentication: SPF, DKIM and DMARC (or a trusted front MTA's verdict) for the
authenticate stage. See docs/security.md for the threat model and the policy per outcome.

    resolver.py       the one async DNS interface, its TTL cache and per-message budget
    spf.py            SPF with pyspf, its DNS answered by the resolver
    dkim_verify.py    DKIM with dkimpy, keys prefetched through the resolver
    dmarc.py          the DMARC record, organisational domain (publicsuffixlist), alignment
    results.py        Authentication-Results: which to trust, what they say
    verdict.py        results + [auth] policy -> accept | flag | hold | reject | tempfail
    authenticator.py  runs the checks for one message in the configured mode
"""
