"""Positive for both categories (§3 last paragraph, §4).

Either a payment handle that is itself an e-mail address or a phone number (PayPal to an e-mail,
Zelle/Bizum/СБП/MB WAY/Pix/Paytm to a phone), or one message that both shares a contact and
proposes an off-platform payment.
"""

from __future__ import annotations

from .case import Case


def B(lang: str, note: str, text: str = "", **kw: object) -> Case:
    """A contact-and-payment case."""
    return Case(lang, 1, 1, note, text, **kw)  # type: ignore[arg-type]


HANDLE_IS_CONTACT = [
    B(
        "en",
        "PayPal to an e-mail address: payment channel + e-mail (§2.1, §3.1, §3 last para)",
        "You can send the deposit to my PayPal, it's emily.brooks@proton.me.",
        disguise="both-paypal-email",
    ),
    B(
        "es",
        "PayPal to an e-mail address (§2.1, §3.1)",
        "El pago me lo puedes hacer por PayPal a vale.gomez@gmail.com, es lo más cómodo.",
        disguise="both-paypal-email",
    ),
    B(
        "it",
        "PayPal to an e-mail address in the signature (§2.1, §3.1, §4)",
        "PayPal: marco.rinaldi88@gmail.com",
        where="sig",
        disguise="both-paypal-email",
        sender=("Marco Rinaldi", "marco.rinaldi88@gmail.com"),
    ),
    B(
        "de",
        "PayPal Freunde to an e-mail address (§2.1, §3.1)",
        "Schick es mir am besten per PayPal (Freunde & Familie) an felix.wagner@t-online.de.",
        disguise="both-paypal-email",
    ),
    B(
        "fr",
        "PayPal to an e-mail address in the P.S. (§2.1, §3.1)",
        "pour le paiement, PayPal sur julien.moreau@free.fr c'est parfait.",
        where="ps",
        disguise="both-paypal-email",
    ),
    B(
        "en",
        "Zelle to a US phone number (§2.2, §3.1)",
        "Zelle me at 512-847-3920 whenever you're ready, no need to go through the milestone.",
        disguise="both-zelle-phone",
        phones=("+15128473920",),
    ),
    B(
        "en",
        "Zelle to an e-mail address (§2.1, §3.1)",
        "For Zelle use chris.nolan@hey.com.",
        disguise="both-zelle-email",
        where="ps",
    ),
    B(
        "en",
        "Venmo to a phone number (§2.2, §3.1)",
        "Venmo's easiest - the account is under my cell, 212 987 4563.",
        disguise="both-venmo-phone",
        phones=("+12129874563",),
    ),
    B(
        "es",
        "Bizum to a Spanish mobile (§2.2, §3.1)",
        "Hazme un Bizum al 655 21 87 43 y empiezo mañana.",
        disguise="both-bizum-phone",
        phones=("+34655218743",),
    ),
    B(
        "pt",
        "MB WAY to a Portuguese mobile (§2.2, §3.1)",
        "Pode pagar por MB WAY para o 936 281 745.",
        disguise="both-mbway-phone",
        phones=("+351936281745",),
    ),
    B(
        "pt",
        "Pix key that is a phone number (§2.2, §3.2)",
        "Minha chave Pix é o celular: +55 11 97654-3218. Manda que eu já libero os arquivos.",
        disguise="both-pix-phone",
        phones=("+5511976543218",),
    ),
    B(
        "pt",
        "Pix key that is an e-mail address (§2.1, §3.2)",
        "Chave Pix (e-mail): pedro.alves@uol.com.br",
        disguise="both-pix-email",
        where="sig",
        sender=("Pedro Alves", "pedro.alves@uol.com.br"),
    ),
    B(
        "ru",
        "СБП transfer to a phone number (§2.2, §3.1)",
        "Оплату можно по СБП на номер +7 903 482 17 56, банк Т-Банк.",
        disguise="both-sbp-phone",
        phones=("+79034821756",),
    ),
    B(
        "hi",
        "Paytm / GPay to a phone number (§2.2, §3.1)",
        "Paytm ya GPay kar do is number pe: 84473 62915",
        disguise="both-paytm-phone",
        phones=("+918447362915",),
    ),
    B(
        "fr",
        "Lydia to a French mobile (§2.2, §3.1)",
        "Tu peux me faire un Lydia au 07 81 23 45 78.",
        disguise="both-lydia-phone",
        phones=("+33781234578",),
    ),
    B(
        "de",
        "Revolut to a German mobile number (§2.2, §3.1)",
        "Revolut geht auch, einfach an meine Nummer +49 171 9283746 schicken.",
        disguise="both-revolut-phone",
        phones=("+491719283746",),
    ),
    B(
        "de",
        "Wise to an e-mail address (§2.1, §3.1)",
        "Bei Wise findest du mich unter anna.schulz@posteo.de.",
        disguise="both-wise-email",
    ),
    B(
        "en",
        "Interac e-transfer to an e-mail address (§2.1, §3.1)",
        "Being in Canada, Interac e-Transfer to michael.tan.ca@gmail.com works best for me.",
        disguise="both-interac-email",
    ),
    B(
        "en",
        "Cash App cashtag plus a phone number to text (§2.2, §3.2)",
        "Cash App $jreesworks - or text me on 07418 293746 if it doesn't go through.",
        disguise="both-cashapp-phone",
        phones=("+447418293746",),
    ),
    B(
        "en",
        "Payoneer to an e-mail address (§2.1, §3.1)",
        "Send the payment request to grace.okafor@yahoo.com on Payoneer.",
        disguise="both-payoneer-email",
    ),
    B(
        "en",
        "Western Union with receiver name and phone (§2.2, §3.1)",
        "Western Union: receiver Grace Okafor, Lagos, phone +234 803 482 7193.",
        disguise="both-wu-phone",
        phones=("+2348034827193",),
    ),
]

OBFUSCATED = [
    B(
        "en",
        "'P@yPal' to an address spelled 'at ... dot' (§2.1, §3.1)",
        "P@yPal: harper.tom at gmail dot com - friends & family please",
        disguise="both-obfuscated",
    ),
    B(
        "es",
        "PayPal to an e-mail with a Cyrillic homoglyph (§2.1, §3.1)",
        "Págame por PayPal a sofi.ruiz93@hоtmail.es cuando puedas.",
        disguise="both-homoglyph",
    ),
    B(
        "pt",
        "Pix to a phone written in words (§2.2, §3.1)",
        "Faz o Pix pro meu celular: dois um, nove nove seis sete quatro, três um oito cinco.",
        disguise="both-spelled",
        phones=("+5521996743185",),
    ),
    B(
        "ru",
        "'на карту' transfer with a phone in words (§2.2, §3.1)",
        "Переведите на карту по номеру телефона: восемь девятьсот шестнадцать четыреста восемьдесят два "
        "тридцать один ноль семь.",
        disguise="both-spelled",
        phones=("+79164823107",),
    ),
    B(
        "en",
        "PayPal e-mail hidden in display:none HTML (§1, §2.1, §3.1)",
        where="hidden",
        disguise="both-hidden",
        html='<div style="display:none">paypal: mark.ellis.payments@gmail.com</div>',
    ),
    B(
        "de",
        "PayPal to an address split by HTML tags (§1, §2.1, §3.1)",
        where="html",
        disguise="both-split-tags",
        html="<p>Zahlung gerne per PayPal an <b>k.schubert77</b>@<span>gmx</span>.net</p>",
    ),
]

COMBINED = [
    B(
        "en",
        "proposes paying directly and continuing on WhatsApp with a number (§2.3, §3.3)",
        "Let's take this off the platform: I'll pay you directly, half now and half on delivery. "
        "WhatsApp me on +44 7774 129956 to sort the details.",
        disguise="both-combined",
        phones=("+447774129956",),
    ),
    B(
        "es",
        "shares a phone and an IBAN for a direct transfer (§2.2, §3.2)",
        "Te dejo mi móvil, +34 612 48 39 57, y mi cuenta para la transferencia: %%iban:ES%%.",
        disguise="both-combined",
        phones=("+34612483957",),
    ),
    B(
        "fr",
        "IBAN in the body and phone in the signature (§2.2, §3.2, §4)",
        "Voici mon IBAN pour le solde : %%iban:FR%%",
        sig_text="06 12 87 43 95",
        disguise="both-combined",
        phones=("+33612874395",),
        sender=("Léa Bernard", "lea.bernard@laposte.net"),
    ),
    B(
        "ru",
        "Telegram handle and a USDT TRC-20 wallet (§2.3, §3.2)",
        "Пишите в телеграм @volkov_sergey_dev, оплату принимаю в USDT: %%tron%%",
        disguise="both-combined",
    ),
    B(
        "de",
        "vCard with a phone and an IBAN in its NOTE (§1 vCard, §2.2, §3.2)",
        "Anbei meine Kontaktkarte.",
        where="attach",
        disguise="both-vcard",
        phones=("+4915773948216",),
        attach=[
            (
                "katrin-schubert.vcf",
                "text/vcard",
                "BEGIN:VCARD\nVERSION:3.0\nFN:Katrin Schubert\nTEL;TYPE=CELL:+49 1577 3948216\n"
                "NOTE:Bankverbindung %%iban:DE%%\nEND:VCARD\n",
            )
        ],
    ),
    B(
        "en",
        "e-mail and Bitcoin address in a .txt attachment (§1, §2.1, §3.2)",
        "Details in the attached file.",
        where="attach",
        disguise="both-attachment",
        attach=[
            (
                "payment-details.txt",
                "text/plain",
                "Project: brand refresh\nPay to (BTC): %%bc1%%\nQuestions: mark.ellis.dev@gmail.com\n",
            )
        ],
    ),
    B(
        "it",
        "proposes to pay off-platform and gives a phone to arrange it (§2.2, §3.3)",
        "Se paghi fuori dalla piattaforma ti faccio il 15% di sconto, chiamami al 347 218 5590 e ci "
        "accordiamo.",
        disguise="both-combined",
        phones=("+393472185590",),
    ),
    B(
        "hi",
        "UPI ID plus a WhatsApp number (§2.3, §3.2)",
        "UPI: vikram.singh@oksbi, aur koi doubt ho toh WhatsApp 98201 47365.",
        disguise="both-combined",
        phones=("+919820147365",),
    ),
    B(
        "pt",
        "Zoom link and proposal to pay by Pix outside the platform (§2.4, §3.1)",
        "Paga por Pix direto pra mim e a gente fecha os detalhes nessa call: zoom.us/j/93847261530",
        disguise="both-combined",
    ),
    B(
        "en",
        "PayPal e-mail in the Subject (§1, §2.1, §3.1)",
        "Invoice 3 - PayPal to tom@harper-digital.com",
        where="subject",
        disguise="both-paypal-email",
    ),
    B(
        "es",
        "phone and Bizum in quoted text (§1, §2.2, §3.1)",
        "Bizum al 612 48 39 57 cuando puedas.",
        where="quote",
        disguise="both-bizum-phone",
        phones=("+34612483957",),
    ),
    B(
        "de",
        "IBAN and e-mail in a forwarded message (§1, §2.1, §3.2)",
        "Rechnung bitte an jonas.becker.ux@gmail.com, Zahlung auf %%iban:DE%%.",
        where="fwd",
        disguise="both-forwarded",
    ),
    B(
        "en",
        "card number offered plus a phone to call for the CVV (§2.2, §3.2)",
        "Charge the extra revisions to my card %%card:visa%% and call me at (469) 283-7465 for the CVV.",
        disguise="both-combined",
        phones=("+14692837465",),
    ),
    B(
        "fr",
        "Calendly link and PayPal.me link in the signature (§2.4, §3.2, §4)",
        "Réserver un appel : calendly.com/hugo-girard/30min · Paiement : paypal.me/hugogirard",
        where="sig",
        disguise="both-combined",
    ),
]

CASES = HANDLE_IS_CONTACT + OBFUSCATED + COMBINED
