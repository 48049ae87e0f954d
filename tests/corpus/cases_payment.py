"""Positive for payment only: channels, coordinates, proposals to pay outside the platform (§3).

Nothing here offers a way to reach the person off-platform (no e-mail, phone, handle or
invitation to talk elsewhere), so each case is contact=0, payment=1. UPI IDs, cashtags and
PayPal.me links are payment handles, not contact (§2 "Not contact", last bullet).
Coordinates written as %%kind:arg:fmt%% are generated with valid checksums by build_corpus.py.
"""

from __future__ import annotations

from .case import Case


def P(lang: str, note: str, text: str = "", **kw: object) -> Case:
    """A payment-only case."""
    return Case(lang, 0, 1, note, text, **kw)  # type: ignore[arg-type]


CHANNEL = [
    P(
        "en",
        "proposes PayPal as the way to pay instead of the platform (§3.1)",
        "For the remaining two milestones, would you be OK paying via PayPal instead? I'll send you a "
        "PayPal invoice for each one.",
        disguise="pay-channel",
    ),
    P(
        "en",
        "asks to be paid by Venmo (§3.1)",
        "Easiest for me is Venmo - can you send the balance there once you've approved the files?",
        disguise="pay-channel",
    ),
    P(
        "en",
        "offers to take Zelle, no handle given (§3.1)",
        "I can also take Zelle for the final payment if that's simpler on your end.",
        disguise="pay-channel",
        where="ps",
    ),
    P(
        "en",
        "Cash App with a cashtag (payment handle) (§3.1, §3.2)",
        "Cash App works too: $danwhit84. Just put the project name in the note.",
        disguise="cashtag",
    ),
    P(
        "en",
        "asks to be paid through Wise to save conversion fees (§3.1)",
        "Could you pay me through Wise this time? The platform's currency conversion eats almost 4%.",
        disguise="pay-channel",
    ),
    P(
        "en",
        "'just Revolut me' the balance (§3.1)",
        "Just Revolut me the balance once you're happy with v3 :)",
        disguise="pay-channel",
        where="ps",
    ),
    P(
        "en",
        "proposes a direct Payoneer payment request (§3.1)",
        "I can send you a Payoneer payment request directly, then we don't need to open a new milestone.",
        disguise="pay-channel",
    ),
    P(
        "en",
        "asks to be paid by Western Union to her name (§3.1)",
        "Banks here are slow with foreign transfers, so Western Union to my name (Grace Okafor, Lagos) "
        "would be best for the deposit.",
        disguise="pay-channel",
        sender=("Grace Okafor", "grace.okafor@yahoo.com"),
    ),
    P(
        "en",
        "offers to pay in gift cards (§3.1)",
        "If it helps, I can pay the last part in Amazon gift cards instead of through the contract.",
        disguise="pay-giftcard",
    ),
    P(
        "en",
        "'P@yPal' obfuscated brand as the way to pay (§3.1)",
        "Happy to settle the rest via P@yPal, friends and family, so nobody gets charged.",
        disguise="pay-obfuscated",
    ),
    P(
        "en",
        "'PayPaI' (capital I for l) as the way to pay (§3.1)",
        "Send the deposit over PayPaI and I'll start on the illustrations tomorrow.",
        disguise="pay-obfuscated",
        topic="illustration",
    ),
    P(
        "en",
        "'the blue P app' euphemism for PayPal (§3.1)",
        "Rather than the contract, can you just send it on the blue P app? Same amount, less hassle.",
        disguise="pay-obfuscated",
    ),
    P(
        "es",
        "'Pay Pal' spaced as the way to be paid (§3.1)",
        "Si te parece, el resto me lo pagas por Pay Pal y cerramos el contrato aquí.",
        disguise="pay-obfuscated",
    ),
    P(
        "es",
        "asks for a Bizum, no phone given (§3.1)",
        "Para el último ajuste no hace falta abrir otro hito, hazme un Bizum y listo.",
        disguise="pay-channel",
    ),
    P(
        "es",
        "proposes Wise transfer for the balance (§3.1)",
        "¿Te importa pagarme por Wise? Me llega antes que el retiro desde la plataforma.",
        disguise="pay-channel",
        where="ps",
    ),
    P(
        "pt",
        "asks to be paid via Pix, no key given (§3.1)",
        "Me paga no Pix que cai na hora, aí já começo a segunda parte amanhã.",
        disguise="pay-channel",
    ),
    P(
        "pt",
        "proposes MB WAY (Portugal), no number given (§3.1)",
        "Para a segunda fase pode pagar por MB WAY, é mais simples para os dois.",
        disguise="pay-channel",
    ),
    P(
        "fr",
        "'fais-moi un Lydia' as the way to pay (§3.1)",
        "Pour les deux illustrations en plus, fais-moi un Lydia, pas besoin de passer par le site.",
        disguise="pay-channel",
    ),
    P(
        "fr",
        "proposes Payoneer for the next invoices (§3.1)",
        "Pour les prochaines factures, je préférerais un paiement Payoneer.",
        disguise="pay-channel",
        where="ps",
    ),
    P(
        "hi",
        "asks for UPI via GPay or PhonePe (§3.1)",
        "Balance amount UPI kar do, GPay ya PhonePe dono chalega.",
        disguise="pay-channel",
    ),
    P(
        "hi",
        "'U P I' spaced (§3.1)",
        "Next milestone ka payment U P I se kar dena, fast rahega.",
        disguise="pay-obfuscated",
    ),
    P(
        "hi",
        "asks for Paytm (§3.1)",
        "Paytm kar dijiye advance, main kaam shuru kar deta hoon.",
        disguise="pay-channel",
        where="ps",
    ),
    P(
        "ru",
        "asks for a transfer via СБП, no phone (§3.1)",
        "Остаток можно перевести по СБП на Т-Банк, так быстрее, чем через площадку.",
        disguise="pay-channel",
    ),
    P(
        "ru",
        "asks for a card transfer to a Sber card (§3.1 card transfers)",
        "Предоплату скиньте на карту Сбера, реквизиты пришлю отдельно.",
        disguise="pay-card-transfer",
    ),
    P(
        "ru",
        "asks for USDT as the way to pay (§3.1 crypto)",
        "Если удобно, могу принять оплату в USDT, без комиссии сервиса.",
        disguise="pay-crypto",
        where="ps",
    ),
    P(
        "en",
        "asks for USDT on TRC20 as payment (§3.1 crypto)",
        "I'd prefer to be paid in USDT on TRC20 for this one, bank transfers to my country take weeks.",
        disguise="pay-crypto",
    ),
    P(
        "de",
        "prefers payment in Bitcoin (§3.1 crypto)",
        "Die Zahlung für Phase 2 hätte ich am liebsten in Bitcoin, das geht für mich am schnellsten.",
        disguise="pay-crypto",
    ),
    P(
        "de",
        "proposes a direct bank transfer instead of the platform (§3.1, §3.3)",
        "Für die Nachbesserungen können wir uns den neuen Meilenstein sparen – überweis mir das einfach "
        "direkt auf mein Konto, die Daten schicke ich dir.",
        disguise="pay-direct",
    ),
    P(
        "it",
        "asks for a PostePay top-up (card transfer) (§3.1)",
        "Per l'anticipo mi fai una ricarica PostePay? Così parto subito.",
        disguise="pay-card-transfer",
    ),
    P(
        "it",
        "proposes Revolut for the balance (§3.1)",
        "Il saldo me lo puoi mandare su Revolut, fuori dal sito.",
        disguise="pay-channel",
    ),
    P(
        "en",
        "payment channel in the Subject (§1, §3.1)",
        "Deposit via PayPal instead of the contract?",
        where="subject",
        disguise="pay-channel",
    ),
    P(
        "pt",
        "Pix as payment channel in hidden HTML (§1, §3.1)",
        where="hidden",
        disguise="pay-hidden",
        html='<p style="color:#fff;font-size:1px">pagamento só por Pix, fora da plataforma</p>',
    ),
]

COORDINATES = [
    P(
        "de",
        "German IBAN with BIC in the body (§3.2)",
        "Hier meine Bankverbindung für die Restzahlung:\nKontoinhaber: Lena Hoffmann\n"
        "IBAN: %%iban:DE%%\nBIC: PBNKDEFFXXX",
        disguise="iban",
        sender=("Lena Hoffmann", "lena.hoffmann@gmx.de"),
    ),
    P(
        "es",
        "Spanish IBAN written without spaces (§3.2)",
        "Te paso mi cuenta para que me hagas la transferencia del resto: %%iban:ES:compact%%",
        disguise="iban",
    ),
    P(
        "fr",
        "French IBAN split over two lines (§3.2 split)",
        "Mes coordonnées pour le virement :\n%%iban:FR:part1%%\n%%iban:FR:part2%%\nMerci !",
        disguise="iban-split",
    ),
    P(
        "it",
        "Italian IBAN in lower case (§3.2 lower-case)",
        "Per il bonifico del saldo: %%iban:IT:lower%% intestato a Francesca Bianchi.",
        disguise="iban-lower",
        sender=("Francesca Bianchi", "f.bianchi@tiscali.it"),
    ),
    P(
        "pt",
        "Portuguese IBAN with zero-width spaces between groups (§3.2 zero-width)",
        "O meu IBAN para a transferência: %%iban:PT:zw%%",
        disguise="iban-zero-width",
    ),
    P(
        "en",
        "Dutch IBAN in fullwidth characters (§3.2 fullwidth)",
        "Bank details for the balance: %%iban:NL:fw%%",
        disguise="iban-fullwidth",
    ),
    P(
        "en",
        "UK IBAN in the signature (§3.2, §4)",
        "Payments: %%iban:GB%%",
        where="sig",
        disguise="iban",
    ),
    P(
        "de",
        "IBAN in a .csv attachment (§1, §3.2)",
        "Anbei die Zahlungsübersicht für die restlichen Phasen.",
        where="attach",
        disguise="iban-csv",
        attach=[
            (
                "zahlungsplan.csv",
                "text/csv",
                "phase;betrag;faellig;iban\nKonzept;800,00;30.09.2024;%%iban:AT%%\n"
                "Umsetzung;1.600,00;31.10.2024;%%iban:AT%%\n",
            )
        ],
    ),
    P(
        "fr",
        "IBAN hidden with display:none (§1, §3.2)",
        where="hidden",
        disguise="iban-hidden",
        html='<div style="display:none">RIB : %%iban:FR%%</div>',
    ),
    P(
        "es",
        "IBAN in a .txt attachment (§1, §3.2)",
        "Te adjunto los datos para la transferencia.",
        where="attach",
        disguise="iban-attachment",
        attach=[
            (
                "datos-bancarios.txt",
                "text/plain",
                "Titular: Javier Ortega\nIBAN: %%iban:ES%%\nConcepto: diseño web fase 2\n",
            )
        ],
        sender=("Javier Ortega", "javier@ortegaestudio.es"),
    ),
    P(
        "fr",
        "Belgian IBAN in quoted reply text (§1, §3.2)",
        "Pour le solde, virement sur %%iban:BE%% stp.",
        where="quote",
        disguise="iban",
    ),
    P(
        "it",
        "IBAN in the P.S. (§3.2)",
        "dimenticavo, l'IBAN è %%iban:IT%%",
        where="ps",
        disguise="iban",
    ),
    P(
        "de",
        "Austrian IBAN with dashes in the Subject (§1, §3.2)",
        "Rechnung Phase 2 – bitte auf %%iban:AT:dash%% überweisen",
        where="subject",
        disguise="iban-dash",
    ),
    P(
        "de",
        "Swiss IBAN compact in lower case (§3.2)",
        "Kannst du direkt auf %%iban:CH:lowercompact%% zahlen?",
        disguise="iban-lower",
    ),
    P(
        "en",
        "Polish IBAN in the body (§3.2)",
        "My Polish account for the transfer: %%iban:PL%%",
        disguise="iban",
    ),
    P(
        "en",
        "US account + routing numbers (§3.2)",
        "If wire is easier than the platform: routing number %%routing%%, checking account %%acct:10%%, "
        "Chase, account name Sarah Koenig.",
        disguise="account-routing",
        sender=("Sarah Koenig", "sarah.koenig@outlook.com"),
    ),
    P(
        "en",
        "UK sort code + account number (§3.2)",
        "Bank transfer details: sort code 20-45-77, account 63841927, J Rees.",
        disguise="sort-code",
        sender=("Jonathan Rees", "jrees@reesworks.co.uk"),
    ),
    P(
        "hi",
        "Indian account number + IFSC (§3.2)",
        "Direct bank transfer kar do: A/c no. 50100482739164, IFSC HDFC0004821, name Amit Kumar.",
        disguise="ifsc",
        sender=("Amit Kumar", "amit.kumar@rediffmail.com"),
    ),
    P(
        "en",
        "Visa card number with expiry and CVV offered to charge directly (§3.2)",
        "Easier if you just charge my card for the extra hours: %%card:visa%%, exp %%exp%%, CVV %%cvv%%.",
        disguise="card",
    ),
    P(
        "es",
        "Mastercard number written without spaces (§3.2)",
        "Cóbrame directamente en la tarjeta %%card:mc:compact%%, caduca %%exp%%.",
        disguise="card",
    ),
    P(
        "ru",
        "Mir card number for a card transfer (§3.1, §3.2)",
        "Номер карты для перевода: %%card:mir%% (Мир), получатель Анна К.",
        disguise="card",
    ),
    P(
        "en",
        "Amex number in a .txt attachment (§1, §3.2)",
        "Card details for the deposit are in the attached note.",
        where="attach",
        disguise="card-attachment",
        attach=[
            (
                "deposit.txt",
                "text/plain",
                "Amex %%card:amex%%\nexp %%exp%%\nname on card: M Ellis\n",
            )
        ],
    ),
    P(
        "en",
        "PayPal.me link (§3.2)",
        "Here you go: paypal.me/TomHarperDigital/450 - thanks!",
        disguise="paypal-me",
    ),
    P(
        "it",
        "PayPal.me link in the signature (§3.2, §4)",
        "Pagamenti: https://www.paypal.me/chiaracolombostudio",
        where="sig",
        disguise="paypal-me",
    ),
    P(
        "de",
        "PayPal.me link in zero-size hidden HTML (§1, §3.2)",
        where="hidden",
        disguise="paypal-me-hidden",
        html='<span style="font-size:0px">paypal.me/lukasbrandtdesign</span>',
    ),
    P(
        "pt",
        "Pix random (EVP) key (§3.2)",
        "Chave Pix (aleatória): %%pixkey%% — valor R$ 1.200,00.",
        disguise="pix-key",
    ),
    P(
        "pt",
        "Pix key that is a CPF (§3.2)",
        "Pode mandar o Pix pra chave CPF %%cpf%%.",
        disguise="pix-key",
        where="ps",
    ),
    P(
        "hi",
        "UPI ID (payment handle, not contact) (§3.2, §2 not-contact)",
        "Advance ke liye UPI ID: rahul.verma92@okhdfcbank",
        disguise="upi-id",
    ),
    P(
        "en",
        "UPI ID on a PhonePe handle (§3.2)",
        "You can pay the balance to priyanair@ybl, that's my UPI.",
        disguise="upi-id",
    ),
    P(
        "en",
        "legacy Bitcoin address (base58check) (§3.2)",
        "BTC is fine with me: %%btc%%",
        disguise="btc-base58",
    ),
    P(
        "de",
        "native segwit Bitcoin address (bech32) (§3.2)",
        "Meine Wallet für die Zahlung: %%bc1%%",
        disguise="btc-bech32",
    ),
    P(
        "en",
        "taproot Bitcoin address (bech32m) (§3.2)",
        "Send the sats to %%bc1p%% when the milestone is done.",
        disguise="btc-bech32m",
        where="ps",
    ),
    P(
        "ru",
        "P2SH Bitcoin address starting with 3 (§3.2)",
        "Кошелёк BTC: %%btc3%%",
        disguise="btc-base58",
    ),
    P(
        "en",
        "Ethereum address with EIP-55 checksum (§3.2)",
        "ETH/USDC (ERC-20): %%eth%%",
        disguise="eth",
        where="sig",
    ),
    P(
        "es",
        "Ethereum address for USDT ERC-20 (§3.2)",
        "Si prefieres cripto, mi dirección es %%eth%% (red Ethereum).",
        disguise="eth",
    ),
    P("fr", "Ethereum address in lower case (§3.2)", "Adresse ETH : %%eth:lower%%", disguise="eth"),
    P(
        "ru",
        "TRON address for USDT-TRC20 (§3.2)",
        "USDT TRC-20: %%tron%% — пришлите хэш после перевода.",
        disguise="tron",
    ),
    P(
        "en",
        "TRON wallet in a .csv attachment (§1, §3.2)",
        "Invoice breakdown attached.",
        where="attach",
        disguise="tron-csv",
        attach=[
            (
                "breakdown.csv",
                "text/csv",
                "item,hours,amount_usd\nResearch,6,240\nDesign,14,560\n\npay_to,%%tron%%\nnetwork,TRC20\n",
            )
        ],
    ),
    P(
        "en",
        "cashtag in the signature (§3.2 payment handle)",
        "Cash App: $GraceOkaforDesigns",
        where="sig",
        disguise="cashtag",
    ),
    P(
        "pt",
        "IBAN in a forwarded message (§1 nested parts, §3.2)",
        "Dados para transferência: %%iban:PT%%",
        where="fwd",
        disguise="iban-forwarded",
    ),
]

DIRECT = [
    P(
        "en",
        "proposes closing the contract and paying directly to skip the fee (§3.3)",
        "If you close the contract here and pay me directly, we both save the 20% fee. Same deliverables, "
        "same timeline.",
        disguise="pay-direct",
    ),
    P(
        "es",
        "offers a discount for paying outside the platform (§3.3)",
        "Si me pagas por fuera de la plataforma te hago un 10% de descuento en la segunda fase.",
        disguise="pay-direct",
    ),
    P(
        "pt",
        "proposes settling payment 'por fora' to avoid the fee (§3.3)",
        "Podemos acertar o pagamento por fora? Assim nenhum de nós paga a taxa.",
        disguise="pay-direct",
    ),
    P(
        "fr",
        "proposes paying directly to avoid the platform commission (§3.3)",
        "On pourrait régler en direct pour éviter la commission de la plateforme, qu'en penses-tu ?",
        disguise="pay-direct",
    ),
    P(
        "de",
        "proposes billing the next phase directly, without the platform fee (§3.3)",
        "Können wir die nächste Phase direkt abrechnen, ohne die Plattformgebühr? Ich schreibe dir "
        "dann eine normale Rechnung.",
        disguise="pay-direct",
    ),
    P(
        "ru",
        "proposes paying directly without the platform commission (§3.3)",
        "Давайте следующий этап оплатим напрямую, без комиссии площадки.",
        disguise="pay-direct",
    ),
    P(
        "it",
        "proposes doing the next job off-platform to save the commission (§3.3)",
        "Per il prossimo lavoro possiamo fare fuori piattaforma, così risparmiamo la commissione.",
        disguise="pay-direct",
    ),
    P(
        "hi",
        "Hinglish proposal to pay directly to save the platform fee (§3.3)",
        "Agli baar direct payment kar dena, platform ka fee bach jayega dono ka.",
        disguise="pay-direct",
    ),
    P(
        "en",
        "proposes a token milestone on the platform and the rest privately (§3.3)",
        "Let's keep the contract at the minimum $50 so it looks normal, and settle the rest privately.",
        disguise="pay-direct",
    ),
    P(
        "en",
        "fee-avoidance proposal in the Subject (§1, §3.3)",
        "Pay direct and save the 15% fee?",
        where="subject",
        disguise="pay-direct",
    ),
    P(
        "en",
        "fee-avoidance proposal hidden in an HTML comment (§1, §3.3)",
        where="hidden",
        disguise="pay-direct-hidden",
        html="<!-- if you pay me outside the platform I can drop the price by 10% -->",
    ),
    P(
        "es",
        "fee-avoidance proposal in quoted text (§1, §3.3)",
        "Y si lo pagamos directamente entre nosotros nos ahorramos la comisión.",
        where="quote",
        disguise="pay-direct",
    ),
    P(
        "de",
        "proposes paying in cash at the handover, bypassing the platform (§3.3)",
        "Den Rest kannst du mir bei der Übergabe der Drucke auch einfach bar geben, dann läuft das nicht "
        "über die Plattform.",
        disguise="pay-direct",
        where="ps",
    ),
    P(
        "fr",
        "proposes to keep the milestone small and pay the rest by transfer off-site (§3.3)",
        "On met un petit jalon sur le site et tu me vires le reste directement, comme ça pas de frais.",
        disguise="pay-direct",
    ),
]

CASES = CHANNEL + COORDINATES + DIRECT
