"""Positive for contact only: e-mail, phone, messenger, meeting/booking links, invitations (§2).

Every core is hand-written and labelled by SCANNING-GUIDELINE.md; nothing here proposes a
payment, so each case is contact=1, payment=0.
"""

from __future__ import annotations

from .case import Case


def C(lang: str, note: str, text: str = "", **kw: object) -> Case:
    """A contact-only case."""
    return Case(lang, 1, 0, note, text, **kw)  # type: ignore[arg-type]


ZW = "\u200b"

EMAIL = [
    # --- "at" / "dot" spelled out in several languages
    C(
        "en",
        "gmail address spelled 'at ... dot com'; obfuscated e-mail is contact (§2.1)",
        "Honestly the relay mail is slow for me. My personal email is dan.whitaker84 at gmail dot com, "
        "send the files there and I'll reply faster.",
        disguise="email-at-dot",
    ),
    C(
        "en",
        "address written with (at) and [dot]; obfuscated e-mail (§2.1)",
        "If the messages here keep getting delayed, reach me at sarah.koenig(at)outlook[dot]com.",
        where="ps",
        disguise="email-paren-at",
    ),
    C(
        "hi",
        "Hinglish 'at the rate ... dot com' e-mail (§2.1)",
        "Yahan attachment upload nahi ho raha. Aap mujhe seedha mail kar do: rahul.verma1992 at the rate "
        "gmail dot com, wahan se main files bhej dunga.",
        disguise="email-at-the-rate",
    ),
    C(
        "en",
        "Indian English 'at the rate' address in the signature; obfuscated e-mail (§2.1, §4)",
        "Mail id: priya.nair at the rate yahoo dot co dot in",
        where="sig",
        disguise="email-at-the-rate",
        sender=("Priya Nair", "priya.nair@yahoo.co.in"),
    ),
    C(
        "es",
        "address spelled 'arroba ... punto' in Spanish (§2.1)",
        "Por aquí los adjuntos pesados no llegan bien. Escríbeme a lucia punto fernandez arroba hotmail "
        "punto es y te mando los archivos originales.",
        disguise="email-at-dot",
    ),
    C(
        "pt",
        "address spelled 'arroba ... ponto com' in Portuguese (§2.1)",
        "Meu e-mail pessoal é joao.pereira arroba gmail ponto com, me manda por lá que eu respondo mais rápido.",
        disguise="email-at-dot",
        topic="design",
    ),
    C(
        "fr",
        "address with [at] and [point] in French (§2.1)",
        "Pour les fichiers sources, écris-moi directement : camille.durand [at] orange [point] fr",
        where="ps",
        disguise="email-paren-at",
    ),
    C(
        "de",
        "address with (ät) and (punkt) in German (§2.1)",
        "Schreib mir gern direkt an jonas.becker (ät) web (punkt) de, dann kann ich dir die großen "
        "Dateien schicken.",
        disguise="email-paren-at",
    ),
    C(
        "ru",
        "address spelled 'собака ... точка ru' in Russian (§2.1)",
        "Исходники здесь не пролезают по размеру. Пиши на почту: dmitry.sokolov собака yandex точка ru",
        disguise="email-at-dot",
    ),
    C(
        "it",
        "address spelled 'chiocciola ... punto it' in Italian (§2.1)",
        "I file grandi non passano da qui: scrivimi a giulia.romano chiocciola libero punto it e ti giro "
        "tutto.",
        disguise="email-at-dot",
    ),
    C(
        "de",
        "address spelled 'punkt ... at ... punkt de' (§2.1)",
        "Meine private Adresse: anna punkt schulz at posteo punkt de – da bin ich schneller erreichbar.",
        where="ps",
        disguise="email-at-dot",
    ),
    # --- spaced letters, homoglyphs, zero-width, fullwidth
    C(
        "en",
        "e-mail written with spaced letters (§2.1)",
        "easier if you email me directly: j o n a t h a n . r e e s @ g m a i l . c o m",
        disguise="email-spaced",
    ),
    C(
        "en",
        "e-mail with a Cyrillic 'а' in gmail (homoglyph) (§2.1)",
        "Can you send the invoice PDF and the logo files to mark.ellis@gmаil.com? The platform keeps "
        "stripping my attachments.",
        disguise="email-homoglyph",
    ),
    C(
        "pt",
        "e-mail with a Greek omicron in 'outlook' (homoglyph) (§2.1)",
        "Se preferir, fala comigo no ana.silva@outlοok.com, olho lá todo dia.",
        disguise="email-homoglyph",
        where="ps",
    ),
    C(
        "ru",
        "e-mail whose local part mixes Cyrillic look-alikes (homoglyph) (§2.1)",
        "Пишите лучше на olgа.smirnоva@mail.ru — тут уведомления приходят с опозданием.",
        disguise="email-homoglyph",
    ),
    C(
        "en",
        "e-mail broken up with zero-width spaces (§2.1)",
        f"My direct email: tom{ZW}.harper{ZW}@{ZW}gmail{ZW}.com - drop me a line there and we'll sort it.",
        disguise="email-zero-width",
    ),
    C(
        "de",
        "e-mail with word joiners / BOM characters inside (§2.1)",
        "Schick die Korrekturen bitte an lena.hoff\u2060mann@\ufeffgmx.\u2060de, das geht schneller.",
        disguise="email-zero-width",
    ),
    C(
        "en",
        "e-mail in fullwidth characters (§2.1)",
        "For anything urgent: ｋｅｎｊｉ．ｓａｔｏ＠ｇｍａｉｌ．ｃｏｍ",
        disguise="email-fullwidth",
        where="sig",
        sender=("Kenji Sato", "kenji.sato@gmail.com"),
    ),
    # --- HTML-only disguises
    C(
        "en",
        "e-mail written entirely as numeric HTML entities (§1 entities decoded, §2.1)",
        where="html",
        disguise="email-entities",
        html="<p>Write to me directly at "
        "&#109;&#46;&#116;&#97;&#110;&#46;&#119;&#111;&#114;&#107;&#64;&#103;&#109;&#97;&#105;&#108;"
        "&#46;&#99;&#111;&#109; and I will send the proposal.</p>",
    ),
    C(
        "de",
        "e-mail with &#64; and &#46; entities (§1, §2.1)",
        where="html",
        disguise="email-entities",
        html="<p>Meine Adresse für die Druckdaten: lena.hoffmann&#64;gmx&#46;de</p>",
    ),
    C(
        "fr",
        "e-mail with named entities &commat; and &period; (§1, §2.1)",
        where="html",
        disguise="email-entities",
        html="<p>Pour la suite, écris-moi sur chloe.lambert&commat;gmail&period;com.</p>",
    ),
    C(
        "es",
        "mailto: link behind the innocent anchor text 'aquí' (§1 link targets, §2.1)",
        where="html",
        disguise="email-mailto-anchor",
        html='<p>Si quieres los archivos en alta resolución, pídemelos <a href="mailto:carlos.mendoza@protonmail.com">aquí</a>.</p>',
        alt="Si quieres los archivos en alta resolución, pídemelos aquí.",
    ),
    C(
        "en",
        "mailto: link behind 'my portfolio' anchor text (§1, §2.1)",
        where="html",
        disguise="email-mailto-anchor",
        html='<p>You can see more of my work in <a href="mailto:olivia.grant@icloud.com?subject=Project">my portfolio</a> - just ask.</p>',
        alt="You can see more of my work in my portfolio - just ask.",
    ),
    C(
        "en",
        "e-mail split across <span>/<b> tags (§1, §2.1)",
        where="html",
        disguise="email-split-tags",
        html="<p>Reply to <span>olivia.grant</span><span>@</span><b>icloud</b><span>.com</span> "
        "instead of this thread, please.</p>",
    ),
    C(
        "pt",
        "e-mail split by an HTML comment and spans (§1, §2.1)",
        where="html",
        disguise="email-split-tags",
        html='<p>Meu e-mail: pedro<!-- -->.alves@<span style="color:#333">uol</span>.com<span>.br</span></p>',
    ),
    # --- provider + user name
    C(
        "en",
        "provider plus user name: 'my gmail is ...' (§2.1)",
        "My gmail is marco.rinaldi88 if you'd rather send the brief there.",
        disguise="email-provider-user",
        sender=("Marco Rinaldi", "marco.rinaldi88@gmail.com"),
    ),
    C(
        "es",
        "provider plus user name: 'mi hotmail es ...' (§2.1)",
        "Mi hotmail es sofi_ruiz93, agrégame y lo vemos por ahí con más calma.",
        disguise="email-provider-user",
    ),
    C(
        "ru",
        "provider plus user name: mailbox on Yandex (§2.1)",
        "Моя почта на Яндексе — ivan.petrov.dev, кидайте макеты туда.",
        disguise="email-provider-user",
    ),
    C(
        "de",
        "provider plus user name: 'GMX-Adresse' (§2.1)",
        "Meine GMX-Adresse ist k.schubert77, falls du mir die Dateien lieber dorthin schickst.",
        disguise="email-provider-user",
        where="ps",
    ),
    # --- plain addresses in various places
    C(
        "de",
        "plain e-mail in the signature (§2.1, §4)",
        "E-Mail: lukas@brandt-design.de",
        where="sig",
        disguise="email-plain",
        sender=("Lukas Brandt", "lukas@brandt-design.de"),
    ),
    C(
        "en",
        "plain e-mail in the Subject (§1 Subject is content, §2.1)",
        "Logo files - please send them to nina.k.design@gmail.com",
        where="subject",
        disguise="email-plain",
    ),
    C(
        "en",
        "e-mail in quoted reply text (§1 quoted text is content, §2.1)",
        "Also, my work address is grace.okafor@okafor-consulting.com, cc me there next time.",
        where="quote",
        disguise="email-plain",
    ),
    C(
        "en",
        "real (non-relay) address in the quote attribution line (§1 attribution is content, §2.1)",
        "On Mon, 9 Sep 2024 at 16:47, Marco Rinaldi <marco.rinaldi88@gmail.com> wrote:",
        where="attribution",
        disguise="email-attribution",
    ),
    C(
        "es",
        "real address in the Spanish quote attribution line (§1, §2.1)",
        "El lun, 9 sept 2024 a las 16:47, Valentina Gómez <vale.gomez@gmail.com> escribió:",
        where="attribution",
        disguise="email-attribution",
    ),
    C(
        "fr",
        "real address in the French quote attribution line (§1, §2.1)",
        "Le lun. 9 sept. 2024 à 16:47, Julien Moreau <julien.moreau@free.fr> a écrit :",
        where="attribution",
        disguise="email-attribution",
    ),
    # --- hidden HTML
    C(
        "en",
        "e-mail in a display:none span (§1 hidden HTML is content, §2.1)",
        where="hidden",
        disguise="email-hidden-display-none",
        html='<span style="display:none">contact me: emily.brooks@proton.me</span>',
    ),
    C(
        "es",
        "e-mail in white-on-white text (§1, §2.1)",
        where="hidden",
        disguise="email-hidden-white",
        html='<p style="color:#ffffff;background:#ffffff">escríbeme: javier.ortega.estudio@gmail.com</p>',
    ),
    C(
        "fr",
        "e-mail in zero font size text (§1, §2.1)",
        where="hidden",
        disguise="email-hidden-font0",
        html='<div style="font-size:0px;line-height:0">hugo.girard.motion@gmail.com</div>',
    ),
    C(
        "de",
        "e-mail inside an HTML comment (§1 comments are content, §2.1)",
        where="hidden",
        disguise="email-hidden-comment",
        html="<!-- privat: felix.wagner.foto@gmail.com (bitte direkt schreiben) -->",
    ),
    C(
        "en",
        "e-mail in a CSS content: string (§1, §2.1)",
        where="hidden",
        disguise="email-hidden-css",
        html='<style>.sig::after{content:"chris.nolan.dev@gmail.com"}</style><div class="sig"></div>',
    ),
    C(
        "pt",
        "e-mail positioned off-screen (§1, §2.1)",
        where="hidden",
        disguise="email-hidden-offscreen",
        html='<div style="position:absolute;left:-9999px">bia.santos.design@gmail.com</div>',
    ),
    C(
        "it",
        "e-mail with opacity:0 (§1, §2.1)",
        where="hidden",
        disguise="email-hidden-opacity",
        html='<span style="opacity:0">chiara.colombo.studio@gmail.com</span>',
    ),
    # --- attachments and nested messages
    C(
        "en",
        "e-mail inside a .txt attachment (§1 text attachments are content, §2.1)",
        "I put my notes for the kickoff in the attached file.",
        where="attach",
        disguise="email-plain",
        attach=[
            (
                "kickoff-notes.txt",
                "text/plain",
                "Kickoff notes\n- homepage first, then the shop\n- fonts: Inter + Lora\n\n"
                "Questions? Mail me directly: michael.tan.sg@gmail.com\n",
            )
        ],
    ),
    C(
        "it",
        "vCard attachment with an EMAIL line (§1 vCard is content, §2.1)",
        "Ti allego il mio biglietto da visita.",
        where="attach",
        disguise="email-vcard",
        attach=[
            (
                "giulia-romano.vcf",
                "text/vcard",
                "BEGIN:VCARD\nVERSION:3.0\nFN:Giulia Romano\nN:Romano;Giulia;;;\nTITLE:Graphic designer\n"
                "EMAIL;TYPE=INTERNET:giulia.romano@libero.it\nEND:VCARD\n",
            )
        ],
        sender=("Giulia Romano", "giulia.romano@libero.it"),
    ),
    C(
        "pt",
        "e-mail in a .csv attachment (§1, §2.1)",
        "Segue a planilha com os responsáveis de cada etapa.",
        where="attach",
        disguise="email-plain",
        attach=[
            (
                "responsaveis.csv",
                "text/csv",
                "etapa,responsavel,contato\nbriefing,Rafael,rafa.costa@bol.com.br\n"
                "layout,Rafael,rafa.costa@bol.com.br\nrevisao,Beatriz,\n",
            )
        ],
    ),
    C(
        "ru",
        "e-mail in a .txt attachment sent as application/octet-stream (§1 file name says text, §2.1)",
        "Во вложении заметки по проекту.",
        where="attach",
        disguise="email-octet-txt",
        attach=[
            (
                "заметки.txt",
                "application/octet-stream",
                "Заметки по проекту\n1. Главная страница\n2. Каталог\n\nМой личный ящик: s.volkov@bk.ru\n",
            )
        ],
    ),
    C(
        "en",
        "e-mail in the body of a forwarded message/rfc822 (§1 nested parts are content, §2.1)",
        "For future reference my address outside the platform is c.nolan.studio@gmail.com.",
        where="fwd",
        disguise="email-forwarded",
    ),
    C(
        "es",
        "e-mail in the Subject of an attached message (§1 Subject of attached messages, §2.1)",
        where="fwd-subject",
        disguise="email-forwarded-subject",
        subject="Archivos finales - escríbeme a andres.castillo.dg@gmail.com",
    ),
    C(
        "it",
        "plain e-mail offered to continue by mail (§2.1)",
        "Per il materiale di stampa scrivimi pure a luca.esposito@virgilio.it, così ti mando le prove colore.",
        disguise="email-plain",
        topic="design",
    ),
    C(
        "fr",
        "plain e-mail in body (§2.1)",
        "Tu peux aussi m'écrire à lea.bernard@laposte.net si la messagerie bloque encore les fichiers.",
        disguise="email-plain",
    ),
    C(
        "hi",
        "e-mail written 'at' / 'dot' in Hinglish (§2.1)",
        "Mera email hai amit.kumar at rediffmail dot com, final files wahin bhej dena.",
        disguise="email-at-dot",
        where="ps",
    ),
]

PHONE = [
    C(
        "en",
        "US mobile number in the body (§2.2)",
        "If anything breaks over the weekend, just call or text me at (415) 867-2391.",
        disguise="phone-national",
        phones=("+14158672391",),
    ),
    C(
        "en",
        "UK mobile number in the signature (§2.2, §4)",
        "Mobile: 07893 215674",
        where="sig",
        disguise="phone-national",
        phones=("+447893215674",),
    ),
    C(
        "de",
        "German mobile number in international format (§2.2)",
        "Ruf mich gerne kurz an, dann klären wir das in fünf Minuten: +49 1577 3948216",
        disguise="phone-intl",
        phones=("+4915773948216",),
    ),
    C(
        "es",
        "Spanish mobile number in the P.S. (§2.2)",
        "Mi móvil es +34 612 48 39 57, llámame cuando quieras.",
        where="ps",
        disguise="phone-intl",
        phones=("+34612483957",),
    ),
    C(
        "pt",
        "Brazilian mobile number in national format (§2.2)",
        "Qualquer coisa me liga: (21) 99674-3185",
        disguise="phone-national",
        phones=("+5521996743185",),
    ),
    C(
        "fr",
        "French mobile number written in pairs (§2.2)",
        "Le plus simple, c'est de m'appeler au 06 72 41 88 39 en fin de journée.",
        disguise="phone-national",
        phones=("+33672418839",),
    ),
    C(
        "ru",
        "Russian mobile number (§2.2)",
        "Звоните, если что: +7 916 482-31-07",
        disguise="phone-intl",
        phones=("+79164823107",),
        where="sig",
    ),
    C(
        "it",
        "Italian mobile number (§2.2)",
        "Il mio cellulare è 347 218 5590, chiamami pure nel pomeriggio.",
        disguise="phone-national",
        phones=("+393472185590",),
    ),
    C(
        "hi",
        "Indian mobile number (§2.2)",
        "Urgent ho toh call kar lena: +91 98201 47365",
        disguise="phone-intl",
        phones=("+919820147365",),
    ),
    C(
        "es",
        "Mexican number (§2.2)",
        "Mi número en CDMX es +52 55 4827 3916, márcame a partir de las 10.",
        disguise="phone-intl",
        phones=("+525548273916",),
    ),
    C(
        "es",
        "Argentine mobile number (§2.2)",
        "Cualquier cosa mi celu es +54 9 11 3847-2916.",
        disguise="phone-intl",
        phones=("+5491138472916",),
        where="ps",
    ),
    C(
        "en",
        "Nigerian mobile number (§2.2)",
        "You can reach me on 0803 482 7193 any time after 9am Lagos time.",
        disguise="phone-national",
        phones=("+2348034827193",),
    ),
    C(
        "en",
        "Philippine mobile number (§2.2)",
        "My number is +63 917 482 6351 in case the site goes down again.",
        disguise="phone-intl",
        phones=("+639174826351",),
    ),
    C(
        "en",
        "Polish mobile number (§2.2)",
        "Phone: +48 512 738 264",
        where="sig",
        disguise="phone-intl",
        phones=("+48512738264",),
    ),
    C(
        "en",
        "Turkish mobile number (§2.2)",
        "Please call me at +90 532 481 72 63 tomorrow, I'm on the road today.",
        disguise="phone-intl",
        phones=("+905324817263",),
    ),
    C(
        "ru",
        "Ukrainian mobile number (§2.2)",
        "Мой номер: +380 67 482 91 63, звоните после шести.",
        disguise="phone-intl",
        phones=("+380674829163",),
    ),
    C(
        "en",
        "Kenyan mobile number (§2.2)",
        "Call me on +254 712 483 926 if the upload fails again.",
        disguise="phone-intl",
        phones=("+254712483926",),
    ),
    C(
        "en",
        "Pakistani mobile number (§2.2)",
        "My cell: 0300 4817263",
        where="sig",
        disguise="phone-national",
        phones=("+923004817263",),
    ),
    C(
        "en",
        "UAE mobile number (§2.2)",
        "I'm based in Dubai, my mobile is 050 482 7316.",
        disguise="phone-national",
        phones=("+971504827316",),
    ),
    C(
        "en",
        "Australian mobile number (§2.2)",
        "Give me a ring on 0412 483 927 when you're free.",
        disguise="phone-national",
        phones=("+61412483927",),
    ),
    C(
        "en",
        "Canadian number (§2.2)",
        "Feel free to call me at 604.582.9374 - I'm on Pacific time.",
        disguise="phone-national",
        phones=("+16045829374",),
    ),
    # --- spelled-out digits, several languages
    C(
        "en",
        "US number fully spelled out in English words (§2.2)",
        "My cell is nine one seven, four eight two, six six one three - text me and we'll set it up.",
        disguise="phone-spelled",
        phones=("+19174826613",),
    ),
    C(
        "en",
        "UK number with 'oh' and 'double seven / double nine' (§2.2)",
        "My mobile is oh seven double seven four, one two, double nine five six. Ring me after lunch.",
        disguise="phone-double",
        phones=("+447774129956",),
    ),
    C(
        "es",
        "Spanish number spelled out in Spanish words (§2.2)",
        "Apunta mi número: seis uno dos, cuatro ocho, tres nueve, cinco siete. Llámame por la tarde.",
        disguise="phone-spelled",
        phones=("+34612483957",),
    ),
    C(
        "pt",
        "Brazilian number spelled out in Portuguese words (§2.2)",
        "Me liga: dois um, nove nove seis sete quatro, três um oito cinco.",
        disguise="phone-spelled",
        phones=("+5521996743185",),
        where="ps",
    ),
    C(
        "fr",
        "French number spelled out in French number words (§2.2)",
        "Mon portable : zéro six, soixante-douze, quarante et un, quatre-vingt-huit, trente-neuf.",
        disguise="phone-spelled",
        phones=("+33672418839",),
    ),
    C(
        "de",
        "German number spelled out in German words starting 'plus vier neun' (§2.2)",
        "Meine Nummer: plus vier neun, eins fünf sieben sieben, drei neun vier acht zwei eins sechs.",
        disguise="phone-spelled",
        phones=("+4915773948216",),
    ),
    C(
        "ru",
        "Russian number spelled out in Russian words (§2.2)",
        "Мой номер: восемь, девятьсот шестнадцать, четыреста восемьдесят два, тридцать один, ноль семь.",
        disguise="phone-spelled",
        phones=("+79164823107",),
    ),
    C(
        "it",
        "Italian number spelled out in Italian words (§2.2)",
        "Il mio numero: tre quattro sette, due uno otto, cinque cinque nove zero.",
        disguise="phone-spelled",
        phones=("+393472185590",),
    ),
    C(
        "hi",
        "Indian number spelled out in Hindi number words (§2.2)",
        "Mera number likh lo: nau aath do shunya, ek chaar saat, teen chhe paanch.",
        disguise="phone-spelled",
        phones=("+919820147365",),
    ),
    C(
        "en",
        "number mixing words and digits (§2.2)",
        "text me: nine 1 seven - 48two - 66 one three",
        disguise="phone-mixed",
        phones=("+19174826613",),
        where="ps",
    ),
    C(
        "en",
        "letters for digits: O for 0 and l for 1 (§2.2)",
        "Reach me on O7893 2l5674 if the relay drops my replies again.",
        disguise="phone-letters",
        phones=("+447893215674",),
    ),
    C(
        "de",
        "letters for digits in a German number (§2.2)",
        "Handy: O176 2348 9l57",
        where="sig",
        disguise="phone-letters",
        phones=("+4917623489157",),
    ),
    C(
        "de",
        "number given in two pieces, body and P.S. (§2.2 split digits count)",
        "Meine Handynummer fängt mit 0176 2348 an – den Rest schreibe ich dir unten.",
        disguise="phone-split",
        phones=("+4917623489157",),
        ps_text="…und endet auf 9157. Ruf gern an.",
    ),
    C(
        "en",
        "number split into two pieces in one sentence (§2.2)",
        "The first part of my number is +1 512 847 and the last four digits are 3920 - call after 5.",
        disguise="phone-split",
        phones=("+15128473920",),
    ),
    C(
        "pt",
        "Brazilian number in fullwidth digits (§2.2)",
        "Meu celular: ＋５５ ２１ ９９６７４－３１８５",
        disguise="phone-fullwidth",
        phones=("+5521996743185",),
    ),
    C(
        "hi",
        "Indian number in Devanagari digits (§2.2)",
        "Mera mobile: +९१ ९८२०१ ४७३६५",
        disguise="phone-devanagari",
        phones=("+919820147365",),
    ),
    C(
        "en",
        "US number in keycap emoji digits (§2.2)",
        "call me 👉 4️⃣6️⃣9️⃣ 2️⃣8️⃣3️⃣ 7️⃣4️⃣6️⃣5️⃣",
        disguise="phone-keycap",
        phones=("+14692837465",),
    ),
    C(
        "es",
        "Spanish number broken with zero-width spaces (§2.2)",
        f"Mi número: +34{ZW}655{ZW}21{ZW}87{ZW}43",
        disguise="phone-zero-width",
        phones=("+34655218743",),
    ),
    C(
        "en",
        "UAE number in Arabic-Indic digits (§2.2 any spelling)",
        "My UAE mobile: +٩٧١ ٥٠ ٤٨٢ ٧٣١٦",
        disguise="phone-arabic-indic",
        phones=("+971504827316",),
    ),
    C(
        "es",
        "phone number in the Subject (§1, §2.2)",
        "Urgente: llámame al 655 21 87 43",
        where="subject",
        disguise="phone-national",
        phones=("+34655218743",),
    ),
    C(
        "fr",
        "phone number in a vCard attachment (§1, §2.2)",
        "Je te joins ma carte de visite.",
        where="attach",
        disguise="phone-vcard",
        phones=("+33612874395",),
        attach=[
            (
                "thomas-petit.vcf",
                "text/x-vcard",
                "BEGIN:VCARD\nVERSION:3.0\nFN:Thomas Petit\nORG:Atelier Petit\n"
                "TEL;TYPE=CELL:+33 6 12 87 43 95\nEND:VCARD\n",
            )
        ],
        sender=("Thomas Petit", "t.petit@atelier-petit.fr"),
    ),
    C(
        "ru",
        "phone number in zero-size hidden HTML (§1, §2.2)",
        where="hidden",
        disguise="phone-hidden-font0",
        html='<span style="font-size:0">+7 926 517-38-40</span>',
        phones=("+79265173840",),
    ),
    C(
        "en",
        "phone number in a .csv attachment (§1, §2.2)",
        "Contact sheet for the shoot is attached.",
        where="attach",
        disguise="phone-csv",
        phones=("+13105827394",),
        attach=[
            (
                "contact-sheet.csv",
                "text/csv",
                "role,name,phone\nphotographer,Chris Nolan,310-582-7394\nassistant,TBD,\n",
            )
        ],
    ),
    C(
        "it",
        "phone number in quoted reply text (§1, §2.2)",
        "Comunque il mio numero è 338 472 1956.",
        where="quote",
        disguise="phone-national",
        phones=("+393384721956",),
    ),
    C(
        "pt",
        "Portuguese mobile number (§2.2)",
        "O meu telemóvel é 912 483 726, ligue quando puder.",
        disguise="phone-national",
        phones=("+351912483726",),
    ),
    C(
        "en",
        "Colombian mobile number (§2.2)",
        "My Colombian number: +57 300 482 1937",
        disguise="phone-intl",
        phones=("+573004821937",),
        where="sig",
    ),
]

MESSENGER = [
    C(
        "en",
        "wa.me link with a number (§2.3)",
        "Quicker to chat here: https://wa.me/5521996743185",
        disguise="messenger-link",
        phones=("+5521996743185",),
    ),
    C(
        "ru",
        "t.me link (§2.3)",
        "Все макеты буду скидывать сюда: t.me/olga_design_studio",
        disguise="messenger-link",
    ),
    C(
        "pt",
        "slang 'zap' with a number (§2.3 slang with number)",
        "Me chama no zap: (11) 97654-3218, é bem mais rápido que aqui.",
        disguise="messenger-slang",
        phones=("+5511976543218",),
    ),
    C(
        "es",
        "slang 'wsp' with a number (§2.3)",
        "Escríbeme al wsp +57 300 482 1937 y lo coordinamos.",
        disguise="messenger-slang",
        phones=("+573004821937",),
    ),
    C(
        "ru",
        "slang 'телега' with a handle (§2.3)",
        "Пиши в телегу: @sokolov_dev, там отвечаю быстрее.",
        disguise="messenger-slang",
    ),
    C(
        "en",
        "obfuscated brand 'Wh@tsApp' with a number (§2.3)",
        "Wh@tsApp me on +44 7418 293746 and I'll send you the rest.",
        disguise="messenger-obfuscated",
        phones=("+447418293746",),
    ),
    C(
        "hi",
        "WhatsApp with an Indian number (§2.3)",
        "WhatsApp kar dena 98764 02341 pe, wahan jaldi reply karunga.",
        disguise="messenger-handle",
        phones=("+919876402341",),
    ),
    C(
        "en",
        "Telegram handle (§2.3)",
        "I'm @pixel_harper on Telegram if you want faster feedback.",
        disguise="messenger-handle",
    ),
    C(
        "de",
        "Signal with a phone number (§2.3)",
        "Erreichbar auf Signal unter +49 171 9283746.",
        disguise="messenger-handle",
        phones=("+491719283746",),
        where="sig",
    ),
    C(
        "ru",
        "Viber with a Ukrainian number (§2.3)",
        "Вайбер: +380 67 482 91 63 — пишите туда, если срочно.",
        disguise="messenger-handle",
        phones=("+380674829163",),
    ),
    C(
        "en",
        "Skype live: id (§2.3)",
        "Add me on Skype: live:.cid.7a3f9e2b1c4d",
        disguise="messenger-handle",
    ),
    C(
        "pt",
        "Skype user name (§2.3)",
        "Meu Skype é carla.mendes.design, me adiciona lá.",
        disguise="messenger-handle",
        where="ps",
    ),
    C(
        "en",
        "Discord user name (§2.3)",
        "hit me up on discord - pixelmancer_ - I'm online most evenings",
        disguise="messenger-handle",
    ),
    C(
        "en",
        "WeChat ID (§2.3)",
        "For the Shenzhen factory contact it's easier on WeChat, my ID is mtan_design88.",
        disguise="messenger-handle",
    ),
    C(
        "ru",
        "VK profile link (§2.3)",
        "Моя страница ВКонтакте: vk.com/id482139075 — добавляйтесь.",
        disguise="social-link",
    ),
    C(
        "fr",
        "Instagram handle with an invitation to DM (§2.3)",
        "Je suis @camille.illustrations sur Insta, envoie-moi un message là-bas.",
        disguise="social-handle",
    ),
    C(
        "de",
        "LinkedIn profile link (§2.3)",
        "Vernetz dich gern mit mir: linkedin.com/in/jonas-becker-ux",
        disguise="social-link",
        where="sig",
        sender=("Jonas Becker", "jonas.becker@web.de"),
    ),
    C(
        "es",
        "Facebook profile link (§2.3)",
        "Mándame un mensaje por Facebook y te paso el catálogo: facebook.com/lucia.fernandez.fotografia",
        disguise="social-link",
    ),
    C(
        "it",
        "X profile with DMs open (§2.3)",
        "Su X sono @gio_codes, i DM sono aperti.",
        disguise="social-handle",
    ),
    C(
        "pt",
        "wa.me link behind the anchor text 'clique aqui' (§1 link targets, §2.3)",
        where="html",
        disguise="messenger-link-anchor",
        phones=("+351936281745",),
        html='<p>Para falarmos melhor, <a href="https://wa.me/351936281745">clique aqui</a>.</p>',
        alt="Para falarmos melhor, clique aqui.",
    ),
    C(
        "en",
        "Telegram link inside an HTML comment (§1, §2.3)",
        where="hidden",
        disguise="messenger-hidden-comment",
        html="<!-- tg: https://t.me/harper_builds -->",
    ),
    C(
        "es",
        "slang 'wsp' + Argentine number, asking to move there (§2.3)",
        "Pasame por wsp que por acá se me pierden los mensajes, el mío es 11 3847-2916.",
        disguise="messenger-slang",
        phones=("+5491138472916",),
    ),
    C(
        "en",
        "'WA' abbreviation with a Nigerian number (§2.3)",
        "WA: +234 803 482 7193",
        where="sig",
        disguise="messenger-slang",
        phones=("+2348034827193",),
    ),
    C(
        "ru",
        "Telegram handle with 'тг' (§2.3)",
        "Мой тг @ivan_petrov_dev, пишите, если будут вопросы по верстке.",
        disguise="messenger-slang",
        where="ps",
    ),
    C(
        "it",
        "Instagram handle offered for a chat (§2.3)",
        "Scrivimi su Instagram, sono @chiara.colombo.studio.",
        disguise="social-handle",
    ),
    C(
        "hi",
        "Telegram link in the Subject (§1, §2.3)",
        "Files ready - t.me/sneha_iyer_design pe ping karo",
        where="subject",
        disguise="messenger-link",
    ),
    C(
        "de",
        "WhatsApp number in a .txt attachment (§1, §2.3)",
        "Anbei meine Notizen zum Shooting.",
        where="attach",
        disguise="messenger-attachment",
        phones=("+4917623489157",),
        attach=[
            (
                "notizen-shooting.txt",
                "text/plain",
                "Shooting Samstag\n- Location: Studio\n- Outfits: 3\n\nWhatsApp: 0176 23489157\n",
            )
        ],
    ),
]

MEETING = [
    C(
        "en",
        "Zoom meeting link (§2.4)",
        "Let's just jump on a call instead: https://us06web.zoom.us/j/84736291045?pwd=Yk9aT2xZcmVqNHdX",
        disguise="meeting-link",
    ),
    C(
        "es",
        "Google Meet link (§2.4)",
        "¿Te va bien mañana a las 17:00? Te dejo el enlace: meet.google.com/xpq-rtzv-kmw",
        disguise="meeting-link",
    ),
    C(
        "de",
        "Microsoft Teams meeting link (§2.4)",
        "Hier der Link für unser Gespräch morgen: https://teams.microsoft.com/l/meetup-join/19%3ameeting_"
        "NjM4ZTk2YmMtYjQ%40thread.v2/0?context=%7b%22Tid%22%3a%22a1b2%22%7d",
        disguise="meeting-link",
    ),
    C(
        "fr",
        "Whereby room link (§2.4)",
        "On se voit dans ma salle : https://whereby.com/lea-bernard-studio",
        disguise="meeting-link",
    ),
    C(
        "en",
        "Calendly booking link (§2.4)",
        "Grab any slot that works for you: calendly.com/dan-whitaker/30min",
        disguise="booking-link",
    ),
    C(
        "en",
        "Calendly link in the signature (§2.4, §4)",
        "Book a call: https://calendly.com/tom-harper-digital/intro",
        where="sig",
        disguise="booking-link",
    ),
    C(
        "hi",
        "booking link defanged as hxxps:// and calendly[.]com (§2.4)",
        "Call ke liye slot book kar lo: hxxps://calendly[.]com/priya-nair/intro",
        disguise="booking-obfuscated",
    ),
    C(
        "it",
        "booking link spelled 'calendly dot com slash ...' (§2.4)",
        "Prenota una chiamata su calendly dot com slash marco-rinaldi, così ne parliamo a voce.",
        disguise="booking-obfuscated",
        sender=("Marco Rinaldi", "marco.rinaldi88@gmail.com"),
    ),
    C(
        "en",
        "Zoom room spelled 'zoom dot us slash j slash ...' (§2.4)",
        "my personal room is zoom dot us slash j slash 847 3629 1045, any time after 3",
        disguise="meeting-obfuscated",
    ),
    C(
        "es",
        "LinkedIn profile written 'linkedin dot com slash in slash ...' (§2.3, §2.4)",
        "Búscame en linkedin dot com slash in slash carlos-mendoza-dev y seguimos por ahí.",
        disguise="social-obfuscated",
    ),
    C(
        "en",
        "Google Meet link hidden with display:none (§1, §2.4)",
        where="hidden",
        disguise="meeting-hidden",
        html='<div style="display:none;max-height:0;overflow:hidden">meet.google.com/abc-mnop-qrs</div>',
    ),
    C(
        "pt",
        "Zoom link in the Subject (§1, §2.4)",
        "Reunião amanhã 10h - zoom.us/j/93847261530",
        where="subject",
        disguise="meeting-link",
    ),
    C(
        "pt",
        "personal site's contact page offered as a way to reach (§2.4)",
        "Se quiser conversar fora daqui, me manda uma mensagem pelo formulário do meu site: "
        "anasilva.design/contato",
        disguise="personal-site",
    ),
    C(
        "de",
        "personal site offered as the way to get in touch (§2.4)",
        "Am einfachsten erreichst du mich über meine Website studio-brandt.de/kontakt – da steht auch "
        "meine Durchwahl.",
        disguise="personal-site",
        sender=("Lukas Brandt", "lukas@brandt-design.de"),
    ),
    C(
        "en",
        "Teams link in quoted reply text (§1, §2.4)",
        "Join here: https://teams.live.com/meet/9384726153049",
        where="quote",
        disguise="meeting-link",
    ),
    C(
        "fr",
        "Calendly link behind innocent anchor text (§1, §2.4)",
        where="html",
        disguise="booking-link-anchor",
        html='<p>Tu peux réserver un créneau <a href="https://calendly.com/camille-durand/45min">ici</a>.</p>',
        alt="Tu peux réserver un créneau ici.",
    ),
]

INVITATION = [
    C(
        "en",
        "explicit invitation to find and message on LinkedIn, no coordinates (§2.5)",
        "The messaging here is clunky. Search my full name on LinkedIn and message me there, I'm the "
        "only Olivia Grant doing packaging design in Bristol.",
        disguise="invitation",
        sender=("Olivia Grant", "olivia.grant@icloud.com"),
    ),
    C(
        "en",
        "explicit proposal to move the conversation to WhatsApp and asking for the number (§2.5)",
        "Can we move this conversation off the platform? Send me your WhatsApp number and I'll message "
        "you there, it's much easier for quick questions.",
        disguise="invitation",
    ),
    C(
        "es",
        "invitation to find on Instagram by studio name and write there (§2.5)",
        "¿Seguimos hablando fuera de la plataforma? Búscame en Instagram como «Lucía Fernández "
        "Fotografía» y escríbeme por privado.",
        disguise="invitation",
        sender=("Lucía Fernández", "lucia.fernandez@outlook.es"),
    ),
    C(
        "fr",
        "invitation to look up on Instagram and write there (§2.5)",
        "Cherche « Camille Durand illustratrice » sur Instagram et écris-moi là-bas, je réponds "
        "beaucoup plus vite qu'ici.",
        disguise="invitation",
        sender=("Camille Durand", "camille.durand@orange.fr"),
    ),
    C(
        "de",
        "invitation to continue outside the platform via LinkedIn (§2.5)",
        "Lass uns das lieber außerhalb der Plattform besprechen – such mich auf LinkedIn unter "
        "„Jonas Becker UX Hamburg“ und schreib mir dort.",
        disguise="invitation",
        sender=("Jonas Becker", "jonas.becker@web.de"),
    ),
    C(
        "ru",
        "invitation to continue in Telegram, found by name (§2.5)",
        "Давайте продолжим вне площадки — найдите меня в телеге по имени и фамилии, Дмитрий Соколов, "
        "аватарка с котом.",
        disguise="invitation",
        sender=("Дмитрий Соколов", "dmitry.sokolov@yandex.ru"),
    ),
    C(
        "it",
        "invitation to find on LinkedIn and write there to avoid the platform (§2.5)",
        "Cercami su LinkedIn come Giulia Romano (Milano) e scrivimi lì, così evitiamo la piattaforma.",
        disguise="invitation",
        sender=("Giulia Romano", "giulia.romano@libero.it"),
    ),
    C(
        "hi",
        "Hinglish invitation to search on LinkedIn and message (§2.5)",
        "Yahan reply late hota hai. LinkedIn pe 'Priya Nair Bangalore' search karke direct message kar do.",
        disguise="invitation",
        sender=("Priya Nair", "priya.nair@yahoo.co.in"),
    ),
    C(
        "en",
        "invitation to move to another marketplace under the same name (§2.5)",
        "I'm on Upwork as well under the same name - message me over there instead and we'll continue "
        "the project from that side.",
        disguise="invitation",
        where="ps",
    ),
    C(
        "en",
        "invitation to use the contact form on the studio site found by googling (§2.4, §2.5)",
        "Google 'Harbor Lane Studio Bristol' - the contact form on our site reaches me directly, "
        "let's take it from there.",
        disguise="invitation",
    ),
    C(
        "pt",
        "invitation to continue by phone, asking for the number (§2.5)",
        "Vamos sair daqui da plataforma? Me passa seu telefone que eu te ligo ainda hoje.",
        disguise="invitation",
    ),
    C(
        "es",
        "invitation in the Subject to continue by WhatsApp (§1, §2.5)",
        "Mejor seguimos por WhatsApp, pásame tu número",
        where="subject",
        disguise="invitation",
    ),
]

CASES = EMAIL + PHONE + MESSENGER + MEETING + INVITATION
