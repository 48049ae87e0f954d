"""Both categories: a payment handle that is an e-mail address or phone number (section 3, last
paragraph), or a message that offers a contact channel and an off-platform payment."""

from __future__ import annotations

from .case import C

BOTH = [
    C(1, 1, "en", "Zelle to e-mail §3 both", "Re: deposit",
      "Zelle works, use mike.lee.design@gmail.com\n"),
    C(1, 1, "en", "PayPal to obfuscated e-mail §3 both", "paypal",
      "PayPal: diego.ramos at proton dot me, thanks!\n"),
    C(1, 1, "es", "Bizum to phone §3 both", "pago",
      "Hazme un Bizum al 612 448 390 y listo\n"),
    C(1, 1, "pt", "MB WAY to phone §3 both", "pagamento",
      "Pode pagar por MB WAY para o 912 345 678?\n"),
    C(1, 1, "ru", "СБП by phone number §3 both", "оплата",
      "Переведите по СБП на номер +7 916 482-33-10, Тинькофф.\n"),
    C(1, 1, "pt", "Pix key is a phone §3 both", "pix",
      "minha chave pix é o celular +55 21 99812-4470\n"),
    C(1, 1, "pt", "Pix key is an e-mail §3 both", "chave",
      "Pix: ana.souza.design@yahoo.com.br\n"),
    C(1, 1, "hi", "Paytm to phone §3 both", "paytm",
      "Paytm kar do 98201 44567 pe, jaldi ho jayega\n"),
    C(1, 1, "hi", "GPay / PhonePe number §3 both", "advance payment",
      "GPay or PhonePe on 9930 118 274, whichever you have\n"),
    C(1, 1, "pl", "BLIK to phone §3 both", "przelew",
      "Najszybciej BLIK na telefon: 502 331 907\n"),
    C(1, 1, "en", "Interac e-Transfer to e-mail §3 both", "payment",
      "Interac e-Transfer to payments.hughes@shaw.ca, autodeposit is on\n"),
    C(1, 1, "sv", "Swish to phone §3 both", "betalning",
      "Swisha till 070-418 22 93 så är vi klara\n"),
    C(1, 1, "en", "M-Pesa to phone §3 both", "mpesa",
      "M-Pesa to 0722 418 903 please, name Wanjiru\n"),
    C(1, 1, "en", "WhatsApp + pay directly §2.3 + §3.3", "outside?",
      "Let's talk on WhatsApp +44 7700 912 338 and I'll pay you directly, no platform cut.\n"),
    C(1, 1, "en", "signature phone + IBAN in invoice §4", "Invoice March",
      "Invoice for March below.\n\nTotal due: EUR 1,480.00\nIBAN: DE17 5001 0517 5407 3249 32\n\n--\nJonas Weber\nTel. +49 30 9182 4470\n"),
    C(1, 1, "ar", "Arabic: PayPal to e-mail §3 both", "الدفع",
      "ادفع عبر باي بال على البريد omar.h.design@gmail.com\n"),
    C(1, 1, "zh", "Alipay account is a phone §3 both", "支付宝",
      "支付宝账号：139 2233 4455，直接转就行。\n"),
    C(1, 1, "en", "Venmo via phone in HTML hidden §1 + §3", "thanks!", None,
      "<p>Thanks for the payment!</p><div style=\"position:absolute;left:-9999px\">next time Venmo me at 917-402-8813</div>"),
]
