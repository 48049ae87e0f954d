"""Detector for messenger/social handles and explicit invitations to move off the platform.

Guideline section 2, items 3 and 5. Two kinds:

* ``messenger``: a messenger or social brand, in any spelling the folded text leaves
  ("WhatsApp", "Wh@tsApp", "whats app", "wsp", "zap", "tg", "телега", "вотсап", "insta", ...),
  *with* a handle next to it: "@name", a user name after "id:"/"username"/":", a phone number,
  a Skype "live:" id, a Discord "name#1234"; before or after the brand ("@anna_k on Telegram",
  "+55 11 98765-4321 (zap)"). Links (wa.me, t.me, linkedin.com/in/...) are urls.py's.
* ``off_platform_request``: an explicit invitation to continue elsewhere even without
  coordinates, in English, Spanish, Portuguese, French, German, Russian, Italian and Hinglish:
  "message me on WhatsApp", "let's move this to email", "send me your number", "search my full
  name on LinkedIn and message me there", "pásame tu número", "me chama no zap", "écris-moi sur
  WhatsApp", "schreib mir auf Telegram", "напиши мне в телегу", "whatsapp karo".

Also an invitation: pointing back at a channel or another marketplace just named ("search
'Camille Durand' on Instagram and write me there", "I'm on Upwork too, message me over there"),
contact details "in my profile picture/bio/signature", the platform itself excluded (its name
comes from the own domains).

Not findings: a brand named without a handle and without an invitation ("add a WhatsApp button",
"our Telegram channel"); invitations that are negated or refused ("please don't send me your
WhatsApp, let's stay here", "contacting outside the platform is not allowed"; the negation must
be close, in the same clause); a product feature named after a channel ("switch to email
notifications", "WhatsApp Business API"); a Telegram bot's handle (``@..._bot``: the work
product); a business's social account discussed as the subject of the work ("grow our Instagram
@acme_bakery") when nobody is invited to write to it (domains.work_social).

Every rule is anchored at a word: spelled.tokens (a set) says whether the word occurs at all,
str.find where, and the regexes run only there, so a message with none of them costs a few set
lookups.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from functools import lru_cache

from gateway.context import Finding
from gateway.scanning.document import ScanDoc, make_finding
from gateway.scanning.domains import FILE_EXTENSIONS, work_social
from gateway.scanning.spelled import find_words, folded_pattern, fw, tokens

NAME = "messengers/1"

# Brand spellings (folded). Each alternative is a whole word.
_BRANDS: dict[str, str] = {
    # found by probe2: Polish case endings ("na Telegramie", "przez WhatsAppa", "na Signalu")
    "whatsapp": r"whatsapp(?:ie|a|em|u)|"
    r"whats\s?app|whatsap|wh[a@4]ts[a@4]pp?|wh[a@4]tsapp|what'?s\s?app|watsapp?|"
    r"wasap|wassap|whats|wats|wsp|wpp|wapp|zap|zapzap|zapp|wa|вотсап\w*|ватсап\w*|вацап\w*|"
    r"уатсап\w*|вотс\w*|вацап",
    "telegram": r"telegram(?:ie|em|a|u)|"
    r"telegram|telegramm|telegrams|tele\s?gram|tg|tlg|telega|телеграм\w*|телег[аиуе]|"
    r"телегe|тг|телегр\w*",
    "signal": r"signal(?:u|em)|signal|сигнал",
    "viber": r"viber|вайбер\w*|вибер\w*",
    "skype": r"skype(?:'?a|'?em|'?ie)|skypie|skype|скайп\w*",
    "discord": r"discord(?:zie|em|a)|discord|дискорд\w*",
    "wechat": r"wechat|we\s?chat|weixin|微信(?:号码?|账号)?",
    "line": r"line",
    "vk": r"vk|вк|vkontakte|вконтакте",
    "instagram": r"instagram|insta|ig|инстаграм\w*|инст[аеу]",
    "facebook": r"facebook|fb|фейсбук\w*|messenger",
    "linkedin": r"linked\s?in|линкедин\w*",
    "twitter": r"twitter|твиттер\w*|x",
    "snapchat": r"snapchat|snap",
    "tiktok": r"tiktok|tik\s?tok",
    "other": r"kik|threads|imo|kakao\s?talk|kakao|zalo|icq|jabber|xmpp|matrix|element",
}
_SOCIAL = {"instagram", "facebook", "linkedin", "twitter", "snapchat", "tiktok", "vk"}
# Brands too ambiguous to count with anything but a strong handle (a number or an @handle).
_STRICT = {
    "wa",
    "zap",
    "zapp",
    "line",
    "x",
    "ig",
    "snap",
    "signal",
    "imo",
    "element",
    "matrix",
    "threads",
    "сигнал",
    "tg",
    "fb",
}

_TRIGGERS = frozenset(
    fw(w)
    for w in """whatsapp whats wats watsapp watsap wasap wassap whatsap wsp wpp wapp zap zapzap
    zapp wa telegram telegramm tg tlg tele telega signal viber skype discord wechat weixin line vk
    vkontakte instagram insta ig facebook fb messenger linkedin twitter x snapchat snap tiktok
    kik threads imo kakao kakaotalk zalo icq jabber xmpp вотсап вотсапе вотсапп ватсап ватсапе
    ватсапп вацап телеграм телеграме телеграмм телега телегу телеге телеги тг вайбер вайбере
    вибер скайп скайпе дискорд дискорде вк вконтакте инстаграм инстаграме инста инсте инсту
    фейсбук фейсбуке линкедин линкедине твиттер твиттере wh@tsapp wh@ts
    сигнал telegramie telegramem telegrama telegramu whatsappie whatsappa whatsappem whatsappu
    signalu signalem skypie skypea skypem discordzie discordem discorda""".split()
)
_BRAND_RX = "|".join(f"(?P<{k}>{v})" for k, v in _BRANDS.items())
_BRAND_ANY = "|".join(f"(?:{v})" for v in _BRANDS.values())
_PHONE = r"\+?\(?\d[\d \t\-().]{5,18}\d"
_HANDLE = (
    rf"(?P<phone>{_PHONE})|(?P<at>@[a-z0-9_][\w.]{{1,31}}[\w])|(?P<live>live:[\w.:\-]{{3,40}})"
    r"|(?P<tag>[\w.]{2,32}#\d{4})|(?P<plain>[a-z0-9][\w.\-]{1,30}[a-z0-9_])"
)
_CJK_RUN = r"[\u3040-\u30ff\u4e00-\u9fff]"
_CJK_CONTACT = r"連絡|联系|聯絡|聯繫|加我|追加|友達|友だち|聊|号|號|账号|帳號|ＩＤ"
_CJK_CONTACT_FILLER = rf"{_CJK_RUN}{{0,8}}(?:{_CJK_CONTACT}){_CJK_RUN}{{0,8}}[。.]?"
_FILLER = (
    r"(?:id|user\s?name|username|user|handle|name|nick|nickname|number|no\.?|num|#|account|"
    r"profile|contact|ник|логин|номер|usuario|usuário|usuario|nombre de usuario|pseudo|"
    r"benutzername|is|es|é|est|ist|это|me|my|mi|mio|meu|mon|mein|at|on|sono|soy|sou|suis|"
    r"je suis|bin|ich bin|я|its|it's|i'm|i am|是|为|:|=|-|–|—|→|->|>|\(|\)|\[|\]|\||,|;"
    # found by probe2: Chinese/Japanese words around the handle that say "contact/add me"
    rf"|{_CJK_CONTACT_FILLER})"
)
_FORWARD = re.compile(
    folded_pattern(
        # a brand ends where a word ends, or where Chinese text goes on ("微信是 ...")
        rf"(?:{_BRAND_RX})(?!(?![\u3040-\u30ff\u4e00-\u9fff])\w)"
        rf"(?P<filler>(?:[ \t]*{_FILLER}(?![\w])?){{0,4}})[ \t]*"
        rf"(?:{_HANDLE})"
    )
)
# Before a brand: "@anna_k on Telegram", "+55 11 98765-4321 (zap)" (searched on the text
# just before the brand, anchored at its end).
_BACKWARD = re.compile(
    folded_pattern(
        rf"(?<![\w@])(?:(?P<phone>{_PHONE})|(?P<at>@[a-z0-9_][\w.]{{1,31}}[\w])"
        r"|(?P<tag>[\w.]{2,32}#\d{4}))[ \t]*"
        r"(?:[(\[\-–—/,|:][ \t]*)?(?:(?:on|in|via|at|is|my|en|no|na|em|pe|sur|auf|bei|в|на|по|"
        r"por|pelo|mi|meu|mon|mein|мой)[ \t]+){0,2}$"
    )
)
_BRAND_AT = re.compile(folded_pattern(rf"(?:{_BRAND_RX})(?![\w])"))
_STOP_HANDLES = frozenset(
    """yes no not the and for with you your our this that there here please thanks thank
    channel group button bot api link integration account business app web desktop call calls
    video chat message messages only also too number numbers ok okay sure maybe available later
    soon now today tomorrow same later instead like more less just but only name username
    handle id profile page contact details info is are was were will would can could should
    works working installed down""".split()
)
# The business's social account as the subject of the work.
# ------------------------------------------------------------------------------------------
# Off-platform invitations
# ------------------------------------------------------------------------------------------
# Every rule is anchored at a word (a set lookup tells whether it occurs at all, str.find where):
# `post` must match at the anchor, `pre` (if any) must match the text just before it, ending
# there. The finding spans both.

_CH_BRAND = (
    r"whats\s?app|whatsapp|wh[a@]ts[a@]pp|what'?s\s?app|whats|wsp|wpp|zap(?:zap)?|telegram|"
    r"telegramm|tg|tele|telega|телеграм\w*|телег[уеаи]|тг|signal|viber|вайбер\w*|skype|скайп\w*|"
    r"discord|дискорд\w*|wechat|weixin|line|vk|вк|вконтакте|instagram|insta|ig|инстаграм\w*|"
    r"инст[аеу]|facebook|fb|messenger|фейсбук\w*|linked\s?in|линкедин\w*|twitter|x|snapchat|"
    r"snap|tiktok|ватсап\w*|вотсап\w*|вацап\w*|zoom|google meet|meet|teams|hangouts|imo|"
    r"kakao\w*|zalo|личк[уеи]|личные сообщения|upwork|fiverr|freelancer|toptal|malt|"
    r"peopleperhour|workana|99designs|kwork|xing"
)
# Other marketplaces: moving the work there is moving it off this platform.
_MARKETS = frozenset(
    "upwork fiverr freelancer toptal malt peopleperhour workana 99designs kwork xing".split()
)
_QUALIFIED_MAIL = (
    r"(?:personal|private|own|real|other|direct|personnel|personnelle|persönliche|privaten?|"
    r"privado|pessoal|личн\w+)\s+(?:e-?mail|mail|address|number|phone|account|correo|courriel|"
    r"adresse|nummer|почт\w+|номер|телефон)|gmail"
)
_PLAIN_MAIL = r"e-?mail|mail|correo(?:\s+electr[oó]nico)?|courriel|почт\w+|мейл|e-?mail\s+directly"
_PHONE_WORDS = (
    r"phone|cell|mobile|number|cell phone|teléfono|telefono|telefone|celular|móvil|movil|"
    r"número|numero|numéro|portable|handy|handynummer|telefonnummer|телефон\w*|номер\w*|sms"
)
_CH_POST = (
    rf"(?:(?P<brand>{_CH_BRAND})|(?P<qmail>{_QUALIFIED_MAIL})|(?P<mail>{_PLAIN_MAIL})|"
    rf"(?P<ph>{_PHONE_WORDS}))(?![\w])"
    # "switch to email notifications", "move to WhatsApp Business API": a feature, not a channel
    r"(?![ \t]+(?:notifications?|templates?|marketing|campaigns?|newsletters?|alerts?|"
    r"integrations?|buttons?|widgets?|api|bots?|channels?|groups?|sign-?ups?|logins?|"
    r"verification|receipts?|confirmations?|provider|server|client|lists?|fields?|forms?|"
    r"automations?|flows?|sequences?|business|ads?|pixel|feed|sharing|chatbots?|webhooks?|"
    r"sdk|plugins?|icons?|logos?|templates?|support|updates?|digest|reports?|blasts?))"
)
_X_POST = (
    r"(?:e-?mail(?:\s+address|\s+id)?|mail id|mail|phone(?:\s+number|\s+no\.?)?|number|"
    r"cell(?:\s+number)?|mobile(?:\s+number|\s+no\.?)?|whats\s?app(?:\s+number)?|whats|wsp|zap|"
    r"telegram|telega|skype(?:\s+id)?|signal|viber|discord|wechat|contact(?:\s+details|\s+info|"
    r"\s+information|\s+number)?|handle|insta(?:gram)?|linked\s?in|facebook|socials?|"
    r"n[uú]mero|numero|numéro|nummer|handynummer|telefonnummer|correo|tel[eé]fono|telefone|"
    r"celular|contacto|contato|contatto|kontaktdaten|adresse|portable|cellulare|номер|телефон|"
    r"почту|мейл|телегу|телеграм|ватсап|вотсап|контакт|контакты|скайп|ник)(?![\w])"
)
_PLATFORM = (
    r"(?:the\s+|this\s+|la\s+|esta\s+|a\s+|da\s+|de la\s+|der\s+|dieser\s+|этой\s+)?"
    r"(?:platform|site|website|app|marketplace|upwork|fiverr|freelancer|plataforma|plateforme|"
    r"plattform|piattaforma|платформ\w*|площадк\w*|бирж\w*|сайта)"
)
_COMM = (
    r"(?:talk|chat|contact|communicat|continu|discuss|connect|messag|reach|speak|e-?mail|call|"
    r"text|conversation|work directly|hablar|habl|convers|contact|escrib|falar|convers|"
    r"parler|discuter|[eé]crire|contacter|sprechen|schreiben|kontakt|reden|общ|обсу|пис|связ|"
    r"parlare|scrivere|contatt|baat)\w*"
)
_INVITE_PRE = (
    # English: "message me on", "find me on", "look me up on", "hit me up on"
    r"\b(?:message|msg|text|write|ping|dm|pm|contact|reach|call|add|find|catch|hit|e-?mail|mail|"
    r"talk to|chat with|connect with|follow|get in touch with|buzz|holler at|look|friend)\s+"
    r"me(?:\s+up)?\s+(?:directly\s+|privately\s+|personally\s+|instead\s+|there\s+)?"
    r"(?:on|via|at|over|through|thru|in|by|using)\s+"
    r"|\b(?:hmu|(?:drop|shoot|send) me an?\s+(?:line|message|msg|note|text|email|dm))\s+"
    r"(?:on|via|at|over|through|in|by)\s+"
    # Spanish
    r"|\b(?:escr[ií]beme|cont[aá]ctame|cont[aá]cteme|ll[aá]mame|ll[aá]meme|h[aá]blame|"
    r"m[aá]ndame(?:\s+un\s+(?:mensaje|msj))?|agr[eé]game|a[ñn][aá]deme|b[uú]scame|s[ií]gueme|"
    r"escr[ií]benos|cont[aá]ctanos|env[ií]ame un mensaje|h[aá]blame)\s+(?:directamente\s+)?"
    r"(?:al|por|en|a mi|a|v[ií]a|a trav[eé]s de|mediante)\s+"
    # Portuguese
    r"|\b(?:me\s+chama|me\s+chame|me\s+liga|me\s+ligue|me\s+manda(?:\s+(?:uma\s+)?(?:mensagem|"
    r"msg))?|me\s+mande|fala\s+comigo|me\s+adiciona|me\s+adicione|me\s+procura|me\s+procure|"
    r"me\s+segue|me\s+siga|entre\s+em\s+contato(?:\s+comigo)?|me\s+contate|me\s+contata|chama)"
    r"\s+(?:direto\s+|diretamente\s+)?(?:no|na|pelo|pela|por|via|em)\s+"
    # French
    r"|(?:[eé]cri[st]-?\s?moi|[eé]crivez-?\s?moi|contacte-?\s?moi|contactez-?\s?moi|"
    r"appelle-?\s?moi|appelez-?\s?moi|ajoute-?\s?moi|ajoutez-?\s?moi|envoie-?\s?moi\s+un\s+message|"
    r"envoyez-?\s?moi\s+un\s+message|retrouve-?\s?moi|retrouvez-?\s?moi|cherche-?\s?moi|"
    r"cherchez-?\s?moi|joins-?\s?moi|joignez-?\s?moi)\s+(?:directement\s+)?(?:sur|par|via|au|en|à)\s+"
    # German
    r"|\b(?:schreib|schreibe|schreiben sie|sende|senden sie|schick|schicke|schicken sie|"
    r"melde dich bei|melden sie sich bei)\s+mir\s+(?:\w+\s+){0,2}?(?:auf|per|über|ueber|via|bei|"
    r"an|in)\s+"
    r"|\b(?:kontaktier(?:e|en sie)?|ruf(?:en sie)?|erreich(?:en sie)?|add(?:e|en sie)?|"
    r"such(?:e|en sie)?|find(?:e|en sie)?)\s+mich\s+(?:\w+\s+){0,2}?(?:auf|per|über|ueber|via|bei|"
    r"unter|an|in)\s+"
    # Russian
    r"|(?<![\w])(?:напиши|напишите|пиши|пишите|звони|звоните|позвони|позвоните|свяжись|"
    r"свяжитесь|стучи|стучите|стукни|добавь|добавьте|найди|найдите|писать)\s+(?:мне\s+|со мной\s+|"
    r"меня\s+)?(?:напрямую\s+|лично\s+|лучше\s+)?(?:в|на|по|через)\s+"
    # Italian
    r"|\b(?:scrivimi|contattami|chiamami|aggiungimi|cercami|mandami un messaggio|sentiamoci)\s+"
    r"(?:direttamente\s+)?(?:su|via|per|al|tramite|in)\s+"
)
_MY = r"(?:(?:my|mi|meu|minha|mon|ma|mein|meine|meinem|meiner|мой|мою|il mio|la mia)\s+)?"
_MOVE_PRE = (
    r"\b(?:let'?s|let us|we can|we could|can we|could we|shall we|we should|why don'?t we|how "
    r"about we|i(?:'d| would) (?:prefer|like|rather) (?:to )?|i prefer to|(?:it'?s |it is )?"
    r"(?:better|easier|faster|simpler) to|i suggest (?:we )?|please)\s+(?:\w+\s+){0,2}?"
    r"(?:move|take|continue|switch|shift|talk|chat|communicate|discuss|connect|speak|go|carry "
    r"on|keep in touch|keep talking|stay in touch|get in touch|talk more|chat more)\s+"
    r"(?:this|it|things|the conversation|the chat|our conversation|the discussion|this "
    r"conversation|this chat|the rest|further|more|directly)?\s*(?:to|on|over|via|onto|through|"
    r"by|in|into|using)\s+"
    r"|\b(?:hablemos|sigamos|continuemos|conversemos|charlemos|platiquemos|movamos|pasemos|"
    r"podemos (?:hablar|seguir|continuar)|mejor (?:hablamos|seguimos))\s+(?:\w+\s+){0,2}?"
    r"(?:por|en|a|al|v[ií]a)\s+"
    r"|\b(?:vamos|podemos|bora|prefiro)\s+(?:conversar|falar|continuar|seguir|tratar|papear)\s+"
    r"(?:\w+\s+){0,2}?(?:pelo|no|na|por|via|pela)\s+"
    r"|\b(?:continuons|parlons|discutons|passons|[eé]changeons|on continue|on peut continuer|"
    r"on passe)\s+(?:\w+\s+){0,2}?(?:sur|par|via|en)\s+"
    r"|\blass(?:t)?\s+uns\s+(?:\w+\s+){0,3}?(?:auf|per|über|ueber|via|bei|in|zu)\s+"
    r"|\b(?:k[öo]e?nnen|sollen|wollen|m[öo]e?chten)\s+wir\s+(?:\w+\s+){0,2}?(?:auf|per|über|"
    r"ueber|via|bei|in|zu)\s+"
    r"|\b(?:on peut|on pourrait|peut-on|pourrait-on|pouvons-nous|on va)\s+(?:\w+\s+){0,2}?"
    r"(?:sur|par|via|en)\s+"
    r"|(?<![\w])(?:давай|давайте)\s+(?:\w+\s+){0,2}?(?:перейд[её]м|продолжим|общаться|"
    r"пообщаемся|спишемся|созвонимся|переписываться|обсудим|переместимся)\s+(?:\w+\s+){0,2}?"
    r"(?:в|на|по|через)\s+"
    r"|\b(?:continuiamo|parliamo|spostiamoci|passiamo)\s+(?:\w+\s+){0,2}?(?:su|via|per|in)\s+"
)
_ASK_PRE = (
    r"\b(?:send|give|share|drop|leave|pass|dm|text|tell|shoot)\s+(?:me\s+)?(?:your|ur|you'?re)\s+"
    r"|\b(?:what'?s|what is|can i (?:get|have)|could i (?:get|have)|may i (?:get|have)|do you "
    r"have|i need|i'?ll need)\s+(?:your|ur)\s+"
    r"|\b(?:send|give|share|text|dm|pass|drop)\s+(?:you\s+)?my\s+"
    r"|\b(?:p[aá]same|m[aá]ndame|env[ií]ame|dame|comp[aá]rteme|p[aá]sa(?:me)?|reg[aá]lame|"
    r"me (?:pasas|pasa|das|da|mandas|manda|env[ií]as|compartes))\s+(?:tu|su)\s+"
    r"|\b(?:passa|passe|me\s+passa|me\s+passe|manda|mande|me\s+manda|me\s+envia|me\s+envie)\s+"
    r"(?:o\s+|a\s+)?(?:seu|teu|sua|tua)\s+"
    r"|\b(?:envoie|envoyez|donne|donnez|file|passe|passez)-?\s?moi\s+(?:ton|ta|votre)\s+"
    r"|\b(?:schick|sende|gib|schicken sie|senden sie|geben sie)\s+mir\s+(?:deine|ihre)\s+"
    r"|(?<![\w])(?:скинь|скиньте|дай|дайте|отправь|отправьте|пришли|пришлите|оставь|оставьте)\s+"
    r"(?:мне\s+)?(?:свой|свою|ваш|вашу|твой|твою)\s+"
    r"|\b(?:mandami|dammi|inviami|passami)\s+(?:il tuo|la tua)\s+"
)
_QUAL = r"(?:(?:personal|private|direct|real|own|personnel|personnelle|privado|pessoal)\s+)?"
_HAVE_PRE = (
    r"\b(?:are you on|do you (?:have|use)|you got|have you got|tienes|tiene|usas|tem|você tem|"
    r"voce tem|vc tem|tu as|vous avez|hast du|haben sie|у тебя есть|у вас есть)\s+(?:a\s+)?$"
)
_RULES_SPEC: list[tuple[str, str | None, str, float]] = [
    # (anchor group, pre, post, confidence)
    ("channel", rf"(?:{_INVITE_PRE}){_MY}$", _CH_POST, 0.85),
    ("channel", rf"(?:{_MOVE_PRE}){_MY}$", _CH_POST, 0.85),
    ("ask", rf"(?:{_ASK_PRE}){_QUAL}$", _X_POST, 0.8),
    ("brand", _HAVE_PRE, rf"(?:{_CH_BRAND})\s*(?:account|number|id)?\s*\?", 0.7),
    (
        "brand",
        r"\b(?:i'?m|i am|we'?re)\s+(?:also\s+)?(?:on|in)\s+$",
        rf"(?:{_CH_BRAND})(?![\w])",
        0.7,
    ),
    (
        "direct",
        r"\b(?:contact(?:s)?|reach(?:es)?|e-?mails?|messages?|calls?|writes? to|talk to|texts?|"
        r"talk|chat|communicate|work)\s+(?:with\s+)?(?:me|us)\s+$",
        rf"(?:directly|privately|personally|off(?:-|\s)?(?:the\s+)?platform|outside(?:\s+of)?\s+"
        rf"{_PLATFORM})",
        0.75,
    ),
    (
        "outside",
        rf"\b{_COMM}\s+(?:\w+\s+){{0,4}}?$",
        rf"(?:outside|off)(?:\s+of)?[\s-]+{_PLATFORM}",
        0.8,
    ),
    (
        "outside",
        None,
        rf"(?:outside|off)(?:\s+of)?[\s-]+{_PLATFORM}\s+(?:\w+\s+){{0,3}}?{_COMM}",
        0.8,
    ),
    (
        "outside_ml",
        rf"\b{_COMM}\s+(?:\w+\s+){{0,4}}?$",
        r"(?:fuera de (?:la|esta) plataforma|por fuera de la plataforma|fora da plataforma|"
        r"en dehors de la plateforme|hors (?:de la )?plateforme|au(?:ss|ß)erhalb (?:der|dieser) "
        r"plattform|(?:вне|в обход)\s+(?:платформы|площадки|сайта|биржи)|fuori dalla piattaforma|"
        r"platform ke bahar|fora daqui|fora do site|fuera de aqu[ií]|fuera del sitio|"
        r"(?:en dehors|hors) d'ici|au(?:ss|ß)erhalb von hier|outside (?:of )?here|вне сайта)",
        0.75,
    ),
    (
        "outside_ml",
        None,
        r"(?:fuera de (?:la|esta) plataforma|fora da plataforma|en dehors de la plateforme|"
        r"hors (?:de la )?plateforme|au(?:ss|ß)erhalb (?:der|dieser) plattform|(?:вне|в обход)\s+"
        r"(?:платформы|площадки|сайта|биржи)|fuori dalla piattaforma|platform ke bahar)\s+"
        rf"(?:\w+\s+){{0,3}}?{_COMM}",
        0.75,
    ),
    (
        "search",
        None,
        r"(?:search|look|google|find|cherche[sz]?|recherche[sz]?|busca(?:me)?|búscame|procura|"
        r"procure|such(?:e|en sie)?|найди(?:те)?|ищите|поищи(?:те)?|cerca(?:mi)?)\s+"
        r"(?:for\s+|nach\s+|por\s+|pelo\s+)?(?:me|my (?:full |real |complete )?name|my profile|"
        r"mi nombre(?: completo)?|meu nome(?: completo)?|mon nom(?: complet)?|meinen namen|меня|"
        r"il mio nome|[\"'«“‘„][^\"'»”’\n]{2,60}[\"'»”’“])\s*(?:up\s+)?(?:on|in|en|no|na|sur|auf|"
        r"bei|в|на|su)\s+(?:linked\s?in|facebook|instagram|insta|twitter|x|google|telegram|vk|вк|"
        r"tiktok|xing|upwork|fiverr|freelancer|toptal|malt|линкедин\w*|инстаграм\w*)"
        r"|google (?:my name|me)\b",
        0.85,
    ),
    (
        "search",
        r"\bmy\s+(?:full\s+|real\s+)?$",
        r"name\s+(?:on|in)\s+(?:linked\s?in|facebook|google|instagram|telegram)",
        0.8,
    ),
    (
        "hinglish",
        None,
        rf"(?:{_CH_BRAND}|call|msg|message|text|contact)\s+(?:pe\s+|par\s+|per\s+|me\s+)?(?:karo|"
        r"kariye|kijiye|karna|kar do|kardo|baat karte|baat karo|baat karein|milte)\b",
        0.8,
    ),
    (
        "ask",
        r"\b(?:apna|aapka|apka|tumhara)\s+$",
        r"(?:number|no|whats\s?app|email|mail id|contact)\s+(?:bhejo|do|dijiye|bhejiye|share karo|"
        r"send karo|dedo|de do)\b",
        0.8,
    ),
    ("bahar", None, r"bahar baat", 0.7),
    (
        "profile",
        r"\b(?:number|e-?mail|whats\s?app|telegram|contact(?:s| details| info)?|details|"
        r"discord|skype|signal|viber|wechat|line id|insta(?:gram)?|snap(?:chat)?|handle|"
        r"n[uú]mero|numéro|nummer|correo|contato|contacto|kontakt(?:daten)?|номер|контакты|"
        r"почта)\s+(?:is|are|es|está|est|ist|é|está|находится|есть)?\s*(?:in|on|en|no|na|dans|"
        r"sur|im|in der|auf|в|на)\s+$",
        r"(?:my|mi|meu|minha|mon|ma|mein(?:em)?|meiner|моем|моём|моей)\s+(?:profile|bio|photo|"
        r"picture|pic|avatar|portfolio|cv|resume|signature|perfil|foto|firma|assinatura|profil|"
        r"signatur|профиле|аватарке|фото|подписи)",
        0.75,
    ),
]
_ANCHORS: dict[str, frozenset[str]] = {
    "channel": _TRIGGERS
    | frozenset(
        fw(w)
        for w in """email mail gmail correo courriel почту почта почте мейл personal private own
        real other direct personnel personnelle persönliche privaten privat privado pessoal
        личную личный личной личке личку личные phone cell mobile number teléfono telefono
        telefone celular móvil movil número numero numéro portable handy handynummer
        telefonnummer телефон номер sms zoom meet teams hangouts""".split()
    ),
    "ask": frozenset(
        fw(w)
        for w in """email mail phone number cell mobile whats whatsapp wsp zap telegram telega
        skype signal viber discord wechat contact handle insta instagram linkedin linked
        facebook social socials número numero numéro nummer handynummer telefonnummer correo
        teléfono telefono telefone celular contacto contato contatto kontaktdaten adresse
        portable cellulare номер телефон почту мейл телегу телеграм ватсап вотсап контакт
        контакты скайп ник personal private direct real own personnel personnelle privado
        pessoal""".split()
    ),
    "brand": _TRIGGERS,
    "direct": frozenset(["directly", "privately", "personally", "off", "outside"]),
    "outside": frozenset(["outside", "off"]),
    "outside_ml": frozenset(
        fw(w) for w in "fuera fora en hors au außerhalb ausserhalb вне в fuori platform".split()
    ),
    "search": frozenset(
        fw(w)
        for w in """search look google name find cherche cherches cherchez recherche recherchez
        busca buscame búscame procura procure such suche suchen найди найдите ищите поищи
        поищите cerca cercami""".split()
    ),
    "hinglish": _TRIGGERS | frozenset(["call", "msg", "message", "text", "contact"]),
    "bahar": frozenset(["bahar"]),
    "profile": frozenset(
        fw(w) for w in "my mi meu minha mon ma mein meinem meiner моем моём моей".split()
    ),
}
# The word a rule's `pre` ends with (checked before running the regex, which is costly).
_PRE_LAST = {
    "invite": """on via at over through thru in by using up al por en a mi vía via través mediante
        no na pelo pela em sur par au à auf per über ueber bei an unter в на по через su tramite
        directly privately personally instead there directamente direto diretamente directement
        direttamente напрямую лично лучше""",
    "move": """to on over via onto through by in into using por en a al vía pelo no na pela sur
        par auf per über ueber bei zu в на по через su""",
    "ask": """your ur you're re my tu su seu teu sua tua ton ta votre deine ihre свой свою ваш
        вашу твой твою tuo personal private direct real own personnel personnelle privado
        pessoal""",
    "have": """on have use got tienes tiene usas tem as avez du sie есть a""",
    "im": "on in",
    "direct": "me us",
    "comm": None,
    "my": "my full real",
    "hinglish_ask": "apna aapka apka tumhara",
}
_POSSESSIVE = frozenset(
    fw(w) for w in "my mi meu minha mon ma mein meine meinem meiner мой мою mio mia il la".split()
)
# Words at least one of which the text before the anchor must hold for a rule's `pre` to be
# worth running (a set test instead of a regex).
_PRE_KEYS = {
    "invite": """hmu line message msg note email dm me mi mir mich moi мне мной меня comigo chama
        chame liga ligue manda mande adiciona
        adicione procura procure segue siga contato contate contata escríbeme escribeme
        contáctame contactame contácteme contacteme llámame llamame llámeme llameme háblame
        hablame mándame mandame agrégame agregame añádeme anademe búscame buscame sígueme
        sigueme escríbenos escribenos contáctanos contactanos envíame enviame напиши напишите
        пиши пишите звони звоните позвони позвоните свяжись свяжитесь стучи стучите стукни
        добавь добавьте найди найдите писать scrivimi contattami chiamami aggiungimi cercami
        mandami sentiamoci""",
    "move": """let let's lets us we please prefer better easier faster simpler suggest rather
        continue können konnen koennen sollen wollen möchten wir peut pourrait pouvons va
        hablemos sigamos continuemos conversemos charlemos platiquemos movamos pasemos
        podemos mejor vamos bora prefiro continuons parlons discutons passons échangeons
        echangeons lass lasst давай давайте continuiamo parliamo spostiamoci passiamo""",
    "ask": """send give share drop leave pass dm text tell shoot what's whats what can could may
        pasas das mandas envías envias compartes
        need pásame pasame mándame mandame envíame enviame dame compárteme comparteme pasa
        regálame regalame passa passe manda mande envia envie envoie envoyez donne donnez file
        passez schick sende gib schicken senden geben скинь скиньте дай дайте отправь
        отправьте пришли пришлите оставь оставьте mandami dammi inviami passami""",
}
_RULE_KEYS = ["invite", "move", "ask"] + [None] * (len(_RULES_SPEC) - 3)
# The word before the preposition, for the two costliest rules.
_PRE_SECOND = {
    "invite": """hmu line note text email dm me up directly privately personally instead there
        comigo
        mi мне мной меня лично
        напрямую лучше directamente direto diretamente directement direttamente mensagem msg
        mensaje msj message messaggio""",
    "move": """move take continue switch shift talk chat communicate discuss connect speak go on
        touch talking chatting more this it things conversation discussion rest further
        directly hablemos sigamos continuemos conversemos charlemos platiquemos movamos
        pasemos hablar seguir continuar hablamos seguimos conversar falar tratar papear
        continuons parlons discutons passons échangeons echangeons continue passe continuer
        parler discuter passer échanger echanger weiterschreiben schreiben reden sprechen wir
        перейдем
        перейдём продолжим общаться пообщаемся спишемся созвонимся переписываться обсудим
        переместимся continuiamo parliamo spostiamoci passiamo""",
}
_GERMAN_OBJECT = frozenset(("mir", "mich", "uns"))
_RULE_LAST = [
    "invite",
    "move",
    "ask",
    "have",
    "im",
    "direct",
    "comm",
    "comm",
    "comm",
    "comm",
    None,
    "my",
    None,
    "hinglish_ask",
    None,
]
_ALL_ANCHORS = frozenset().union(*_ANCHORS.values())
# "... on Instagram, write me there": an invitation pointing back at a channel just named.
_THERE_WORDS = frozenset(fw(w) for w in "there là allí ahí alli ahi lá dort там lì".split())
_THERE_PRE = re.compile(
    folded_pattern(
        r"(?:\b(?:message|dm|pm|write|text|ping|contact|reach|find|catch|add|call|connect\s+with"
        r"|talk\s+to|chat\s+with|speak\s+to|get\s+in\s+touch\s+with)\s+(?:me|us)\s+"
        r"(?:over\s+|up\s+|directly\s+)?"
        r"|(?:[eé]cri[st]-?\s?moi|[eé]crivez-?\s?moi|contacte-?\s?moi|contactez-?\s?moi)\s+"
        r"|(?:escr[ií]beme|h[aá]blame|cont[aá]ctame|me escreve|me chama|me manda mensagem|"
        r"fala comigo|scrivimi|contattami)\s+(?:por\s+)?"
        r"|(?:schreib|schreiben sie)\s+mir\s+"
        r"|(?<![\w])(?:напиши|напишите|пиши|пишите)\s+(?:мне\s+)?)"
        r"$"
    )
)
_RULES = [
    (
        group,
        re.compile(folded_pattern(pre)) if pre else None,
        re.compile(folded_pattern(post)),
        c,
        frozenset(fw(w) for w in _PRE_LAST[last].split()) if last and _PRE_LAST.get(last) else None,
        frozenset(fw(w) for w in _PRE_KEYS[key].split()) if key else None,
        frozenset(fw(w) for w in (_PRE_SECOND[key] + " " + _PRE_KEYS[key]).split())
        if key in _PRE_SECOND
        else None,
    )
    for (group, pre, post, c), last, key in zip(
        _RULES_SPEC,
        _RULE_LAST + [None] * (len(_RULES_SPEC) - len(_RULE_LAST)),
        _RULE_KEYS,
        strict=True,
    )
]
_STRIP = ".,;:!?()[]\"'«»¿¡"
_WORD_BEFORE = re.compile(r"([^\W\d_]+(?:'[a-z]+)?)[^\w]*$")
_NEGATED = re.compile(
    folded_pattern(
        r"(?:\b(?:don'?t|do not|dont|doesn'?t|never|not|no need to|can'?t|cannot|won'?t|"
        r"shouldn'?t|mustn'?t|avoid|instead of|rather than|refuse|no|nunca|não|nao|nicht|"
        r"keine?|nahi|mat|ni|jamais|pas|evita|evite|evitar|vermeiden|prohibido|proibido)\b|"
        r"(?<![\w])(?:не|нельзя|никогда)(?![\w]))[^.!?\n,;]{0,25}$"
    )
)
_REFUSED_AFTER = re.compile(
    folded_pattern(
        r"^[^.!?\n]{0,60}?(?:is(?:n'?t| not) allowed|not allowed|against (?:the )?(?:rules|tos|"
        r"terms|policy)|not permitted|violat|prohibited|forbidden|verboten|prohibido|proibido|"
        r"interdit|запрещ|nicht erlaubt|no est[aá] permitido|não é permitido)"
    )
)


_GATE_WORDS = _TRIGGERS | _THERE_WORDS | _ALL_ANCHORS


def relevant(doc: ScanDoc) -> bool:
    """A necessary condition (scanning.gate): `_detect` looks only at brand, "there" and anchor
    words among the folded text's words (also those glued to Chinese/Japanese text), and at
    "微信"."""
    words = tokens(doc)
    text = doc.folded.text
    if not _GATE_WORDS.isdisjoint(words) or "微信" in text:
        return True
    return not text.isascii() and _has_cjk(text) and not _GATE_WORDS.isdisjoint(_glued(words))


def _glued(words: frozenset[str]) -> frozenset[str]:
    """The Latin words inside tokens glued to Chinese/Japanese text ("LINEで連絡" -> "line")."""
    return frozenset(w for t in words if _CJK_CHARS.search(t) for w in _CJK_CHARS.split(t) if w)


def detect(doc: ScanDoc) -> Iterator[Finding]:
    """Messenger handles and explicit off-platform invitations in `doc`."""
    try:
        found = _detect(doc)
    except Exception:  # a detector never raises on any input
        return
    yield from found


def _detect(doc: ScanDoc) -> list[Finding]:
    words = tokens(doc)
    text = doc.folded.text
    glued: frozenset[str] = frozenset()
    if not text.isascii() and _has_cjk(text):
        # found by probe2: "LINEで連絡ください" - a brand glued to Chinese/Japanese text
        glued = _glued(words) - words
        words = words | glued
    findings: list[Finding] = []
    # Per kind, the reported spans (never overlapping) as sorted starts and ends: an overlap
    # test is one bisect instead of a scan of every span reported so far.
    spans: dict[str, tuple[list[int], list[int]]] = {}

    def emit(kind: str, fstart: int, fend: int, confidence: float) -> None:
        start, end = doc.folded.span(fstart, fend)
        if end <= start:
            return
        starts, ends = spans.setdefault(kind, ([], []))
        i = bisect.bisect_left(starts, end)  # spans before i start before `end`
        if i and ends[i - 1] > start:
            return
        starts.insert(i, start)
        ends.insert(i, end)
        findings.append(
            make_finding(
                "contact", kind, doc.text[start:end], start, end, doc.part, confidence, NAME
            )
        )

    positions: dict[str, list[int]] = {}

    def where(word: str) -> list[int]:
        found = positions.get(word)
        if found is None:
            # Chinese writes no spaces between words ("加我微信号"): every occurrence counts.
            if word == "微信":
                hits = _find_all(text, word)
            elif word in glued:
                hits = _find_glued(text, word)
            else:
                hits = find_words(text, word)
            found = positions[word] = list(hits)
        return found

    # The same check at the same word in the same surroundings has the same answer: texts that
    # repeat a contact (quoted replies, signatures, word soup) are judged once per surroundings.
    # Keyed by what is checked and the _REACH characters on each side, which cover every look
    # around a check makes (the farthest: 100 back to a word start, then 160 more of words).
    decided: dict[tuple, list[tuple[int, int, float]]] = {}
    brands = sorted(_TRIGGERS & words)
    if "微信" in text:
        brands.append("微信")
    for brand in brands:
        at = where(brand)
        if not at:
            continue
        hits = (
            _judged(decided, text, at, ("h", brand), _handle_spans)
            if len(at) > 1
            else _handles(text, at[0])
        )
        for fstart, fend, confidence in hits:
            emit("messenger", fstart, fend, confidence)
    present = _ALL_ANCHORS & words
    own = _own_names(doc) if doc.context.own_domains else frozenset()
    for anchor in _THERE_WORDS & words:
        at = where(anchor)
        if at:
            for fstart, fend, confidence in _judged(
                decided, text, at, ("t", anchor), _there_check, anchor, own
            ):
                emit("off_platform_request", fstart, fend, confidence)
    if not present:
        return findings
    for index, rule in enumerate(_RULES):
        post = rule[2]
        for anchor in _ANCHORS[rule[0]] & present:
            at = where(anchor)
            if len(at) > 1:
                at = [p for p in at if post.match(text, p)]
                if not at:
                    continue
                hits = _judged(decided, text, at, (index, anchor), _rule_check, rule, own)
            elif at:
                m = post.match(text, at[0])  # the cheapest test first: most anchors stop here
                if m is None:
                    continue
                hits = _rule_check(text, at[0], rule, own, m)
            else:
                continue
            for fstart, fend, confidence in hits:
                emit("off_platform_request", fstart, fend, confidence)
    return findings


_REACH = 300


_CJK_CHARS = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]+")


_CJK_LEADS = tuple(bytes([lead]) for lead in range(0xE3, 0xEA))  # UTF-8 of U+3000..U+9FFF


def _has_cjk(text: str) -> bool:
    """Kana or CJK ideographs in `text` (a byte search: cheaper than a regex over the text)."""
    data = text.encode("utf-8", "surrogatepass")
    return any(lead in data for lead in _CJK_LEADS) and bool(_CJK_CHARS.search(text))


def _find_glued(text: str, word: str) -> Iterator[int]:
    """Starts of `word` where Chinese/Japanese text (or a non-word) is on each side."""
    for position in _find_all(text, word):
        before = text[position - 1] if position else " "
        end = position + len(word)
        after = text[end] if end < len(text) else " "
        left = not (before.isalnum() or before == "_") or _CJK_CHARS.match(before)
        right = not (after.isalnum() or after == "_") or _CJK_CHARS.match(after)
        if left and right:
            yield position


def _find_all(text: str, word: str) -> Iterator[int]:
    """Every start of `word` in `text`, word boundaries or not."""
    position = text.find(word)
    while position >= 0:
        yield position
        position = text.find(word, position + 1)


def _judged(
    decided: dict, text: str, positions: list[int], key: tuple, check, *args
) -> list[tuple[int, int, float]]:
    """`check` at each position, judged once per surroundings (_REACH characters each side)."""
    if len(positions) == 1:  # one occurrence: nothing to share
        return check(text, positions[0], *args)
    spans = []
    for position in positions:
        lo = position - _REACH if position > _REACH else 0
        full = (key, text[lo : position + _REACH], position - lo)
        relative = decided.get(full)
        if relative is None:
            relative = decided[full] = [
                (s - position, e - position, c) for s, e, c in check(text, position, *args)
            ]
        if relative:  # most checks find nothing
            spans.extend((position + s, position + e, c) for s, e, c in relative)
    return spans


def _handle_spans(text: str, position: int) -> list[tuple[int, int, float]]:
    return list(_handles(text, position))


def _there_check(
    text: str, position: int, anchor: str, own: frozenset[str]
) -> list[tuple[int, int, float]]:
    """ "... on Instagram, write me there": an invitation pointing back at a channel just named."""
    p = _match_before(_THERE_PRE, text, position)
    if p is None or _refused(text, p.start(), position):
        return []
    named = _words_before(text, p.start(), 160)
    if (named & _TRIGGERS or named & _MARKETS) - own:
        return [(p.start(), position + len(anchor), 0.8)]
    return []


def _rule_check(
    text: str, position: int, rule: tuple, own: frozenset[str], m: re.Match[str] | None = None
) -> list[tuple[int, int, float]]:
    """One invitation rule at one anchor occurrence: the span to report, or nothing."""
    group, pre, post, confidence, last, keys, second = rule
    if m is None:
        m = post.match(text, position)
        if m is None:
            return []
    start = position
    if last is not None and not _ends_with(text, position, last, second):
        return []
    if keys is not None and keys.isdisjoint(_words_before(text, position)):
        return []
    if pre is not None:
        p = _match_before(pre, text, position)
        if p is None:
            return []
        start = p.start()
    if _refused(text, start, m.end()):
        return []
    brand = m.groupdict().get("brand")
    if brand and brand.strip() in own:
        return []  # the platform itself ("message me on gigbridge")
    c = confidence
    if group == "channel" and m.groupdict().get("mail"):
        # "contact me via email" is the weakest channel here; "move this to email" is the
        # guideline's own example.
        c = 0.8 if pre is _RULES[1][1] else 0.7
    return [(start, m.end(), c)]


_WORD_START = re.compile(r"(?<!\S)\S|(?<=[\s(\[\"'«¿¡])\w")


def _word_starts(text: str, position: int, count: int = 11, reach: int = 100) -> list[int]:
    """Start positions of the (up to) `count` words before `position`, nearest first."""
    starts = [m.start() for m in _WORD_START.finditer(text, max(0, position - reach), position)]
    return starts[::-1][: count + 3]


def _match_before(pattern: re.Pattern[str], text: str, position: int) -> re.Match[str] | None:
    """A match of `pattern` ending exactly at `position`, tried from word starts only.

    Much cheaper than `search` over the preceding text, which tries every character.
    """
    best = None
    for start in _word_starts(text, position):
        m = pattern.match(text, start, position)
        if m is not None and m.end() == position and (best is None or m.start() < best.start()):
            best = m  # the longest one wins
    return best


def _own_names(doc: ScanDoc) -> frozenset[str]:
    """The platform's own name(s), from its domains ("gigbridge" for gigbridge.io)."""
    return _names_of(doc.context.own_domains)


@lru_cache(maxsize=64)
def _names_of(domains: tuple[str, ...]) -> frozenset[str]:
    return frozenset(d.lower().strip(".").split(".")[-2] for d in domains if "." in d)


def _words_before(text: str, position: int, reach: int = 90) -> set[str]:
    """The words of the `reach` characters before `position` (split on spaces and hyphens)."""
    chunk = text[max(0, position - reach) : position].replace("-", " ")
    return {w.strip(_STRIP) for w in chunk.split()}


def _ends_with(
    text: str, position: int, last: frozenset[str], second: frozenset[str] | None = None
) -> bool:
    """The word before `position` (or before a possessive) is in `last`; the one before that
    in `second` (when given; German word order puts fillers there, so "mir"/"mich"/"uns" among
    the last five words also passes)."""
    return _chunk_ends_with(text[max(0, position - 60) : position], last, second)


@lru_cache(maxsize=8192)
def _chunk_ends_with(chunk: str, last: frozenset[str], second: frozenset[str] | None) -> bool:
    """_ends_with on the 60 characters before the position (all it reads): texts repeat the
    words before an invitation (quoted replies, signatures), so the answer is cached."""
    # Only the last seven words are ever read (the last two, and five before the last).
    before = [w.strip(_STRIP) for w in chunk.split()[-7:]]
    if not before:
        return False
    i = len(before) - 1
    if before[i] in _POSSESSIVE and i > 0:
        i -= 1
    if before[i] not in last:
        return False
    if second is None:
        return True
    if i > 0 and (before[i - 1] in second or before[i - 1].endswith(("-moi", "moi"))):
        return True
    return not _GERMAN_OBJECT.isdisjoint(before[max(0, i - 5) : i])


def _refused(text: str, start: int, end: int) -> bool:
    """Negated ("please don't send me your WhatsApp") or refused ("... is not allowed")."""
    if _NEGATED.search(text, max(0, start - 45), start):
        return True
    return bool(_REFUSED_AFTER.match(text[end : end + 80]))


def _handles(text: str, position: int) -> Iterator[tuple[int, int, float]]:
    """Handles next to the brand written at `position`: after it, then before it."""
    m = _FORWARD.match(text, position)
    if m is not None:
        brand_kind = _brand_of(m)
        if _valid_handle(
            m, brand_kind, _brand_text(m), m.group("filler") or "", text, m.start()
        ) and not _refused(text, m.start(), m.end()):
            yield m.start(), m.end(), 0.9
    brand = _BRAND_AT.match(text, position)
    if brand is None:
        return
    ahead = text[brand.end() : brand.end() + 60]
    near = (
        _NEAR_ID.match(text, brand.end())
        if any(w in ahead for w in ("live:", "name", "handle", "id", "nick"))
        else None
    )
    if near is not None and _near_id_ok(near, _brand_of(brand), text, position):
        yield position, near.end("id"), 0.85
        return
    chunk = text[max(0, position - 60) : position]
    if "@" not in chunk and not any(d in chunk for d in "0123456789"):
        return
    b = _match_before(_BACKWARD, text, position)
    if b is None:
        return
    handle = b.group("at") or ""
    if handle and (handle.endswith("bot") or _looks_domain(handle)):
        return
    if b.group("phone") and not 7 <= sum(c.isdigit() for c in b.group("phone")) <= 15:
        return
    if b.group("tag") and _brand_of(brand) != "discord":
        return  # "name#1234" is a Discord tag and nothing else's
    if _brand_of(brand) in _SOCIAL and work_social(text, b.start(), brand.end()):
        return
    if not _refused(text, b.start(), brand.end()):
        yield b.start(), brand.end(), 0.85


# found by probe2: the handle a few words after the brand, in the same sentence ("Skype works
# for me - live:.cid.7f3a9c21b04e", "over Signal instead, my username is tomh.42").
_NEAR_ID = re.compile(
    r"[^.!?\n@]{0,40}?(?<![\w])(?:(?P<live>live:[\w.:\-]{3,40})"
    r"|(?P<my>my[ \t]+)?(?:user\s?name|handle|nick(?:name)?|id)[ \t]*(?P<sep>is|:|=)[ \t]*"
    r"(?P<plain>[a-z0-9][\w.\-]{1,30}[a-z0-9_]))(?P<id>)(?![\w@])"
)
_NEAR_NOT = re.compile(r"\b(?:bot|bots|channel|group|server|api|token|chat_id|app)\b")


def _near_id_ok(m: re.Match[str], brand_kind: str, text: str, start: int) -> bool:
    if m.group("live"):
        return brand_kind == "skype"
    handle = m.group("plain") or ""
    if _NEAR_NOT.search(m[0]) or handle in _STOP_HANDLES or _looks_domain(handle):
        return False
    if not m.group("my") and m.group("sep") == "is":
        return False  # "the user id is ...": someone's, not an offer of one's own
    if brand_kind in _SOCIAL and work_social(text, start, m.end()):
        return False
    return any(c.isalpha() for c in handle) and any(c in handle for c in "0123456789_.")


def _brand_of(m: re.Match[str]) -> str:
    for name in _BRANDS:
        if m.group(name):
            return name
    return ""


def _brand_text(m: re.Match[str]) -> str:
    for name in _BRANDS:
        value = m.group(name)
        if value:
            return value
    return ""


_ID_WORD = re.compile(
    rf"\b(?:id|user\s?name|username|handle|nick(?:name)?)\b|{_CJK_CONTACT}"  # CJK: probe2
)
# "加我微信 wxid_abc123": "add me on WeChat" right before the brand (found by probe2)
_CJK_ADD_BEFORE = re.compile(r"(?:加我|加|我的|私の)\s*$")
_DOMAINISH = re.compile(
    r"\.(?:com|net|org|io|co|me|dev|app|ru|de|uk|br|in|fr|es|it|us|info|biz|xyz|ai|ly|gg|to|cc)$"
)


def _looks_domain(handle: str) -> bool:
    """ "anna.dev" is a link (urls.py's), "anna.designs" an Instagram handle."""
    return bool(_DOMAINISH.search(handle))


_MY_BEFORE = re.compile(folded_pattern(r"\b(?:my|mi|meu|minha|mon|ma|mein|meine|мой|моя)\s+$"))


# Short brand names that are no English word ("line", "x", "signal" are: they keep needing "id").
_SLANG_BRANDS = frozenset({"ig", "wa", "zap", "zapp", "tg", "fb", "snap", "imo"})


def _own_brand(text: str, start: int, brand: str, filler: str, handle: str) -> bool:
    """ "my ig is lina.paints", "my tg: anna_k": a possessive before the short brand, a plain
    "is" or ":" after it, and a handle marked by a digit, "_" or "." that is not a file name."""
    return (
        brand.lower() in _SLANG_BRANDS
        and bool(_MY_BEFORE.search(text, max(0, start - 12), start))
        and handle.rpartition(".")[2] not in FILE_EXTENSIONS
        and filler.strip() in {"is", ":", "es", "é", "est", "ist", "="}
        and any(c in handle for c in "0123456789_.")
    )


def _valid_handle(
    m: re.Match[str], brand_kind: str, brand_text: str, filler: str, text: str, start: int
) -> bool:
    brand = brand_text.strip()
    strict = brand in _STRICT or fw(brand) in _STRICT
    if m.group("phone"):
        digits = sum(c.isdigit() for c in m.group("phone"))
        if digits < 7 or digits > 15:
            return False
        return brand_kind not in {"x", "line"} or ":" in filler
    if m.group("at"):
        handle = m.group("at")
        if handle.endswith("bot") or _looks_domain(handle):
            return False
        if m.end() < len(text) and text[m.end()] in "@":
            return False
        return not (brand_kind in _SOCIAL and work_social(text, start, m.end()))
    if m.group("live"):
        return brand_kind == "skype"
    if m.group("tag"):
        return brand_kind == "discord"
    handle = m.group("plain") or ""
    if not handle or not any(c.isalpha() for c in handle):
        return False
    if (
        strict
        and not _ID_WORD.search(filler)
        and not _own_brand(text, start, brand, filler, handle)
    ):
        return False  # "line: 42" no, "LINE ID: yuki_tanaka" yes, "my ig is lina.paints" yes
    if _CJK_ADD_BEFORE.search(text, max(0, start - 4), start) and any(
        c in handle for c in "0123456789_."
    ):
        return handle not in _STOP_HANDLES and not _looks_domain(handle)
    explicit = any(
        s in filler
        for s in (
            ":",
            "=",
            "id",
            "user",
            "handle",
            "nick",
            "ник",
            "логин",
            "usuario",
            "usuário",
            "pseudo",
            "benutzername",
            "→",
            "->",
        )
    )
    marked = any(c in handle for c in "0123456789_.")
    if not explicit and not (marked and filler.strip()):
        return False
    if handle in _STOP_HANDLES or handle.rstrip(".") in _STOP_HANDLES:
        return False
    if m.end() < len(text) and text[m.end()] == "@":
        return False  # an e-mail address: the e-mail detector's
    if _looks_domain(handle):
        return False  # a link: urls.py's
    if brand_kind in _SOCIAL and work_social(text, start, m.end()):
        return False
    return marked or len(handle) >= 4
