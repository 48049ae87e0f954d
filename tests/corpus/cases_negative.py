"""Tricky negatives: messages that must stay quiet for both categories (§2 and §3 "Not ...").

Each core looks like something a naive detector would flag (phone-shaped numbers, addresses,
links, service names, payment words, card and IBAN test data) but is allowed by the guideline.
"""

from __future__ import annotations

from .case import Case


def N(lang: str, note: str, text: str = "", **kw: object) -> Case:
    """A negative case."""
    return Case(lang, 0, 0, note, text, **kw)  # type: ignore[arg-type]


NUMBERS = [
    N(
        "en",
        "quote with prices, dates and working hours only (§2 not-contact numbers, §3 prices)",
        "My quote for the full redesign is $2,450, split into three milestones: $800 due 15 Oct, $950 on "
        "29 Oct and $700 on 12 Nov 2024. I'm usually online 09:00-17:30 CET, Monday to Friday.",
        topic="web",
        disguise="neg-prices-dates",
    ),
    N(
        "en",
        "10-digit order IDs in a bug report (§2 not-contact: 10-digit order IDs)",
        "A customer says order 4917263540 never got a confirmation email, and the thank-you page showed "
        "order ID 4917263541 instead. Looks like an off-by-one in the template; can you check?",
        topic="web",
        disguise="neg-order-id",
    ),
    N(
        "en",
        "invoice, contract and milestone numbers on the platform (§2, §3 milestones on platform)",
        "Invoice INV-2024-000317 for milestone #3 of contract 88214 is now showing in the dashboard. "
        "Ticket 4829163 about the double charge was closed by support.",
        disguise="neg-invoice-ids",
    ),
    N(
        "en",
        "ISBNs in a book-formatting job (§2 not-contact: ISBNs)",
        "Here are the ISBNs for the interior files: paperback %%isbn%%, hardcover %%isbn:b%%. Please "
        "put them on the copyright page and the back cover barcode.",
        topic="copy",
        disguise="neg-isbn",
    ),
    N(
        "en",
        "ZIP codes in a sales analysis (§2 not-contact: ZIP codes)",
        "The biggest drop is in 94107, 10001 and 60614; 73301 actually grew 12% quarter over quarter. "
        "Could you add the ZIP code filter to the dashboard?",
        topic="data",
        disguise="neg-zip",
    ),
    N(
        "en",
        "DHL 10-digit and UPS tracking numbers for printed proofs (§2 not-contact: tracking numbers)",
        "The printed proofs went out today. DHL Express tracking 4829163750, and the second box is "
        "UPS 1Z 9X4 27E 03 9184 6372. They should arrive by Thursday.",
        topic="design",
        where="ps",
        disguise="neg-tracking",
    ),
    N(
        "en",
        "software version and build numbers (§2 not-contact: version numbers)",
        "I bumped everything to Django 5.1.2 and Node 20.11.1; the app is now version 3.14.0 "
        "(build 20240914.3). Android minSdk stays at 26.",
        topic="app",
        disguise="neg-versions",
    ),
    N(
        "en",
        "hex colours of the palette (§2 not-contact: hex colours)",
        "Final palette: primary #1E3A5F, accent #F4A261, success #2A9D8F, background #FAFAF7. "
        "Text on the accent colour should be #1A1A1A for contrast.",
        topic="design",
        disguise="neg-hex",
    ),
    N(
        "en",
        "git commit hashes (§2 not-contact: git hashes)",
        "The regression came in with %%sha%%; reverting %%sha:b:short%% fixes the checkout for me "
        "locally.",
        topic="web",
        disguise="neg-git",
    ),
    N(
        "en",
        "IP addresses in a server migration (§2 not-contact: IP addresses)",
        "The old VPS is 192.168.10.24 internally and 198.51.100.37 publicly; the new one is 203.0.113.45. "
        "I'll switch the A record once the TTL (3600) has expired.",
        topic="web",
        disguise="neg-ip",
    ),
    N(
        "en",
        "Google Ads customer ID shaped like a US phone number, Meta ad account id (§2 ad-account IDs)",
        "Please send the access request to Google Ads account 583-291-0476 and Meta ad account "
        "act_1029384756123. Budget for October is $3,000.",
        topic="copy",
        disguise="neg-ad-account",
    ),
    N(
        "en",
        "video timecodes and durations (§2 not-contact: times)",
        "At 00:01:23:12 the lower third flickers, and the cut at 00:02:47:05 is two frames late. "
        "The final master should be 2:30 long, 1920x1080, 25 fps.",
        topic="video",
        disguise="neg-timecode",
    ),
    N(
        "en",
        "EAN barcodes in a product feed (§2 numbers that are not phone numbers)",
        "Google Merchant rejects two products: EAN %%ean%% and EAN %%ean:b%%. Both have the GTIN in the "
        "wrong column of the feed.",
        topic="web",
        disguise="neg-ean",
    ),
    N(
        "en",
        "fictional US 555-01xx number as placeholder in a mockup (§2 reserved test data)",
        "For the footer mockup please use (202) 555-0147 as the placeholder phone number and "
        "123 Main Street as the address, the real ones come later.",
        topic="design",
        disguise="neg-fictional-phone",
    ),
    N(
        "en",
        "UK drama number 020 7946 0xxx in UI copy (§2 reserved test data)",
        "The sample contact card in the onboarding screens should show 020 7946 0958 - that range is "
        "reserved for fiction, so nobody gets real calls.",
        topic="app",
        disguise="neg-fictional-phone",
    ),
    N(
        "en",
        "GPS coordinates for a store locator (§2 numbers that are not phone numbers)",
        "The Brooklyn store pin should be at 40.6782, -73.9442, not 40.7128, -74.0060 which is city hall.",
        topic="web",
        disguise="neg-coordinates",
    ),
    N(
        "en",
        "print dimensions, dpi and word counts (§2 numbers)",
        "The poster is 2480 x 3508 px at 300 dpi, CMYK. Copy is 1,250 words; at $0.08 a word the "
        "translation would be $100.",
        topic="design",
        disguise="neg-dimensions",
    ),
    N(
        "en",
        "campaign KPIs and percentages (§2 numbers)",
        "September: 48,291 impressions, CTR 3.42%, CPC $1.17, 1,644 sessions, 212 sign-ups. "
        "That's 12.9% better than August.",
        topic="data",
        disguise="neg-kpi",
    ),
    N(
        "en",
        "card last four digits in a platform billing question (§3 not payment: billing handled on platform)",
        "The platform charged my card ending 4821 twice for milestone 2; I've opened a ticket with "
        "GigBridge support so no need to do anything on your side.",
        where="ps",
        disguise="neg-card-last4",
    ),
    N(
        "en",
        "test device IMEI in a QA report (§2 numbers that are not phone numbers)",
        "Crash reproduced on the Pixel 7 test device (IMEI 35 209900 176148 1, Android 14, build "
        "UQ1A.240205.004).",
        topic="app",
        disguise="neg-imei",
    ),
    N(
        "en",
        "dates in three formats and a time zone (§2 dates, times)",
        "The client writes dates as 14.09.2024, the API returns 2024-09-14T15:30:12Z and the US report "
        "wants 09/14/2024. Our team is on GMT+5:30.",
        topic="data",
        disguise="neg-dates",
    ),
    N(
        "en",
        "10-digit order id in the Subject (§2)",
        "Order #4917263540 - missing items",
        where="subject",
        topic="web",
        disguise="neg-order-id",
    ),
    N(
        "es",
        "prices, order numbers and postcodes (§2, §3 prices)",
        "El pedido 100234871 salió de Madrid (28013) el 12/09 y el 100234872 sigue pendiente. "
        "El presupuesto de la segunda fase queda en 1.350 € + IVA.",
        topic="web",
        disguise="neg-order-id",
    ),
    N(
        "es",
        "hours, times and milestone dates (§2)",
        "Calculo unas 18 horas para los subtítulos; te entrego el lote 3 el jueves 19 a las 14:00 "
        "(hora peninsular).",
        topic="video",
        disguise="neg-prices-dates",
    ),
    N(
        "es",
        "10-digit invoice number shaped like a phone (§2)",
        "La factura 6124839571 de la plataforma ya aparece como pagada, gracias.",
        disguise="neg-invoice-ids",
    ),
    N(
        "pt",
        "CNPJ for the invoice issued through the platform, CEP (§2 CNPJ, ZIP)",
        "Para a nota, o CNPJ da empresa é %%cnpj%% e o CEP do endereço fiscal é 01310-100. "
        "A fatura sai pela plataforma como sempre.",
        disguise="neg-tax-id",
    ),
    N(
        "pt",
        "prices in reais and dates (§3 prices)",
        "O orçamento ficou em R$ 4.800,00 para as três etapas; a primeira entrega é dia 27/09 às 18h.",
        topic="design",
        disguise="neg-prices-dates",
    ),
    N(
        "pt",
        "10-digit order id in an e-commerce bug (§2)",
        "O pedido 2198374650 aparece duplicado no painel, com o mesmo valor de R$ 189,90.",
        topic="web",
        disguise="neg-order-id",
    ),
    N(
        "fr",
        "SIRET and invoice number for the platform invoice (§2 SIRET)",
        "Pour la facture, peux-tu indiquer notre SIRET %%siret%% ? La référence interne est FAC-2024-0917.",
        disguise="neg-tax-id",
    ),
    N(
        "fr",
        "prices, dates and a postcode (§2, §3 prices)",
        "Le devis est de 1 850 € HT, livraison le 4 octobre. L'atelier est à Lyon (69003).",
        topic="design",
        disguise="neg-prices-dates",
    ),
    N(
        "fr",
        "times and durations of subtitle cues (§2 times)",
        "Les sous-titres 112 à 118 (00:04:12,400 --> 00:04:19,900) sont décalés de 300 ms.",
        topic="video",
        disguise="neg-timecode",
    ),
    N(
        "de",
        "German VAT id and invoice/order numbers (§2 VAT numbers)",
        "Bitte auf der Rechnung unsere USt-IdNr. %%devat%% angeben. Auftragsnummer 2024-0917, "
        "Kostenstelle 4711.",
        disguise="neg-tax-id",
    ),
    N(
        "de",
        "postcodes, prices and a date (§2, §3 prices)",
        "Die Filiale in 10115 Berlin bekommt 250 Flyer, die in 80331 München 400 Stück. Angebot: "
        "1.240 € netto, Lieferung bis 30.09.2024.",
        topic="design",
        disguise="neg-zip",
    ),
    N(
        "de",
        "invoice number in the Subject (§2)",
        "Rechnung RE-2024-0917 über die Plattform",
        where="subject",
        disguise="neg-invoice-ids",
    ),
    N(
        "de",
        "10-digit customer number (§2)",
        "Unsere Kundennummer beim Druckdienstleister ist 4915873620, falls du die Daten direkt hochlädst.",
        topic="design",
        disguise="neg-order-id",
    ),
    N(
        "ru",
        "INN of the company for the platform act (§2 INN)",
        "Для закрывающих документов: ИНН организации %%inn%%, КПП 770101001. Акт формирует площадка.",
        disguise="neg-tax-id",
    ),
    N(
        "ru",
        "order number, prices in roubles and dates (§2, §3 prices)",
        "Заказ № 7726418390 оформлен 14.09.2024, сумма 12 450 ₽. Покупатель просит доставку до 20 сентября.",
        topic="web",
        disguise="neg-order-id",
    ),
    N(
        "ru",
        "versions and build numbers (§2 versions)",
        "Обновил PHP до 8.3.11 и Bitrix до 24.100.0, сборка 20240914. Всё работает.",
        topic="web",
        disguise="neg-versions",
    ),
    N(
        "it",
        "partita IVA and CAP for the invoice (§2 VAT numbers, ZIP)",
        "Per la fattura usa la nostra partita IVA %%piva%%, sede a Milano (20121). Grazie!",
        disguise="neg-tax-id",
    ),
    N(
        "it",
        "prices and dates in a quote (§3 prices)",
        "Il preventivo per il video è di 1.600 € + IVA, consegna del primo montaggio entro il 25/09.",
        topic="video",
        disguise="neg-prices-dates",
    ),
    N(
        "it",
        "10-digit order number (§2)",
        "L'ordine 3479216580 risulta spedito ma il cliente non ha ricevuto nulla.",
        topic="web",
        disguise="neg-order-id",
    ),
    N(
        "hi",
        "GSTIN, PIN code and prices in rupees (§2 GSTIN, ZIP)",
        "Invoice pe hamara GSTIN %%gstin%% daal dena. Office ka PIN code 560034 hai. Total ₹45,000 + 18% GST.",
        disguise="neg-tax-id",
    ),
    N(
        "hi",
        "order ID and timings (§2)",
        "Order ID 9820147366 ka status abhi bhi 'processing' dikha raha hai. Kal 11:30 baje tak fix ho jaye toh accha.",
        topic="web",
        disguise="neg-order-id",
    ),
    N(
        "en",
        "CSV export with order ids, SKUs, ZIPs and prices (§1 attachment, §2 numbers)",
        "Attached is the September export so you can test the import script.",
        where="attach",
        topic="data",
        disguise="neg-csv",
        attach=[
            (
                "orders-2024-09.csv",
                "text/csv",
                "order_id,sku,qty,unit_price,zip,created_at\n4917263540,0176-2348-915,2,19.90,94107,2024-09-01T10:12:00Z\n"
                "4917263541,0176-2348-916,1,49.00,10001,2024-09-01T11:40:13Z\n"
                "4917263542,AB-4482-77,3,7.50,60614,2024-09-02T08:05:44Z\n",
            )
        ],
    ),
    N(
        "en",
        "server log with IPs, timestamps, versions (§1 attachment, §2 numbers)",
        "Here's the log from the failed deploy.",
        where="attach",
        topic="web",
        disguise="neg-log",
        attach=[
            (
                "deploy.log",
                "text/plain",
                "2024-09-14 15:30:12,481 INFO  nginx/1.25.4 reload ok\n"
                "2024-09-14 15:30:14,002 ERROR upstream 10.0.4.17:8000 timed out (110)\n"
                "2024-09-14 15:30:14,003 WARN  client 203.0.113.77 request_id=8f3c2e1a4b5d\n"
                "2024-09-14 15:31:00,117 INFO  release v3.14.0 (%%sha%%) rolled back\n",
            )
        ],
    ),
]

ADDRESSES = [
    N(
        "en",
        "example.com addresses in a config sample (§2 reserved documentation data)",
        "Here's the config I used for the mailer; swap in your real SMTP settings:\n\n"
        '    mail:\n      from: "Shop <no-reply@example.com>"\n      admin: ops@example.org\n'
        "      test_recipient: qa@example.net\n",
        topic="web",
        disguise="neg-example-domain",
    ),
    N(
        "en",
        "*.test domains and localhost in dev instructions (§2 reserved test data)",
        "To run it locally: add shop.test and api.shop.test to /etc/hosts, then open http://localhost:8000 "
        "and log in as admin@shop.test / password. The webhook goes to http://127.0.0.1:8000/hooks.",
        topic="web",
        disguise="neg-test-domain",
    ),
    N(
        "en",
        "README attachment using example.org and localhost (§1, §2 reserved data)",
        "I added a README so the next developer can pick it up.",
        where="attach",
        topic="web",
        disguise="neg-readme",
        attach=[
            (
                "README.md",
                "text/markdown",
                "# Shop importer\n\n```bash\nexport IMPORT_URL=http://localhost:5000/api\n"
                "export NOTIFY=alerts@example.org\n```\n\nUsers in `fixtures/users.json` are "
                "`alice@example.com` and `bob@example.com`.\n",
            )
        ],
    ),
    N(
        "en",
        "platform support address and help-centre link (§2 platform domain)",
        "If the milestone still doesn't show up, write to support@gigbridge.io or check "
        "https://help.gigbridge.io/articles/milestones - they sorted it for me last time.",
        disguise="neg-platform",
    ),
    N(
        "en",
        "platform contract link (§2 platform domain)",
        "I've added the revised scope to the contract: https://app.gigbridge.io/contracts/88214/scope "
        "- please approve it there when you have a minute.",
        disguise="neg-platform",
    ),
    N(
        "es",
        "platform milestone link (§2 platform domain)",
        "He creado el hito 3 en https://app.gigbridge.io/contracts/55120/milestones/3, cuando lo apruebes empiezo.",
        disguise="neg-platform",
    ),
    N(
        "de",
        "relay address of the other party in the body (§2 platform domain incl. relay)",
        "Falls die Antwort nicht ankommt: du kannst auch direkt an lena.7f3a2c@relay.gigbridge.io "
        "antworten, das landet trotzdem hier im Vertrag.",
        disguise="neg-relay",
    ),
    N(
        "fr",
        "relay addresses in the quote header of a long thread (§2 relay addresses in quote headers)",
        "Merci pour le retour, je corrige les marges ce soir.",
        where="quote",
        disguise="neg-relay",
    ),
    N(
        "en",
        "GitHub pull request and issue links (§2 work product)",
        "PR is up: https://github.com/northwind-shop/storefront/pull/12 - it closes "
        "https://github.com/northwind-shop/storefront/issues/48. CI is green.",
        topic="web",
        disguise="neg-work-link",
    ),
    N(
        "en",
        "staging site link of the project (§2 work product)",
        "The new header is live on staging: https://staging.northwind-shop.com/?preview=header-v2 "
        "(basic auth: preview / autumn24).",
        topic="web",
        disguise="neg-work-link",
    ),
    N(
        "en",
        "Figma file of the deliverable (§2 work product)",
        "Updated the designs: https://www.figma.com/file/Xk2P9wQz7Lm3/Checkout-Redesign?node-id=142-3381 "
        "- frames 4 to 9 are new.",
        topic="design",
        disguise="neg-work-link",
    ),
    N(
        "en",
        "Vimeo review link with password (§2 work product)",
        "Cut v3 is here: https://vimeo.com/1009384726/5c2e9a1f0b (password: northwind-v3). "
        "Timecoded notes welcome.",
        topic="video",
        disguise="neg-work-link",
    ),
    N(
        "en",
        "Google Docs link of the draft article (§2 work product)",
        "Draft is in the doc: https://docs.google.com/document/d/1vQ8xKz3RmP0aT7nLw2YbC9dE4fG5hJ6kL/edit "
        "- suggestions mode is on.",
        topic="copy",
        disguise="neg-work-link",
    ),
    N(
        "en",
        "Google Drive folder with deliverables (§2 work product)",
        "All final exports are in https://drive.google.com/drive/folders/1aB2cD3eF4gH5iJ6kL7mN8oP9qR "
        "(SVG, PNG, PDF).",
        topic="illustration",
        disguise="neg-work-link",
    ),
    N(
        "en",
        "documentation pages linked for the implementation (§2 documentation)",
        "I followed https://developer.mozilla.org/en-US/docs/Web/API/Fetch_API and "
        "https://docs.djangoproject.com/en/5.1/topics/cache/ for the caching layer.",
        topic="web",
        disguise="neg-docs",
    ),
    N(
        "de",
        "client's own public website as the subject of the job (§2 client's website)",
        "Unsere aktuelle Seite ist www.kaffeehaus-mueller.de – die soll komplett neu, vor allem die "
        "Speisekarte und die Öffnungszeiten.",
        topic="web",
        disguise="neg-client-site",
    ),
    N(
        "fr",
        "client's site as the subject of the redesign (§2 client's website)",
        "Le site actuel, lumen-yoga.fr, date de 2017 ; on veut garder les textes mais tout refaire côté design.",
        topic="web",
        disguise="neg-client-site",
    ),
    N(
        "es",
        "client's site to migrate (§2 client's website)",
        "La web que hay que migrar es casarural-elolivar.es, ahora está en Wix y queremos pasarla a WordPress.",
        topic="web",
        disguise="neg-client-site",
    ),
    N(
        "pt",
        "client's shop as the subject of the SEO job (§2 client's website)",
        "O site da padaria é padariadobairro.com.br; queremos melhorar o SEO das páginas de produto.",
        topic="web",
        disguise="neg-client-site",
    ),
    N(
        "it",
        "client's restaurant site to redesign (§2 client's website)",
        "Il sito da rifare è trattoria-dalucia.it, soprattutto il menu e la pagina delle prenotazioni.",
        topic="web",
        disguise="neg-client-site",
    ),
    N(
        "ru",
        "client's shop site as the subject (§2 client's website)",
        "Сайт магазина — mebel-ural.ru, нужно переделать каталог и карточки товаров.",
        topic="web",
        disguise="neg-client-site",
    ),
    N(
        "hi",
        "client's blog as the subject of the content job (§2 client's website)",
        "Hamara blog chaiwala-stories.in hai, uske liye 8 articles chahiye is mahine.",
        topic="web",
        disguise="neg-client-site",
    ),
    N(
        "en",
        "Loom recording of the bug (§2 work product)",
        "Recorded the bug for you: https://www.loom.com/share/4f9c2e1a7b3d4e5f8a9b0c1d2e3f4a5b "
        "- it happens right after adding the second item.",
        topic="web",
        disguise="neg-work-link",
    ),
    N(
        "en",
        "WeTransfer link with raw footage (§2 work product)",
        "Raw footage (38 GB) is uploading here: https://we.tl/t-Qx7Lm2Pz9K - link expires in 7 days.",
        topic="video",
        disguise="neg-work-link",
    ),
    N(
        "en",
        "npm package and App Store links of the client's app (§2 work context)",
        "We pinned https://www.npmjs.com/package/date-fns to 3.6.0. The current store listing is "
        "https://apps.apple.com/app/northwind-shop/id6479201835 if you need screenshots.",
        topic="app",
        disguise="neg-work-link",
    ),
    N(
        "en",
        "Wikipedia and Unsplash links in an article draft (§2 not off-platform)",
        "Sources for the history section: https://en.wikipedia.org/wiki/Coffeehouse . Hero image: "
        "https://unsplash.com/photos/a-cup-of-coffee-9wXvgLMDetA (free licence).",
        topic="copy",
        disguise="neg-reference-link",
    ),
    N(
        "en",
        "CodePen demo of the animation (§2 work product)",
        "Here's the animation prototype: https://codepen.io/northwind-dev/pen/qBzXyLp - easing is "
        "cubic-bezier(.2,.8,.2,1).",
        topic="web",
        disguise="neg-work-link",
    ),
    N(
        "en",
        "Jira issue of the project (§2 project's issue)",
        "This is tracked as https://northwind.atlassian.net/browse/SHOP-412, I've moved it to review.",
        topic="web",
        disguise="neg-work-link",
    ),
    N(
        "en",
        "Google Sheet with the keyword research deliverable (§2 work product)",
        "Keyword research is done: https://docs.google.com/spreadsheets/d/1KxZ9pQ7rT3mN5vB8cL2wY4hJ6fD0s/edit#gid=0",
        topic="copy",
        disguise="neg-work-link",
    ),
    N(
        "pt",
        "Figma and staging links of the deliverable (§2 work product)",
        "Subi os ajustes no Figma (https://www.figma.com/file/Pq7Lm2Xz9K/Loja-v2) e na homologação: "
        "https://homolog.padariadobairro.com.br",
        topic="web",
        disguise="neg-work-link",
    ),
    N(
        "fr",
        "GitHub repository link (§2 work product)",
        "Le dépôt est ici : https://github.com/lumen-yoga/site-2024 — branche « refonte ».",
        topic="web",
        disguise="neg-work-link",
    ),
    N(
        "de",
        "Google Drive deliverables link (§2 work product)",
        "Die finalen Dateien liegen hier: https://drive.google.com/drive/folders/1Zx8Yw7Vu6Ts5Rq4Po3Nm",
        topic="design",
        disguise="neg-work-link",
    ),
    N(
        "es",
        "Vimeo link of the cut (§2 work product)",
        "Te dejo el montaje: https://vimeo.com/1012847365",
        topic="video",
        disguise="neg-work-link",
    ),
    N(
        "ru",
        "GitHub PR link (§2 work product)",
        "Пулл-реквест: https://github.com/mebel-ural/catalog/pull/37, посмотрите, пожалуйста.",
        topic="web",
        disguise="neg-work-link",
    ),
    N(
        "it",
        "staging link (§2 work product)",
        "La nuova versione è su https://staging.trattoria-dalucia.it",
        topic="web",
        disguise="neg-work-link",
    ),
    N(
        "hi",
        "Canva design link of the deliverable (§2 work product)",
        "Design yahan hai: https://www.canva.com/design/DAF9xQ2LmPz/view - feedback de dijiye.",
        topic="design",
        disguise="neg-work-link",
    ),
    N(
        "en",
        "platform profile link in the signature (§2 platform domain)",
        "Top Rated on GigBridge · https://app.gigbridge.io/u/tom-harper",
        where="sig",
        disguise="neg-platform",
        sender=("Tom Harper", "tom@harper-digital.com"),
    ),
    N(
        "de",
        "VAT id and platform profile in the signature (§2 VAT, platform domain)",
        "USt-IdNr. %%devat%% · app.gigbridge.io/u/lukas-brandt",
        where="sig",
        disguise="neg-signature",
        sender=("Lukas Brandt", "lukas@brandt-design.de"),
    ),
    N(
        "en",
        "quoted platform notification with relay addresses (§2 platform/relay addresses)",
        "You have a new message from Ann on GigBridge. Reply to this email to answer; your reply goes "
        "through ann.7f3a2c@relay.gigbridge.io. Manage notifications: "
        "https://app.gigbridge.io/settings/notifications",
        where="quote",
        disguise="neg-relay",
    ),
]

SERVICES = [
    N(
        "en",
        "WhatsApp named as a feature of the shop, no handle (§2 naming a service)",
        "Could you add a WhatsApp button to the shop, bottom right, like the one on the competitor's "
        "site? It should open a chat with the store's business number, which the client will set in "
        "the admin.",
        topic="web",
        disguise="neg-service-named",
    ),
    N(
        "en",
        "Telegram channel as the destination of a report bot (§2 naming a service)",
        "The nightly job should post the sales report to our Telegram channel at 07:00 instead of "
        "emailing it. The bot token is in the vault.",
        topic="data",
        disguise="neg-service-named",
    ),
    N(
        "en",
        "refuses to take the conversation to WhatsApp (§2 'please don't send me your WhatsApp')",
        "Please don't send me your WhatsApp, let's stay here - I keep everything for this project in "
        "one place and the contract chat works fine for me.",
        disguise="neg-stay-here",
    ),
    N(
        "en",
        "not on WhatsApp, keep it in this thread (§2 naming without invitation)",
        "I'm not on WhatsApp anyway, so let's keep everything in this thread.",
        where="ps",
        disguise="neg-stay-here",
    ),
    N(
        "es",
        "floating WhatsApp button as a website feature (§2 naming a service)",
        "El botón flotante de WhatsApp tapa el carrito en el móvil, ¿puedes subirlo un poco?",
        topic="web",
        disguise="neg-service-named",
    ),
    N(
        "pt",
        "WhatsApp chat widget as the subject of the work (§2 naming a service)",
        "Precisamos integrar o chat do WhatsApp Business no site, só o widget, o número a gente "
        "configura depois no painel.",
        topic="web",
        disguise="neg-service-named",
    ),
    N(
        "ru",
        "Telegram bot as the job itself (§2 naming a service)",
        "Нужен Telegram-бот для магазина: каталог, корзина и уведомления менеджеру о новых заказах.",
        topic="web",
        disguise="neg-service-named",
    ),
    N(
        "de",
        "Instagram feed embed on the homepage (§2 naming a service)",
        "Auf der Startseite soll unten der Instagram-Feed des Cafés eingebunden werden, sechs Bilder reichen.",
        topic="web",
        disguise="neg-service-named",
    ),
    N(
        "fr",
        "LinkedIn and Instagram icons in the footer (§2 naming a service)",
        "Ajoute les icônes LinkedIn et Instagram dans le pied de page, en gris clair, avec un survol orange.",
        topic="web",
        disguise="neg-service-named",
    ),
    N(
        "it",
        "'Contact us on WhatsApp' button behaviour (§2 naming a service)",
        "Il pulsante «Contattaci su WhatsApp» deve aprire la chat solo da mobile; da desktop mostra il modulo.",
        topic="web",
        disguise="neg-service-named",
    ),
    N(
        "en",
        "Zoom integration as a feature of the booking app (§2 naming a service)",
        "For v2 of the booking app the clinic wants the Zoom integration: when a video appointment is "
        "booked, the app creates the meeting through their Zoom account and puts it in the patient's "
        "confirmation.",
        topic="app",
        disguise="neg-service-named",
    ),
    N(
        "en",
        "Calendly widget embedded on the client's landing page (§2 naming a service)",
        "Please embed the Calendly inline widget on the landing page under the testimonials; the "
        "client will paste their own scheduling link in the CMS.",
        topic="web",
        disguise="neg-service-named",
    ),
    N(
        "hi",
        "WhatsApp share button on the product page (§2 naming a service)",
        "Product page pe ek WhatsApp share button chahiye, taaki customers apne dosto ko link bhej sakein.",
        topic="web",
        disguise="neg-service-named",
    ),
    N(
        "en",
        "LinkedIn posts for the company page as the deliverable (§2 naming a service)",
        "Next batch: three LinkedIn posts for our company page and one longer article for the blog.",
        topic="copy",
        disguise="neg-service-named",
    ),
    N(
        "en",
        "Discord bot for the client's community server (§2 naming a service)",
        "The Discord bot should greet new members in #welcome and assign the 'customer' role after they "
        "verify their order number.",
        topic="app",
        disguise="neg-service-named",
    ),
    N(
        "de",
        "asks to keep the conversation on the platform (§2 stay here)",
        "Bitte lass uns keine Telefonnummern austauschen, wir bleiben einfach hier im Vertragschat – "
        "so hat auch mein Kollege alles im Blick.",
        disguise="neg-stay-here",
    ),
    N(
        "ru",
        "asks not to write on Telegram, stay here (§2 stay here)",
        "Давайте всё обсуждать здесь, в телеграм мне по работе писать не нужно.",
        disguise="neg-stay-here",
    ),
    N(
        "en",
        "article comparing video-call tools as the subject (§2 naming a service)",
        "The article should compare Zoom, Microsoft Teams and Google Meet for small accounting firms: "
        "pricing tiers, recording limits and security. 1,500 words.",
        topic="copy",
        disguise="neg-service-named",
    ),
    N(
        "es",
        "Instagram content plan as the job (§2 naming a service)",
        "Para octubre necesitamos 12 publicaciones para Instagram y 4 reels, con el calendario de "
        "publicación en la hoja compartida del contrato.",
        disguise="neg-service-named",
    ),
    N(
        "fr",
        "'stay on the platform' after the other party mentioned moving (§2)",
        "Je préfère qu'on continue ici sur la plateforme, c'est plus simple pour le suivi des jalons.",
        disguise="neg-stay-here",
    ),
    N(
        "it",
        "Slack and Teams notifications as the job (§2 naming a service)",
        "Lo script deve inviare gli avvisi di stock basso sia su Slack sia su Teams, nel canale del magazzino.",
        topic="data",
        disguise="neg-service-named",
    ),
    N(
        "pt",
        "contact page of the client's site as a deliverable (§2 work product)",
        "A página de contato do site precisa de um formulário com nome, e-mail e mensagem, e um mapa embaixo.",
        topic="web",
        disguise="neg-service-named",
    ),
]

PAYMENT_SUBJECT = [
    N(
        "en",
        "PayPal checkout integration is the job (§3 payment service as subject of the work)",
        "The client's WooCommerce site needs PayPal checkout next to the card form. Please use the "
        "official PayPal Payments plugin and test it in sandbox mode before going live.",
        topic="web",
        disguise="neg-payment-subject",
    ),
    N(
        "pt",
        "Pix and boleto in the checkout (§3 'Pix/boleto in the checkout')",
        "Na loja precisamos de Pix e boleto no checkout, além do cartão. O QR code do Pix tem que "
        "aparecer na página de confirmação do pedido.",
        topic="web",
        disguise="neg-payment-subject",
    ),
    N(
        "hi",
        "Razorpay with UPI in the app (§3 'Razorpay with UPI')",
        "App mein Razorpay lagana hai with UPI, cards aur netbanking. Test mode keys dashboard mein hain.",
        topic="web",
        disguise="neg-payment-subject",
    ),
    N(
        "en",
        "Razorpay with UPI integration, English (§3 subject of the work)",
        "For the Indian storefront we need Razorpay with UPI and RuPay cards enabled; the webhook should "
        "mark the order as paid.",
        topic="web",
        disguise="neg-payment-subject",
    ),
    N(
        "de",
        "SEPA direct debit in the shop (§3 'SEPA direct debit in the shop')",
        "Im Shop soll zusätzlich SEPA-Lastschrift angeboten werden, über Mollie. Das Mandat muss im "
        "Checkout bestätigt werden.",
        topic="web",
        disguise="neg-payment-subject",
    ),
    N(
        "en",
        "Stripe test card 4242 4242 4242 4242 as QA data (§3 publicly documented test cards)",
        "To test the checkout use the Stripe test card 4242 4242 4242 4242 with any future expiry and "
        "any CVC. It's only in test mode, of course.",
        topic="web",
        disguise="neg-test-card",
    ),
    N(
        "en",
        "Stripe declined test card 4000 0000 0000 0002 in a QA checklist (§3 test cards)",
        "QA checklist item 7: pay with 4000 0000 0000 0002 and check that the 'card declined' message "
        "is translated.",
        topic="web",
        disguise="neg-test-card",
    ),
    N(
        "en",
        "list of Stripe test cards in a QA attachment (§1, §3 test cards)",
        "The QA plan is attached.",
        where="attach",
        topic="web",
        disguise="neg-test-card",
        attach=[
            (
                "qa-plan.txt",
                "text/plain",
                "Checkout QA (Stripe test mode)\n- success: 4242 4242 4242 4242\n"
                "- declined: 4000 0000 0000 0002\n- insufficient funds: 4000 0000 0000 9995\n"
                "- mastercard: 5555 5555 5555 4444\nExpiry: any future date, CVC: any 3 digits\n",
            )
        ],
    ),
    N(
        "en",
        "textbook example IBAN GB82 WEST ... for form validation (§3 example IBAN as test data)",
        "The IBAN field should accept the example from the bank's docs, GB82 WEST 1234 5698 7654 32, "
        "and reject it when one digit is changed. Please add both to the unit tests.",
        topic="web",
        disguise="neg-example-iban",
    ),
    N(
        "de",
        "example IBAN DE89 3704 ... as test data (§3 example IBAN)",
        "Für die Formularvalidierung bitte die Beispiel-IBAN DE89 3704 0044 0532 0130 00 verwenden, "
        "die steht so in jeder Bankdokumentation.",
        topic="web",
        disguise="neg-example-iban",
    ),
    N(
        "en",
        "'wise' as an ordinary word (§3 'the word wise')",
        "It would be wise to freeze the design before we start the animations; otherwise every change "
        "costs us twice.",
        where="ps",
        disguise="neg-wise",
    ),
    N(
        "en",
        "'wireframe' (§3 'wireframe')",
        "Attached wireframes cover the onboarding; wireframe 3 still needs the empty state.",
        topic="app",
        disguise="neg-wireframe",
    ),
    N(
        "en",
        "bank statement reconciliation as bookkeeping work (§3 'bank statement')",
        "For the bookkeeping task, please reconcile the March bank statement with the invoices in Xero "
        "and flag anything over $500 without a receipt.",
        topic="data",
        disguise="neg-bank-statement",
    ),
    N(
        "en",
        "domain transfer as part of the migration (§3 'domain transfer')",
        "The domain transfer to the new registrar is done; the EPP code worked first time. DNS "
        "propagation may take a day.",
        topic="web",
        disguise="neg-domain-transfer",
    ),
    N(
        "en",
        "Bitcoin as the topic of an article (§3 'Bitcoin as an article topic')",
        "The article on Bitcoin's energy use is great. Could you add a paragraph on the 2024 halving "
        "and cite the Cambridge index?",
        topic="copy",
        disguise="neg-bitcoin-topic",
    ),
    N(
        "es",
        "Bitcoin as an article topic in Spanish (§3)",
        "El artículo sobre Bitcoin y la inflación en Argentina está muy bien, solo acorta la introducción.",
        disguise="neg-bitcoin-topic",
    ),
    N(
        "en",
        "releasing a milestone on the platform (§3 milestones on the platform)",
        "I've released milestone 2 on the platform, and funded milestone 3 so you can start on the "
        "inner pages.",
        disguise="neg-milestone",
    ),
    N(
        "es",
        "funding a milestone on the platform (§3)",
        "Acabo de liberar el hito 2 y he financiado el 3 en la plataforma, ya puedes seguir.",
        disguise="neg-milestone",
    ),
    N(
        "fr",
        "releasing a milestone on the platform (§3)",
        "J'ai validé le jalon 2 sur la plateforme, le paiement devrait t'arriver sous 5 jours.",
        disguise="neg-milestone",
    ),
    N(
        "de",
        "milestone release via the platform (§3)",
        "Meilenstein 2 ist freigegeben, die Zahlung läuft wie immer über die Plattform.",
        disguise="neg-milestone",
    ),
    N(
        "pt",
        "release of milestone on the platform (§3)",
        "Liberei a etapa 2 aqui na plataforma, pode conferir no painel do contrato.",
        disguise="neg-milestone",
    ),
    N(
        "ru",
        "releasing the milestone on the platform (§3)",
        "Этап 2 принял и оплатил через площадку, можно переходить к третьему.",
        where="ps",
        disguise="neg-milestone",
    ),
    N(
        "it",
        "releasing the milestone on the platform (§3)",
        "Ho approvato la milestone 2 sulla piattaforma, il pagamento è partito.",
        disguise="neg-milestone",
    ),
    N(
        "hi",
        "releasing the milestone on the platform (§3)",
        "Milestone 2 platform pe release kar diya hai, milestone 3 bhi fund kar diya.",
        disguise="neg-milestone",
    ),
    N(
        "en",
        "discussing the platform fee without proposing to avoid it (§3 fee talk)",
        "I know the platform fee went up to 10% this year; I've factored it into the quote, so the "
        "price you see in the contract is final.",
        disguise="neg-fee-talk",
    ),
    N(
        "de",
        "fee discussion, stays on the platform (§3 fee talk)",
        "Die Servicegebühr der Plattform ist in meinem Angebot schon eingerechnet, da kommt nichts mehr dazu.",
        disguise="neg-fee-talk",
    ),
    N(
        "fr",
        "fee discussion without avoidance (§3 fee talk)",
        "Les frais de service de la plateforme sont à ma charge, ne t'inquiète pas pour ça.",
        disguise="neg-fee-talk",
    ),
    N(
        "es",
        "Bizum as a checkout method of the client's shop (§3 subject of the work)",
        "La tienda necesita Bizum como método de pago en el checkout, a través de Redsys.",
        topic="web",
        disguise="neg-payment-subject",
    ),
    N(
        "pt",
        "MB WAY in the checkout of a Portuguese shop (§3 subject of the work)",
        "A loja precisa de MB WAY e Multibanco no checkout, via Easypay.",
        topic="web",
        disguise="neg-payment-subject",
    ),
    N(
        "ru",
        "СБП via YooKassa in the online shop (§3 subject of the work)",
        "В интернет-магазине нужно подключить оплату по СБП через ЮKassa и чеки по 54-ФЗ.",
        topic="web",
        disguise="neg-payment-subject",
    ),
    N(
        "en",
        "Venmo-style bill splitting as an app feature (§3 subject of the work)",
        "The main feature is Venmo-style bill splitting between roommates; payments themselves go "
        "through Stripe Connect.",
        topic="app",
        disguise="neg-payment-subject",
    ),
    N(
        "en",
        "landing page copy for a crypto exchange mentioning Ethereum and USDT (§3 subject of the work)",
        "The landing page copy for the exchange should explain in plain words how to buy Ethereum and "
        "USDT, and what network fees are.",
        topic="copy",
        disguise="neg-payment-subject",
    ),
    N(
        "en",
        "payment-method logos in the footer (§3 subject of the work)",
        "In the footer, show the Visa, Mastercard, PayPal, Apple Pay and Google Pay logos in grey.",
        topic="web",
        disguise="neg-payment-subject",
    ),
    N(
        "fr",
        "Paylib and card payments via Stripe in the shop (§3 subject of the work)",
        "Il faut intégrer Paylib et le paiement par carte via Stripe dans la boutique.",
        topic="web",
        disguise="neg-payment-subject",
    ),
    N(
        "it",
        "Satispay and PayPal in the e-commerce checkout (§3 subject of the work)",
        "Nel checkout vanno aggiunti Satispay e PayPal, oltre alla carta.",
        topic="web",
        disguise="neg-payment-subject",
    ),
    N(
        "en",
        "article comparing payment services for freelancers (§3 payment services as the topic)",
        "Blog post idea approved: 'PayPal vs Wise vs Payoneer for small exporters' - 1,800 words, neutral "
        "tone, with a fee comparison table.",
        topic="copy",
        disguise="neg-payment-subject",
    ),
    N(
        "hi",
        "Paytm payment gateway as the job (§3 subject of the work)",
        "Website pe Paytm payment gateway integrate karna hai, sandbox credentials mil gaye hain.",
        topic="web",
        disguise="neg-payment-subject",
    ),
    N(
        "en",
        "PayPal button overlapping the cart as a bug (§3 subject of the work)",
        "On iPhone SE the PayPal Express button overlaps the cart total. Can you fix the spacing?",
        topic="web",
        disguise="neg-payment-subject",
    ),
    N(
        "en",
        "refund handled through the platform dispute (§3 handled through the platform)",
        "Support told me the refund for the cancelled milestone will go back through the platform "
        "within 5-7 business days.",
        disguise="neg-milestone",
    ),
    N(
        "de",
        "invoice through the platform, bank holiday dates (§3)",
        "Die Rechnung für September stelle ich wie immer über die Plattform, wegen des Feiertags am "
        "03.10. erst am 04.10.",
        disguise="neg-milestone",
    ),
    N(
        "en",
        "IBAN validation unit tests with example IBANs in a code attachment (§1, §3 example IBAN)",
        "Added tests for the IBAN field.",
        where="attach",
        topic="web",
        disguise="neg-example-iban",
        attach=[
            (
                "test_iban.py.txt",
                "text/plain",
                'VALID = [\n    "GB82 WEST 1234 5698 7654 32",  # example from the bank docs\n'
                '    "DE89370400440532013000",\n]\nINVALID = ["GB82 WEST 1234 5698 7654 33"]\n',
            )
        ],
    ),
]

STRUCTURE = [
    N(
        "en",
        "forwarded message whose headers hold a gmail address, clean body (§1 headers of attached messages)",
        "The printer says the bleed should be 3 mm on all sides and the PDF must be PDF/X-4.",
        where="fwd",
        topic="design",
        disguise="neg-forwarded-headers",
    ),
    N(
        "es",
        "Reply-To header with a personal address, clean body (§1 other headers are not content)",
        "Te paso los textos definitivos para la página de inicio, ya revisados por el cliente.",
        headers={
            "Reply-To": "Sofía Ruiz <sofi.ruiz93@hotmail.es>",
            "Cc": "javier@ortegaestudio.es",
        },
        disguise="neg-headers",
    ),
    N(
        "en",
        "PDF invoice draft attachment with digit strings (§1 binary attachments are not content)",
        "The invoice draft for milestone 2 is attached as PDF, it matches what's in the contract.",
        disguise="neg-binary",
        shape="plain",
        decoy="pdf",
    ),
    N(
        "de",
        "screenshot PNG attachment (§1 binary attachments are not content)",
        "Im Anhang ein Screenshot vom Fehler im Warenkorb.",
        disguise="neg-binary",
        topic="web",
        decoy="png",
    ),
    N(
        "en",
        "HTML mail with a hidden preheader that only repeats neutral text (§1 hidden HTML, nothing positive)",
        where="hidden",
        disguise="neg-hidden-neutral",
        topic="design",
        html='<div style="display:none;max-height:0;overflow:hidden">Round 2 logo concepts inside - '
        "feedback by Friday please</div>",
    ),
    N(
        "fr",
        "Outlook conditional comments and white spacer text (§1 hidden HTML, nothing positive)",
        where="hidden",
        disguise="neg-hidden-neutral",
        html='<!--[if mso]><table width="600" cellpadding="0"><tr><td><![endif]-->'
        '<p style="color:#ffffff;font-size:1px">&nbsp;version 2.3 du 14/09</p>'
        "<!--[if mso]></td></tr></table><![endif]-->",
    ),
    N(
        "de",
        "relay addresses only, in a long reply chain (§2 relay addresses in quote headers)",
        "Danke, dann machen wir das so.",
        where="quote",
        disguise="neg-relay",
    ),
    N(
        "ru",
        "attached forwarded message with relay headers, clean body (§1, §2)",
        "Сроки подтверждаю: первый этап до 30 сентября, второй до 15 октября.",
        where="fwd",
        disguise="neg-forwarded-headers",
    ),
    N(
        "it",
        "HTML-only mail with inline styles and colours (§2 hex colours)",
        where="html",
        disguise="neg-html-neutral",
        html='<p style="color:#2A9D8F;font-family:Georgia">Ho aggiornato i colori: titoli <b>#2A9D8F</b>, '
        "sfondo <b>#F4F1EA</b>, pulsanti <b>#E76F51</b>.</p>",
    ),
    N(
        "pt",
        "CSV of deliverables with dates and hours (§1 attachment, §2 numbers)",
        "Segue o cronograma atualizado.",
        where="attach",
        disguise="neg-csv",
        attach=[
            (
                "cronograma.csv",
                "text/csv",
                "etapa;inicio;fim;horas\nBriefing;02/09/2024;04/09/2024;6\nLayout;05/09/2024;20/09/2024;42\n"
                "Revisão;23/09/2024;27/09/2024;10\n",
            )
        ],
    ),
    N(
        "en",
        "mailto: link to the platform's support address (§2 platform domain)",
        where="html",
        disguise="neg-platform",
        html='<p>If you can\'t see the files, <a href="mailto:support@gigbridge.io">contact GigBridge support</a>.</p>',
        alt="If you can't see the files, contact GigBridge support.",
    ),
    N(
        "hi",
        "quoted text with relay address only (§2)",
        "Theek hai, kal tak bhej deta hoon.",
        where="quote",
        disguise="neg-relay",
    ),
    N(
        "es",
        "subject with ticket and version numbers (§2)",
        "Ticket 48213 - versión 2.4.1 del tema",
        where="subject",
        topic="web",
        disguise="neg-versions",
    ),
    N(
        "it",
        "subject with a 10-digit order number (§2)",
        "Ordine 3479216580 - reso",
        where="subject",
        topic="web",
        disguise="neg-order-id",
    ),
    N(
        "ru",
        "subject with an act number and date (§2)",
        "Акт № 2024-0917 от 14.09.2024",
        where="subject",
        disguise="neg-invoice-ids",
    ),
]

MORE = [
    N(
        "es",
        "example.com addresses in a JSON fixture (§2 reserved documentation data)",
        'Te dejo el fixture que uso para las pruebas:\n\n    {"users": [{"email": "ana@example.com"}, '
        '{"email": "luis@example.net"}], "smtp": "localhost:1025"}',
        topic="web",
        disguise="neg-example-domain",
    ),
    N(
        "es",
        "platform profile link in the signature (§2 platform domain)",
        "Mi perfil: https://app.gigbridge.io/u/javier-ortega",
        where="sig",
        disguise="neg-platform",
        sender=("Javier Ortega", "javier@ortegaestudio.es"),
    ),
    N(
        "es",
        "Stripe test card in a Spanish QA note (§3 test cards)",
        "Para probar el pago usa la tarjeta de prueba de Stripe 4242 4242 4242 4242, caducidad 12/34 y "
        "cualquier CVC.",
        topic="web",
        disguise="neg-test-card",
    ),
    N(
        "es",
        "platform fee already included in the quote (§3 fee talk)",
        "La comisión de la plataforma ya está incluida en el presupuesto, no tienes que sumar nada.",
        where="ps",
        disguise="neg-fee-talk",
    ),
    N(
        "es",
        "Correos tracking number for printed samples (§2 tracking numbers)",
        "Las muestras impresas van por Correos, seguimiento PQ4B6M0712345670108001M.",
        topic="design",
        disguise="neg-tracking",
    ),
    N(
        "pt",
        "Stripe declined test card in sandbox (§3 test cards)",
        "No sandbox, o cartão de teste 4000 0000 0000 0002 tem que mostrar a mensagem de recusa em português.",
        topic="web",
        disguise="neg-test-card",
    ),
    N(
        "pt",
        "platform fee included (§3 fee talk)",
        "A taxa da plataforma já está inclusa no valor que te passei.",
        disguise="neg-fee-talk",
    ),
    N(
        "pt",
        "platform help-centre link (§2 platform domain)",
        "Se a entrega não aparecer, veja https://help.gigbridge.io/pt/artigos/entregas ou fale com o suporte da plataforma.",
        disguise="neg-platform",
    ),
    N(
        "pt",
        "article comparing Pix and Bitcoin as the topic (§3 payment services as article topic)",
        "O artigo comparando Pix e Bitcoin para pequenos lojistas ficou ótimo; só falta a conclusão.",
        topic="copy",
        disguise="neg-bitcoin-topic",
    ),
    N(
        "fr",
        "localhost and .test hosts in dev setup (§2 reserved test data)",
        "Pour lancer le projet : `docker compose up`, puis ouvre http://localhost:3000 ; l'API répond sur "
        "http://api.boutique.test et le compte admin est admin@boutique.test.",
        topic="web",
        disguise="neg-test-domain",
    ),
    N(
        "fr",
        "platform contract link (§2 platform domain)",
        "J'ai mis à jour le cahier des charges dans le contrat : https://app.gigbridge.io/contracts/61207/files",
        disguise="neg-platform",
    ),
    N(
        "fr",
        "10-digit order number starting with 06 (phone-shaped) (§2 order numbers)",
        "La commande n° 0612874395 est bloquée au statut « en préparation » depuis lundi.",
        topic="web",
        disguise="neg-order-id",
    ),
    N(
        "de",
        "git hash and versions in German (§2 git hashes, versions)",
        "Der Fehler kam mit Commit %%sha:x:short%% rein; mit WordPress 6.6.2 und WooCommerce 9.3.1 ist er weg.",
        topic="web",
        disguise="neg-git",
    ),
    N(
        "de",
        "IP addresses and ports in a server move (§2 IP addresses)",
        "Der neue Server hat die 192.0.2.44, SSH läuft auf Port 2222. Die alte 198.51.100.8 schalten wir am 01.10. ab.",
        topic="web",
        disguise="neg-ip",
    ),
    N(
        "de",
        "hidden preheader with neutral text (§1 hidden HTML, nothing positive)",
        where="hidden",
        disguise="neg-hidden-neutral",
        html='<span style="display:none!important;font-size:0">Korrekturrunde 2 – bitte bis Freitag</span>',
    ),
    N(
        "ru",
        "Stripe test card in a Russian QA note (§3 test cards)",
        "Для проверки оплаты используйте тестовую карту Stripe 4242 4242 4242 4242, срок любой в будущем.",
        topic="web",
        disguise="neg-test-card",
    ),
    N(
        "ru",
        "platform link to the contract (§2 platform domain)",
        "ТЗ обновил в контракте: https://app.gigbridge.io/contracts/70419/scope",
        disguise="neg-platform",
    ),
    N(
        "ru",
        "server log attachment with IPs and versions (§1, §2)",
        "Лог ошибки во вложении.",
        where="attach",
        topic="web",
        disguise="neg-log",
        attach=[
            (
                "error.log",
                "text/plain",
                "[14-Sep-2024 15:30:12 UTC] PHP Fatal error: Allowed memory size of 134217728 bytes exhausted\n"
                "[14-Sep-2024 15:30:12 UTC] client 10.0.0.12, nginx/1.24.0, PHP 8.3.11\n",
            )
        ],
    ),
    N(
        "it",
        "ISBN of the book being laid out (§2 ISBNs)",
        "L'ISBN del libro è %%isbn%%, va in quarta di copertina sopra il codice a barre.",
        topic="design",
        disguise="neg-isbn",
    ),
    N(
        "it",
        "platform support address (§2 platform domain)",
        "Ho scritto a support@gigbridge.io per il problema dei file, ti aggiorno appena rispondono.",
        where="ps",
        disguise="neg-platform",
    ),
    N(
        "it",
        "bank statement reconciliation as the job (§3 'bank statement')",
        "Il lavoro di contabilità è riconciliare l'estratto conto di marzo con le fatture in Fatture in Cloud.",
        topic="data",
        disguise="neg-bank-statement",
    ),
    N(
        "hi",
        "platform milestone link (§2 platform domain)",
        "Milestone 3 yahan create kar diya hai: https://app.gigbridge.io/contracts/40917/milestones/3",
        disguise="neg-platform",
    ),
    N(
        "hi",
        "Razorpay's documented test card as QA data (§3 test cards)",
        "Checkout test karne ke liye Razorpay ka test card 4111 1111 1111 1111 use karo, koi bhi future expiry.",
        topic="web",
        disguise="neg-test-card",
    ),
    N(
        "en",
        "support address of the platform in quoted text (§2 platform domain)",
        "If you have questions about this milestone, contact support@gigbridge.io.",
        where="quote",
        disguise="neg-platform",
    ),
]

CASES = NUMBERS + ADDRESSES + SERVICES + PAYMENT_SUBJECT + STRUCTURE + MORE
