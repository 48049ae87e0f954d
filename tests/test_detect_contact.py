"""Contact detectors (guideline section 2): e-mails, phones, URLs, messengers, invitations.

Each detector is tested on its own over a ScanDoc: positives must produce a finding of the
expected kind whose span maps back to the original text and covers the key characters;
negatives must produce no contact finding of that detector at all.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gateway.scanning import emails, messengers, phones, spelled, urls
from gateway.scanning.document import ScanContext, ScanDoc
from gateway.scanning.normalize import fold

CONTEXT = ScanContext(
    own_domains=("gigbridge.io", "relay.gigbridge.io"),
    work_domains=("acme-shop.com",),
    own_addresses=("ann-lee.7f3a@relay.gigbridge.io",),
)
DETECTORS = (emails, phones, urls, messengers)


def findings(module, text: str, context: ScanContext = CONTEXT):
    """Run one detector over `text` and check every span against the original text."""
    doc = ScanDoc("body", text, context)
    # The private entry point raises on a bug; detect() itself never raises (it logs nothing
    # and returns no findings), so the tests call both.
    assert list(module._detect(ScanDoc("body", text, context))) is not None
    found = list(module.detect(doc))
    for f in found:
        assert f.category == "contact"
        assert f.detector == module.NAME
        assert 0 <= f.start < f.end <= len(text)
        assert text[f.start : f.end] == f.text
        assert 0.0 <= f.confidence <= 1.0
    return found


def assert_found(module, text: str, kind: str, key: str) -> None:
    found = [f for f in findings(module, text) if f.kind == kind]
    assert found, f"no {kind} in {text!r}"
    assert any(key in fold(f.text).text.replace(" ", "") or key in f.text for f in found), (
        f"{key!r} not inside {[f.text for f in found]}"
    )


# ---------------------------------------------------------------------------------------------
# E-mail addresses
# ---------------------------------------------------------------------------------------------

EMAIL_POSITIVES = [
    ("Write me at anna.lee88@gmail.com", "anna.lee88@gmail.com"),
    ("anna at gmail dot com", "gmail"),
    ("anna(at)gmail(dot)com", "gmail"),
    ("anna [at] protonmail [dot] com", "protonmail"),
    ("anna {at} outlook {dot} com", "outlook"),
    ("john [at] acme [.] io", "acme"),
    ("rahul.sharma at the rate gmail dot com", "rahul.sharma"),
    ("mi correo es ana.garcia arroba gmail punto com", "ana.garcia"),
    ("mon mail: jean arobase orange point fr", "orange"),
    ("пишите: anna собака mail точка ru", "anna"),
    ("Ich bin unter anna.mueller ät web punkt de erreichbar", "anna.mueller"),
    ("a n n @ g m a i l . c o m", "ann@gmail.com"),
    ("a n n (at) g m a i l (dot) c o m", "g"),
    ("ａｎｎａ＠ｇｍａｉｌ．ｃｏｍ", "anna@gmail.com"),
    ("аnnа@gmаil.cоm (Cyrillic a and o)", "@"),
    ("an\u200bna@gm\u200bail.com", "@"),
    ("anna.lee @ gmail.com", "gmail"),
    ("<a href='mailto:anna.lee@gmail.com'>write to me</a>", "anna.lee@gmail.com"),
    ("mailto:anna%40gmail.com", "gmail.com"),
    ("my gmail is marco.rinaldi88", "marco.rinaldi88"),
    ("hotmail: x_y", "x_y"),
    ("outlook — anna.k", "anna.k"),
    ("mi gmail es ana_garcia99", "ana_garcia99"),
    ("reach me: anna.k at gmail", "anna.k"),
    ("marco88@gmail (no dot com, you know the rest)", "marco88"),
    ("Моя почта на Яндексе — ivan.petrov.dev, кидайте макеты туда.", "ivan.petrov.dev"),
    ("anna . lee @ gmail . com", "anna"),
    ("On Tue, Anna <anna.lee@yahoo.com> wrote:", "anna.lee@yahoo.com"),
    ("Pay via PayPal to anna.lee@gmail.com", "anna.lee@gmail.com"),
    ("support@acme-consulting.co.uk for the invoice", "support@acme-consulting.co.uk"),
    ("私のメールは taro.yamada あっと gmail.com です", "あっと"),
]


@pytest.mark.parametrize(("text", "key"), EMAIL_POSITIVES)
def test_email_positives(text, key):
    """Plain, obfuscated, homoglyph, fullwidth, zero-width, mailto and provider+user e-mails."""
    assert_found(emails, text, "email", key)


EMAIL_NEGATIVES = [
    "Write to support@gigbridge.io or reply to ann-lee.7f3a@relay.gigbridge.io",
    "Use test@example.com and qa@staging.example as fixtures",
    "user@localhost and admin@site.test and x@foo.invalid",
    "Pay to rahul@okhdfcbank or name@ybl or shop@paytm",
    "Send it to my UPI anna@oksbi",
    "the retina asset is logo@2x.png and icon@3x.webp",
    "git clone git@github.com:acme/shop.git",
    "Notifications come from noreply@github.com",
    "<img src='cid:image001.png@01D9A1B2.C3D4E5F0'>",
    "I work at google.com now",
    "We met at acme.com's office",
    "book at calendly.com/anna-lee",
    "the outlook for 2025.3 is good",
    "my gmail is broken since Monday",
    "The @media query and @import rule",
    "npm i @angular/core@15.2.0",
    "Cashtag $annalee for tips",
    "会議は午後3時にあっという間に終わった。",
]


@pytest.mark.parametrize("text", EMAIL_NEGATIVES)
def test_email_negatives(text):
    """Own/reserved domains, UPI IDs, file names, git remotes, no-reply, bare 'at' in prose."""
    assert findings(emails, text) == []


# ---------------------------------------------------------------------------------------------
# Phone numbers
# ---------------------------------------------------------------------------------------------

PHONE_POSITIVES = [
    ("Call me at (415) 555-2671 tomorrow", "2671"),
    ("my cell +44 7700 900123", "900123"),
    ("WhatsApp: +55 11 98765-4321", "98765"),
    ("mi número es 612 345 678", "612"),
    ("appelle-moi au 06 12 34 56 78", "06"),
    ("appelle-moi au 06.12.34.56.78", "78"),
    ("ruf mich an: 0151 23456789", "0151"),
    ("звони +7 916 123-45-67", "916"),
    ("tel: +49 (0) 30 1234567", "1234567"),
    ("my no. 9876543210", "9876543210"),
    ("Rahul\n9876543210\n", "9876543210"),
    ("call five five five, one two three, four five six seven", "five"),
    ("plus vier neun eins fünf eins zwei drei vier fünf sechs sieben acht neun", "plus"),
    ("my number: nine eight double seven six five four three two one", "double"),
    ("meu zap: onze nove oito sete seis cinco quatro três dois um", "onze"),
    ("восемь девятьсот шестнадцать сто двадцать три сорок пять шестьдесят семь", "восемь"),
    ("zéro six douze trente-quatre cinquante-six soixante-dix-huit", "six"),
    ("+1 415 five five five 2671", "2671"),
    ("+1 415 55O 2671", "55O"),
    ("4l5-555-2671 call me", "4l5"),
    ("+44 7700\nand the rest: 900123", "900123"),
    ("Ｃａｌｌ ＋１ ４１５ ５５５ ２６７１", "２６７１"),
    ("call +९१ ९८७६५ ४३२१०", "४३२१०"),
    ("4️⃣1️⃣5️⃣ 5️⃣5️⃣5️⃣ 2️⃣6️⃣7️⃣1️⃣ call", "4"),
    ("+4\u200b4 77\u200b00 900\u200b123", "900"),
    ("Call me: 020 7946 0958", "7946"),
    ("Zelle me at (415) 555-2671", "2671"),
    ("role,name,phone\nphotographer,Chris Nolan,310-582-7394\n", "7394"),
    ("Comunque il mio numero è 338 472 1956.", "1956"),
    ("Reach me on O7893 2l5674 if the relay drops my replies", "O7893"),
    ("P.S. text me: nine 1 seven - 48two - 66 one three", "48two"),
    ("my phone starts with +44 7911 and ends with 123456", "123456"),
    ("Just ping me: +1-917-555-0188", "0188"),
    ("My number: nine one seven, five five five, zero one nine nine", "nine"),
    # a local number without its area code, offered as the author's own
    ("ring me on 555-0199 tonight", "0199"),
    ("Call me at 867-5309 after six.", "5309"),
    ("my cell is 555 0199, any time", "0199"),
    ("call me at eight six seven five three oh nine", "eight"),
    ("연락처: 010-1234-5678 카톡 주세요", "5678"),
]


@pytest.mark.parametrize(("text", "key"), PHONE_POSITIVES)
def test_phone_positives(text, key):
    """Numbers of many countries: formatted, spelled in six languages, letters for digits,
    split in two pieces, fullwidth/Devanagari/keycap digits, zero-width characters."""
    assert_found(phones, text, "phone", key)


PHONE_NEGATIVES = [
    "Invoice 4155552671 is due",
    "Order #4839201746 shipped today",
    "order number: 4839201746",
    "Ticket 2024-0042 and milestone 3",
    "ad account 123-456-7890",
    "Google Ads customer ID: 123-456-7890",
    "ISBN 978-3-16-148410-0",
    "VAT DE123456789, SIRET 732 829 320 00074",
    "CNPJ 11.222.333/0001-81",
    "INN 7707083893",
    "GSTIN 27AAPFU0939F1ZV",
    "tracking 9400111899223856925",
    "Total: $1,250,000.00",
    "price 1.250.000 €",
    "budget 2 500 000 руб",
    "Meeting on 2024-05-01 at 14:30",
    "dates 01/05/2024 - 15/05/2024",
    "server 192.168.100.200",
    "version 10.4.1234567 build 20240501",
    "colour #1a73e8 and hash 3f9c2e1a7b",
    "fixture phone: '+44 7700 900123' for tests",
    'test data: phone = "020 7946 0958"',
    "Sample: (415) 555-0199 in the form placeholder",
    "use 415-555-0123 as the example number",
    "https://app.gigbridge.io/contracts/4155552671",
    "see https://acme-shop.com/products/4155552671",
    "card 4242 4242 4242 4242 exp 12/34",
    "years 2019-2024 and 1999 - 2005",
    "We shipped 12 345 678 units",
    "Le devis n° 2024-118, TVA FR 12 345678901.",
    "o CNPJ da empresa é 24.508.943/0001-98 e o CEP é 01310-100.",
    "IBAN ＮＬ１３　ＲＡＢＯ　９９７９　８０８４　４６",
    "UPS 1Z 9X4 27E 03 9184 6372. They should arrive by Thursday.",
    "le menu marche sur mobile.\n\nLa commande n° 0612874395 est bloquée",
    "Order 1234 was fine and then 5678 after",
    # seven digits without a first-person phone phrase, or as sample data
    "phone: 555-0199",
    "The build 867-5309 passed; call me if the next one fails.",
    "call me when ticket 555-0199 is closed",
    "In the fixture, call me at 555-0199 is the placeholder text",
    "Call me about invoice 867-5309 tomorrow",
    # a "+" number the numbering plan calls unassigned, in a spec's sample data
    "Phone field validation should accept +44 7911 402 386 as input.",
    "주문번호 010-1234-5678 확인 부탁드립니다.",
    "I counted eight six seven five three oh nine items, call me later",
]


@pytest.mark.parametrize("text", PHONE_NEGATIVES)
def test_phone_negatives(text):
    """Prices, dates, IDs, account and tax numbers, IPs, versions, fictional sample data."""
    assert findings(phones, text) == []


# ---------------------------------------------------------------------------------------------
# URLs
# ---------------------------------------------------------------------------------------------

URL_POSITIVES = [
    ("join https://us02web.zoom.us/j/81234567890?pwd=abc", "url", "zoom.us/j"),
    ("meet.google.com/abc-defg-hij tomorrow", "url", "meet.google.com"),
    ("https://teams.microsoft.com/l/meetup-join/19%3ameeting_abc", "url", "teams"),
    ("whereby.com/anna-room", "url", "whereby"),
    ("https://meet.jit.si/AnnaRoom", "url", "jit.si"),
    ("book at calendly.com/anna-lee/30min", "url", "calendly"),
    ("hxxps://calendly[.]com/anna", "url", "calendly"),
    ("cal.com/anna", "url", "cal.com"),
    ("tidycal.com/annalee", "url", "tidycal"),
    ("bit.ly/3xYz12", "url", "bit.ly"),
    ("https://tinyurl.com/2p9x8abc", "url", "tinyurl"),
    ("linktr.ee/annalee", "url", "linktr.ee"),
    ("https://wa.me/447700900123", "messenger", "wa.me"),
    ("https://api.whatsapp.com/send?phone=447700900123", "messenger", "whatsapp"),
    ("t.me/anna_k", "messenger", "t.me"),
    ("(see https://t.me/anna).", "messenger", "t.me/anna"),
    ("discord.gg/abc123", "messenger", "discord"),
    ("linkedin dot com slash in slash anna-lee", "messenger", "linkedin"),
    ("https://www.linkedin.com/in/anna-lee-123/", "messenger", "linkedin"),
    ("instagram.com/anna.designs", "messenger", "instagram"),
    ("x.com/anna_dev", "messenger", "x.com"),
    ("facebook.com/profile.php?id=1000123", "messenger", "facebook"),
    ("m.me/anna.lee", "messenger", "m.me"),
    ("vk.com/id12345", "messenger", "vk.com"),
    ("calendly . com / anna-lee", "url", "calendly"),
    ("whatsapp://send?phone=447700900123", "messenger", "whatsapp"),
    ("ｗａ．ｍｅ／４４７７００９００１２３", "messenger", "ｗａ"),
    ("reach me via www.annlee.dev/contact", "url", "annlee.dev"),
    ("contact me through my site https://anna-lee.design", "url", "anna-lee.design"),
    ("feel free to reach me at anna-lee.design", "url", "anna-lee.design"),
    (
        "Am einfachsten erreichst du mich über meine Website studio-brandt.de/kontakt",
        "url",
        "kontakt",
    ),
    (
        "me manda uma mensagem pelo formulário do meu site: anasilva.design/contato",
        "url",
        "anasilva",
    ),
    ("Book a call with me: https://anna.example-consulting.io/book", "url", "book"),
    ("My portfolio with contact form: https://jonrees.carrd.co", "url", "jonrees.carrd.co"),
]


@pytest.mark.parametrize(("text", "kind", "key"), URL_POSITIVES)
def test_url_positives(text, kind, key):
    """Meeting rooms, booking pages, shorteners, messenger/profile links, invited sites."""
    assert_found(urls, text, kind, key)


URL_NEGATIVES = [
    "see https://github.com/acme/shop/pull/42",
    "preview: https://acme-shop-git-main.vercel.app",
    "staging at https://acme.netlify.app and https://acme-api.herokuapp.com",
    "figma.com/file/abc123/Design",
    "vimeo.com/123456789",
    "https://docs.google.com/document/d/1abc/edit",
    "https://drive.google.com/file/d/1abc/view",
    "https://app.gigbridge.io/contracts/123",
    "http://example.com/foo and https://api.test/v1",
    "our site acme-bakery.com needs a new checkout",
    "the contact form at acme-bakery.com/contact is broken",
    "The contact form on our site acme-bakery.com/contact is broken, can you fix it?",
    "https://twitter.com/anna/status/123456",
    "instagram.com/p/Cxyz123",
    "facebook.com/sharer/sharer.php?u=x",
    "https://www.linkedin.com/company/acme",
    "https://telegram.org/blog",
    "https://acme-shop.com/checkout",
    "readthedocs: https://requests.readthedocs.io/en/latest/",
    "Calendly integration for calendly.com customers",
    "zoom.us pricing page",
    "Please schedule posts for the client's Facebook page facebook.com/acmebakery",
    "The client's site has a contact form that breaks: https://bakery-berlin.de",
    "My portfolio with the case studies: https://jonrees.carrd.co",
]


@pytest.mark.parametrize("text", URL_NEGATIVES)
def test_url_negatives(text):
    """Work product, own/work/reserved domains, posts, company pages, bare brand sites."""
    assert findings(urls, text) == []


# ---------------------------------------------------------------------------------------------
# Messenger handles and off-platform invitations
# ---------------------------------------------------------------------------------------------

MESSENGER_POSITIVES = [
    ("telegram: @anna_k", "messenger", "@anna_k"),
    ("my telegram is annak88", "messenger", "annak88"),
    ("find me on insta @anna.designs", "messenger", "@anna.designs"),
    ("WhatsApp +55 11 98765-4321", "messenger", "98765"),
    ("Wh@tsApp: +44 7700 900123", "messenger", "900123"),
    ("+55 11 98765-4321 (zap)", "messenger", "zap"),
    ("@anna_k on Telegram", "messenger", "@anna_k"),
    ("Skype: live:.cid.123abc", "messenger", "live:"),
    ("Skype id: anna.lee", "messenger", "anna.lee"),
    ("discord anna#1234", "messenger", "anna#1234"),
    ("вотсап +7 916 123 45 67", "messenger", "916"),
    ("телега @anna_dev", "messenger", "@anna_dev"),
    ("wsp +57 300 1234567", "messenger", "300"),
    ("WeChat ID: anna_lee88", "messenger", "anna_lee88"),
    ("viber +380 67 123 4567", "messenger", "380"),
    ("Message me on WhatsApp please", "off_platform_request", "WhatsApp"),
    ("let's move this to email", "off_platform_request", "email"),
    ("Let's continue on Telegram", "off_platform_request", "Telegram"),
    ("can we talk on Signal?", "off_platform_request", "Signal"),
    ("search my full name on LinkedIn and message me there", "off_platform_request", "LinkedIn"),
    ("look me up on LinkedIn", "off_platform_request", "LinkedIn"),
    ("send me your number", "off_platform_request", "number"),
    ("What's your WhatsApp?", "off_platform_request", "WhatsApp"),
    ("I'll send you my personal email", "off_platform_request", "email"),
    ("contact me directly", "off_platform_request", "directly"),
    ("let's talk outside of Upwork", "off_platform_request", "Upwork"),
    ("pásame tu número", "off_platform_request", "número"),
    ("hablemos por whatsapp", "off_platform_request", "whatsapp"),
    ("me chama no zap", "off_platform_request", "zap"),
    ("me manda o seu zap", "off_platform_request", "zap"),
    ("écris-moi sur WhatsApp", "off_platform_request", "WhatsApp"),
    ("continuons sur Telegram", "off_platform_request", "Telegram"),
    ("schreib mir auf Telegram", "off_platform_request", "Telegram"),
    ("Lass uns per WhatsApp weiterschreiben", "off_platform_request", "WhatsApp"),
    ("напиши мне в телегу", "off_platform_request", "телегу"),
    ("давайте перейдем в телеграм", "off_platform_request", "телеграм"),
    ("scrivimi su WhatsApp", "off_platform_request", "WhatsApp"),
    ("whatsapp karo", "off_platform_request", "whatsapp"),
    ("apna number bhejo", "off_platform_request", "number"),
    ("For the factory it's easier on WeChat, my ID is mtan_design88.", "messenger", "mtan"),
    ("Su X sono @gio_codes, i DM sono aperti.", "messenger", "@gio_codes"),
    ("LINE ID: yuki_tanaka", "messenger", "yuki_tanaka"),
    ("Cherche « Camille Durand » sur Instagram et écris-moi là-bas", "off_platform_request", "là"),
    ("I'm on Upwork too - message me over there instead", "off_platform_request", "there"),
    ("the contact form on our site reaches me directly", "off_platform_request", "directly"),
    ("Se quiser conversar fora daqui, me manda uma mensagem", "off_platform_request", "fora"),
    ("I'd rather not use this site, email me at my gmail instead", "off_platform_request", "gmail"),
    ("My number is in my profile pic, text me there", "off_platform_request", "profile"),
    ("Können wir auf WhatsApp weiterschreiben?", "off_platform_request", "WhatsApp"),
    ("¿Me pasas tu WhatsApp?", "off_platform_request", "WhatsApp"),
    ("hmu on insta", "off_platform_request", "insta"),
    (
        "I'm Jon Rees on LinkedIn, connect with me there and we'll talk.",
        "off_platform_request",
        "connect with me there",
    ),
    ("message me on tele: @jon_rees", "off_platform_request", "tele"),
]


@pytest.mark.parametrize(("text", "kind", "key"), MESSENGER_POSITIVES)
def test_messenger_positives(text, kind, key):
    """Brand (any spelling) with a handle or number; explicit invitations in 8 languages."""
    assert_found(messengers, text, kind, key)


MESSENGER_NEGATIVES = [
    "add a WhatsApp button to the shop",
    "post the report to our Telegram channel",
    "please don't send me your WhatsApp, let's stay here",
    "let's keep it here",
    "don't move off the platform",
    "contacting outside the platform is not allowed",
    "grow our Instagram @acme_bakery with more posts",
    "build a Telegram bot @acme_orders_bot",
    "the client's WhatsApp Business API integration",
    "whatsapp is down today",
    "telegram is better than whatsapp for notifications",
    "my whatsapp number is 2024 version",
    "We use Slack and Zoom internally; the signal strength was low",
    "Line 42 of the config has a typo",
    "reply to this email with the files",
    "I'll email you the report tomorrow",
    "no me mandes tu número, sigamos por aquí",
    "не пиши мне в телегу, давай здесь",
    "Let's switch to email notifications for order updates (the shop's feature).",
    "message me on gigbridge",
    "Hi @john, please review the PR.",
    "Set WHATSAPP_TOKEN=abc123 and TELEGRAM_CHAT_ID=-1001234567890 in .env",
    "Post the update on LinkedIn and tag me there.",
    "We launched the LinkedIn page; the client will add the team there next week.",
    "I'll watch the match on tele tonight.",
    "My brother works in tele sales.",
]


@pytest.mark.parametrize("text", MESSENGER_NEGATIVES)
def test_messenger_negatives(text):
    """Brand named without handle or invitation, negated or refused invitations."""
    assert findings(messengers, text) == []


# ---------------------------------------------------------------------------------------------
# Views and properties
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "view"),
    [
        ("anna(at)gmail(dot)com", "anna@gmail.com"),
        ("a n n @ g m a i l . c o m", "ann@gmail.com"),
        ("calendly[.]com/anna", "calendly.com/anna"),
        ("linkedin dot com slash in slash anna", "linkedin.com/in/anna"),
        ("anna собака mail точка ru", "anna@mail.ru"),
    ],
)
def test_address_view_writes_obfuscations_plainly(text, view):
    """The de-obfuscation view turns spelled '@', '.', '/' into the symbols."""
    assert spelled.address_view(ScanDoc("body", text)).text == view


@pytest.mark.parametrize(
    ("text", "digits"),
    [
        ("five five five one two three four five six seven", "5551234567"),
        ("plus vier neun eins fünf eins zwei drei", "+4915123"),
        ("double seven triple five one two", "7755512"),
        ("nueve uno uno dos tres cuatro cinco", "9112345"),
        ("oito sete seis cinco quatro três dois", "8765432"),
    ],
)
def test_number_runs_turn_words_into_digits(text, digits):
    """Spelled digits in several languages become one digit string."""
    runs = spelled.number_runs(ScanDoc("body", text))
    assert [r.digits for r in runs] == [digits]


def test_spans_point_into_the_original_text():
    """A finding in folded/obfuscated text still names the exact characters the author wrote."""
    text = "Hi!\n\nMy mail: ａｎｎａ (at) ｇｍａｉｌ (dot) ｃｏｍ — thanks"
    (found,) = findings(emails, text)
    assert found.text == "ａｎｎａ (at) ｇｍａｉｌ (dot) ｃｏｍ"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=300))
def test_any_text_gives_spans_inside_it_and_never_raises(text):
    """For any text, every detector returns findings whose spans lie inside the text."""
    for module in DETECTORS:
        findings(module, text)


_PIECES = st.sampled_from(
    [
        " at ",
        "(at)",
        " dot ",
        "[.]",
        "@",
        "+44",
        " 7700 ",
        "900123",
        "five",
        " five ",
        "whatsapp",
        " me ",
        "telegram:",
        "@anna",
        "gmail",
        "calendly.com/",
        "wa.me/",
        " ",
        "\n",
        "ａ",
        "\u200b",
        "0",
        "9",
        "-",
        ".",
        "(",
        ")",
        "skype:",
        "live:",
        "my number",
        "send me your",
        "on",
        "zap",
        "o",
        "l",
    ]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_PIECES, max_size=40).map("".join))
def test_contact_like_text_gives_spans_inside_it(text):
    """Texts built from the detectors' own trigger pieces: spans stay inside, nothing raises."""
    for module in DETECTORS:
        findings(module, text)


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("ping me: jordan_kim#4821 on discord", True),
        ("add me on discord: jordan_kim#4821", True),
        ("build#4821 on jenkins failed again", False),
        ("the bug is ticket_v2#1234, raised in our discord server", False),
    ],
)
def test_discord_tags_before_or_after_the_brand(text: str, found: bool) -> None:
    """A Discord "name#1234" tag is a messenger handle on either side of the brand, and only for Discord."""
    hits = [f for f in messengers.detect(ScanDoc("p", text)) if f.kind == "messenger"]
    assert bool(hits) is found
    for hit in hits:
        assert text[hit.start : hit.end] == hit.text
        assert "#" in hit.text


# Found by probing with fresh sentences (not in the corpus) after the speed work.


@pytest.mark.parametrize(
    "text", ["Call: ➍➊➎ ➑➑➋ ➒⓿➊➐", "text me ❹❶❺-❽❽❷-❾⓿❶❼", "ring ➃➀➄ ➇➇➁ ➈⓪➀➆"]
)
def test_circled_dingbat_digits_are_digits(text):
    assert fold("❶➀➊⓵").text == "1111"
    assert [f.kind for f in findings(phones, text)] == ["phone"]


def test_circled_dingbat_list_markers_are_not_a_number():
    assert findings(phones, "Steps: ❶ design ❷ build ❸ test, due 2024-12-01") == []


@pytest.mark.parametrize(
    ("text", "covers"),
    [
        ("my portfolio & contact page: hxxps://danaux[.]design/contact", "danaux[.]design"),
        ("all my work is on lena-builds dot studio, write there", "lena-builds dot studio"),
        ("Mi web personal: hxxp://carlos-ux.dev", "carlos-ux.dev"),
    ],
)
def test_a_defanged_personal_site_offered_is_a_url(text, covers):
    found = findings(urls, text)
    assert [f.kind for f in found] == ["url"]
    assert covers in found[0].text


@pytest.mark.parametrize(
    "text",
    [
        "The phishing page hxxps://evil-login[.]com/reset was reported to the host.",
        "The client's old domain hxxps://acme-old[.]design expired last week.",
        "my e-mail is dan.whitaker84 at gmail dot com",  # the e-mail's domain is not a site
        "Join us on zoom dot us when the client is ready",  # a service's bare name
    ],
)
def test_defanged_links_without_an_offer_stay_quiet(text):
    assert [f for f in findings(urls, text) if f.kind == "url"] == []


def test_spelled_italian_number_tries_more_regions_next_to_a_phone_word():
    found = findings(phones, "Numero: tre tre otto, quattro sette due, uno nove cinque sei")
    assert [f.kind for f in found] == ["phone"]


@pytest.mark.parametrize(
    "text",
    ["Contact: sophie&#64;laposte&#46;net", "mail: sophie&commat;laposte&period;net"],
)
def test_character_references_in_plain_text_are_an_address(text):
    found = findings(emails, text)
    assert [f.kind for f in found] == ["email"]
    assert found[0].text.startswith("sophie&")


@pytest.mark.parametrize(
    "text", ["paytm karo 9876543210 pe", "Zelle 4158829017 tonight", "Bizum al 612345678"]
)
def test_a_number_after_an_app_that_pays_to_phones_is_a_phone(text):
    assert [f.kind for f in findings(phones, text)] == ["phone"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("my ig is lina.paints — follow and DM", ["messenger"]),
        ("my tg: anna_k", ["messenger"]),
        ("my wa is anna.k", ["messenger"]),
        ("ig: lina.paints", []),  # no possessive: the short brand stays strict
        ("in my line: foo_bar.py crashes", []),  # "line" is an English word
        ("my fb is config.json", []),  # a file name is no handle
    ],
)
def test_a_short_slang_brand_with_my_and_a_marked_handle(text, expected):
    assert [f.kind for f in findings(messengers, text)] == expected


@pytest.mark.parametrize(
    "text", ["4one5 88two 9o17 is my cell", "call me: 4one5 882 9017", "my number: two88 415 9017"]
)
def test_common_number_words_glued_to_digits_next_to_a_phone_word(text):
    assert [f.kind for f in findings(phones, text)] == ["phone"]


def test_glued_number_words_without_a_phone_word_stay_quiet():
    assert findings(phones, "I need 2two-column layouts and the 3two1 countdown") == []


# --- found by the probe corpus (tests/probe, written from the guideline only) ------------------


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("anna.reyes ⓐ gmail.com", "gmail.com"),  # circled "a" written for "@"
        ("Napisz do mnie: jan.kowalski małpa wp kropka pl", "wp"),  # Polish
        ("Mail me op pieter.devries apenstaartje ziggo punt nl", "ziggo"),  # Dutch
    ],
)
def test_more_ways_to_write_at_and_dot(text, key):
    assert_found(emails, text, "email", key)


@pytest.mark.parametrize(
    "text",
    [
        "same username as here, at gmail. write me there",
        "It's the same user name as on this site, at yahoo",
        "my mail: same handle as in my profile, on outlook",
    ],
)
def test_the_platform_user_name_at_a_mail_provider_is_an_address(text):
    assert_found(emails, text, "email", "same")


@pytest.mark.parametrize(
    "text",
    [
        "we use the same name as here for the gmail integration module",
        "same username as here; the gmail account is the client's, not mine",
    ],
)
def test_same_name_without_at_a_provider_is_no_address(text):
    assert findings(emails, text) == []


def test_dutch_punt_alone_makes_no_address():
    assert findings(emails, "we punt on this until monday, let me know") == []


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Easier on discord, I'm pixelfox#4821", "pixelfox#4821"),
        ("加我微信号：liwei_8866，方便沟通", "liwei_8866"),  # Chinese: no spaces around the brand
        ("我的微信是 liwei_8866", "liwei_8866"),
    ],
)
def test_messenger_handles_found_by_the_probe(text, key):
    assert_found(messengers, text, "messenger", key)


def test_a_messenger_id_in_my_profile_is_an_invitation():
    text = "my discord is in my profile bio, add me and we'll chat there"
    assert_found(messengers, text, "off_platform_request", "discord")


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("رقمي ٠٥٠١٢٣٤٥٦٧ اتصل بي", "٠٥٠١٢٣٤٥٦٧"),  # Arabic phone words, Arabic-Indic digits
        ("area code 415, then 872 3309. evenings are best", "8723309"),  # two pieces
    ],
)
def test_phones_found_by_the_probe(text, key):
    assert_found(phones, text, "phone", key)


@pytest.mark.parametrize(
    "text",
    [
        "Store list: 233 S Wacker Dr, Chicago IL 60606-6306.",  # ZIP+4 after a state code
        "Rechnung Nr. 2026-031-4471 zu Bestellnummer 0123456789 ist hinterlegt.",
        "During 0123456789 the export ran twice",  # "during" holds no phone word "ring"
        "first part DE23 2004 1155, and the rest is 0612 3456 73",  # an IBAN's second piece
        "رقم الطلب 4829301756 تم شحنه",  # Arabic "order number": a bare "number" is no phone word
    ],
)
def test_numbers_that_are_not_phones_found_by_the_probe(text):
    assert findings(phones, text) == []


def test_zip4_needs_a_state_code_and_a_brazilian_mobile_stays_a_phone():
    assert_found(phones, "me liga 98765-4321", "phone", "98765-4321")


@pytest.mark.parametrize(
    "text",
    [
        "WhatsApp Business API: docs at developers.facebook.com/docs/whatsapp",
        "Embed a Calendly widget; docs: help.calendly.com/hc/en-us",
        "Zoom SDK notes: support.zoom.us/hc/en-us/articles/201362193",
    ],
)
def test_a_services_documentation_is_no_contact_link(text):
    assert findings(urls, text) == []


def test_a_site_preferred_to_the_platform_is_offered_to_get_in_touch():
    text = "contact form on janedoe.design works better than this inbox"
    assert_found(urls, text, "url", "janedoe.design")
    assert findings(urls, "the client's shop acme-bakery.com is faster than this one") == []
    assert findings(urls, "Our new site acme-bakery.com loads faster than the app") == []


# --- found by probe2 (tests/probe2, a second corpus written from the guideline only) ----------


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("有问题可以直接打我手机：138 1234 5678", "13812345678"),
        ("مرحبا، يمكنك التواصل معي على الرقم ٠٥٠١٢٣٤٥٦٧ للتفاصيل.", "0501234567"),
    ],
)
def test_chinese_and_arabic_phone_words(text, key):
    assert_found(phones, text, "phone", key)


def test_a_number_in_chinese_or_japanese_numerals():
    assert_found(
        phones, "お急ぎの場合はお電話ください。〇九〇-四四一二-八八七三", "phone", "〇九〇"
    )
    assert findings(phones, "第一二三四五六七八九章") == []


def test_a_plus_number_the_plan_calls_unassigned_is_a_phone_with_a_phone_word():
    assert_found(phones, "call +44 7911 402 386", "phone", "+447911402386")
    assert findings(phones, "Our price +44 7911 402 386") == []


def test_a_plus_number_in_a_csv_row():
    assert_found(phones, "1,2026-04-20,400,+61 412 889 305", "phone", "+61412889305")


@pytest.mark.parametrize(
    "text",
    [
        "Landing page design           1    850.00   850.00",  # an invoice row of amounts
        "transfer ke BCA 8720 4415 91 a.n. Budi Santoso",  # an Indonesian bank account
    ],
)
def test_amount_rows_and_account_numbers_are_not_phones(text):
    assert findings(phones, text) == []


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Skype works for me - live:.cid.7f3a9c21b04e", "live:.cid.7f3a9c21b04e"),
        ("Send the env file over Signal instead, my username is tomh.42", "tomh.42"),
    ],
)
def test_a_handle_a_few_words_after_the_messenger(text, key):
    assert_found(messengers, text, "messenger", key)


@pytest.mark.parametrize(
    "text",
    [
        "Signal processing, the user id is x_1",
        "The Telegram bot id is bot_4821.x",
    ],
)
def test_ids_near_a_messenger_word_that_are_not_offered(text):
    assert findings(messengers, text) == []


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Napisz do mnie na Telegramie: @kuba_dev", "@kuba_dev"),  # Polish case ending
        ("请加我微信 wxid_abc123 详聊", "wxid_abc123"),  # "add me on WeChat"
        ("LINEで連絡ください: yuki_0725", "yuki_0725"),  # brand glued to Japanese
        ("LINEでも連絡できます。ID: mika_0912", "mika_0912"),  # the ID after the sentence end
    ],
)
def test_messengers_in_polish_chinese_japanese(text, key):
    assert_found(messengers, text, "messenger", key)


@pytest.mark.parametrize(
    "text",
    [
        "我们需要开发微信小程序，加微信支付功能，文档 api_v3",
        "LINEで通知を送る機能を追加してください。ID: notify_v2",
        "WhatsAppie nie piszę, zostańmy tutaj.",
    ],
)
def test_messenger_work_in_chinese_japanese_polish_stays_quiet(text):
    assert findings(messengers, text) == []


def test_a_payment_app_to_a_phone_is_a_phone_word():
    assert_found(phones, "حول المبلغ على فودافون كاش 01012345678", "phone", "01012345678")
