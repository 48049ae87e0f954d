"""What a host name means for contact scanning: allowed, work product, or a way to talk elsewhere.

Shared by the e-mail, URL and messenger detectors so that one list decides everywhere:

* allowed, never a finding: the platform's own domains and their subdomains, the configured work
  domains, and reserved documentation/test names (RFC 2606/6761: example.com/.org/.net,
  ``*.example``, ``*.test``, ``*.invalid``, ``*.localhost``);
* work product or its context, never a finding even when offered with "see": repositories,
  design files, videos, documents, preview/staging hosts, documentation sites;
* contact hosts, a finding by themselves when the link carries a room/handle/target: messenger
  and social-profile links (kind "messenger"), meeting rooms, booking pages and link shorteners
  (kind "url").

Anything else is a finding only when the text offers it as a way to get in touch (urls.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from gateway.scanning.spelled import folded_pattern

RESERVED = frozenset(
    ("example.com", "example.org", "example.net", "example", "test", "invalid", "localhost")
)

# Common mail providers: an address or "my gmail is x" on these is personal mail.
MAIL_PROVIDERS = frozenset(
    "gmail.com googlemail.com hotmail.com hotmail.co.uk hotmail.fr hotmail.es hotmail.de "
    "hotmail.it outlook.com outlook.es outlook.fr outlook.de live.com live.fr msn.com "
    "yahoo.com yahoo.co.uk yahoo.fr yahoo.es yahoo.de yahoo.it yahoo.com.br yahoo.co.in "
    "ymail.com rocketmail.com aol.com icloud.com me.com mac.com protonmail.com proton.me pm.me "
    "protonmail.ch gmx.com gmx.de gmx.net gmx.at gmx.ch web.de t-online.de freenet.de "
    "yandex.ru yandex.com ya.ru mail.ru bk.ru inbox.ru list.ru rambler.ru zoho.com "
    "zohomail.com tutanota.com tuta.io fastmail.com hey.com mail.com rediffmail.com "
    "orange.fr wanadoo.fr free.fr laposte.net sfr.fr libero.it virgilio.it tiscali.it "
    "uol.com.br bol.com.br terra.com.br ig.com.br seznam.cz wp.pl o2.pl onet.pl qq.com "
    "163.com 126.com naver.com".split()
)
PROVIDER_NAMES = frozenset(h.split(".")[0] for h in MAIL_PROVIDERS) - {"me", "mac", "live"}

# Top-level domains accepted for *obfuscated* addresses and schemeless links ("x dot com"):
# every two-letter country code plus the generic ones people actually use.
GENERIC_TLDS = frozenset(
    "com net org info biz edu gov mil int io co me ai dev app tech online site store shop xyz "
    "pro email mail cloud live world today space website web blog page link club agency studio "
    "design digital media news art global group team solutions services consulting company "
    "works work life london berlin paris moscow rio nyc africa asia eu mobi name tel tv fm gg "
    "ly gl gd gy cc to im am is ee la ws vc sh ac so ninja rocks guru expert academy photo "
    "photography tips top vip one plus zone fun icu lol chat social network systems software "
    "codes engineer host hosting domains marketing ventures capital finance money bank "
    "cafe shop store ink graphics gallery events productions film video audio music band games "
    "tools build center legal law tax accountants press wiki fyi click uk us ca au de fr es it "
    "nl ru br in pt pl ch at be se no dk fi ie nz za mx ar cl jp kr cn tw hk sg my id ph vn th "
    "coach training education fitness health care clinic beauty fashion style travel tours "
    "restaurant menu wedding family love kitchen house homes properties realestate estate "
    "run email business international land city bio eco green energy solar garden farm pet "
    "dog auto car cars bike fish surf yoga dance camp school university college institute "
    "foundation charity church ltd llc inc gmbh limited partners associates management "
    "consulting contractors construction builders engineering industries enterprises".split()
)

# File extensions that look like a top-level domain after an "@" ("logo@2x.png").
FILE_EXTENSIONS = frozenset(
    "png jpg jpeg gif svg webp bmp ico tif tiff heic psd ai sketch fig xd pdf doc docx xls "
    "xlsx ppt pptx csv txt md rst json yaml yml xml html htm css scss sass less js jsx ts tsx "
    "mjs cjs py rb php java kt go rs swift c h cpp hpp cs sh bat zip gz tar rar 7z mp3 mp4 "
    "mov avi wav ogg webm lock map min log ini cfg conf toml env sql db bak tmp woff woff2 "
    "ttf otf eot".split()
)


def suffixes(host: str) -> list[str]:
    """ "a.b.c" -> ["a.b.c", "b.c", "c"]: the names a host is equal to or a subdomain of."""
    labels = host.split(".")
    return [".".join(labels[i:]) for i in range(len(labels))]


@lru_cache(maxsize=256)
def _domain_set(domains: tuple[str, ...]) -> frozenset[str]:
    wanted = {d.lower().strip(".") for d in domains}
    wanted.discard("")
    return frozenset(wanted)


def _suffix_match(host: str, domains: Iterable[str]) -> bool:
    if not isinstance(domains, frozenset):
        domains = _domain_set(tuple(domains))
    return bool(domains) and not domains.isdisjoint(suffixes(host))


def normalise_host(host: str) -> str:
    """Lower case, no port, no trailing dot, no credentials, no "www."."""
    host = host.lower().rpartition("@")[2].split(":", 1)[0].strip(".")
    return host[4:] if host.startswith("www.") else host


def is_reserved(host: str) -> bool:
    """Reserved documentation and test names (example.*, *.test, *.invalid, localhost)."""
    return category(host) == "reserved"


def is_allowed(host: str, own: Iterable[str] = (), work: Iterable[str] = ()) -> bool:
    """The platform's own domains, configured work domains, reserved names (and subdomains)."""
    host = normalise_host(host)
    return is_reserved(host) or _suffix_match(host, own) or _suffix_match(host, work)


def tld_ok(domain: str, *, strict: bool) -> bool:
    """A plausible top-level domain; `strict` (obfuscated forms) wants a known one."""
    tld = domain.rpartition(".")[2]
    if not tld.isalpha() or not tld.isascii() or len(tld) < 2 or tld in FILE_EXTENSIONS:
        return False
    return not strict or len(tld) == 2 or tld in GENERIC_TLDS


# Work product and its context: never a finding (guideline 2, "Not contact").
WORK_HOSTS = frozenset(
    (
        "github.com",
        "gist.github.com",
        "githubusercontent.com",
        "github.io",
        "gitlab.com",
        "gitlab.io",
        "bitbucket.org",
        "sourceforge.net",
        "codeberg.org",
        "dev.azure.com",
        "figma.com",
        "framer.com",
        "sketch.com",
        "invisionapp.com",
        "zeplin.io",
        "miro.com",
        "vimeo.com",
        "youtube.com",
        "youtu.be",
        "loom.com",
        "wistia.com",
        "drive.google.com",
        "docs.google.com",
        "sheets.google.com",
        "slides.google.com",
        "dropbox.com",
        "box.com",
        "onedrive.live.com",
        "sharepoint.com",
        "notion.so",
        "notion.site",
        "trello.com",
        "atlassian.net",
        "atlassian.com",
        "jira.com",
        "asana.com",
        "airtable.com",
        "vercel.app",
        "netlify.app",
        "netlify.com",
        "herokuapp.com",
        "pages.dev",
        "workers.dev",
        "web.app",
        "firebaseapp.com",
        "azurewebsites.net",
        "onrender.com",
        "fly.dev",
        "railway.app",
        "glitch.me",
        "codepen.io",
        "codesandbox.io",
        "stackblitz.com",
        "replit.com",
        "repl.co",
        "jsfiddle.net",
        "readthedocs.io",
        "readthedocs.org",
        "gitbook.io",
        "stackoverflow.com",
        "npmjs.com",
        "pypi.org",
        "developer.mozilla.org",
        "w3.org",
        "wikipedia.org",
        "shopify.com",
        "myshopify.com",
        "wordpress.org",
        "webflow.io",
        "wixsite.com",
        "behance.net",
        "dribbble.com",
        "unsplash.com",
        "pexels.com",
        "canva.com",
        "wetransfer.com",
        "we.tl",
        "postman.com",
        "swagger.io",
        "sentry.io",
        "apple.com",
        "google.com",
        "play.google.com",
        "microsoft.com",
        "amazon.com",
        "aws.amazon.com",
        "cloudflare.com",
        "stripe.com",
    )
)

# Meeting rooms and booking pages: a finding when the link names a room/page (a path).
MEETING_HOSTS = frozenset(
    (
        "zoom.us",
        "zoom.com",
        "zoomgov.com",
        "meet.google.com",
        "teams.microsoft.com",
        "teams.live.com",
        "whereby.com",
        "meet.jit.si",
        "jitsi.org",
        "8x8.vc",
        "webex.com",
        "gotomeet.me",
        "gotomeeting.com",
        "meet.goto.com",
        "bluejeans.com",
        "chime.aws",
        "around.co",
        "facetime.apple.com",
        "meet.zoho.com",
        "meet.zoho.eu",
        "join.skype.com",
        "hangouts.google.com",
        "meet.ringcentral.com",
        "v.ringcentral.com",
        "gather.town",
    )
)
BOOKING_HOSTS = frozenset(
    (
        "calendly.com",
        "cal.com",
        "cal.eu",
        "tidycal.com",
        "savvycal.com",
        "youcanbook.me",
        "acuityscheduling.com",
        "as.me",
        "meetings.hubspot.com",
        "zcal.co",
        "koalendar.com",
        "calendar.app.google",
        "doodle.com",
        "vimcal.com",
        "setmore.com",
        "simplybook.me",
        "appointlet.com",
        "harmonizely.com",
        "reclaim.ai",
        "motion.page",
        "oncehub.com",
        "book.morgen.so",
        "fantastical.app",
        "bookings.cloud.microsoft",
    )
)
SHORTENER_HOSTS = frozenset(
    (
        "bit.ly",
        "bitly.com",
        "tinyurl.com",
        "t.co",
        "goo.gl",
        "is.gd",
        "v.gd",
        "rb.gy",
        "cutt.ly",
        "ow.ly",
        "buff.ly",
        "shorturl.at",
        "tiny.cc",
        "t.ly",
        "s.id",
        "lnkd.in",
        "rebrand.ly",
        "bl.ink",
        "short.gy",
        "shorturl.com",
        "tiny.one",
        "bit.do",
        "clck.ru",
        "vk.cc",
        "u.to",
        "soo.gd",
        "qr.ae",
        "adf.ly",
        "shorte.st",
        "x.gd",
        "urlz.fr",
        "lnk.to",
        "linktr.ee",
        "beacons.ai",
        "bio.link",
        "about.me",
        "campsite.bio",
        "lnk.bio",
        "taplink.cc",
        "hoo.be",
        "msha.ke",
        "carrd.co",
    )
)
# Messenger and social-profile hosts (kind "messenger").
MESSENGER_HOSTS = frozenset(
    (
        "wa.me",
        "whatsapp.com",
        "wa.link",
        "t.me",
        "telegram.me",
        "telegram.dog",
        "telegram.org",
        "signal.me",
        "signal.group",
        "discord.gg",
        "discord.com",
        "discordapp.com",
        "m.me",
        "messenger.com",
        "linkedin.com",
        "facebook.com",
        "fb.com",
        "fb.me",
        "instagram.com",
        "instagr.am",
        "ig.me",
        "x.com",
        "twitter.com",
        "vk.com",
        "vk.me",
        "vkontakte.ru",
        "ok.ru",
        "line.me",
        "lin.ee",
        "u.wechat.com",
        "weixin.qq.com",
        "wechat.com",
        "viber.com",
        "invite.viber.com",
        "viber.click",
        "skype.com",
        "threads.net",
        "threads.com",
        "tiktok.com",
        "snapchat.com",
        "kik.me",
        "keybase.io",
        "bsky.app",
        "mastodon.social",
        "icq.im",
    )
)

# First path segments of social sites that are not somebody's profile.
_NOT_PROFILE = frozenset(
    "sharer sharer.php share share.php dialog plugins tr groups events business help policies "
    "privacy legal ads watch marketplace gaming login signup l.php photo photo.php photos "
    "permalink.php story.php hashtag search home home.php settings notifications explore "
    "p reel reels tv accounts about developer developers direct i intent compose tos "
    "jobs feed pulse learning posts company school showcase pages terms support policy "
    "status download downloads blog press careers en es fr de pt ru it features".split()
)
_HANDLE = re.compile(r"@?[\w.\-]{2,64}")


_CATEGORY: dict[str, str] = {}
for _hosts, _name in (
    (WORK_HOSTS, "work"),
    (MESSENGER_HOSTS, "messenger"),
    (SHORTENER_HOSTS, "shortener"),
    (BOOKING_HOSTS, "booking"),
    (MEETING_HOSTS, "meeting"),
    (RESERVED, "reserved"),
):
    for _host in _hosts:
        _CATEGORY[_host] = _name


@lru_cache(maxsize=4096)
def category(host: str) -> str:
    """The list the most specific matching suffix of `host` is on ("" when none).

    "meet.google.com" is "meeting" although google.com is "work": the longer name decides.
    """
    for suffix in suffixes(host):
        found = _CATEGORY.get(suffix)
        if found:
            return found
    return ""


def host_in(host: str, hosts: Iterable[str]) -> bool:
    """`host` is one of `hosts` or a subdomain of one."""
    return _suffix_match(host, hosts if isinstance(hosts, frozenset) else frozenset(hosts))


def classify_link(host: str, path: str, query: str = "") -> tuple[str, float] | None:
    """(kind, confidence) for a link to a contact host, None for anything else.

    `host` is normalised (see normalise_host); `path` starts after the host ("/in/anna").
    """
    if host.startswith(_DOC_PREFIXES):
        return None  # the vendor's documentation or help centre, not a room or a profile
    kind = category(host)
    if kind in {"", "work", "reserved"}:
        if host.endswith(".zoom.us") or host.startswith("meet.jit"):
            kind = "meeting"
        else:
            return None
    segments = [s for s in path.split("/") if s]
    first = segments[0].lower() if segments else ""
    if kind == "messenger":
        return _classify_social(host, segments, first, query)
    if kind == "shortener":
        return ("url", 0.8) if segments else None
    if kind == "booking":
        return ("url", 0.9) if host.endswith("calendar.app.google") or segments else None
    # meeting rooms
    if not segments and "meet" not in host:
        return None
    if host_in(host, _ZOOM) and first not in _ZOOM_PATHS:
        return None
    if host == "teams.microsoft.com" and "meet" not in path.lower():
        return None
    if host == "jitsi.org" or (not segments and host == "meet.google.com"):
        return None
    return "url", 0.95


# developers.facebook.com/docs/whatsapp, help.calendly.com/hc/...: a service's own docs/help.
_DOC_PREFIXES = ("docs.", "developer.", "developers.", "help.", "support.", "learn.")
_ZOOM = frozenset(("zoom.us", "zoom.com", "zoomgov.com"))
_ZOOM_PATHS = frozenset(("j", "my", "s", "w", "wc", "meeting", "join"))


def _classify_social(
    host: str, segments: list[str], first: str, query: str
) -> tuple[str, float] | None:
    if not segments and not query:
        return None
    if host_in(host, ("wa.me", "wa.link", "t.me", "telegram.me", "telegram.dog", "m.me")):
        return ("messenger", 0.95) if first not in {"share", "iv"} else None
    if host_in(host, ("whatsapp.com",)):
        if host.startswith(("api.", "chat.", "web.")) or first in {"send", "message", "channel"}:
            return "messenger", 0.95
        return None
    if host_in(host, ("linkedin.com",)):
        return (
            ("messenger", 0.9) if first in {"in", "pub", "profile"} and len(segments) > 1 else None
        )
    if host_in(host, ("discord.com", "discordapp.com")):
        return ("messenger", 0.9) if first in {"invite", "users"} else None
    if host_in(host, ("telegram.org", "skype.com", "viber.com", "wechat.com")):
        return None  # the vendor's own site: a brand mention
    if host_in(
        host,
        (
            "x.com",
            "twitter.com",
            "instagram.com",
            "facebook.com",
            "fb.com",
            "threads.net",
            "threads.com",
            "tiktok.com",
            "vk.com",
            "ok.ru",
            "bsky.app",
            "mastodon.social",
            "snapchat.com",
        ),
    ):
        if first == "profile.php" and "id=" in query:
            return "messenger", 0.9
        if first in _NOT_PROFILE or not _HANDLE.fullmatch(first):
            if first == "add" and len(segments) > 1:  # snapchat.com/add/<name>
                return "messenger", 0.9
            if first == "profile" and len(segments) > 1:  # ok.ru/profile/<id>, bsky profile
                return "messenger", 0.9
            return None
        if len(segments) > 1 and segments[1].lower() in {
            "status",
            "statuses",
            "post",
            "posts",
            "video",
            "videos",
            "photo",
            "photos",
        }:
            return None  # one post: content being discussed, not a profile offered
        return "messenger", 0.85
    return "messenger", 0.9


def is_work_link(host: str) -> bool:
    """Hosts of the work product or its context (repositories, designs, previews, docs)."""
    return category(host) == "work" or host.startswith(("docs.", "developer.", "developers."))


# A business's social account as the subject of the work ("schedule posts for the client's
# Facebook page", "grow our Instagram @acme_bakery"), as opposed to a person offering theirs.
_WORK_SOCIAL = re.compile(
    folded_pattern(
        r"\b(?:manage|managing|grow|growing|posts?|posting|content|followers|feed|audit|"
        r"campaigns?|ads|marketing|brand|engagement|reels|stories|schedule|scheduling|"
        r"analytics|insights|strategy|page|our|client'?s|company'?s|shop'?s|store'?s|"
        r"business'?s|widget|pixel|embed|banner|header|cover)\b"
    )
)
_FIRST_PERSON = re.compile(
    folded_pattern(
        r"\b(?:me|my|mine|dm|pm|message|contact|add|follow me|write|text|reach|ping|mi|meu|"
        r"minha|mon|ma|mein|meine|мне|мой|моя|меня)\b"
    )
)


def work_social(text: str, start: int, end: int) -> bool:
    """A business's social account as the subject of the work, nobody invited to write."""
    window = text[max(0, start - 80) : min(len(text), end + 80)]
    return bool(_WORK_SOCIAL.search(window)) and not _FIRST_PERSON.search(window)
