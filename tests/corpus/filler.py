"""Everyday freelance-mail text around each case's core: greetings, project context, sign-offs.

Nothing here may share a contact or propose a payment channel: every line is neutral, so the
label of a message is decided by its hand-written core alone (see cases_*.py). The lines are
deliberately varied (several projects, tones and mail habits per language) so that no detector
can key on a fixed template.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Topic:
    """One kind of project: subject lines, context sentences and lines of an earlier message."""

    subjects: tuple[str, ...]
    context: tuple[str, ...]
    quoted: tuple[str, ...]


@dataclass(frozen=True)
class Lang:
    """Everything the generator needs to dress a core in one language."""

    greet: tuple[str, ...]
    close: tuple[str, ...]
    ps: str
    quote_intro: tuple[str, ...]
    dates: tuple[str, ...]
    reply_prefix: str
    fwd_intro: tuple[str, ...]
    people: tuple[tuple[str, str], ...]  # (display name, mailbox used in From:)
    roles: tuple[str, ...]
    short_replies: tuple[str, ...]
    topics: dict[str, Topic] = field(default_factory=dict)


EN = Lang(
    greet=(
        "Hi {to},",
        "Hello {to},",
        "Hey {to},",
        "Dear {to},",
        "{to},",
        "Good morning {to},",
        "Hi {to} -",
        "Hi there,",
    ),
    close=(
        "Thanks,",
        "Best,",
        "Cheers,",
        "Kind regards,",
        "Talk soon,",
        "Thanks again,",
        "Best regards,",
        "All the best,",
    ),
    ps="P.S.",
    quote_intro=(
        "On {date}, {name} <{addr}> wrote:",
        "On {date} {name} <{addr}> wrote:",
        "{name} <{addr}> wrote on {date}:",
    ),
    dates=(
        "Tue, 3 Sep 2024 at 10:12",
        "Mon, Sep 9, 2024 at 4:47 PM",
        "Thu, 12 Sep 2024 at 08:05",
        "Fri, Sep 20, 2024 at 11:31 AM",
        "Wed, 2 Oct 2024 at 19:22",
    ),
    reply_prefix="Re: ",
    fwd_intro=(
        "---------- Forwarded message ---------",
        "Forwarding this so you have the context:",
        "See below - forwarding the earlier thread.",
    ),
    people=(
        ("Dan Whitaker", "dan.whitaker84@gmail.com"),
        ("Sarah Koenig", "sarah.koenig@outlook.com"),
        ("Jonathan Rees", "jrees@reesworks.co.uk"),
        ("Olivia Grant", "olivia.grant@icloud.com"),
        ("Mark Ellis", "mark.ellis@fastmail.com"),
        ("Nina Kowalski", "nina.k.design@gmail.com"),
        ("Tom Harper", "tom@harper-digital.com"),
        ("Grace Okafor", "grace.okafor@yahoo.com"),
        ("Ann Client", "ann@example.org"),
        ("Michael Tan", "mtan@tanandco.sg"),
        ("Emily Brooks", "emily.brooks@proton.me"),
        ("Chris Nolan", "chris.nolan@hey.com"),
    ),
    roles=(
        "Product designer",
        "Full-stack developer",
        "Content strategist",
        "Marketing lead",
        "Founder",
        "Freelance video editor",
        "Data analyst",
        "Illustrator",
    ),
    short_replies=(
        "Thanks, that works for me.",
        "Got it - I'll have a look tonight.",
        "Sounds good, see the note below.",
        "Perfect, thank you!",
        "Quick reply from my phone, more details tomorrow.",
    ),
    topics={
        "web": Topic(
            subjects=(
                "Homepage revisions",
                "Shopify theme - next steps",
                "WordPress migration",
                "Landing page feedback",
                "Checkout page bugs",
            ),
            context=(
                "I went through the staging build this morning and most of the layout issues "
                "from last week are gone.",
                "The mobile menu still overlaps the hero image on smaller screens, so that is "
                "the first thing I'd like fixed.",
                "Our marketing team wants the new pricing section live before the autumn "
                "campaign, so let's prioritise that.",
                "The theme update broke the product filters again; I've listed the steps to "
                "reproduce in the contract chat.",
                "Thanks for the quick turnaround on the contact form styling, it looks much "
                "cleaner now.",
            ),
            quoted=(
                "Could you also check the footer alignment on Safari?",
                "The client approved the new colour palette, so we can move on to the inner pages.",
                "I pushed the fixes for the cart drawer, please have a look when you can.",
            ),
        ),
        "design": Topic(
            subjects=(
                "Logo concepts round 2",
                "Brand guidelines draft",
                "Packaging mockups",
                "Business card layout",
                "Icon set feedback",
            ),
            context=(
                "I really like where concept B is going; the rounded type feels friendlier.",
                "Could we try the wordmark in a darker green and with a bit more letter spacing?",
                "The packaging mockups look great, although the back label feels a bit crowded.",
                "We showed the three directions to the team yesterday and concept A won by a mile.",
                "Please keep the icon stroke at the same weight as the existing set.",
            ),
            quoted=(
                "Here are the three directions we talked about, let me know your favourite.",
                "I exported everything as SVG and PNG in the shared deliverables folder.",
            ),
        ),
        "translation": Topic(
            subjects=(
                "Translation of the user manual",
                "Glossary questions",
                "Subtitles batch 3",
                "Proofreading - chapter 4",
            ),
            context=(
                "The glossary you built is really helpful, our product team already uses it.",
                "Chapter 4 has a few terms that we left in English on purpose, please keep them.",
                "The client asked for British spelling throughout, sorry for not mentioning it earlier.",
                "I've uploaded the revised source file with the tracked changes accepted.",
            ),
            quoted=(
                "I finished the first pass, there are a few questions in the comments.",
                "Do you prefer 'sign in' or 'log in' for the button labels?",
            ),
        ),
        "data": Topic(
            subjects=(
                "Dashboard numbers look off",
                "Sales analysis - first draft",
                "Cleaning the CRM export",
                "Monthly report template",
            ),
            context=(
                "The churn chart is exactly what the board wanted to see, nice work.",
                "I think the duplicate rows come from the old import, not from your script.",
                "Could you split the revenue by region and add a quarter-over-quarter comparison?",
                "The notebook runs fine on my machine now that I've updated pandas.",
            ),
            quoted=(
                "I attached the cleaned dataset to the contract, plus a short methodology note.",
                "Let me know if the cohort definition matches what you had in mind.",
            ),
        ),
        "video": Topic(
            subjects=(
                "First cut feedback",
                "Colour grading notes",
                "Subtitles and music",
                "Reel for social - v2",
            ),
            context=(
                "The first cut is really strong; the pacing in the middle section is much better.",
                "Could you tone down the music under the interview so the voice sits on top?",
                "We'd like a square version for social in addition to the widescreen master.",
                "The colour grade on the outdoor shots is a touch too warm for our brand.",
            ),
            quoted=(
                "I uploaded v2 with your notes applied, have a look when you get a moment.",
                "Do you want burned-in subtitles or a separate file?",
            ),
        ),
        "app": Topic(
            subjects=(
                "App store build",
                "Push notification bug",
                "Onboarding screens",
                "Crash on Android 14",
            ),
            context=(
                "The onboarding flow feels smooth now, thanks for simplifying the permissions step.",
                "We still get a crash when the user rotates the phone on the settings screen.",
                "Our QA person will test the release candidate over the weekend.",
                "Please keep the offline mode behind a feature flag for now.",
            ),
            quoted=(
                "The build is uploaded to TestFlight, let me know what you find.",
                "I refactored the login screen, it should be much faster now.",
            ),
        ),
        "copy": Topic(
            subjects=("Blog post draft", "Product descriptions", "Newsletter copy", "SEO brief"),
            context=(
                "The intro of the blog post is great; the middle part could be a little shorter.",
                "Please keep the tone friendly but not too casual, our readers are mostly accountants.",
                "The product descriptions need to stay under 150 words each for the marketplace.",
                "I added a few keywords to the brief, no need to use all of them.",
            ),
            quoted=(
                "Here's the draft for the October newsletter, comments welcome.",
                "I rewrote the headline three ways, pick the one you like best.",
            ),
        ),
        "illustration": Topic(
            subjects=(
                "Character sketches",
                "Children's book spreads",
                "Cover illustration",
                "Colour palette for the series",
            ),
            context=(
                "The fox character is adorable, the kids in our test group loved it.",
                "Could the background on spread 6 be a little less busy?",
                "The cover works really well, maybe try the title in a warmer colour.",
                "We're happy with the line work, please go ahead with the colouring.",
            ),
            quoted=(
                "Attached are the rough sketches for spreads 5 to 8.",
                "I tried two palettes for the forest scenes, which one do you prefer?",
            ),
        ),
    },
)

ES = Lang(
    greet=("Hola {to},", "¡Hola {to}!", "Buenos días {to},", "Hola, {to}:", "Buenas tardes {to},"),
    close=(
        "Gracias,",
        "Un saludo,",
        "Saludos,",
        "Un abrazo,",
        "Quedo a la espera,",
        "Muchas gracias,",
    ),
    ps="PD:",
    quote_intro=("El {date}, {name} (<{addr}>) escribió:", "El {date}, {name} <{addr}> escribió:"),
    dates=(
        "mar, 3 sept 2024 a las 10:12",
        "lun, 9 sept 2024 a las 16:47",
        "vie, 20 sept 2024 a las 11:31",
    ),
    reply_prefix="RE: ",
    fwd_intro=(
        "---------- Mensaje reenviado ---------",
        "Te reenvío el hilo anterior para que tengas el contexto:",
    ),
    people=(
        ("Lucía Fernández", "lucia.fernandez@outlook.es"),
        ("Carlos Mendoza", "cmendoza@protonmail.com"),
        ("Sofía Ruiz", "sofi.ruiz93@hotmail.es"),
        ("Javier Ortega", "javier@ortegaestudio.es"),
        ("Valentina Gómez", "vale.gomez@gmail.com"),
        ("Andrés Castillo", "andres.castillo@yahoo.com.mx"),
    ),
    roles=(
        "Diseñadora gráfica",
        "Desarrollador web",
        "Traductora EN>ES",
        "Community manager",
        "Editor de vídeo",
    ),
    short_replies=(
        "Perfecto, gracias.",
        "Recibido, lo reviso esta tarde.",
        "Me parece bien, te comento abajo.",
    ),
    topics={
        "web": Topic(
            subjects=(
                "Cambios en la web",
                "Tienda online - siguientes pasos",
                "Errores en el carrito",
            ),
            context=(
                "He revisado la versión de pruebas y el menú ya funciona bien en el móvil.",
                "El formulario de reserva todavía no envía la confirmación, ¿lo puedes mirar?",
                "Nos gustaría tener la sección de precios lista antes de la campaña de otoño.",
            ),
            quoted=(
                "Ya subí los cambios del pie de página, ¿me confirmas que se ven bien?",
                "El cliente aprobó la paleta de colores, así que seguimos con las páginas interiores.",
            ),
        ),
        "design": Topic(
            subjects=("Propuestas de logotipo", "Manual de marca", "Diseño de etiquetas"),
            context=(
                "Me encanta la propuesta B, la tipografía redondeada queda muy cercana.",
                "¿Podrías probar el logotipo en un verde más oscuro?",
                "La etiqueta trasera está un poco cargada, quizá podemos quitar un párrafo.",
            ),
            quoted=(
                "Te dejo las tres propuestas que comentamos, dime cuál te gusta más.",
                "He exportado todo en SVG y PNG en la carpeta de entregables.",
            ),
        ),
        "translation": Topic(
            subjects=("Traducción del manual", "Dudas del glosario", "Subtítulos - lote 3"),
            context=(
                "El glosario que preparaste nos está ayudando muchísimo.",
                "Algunos términos del capítulo 4 se quedan en inglés a propósito.",
                "El cliente prefiere el español neutro, sin regionalismos.",
            ),
            quoted=(
                "Terminé la primera pasada, dejé algunas dudas en los comentarios.",
                "¿Prefieres «iniciar sesión» o «acceder» para los botones?",
            ),
        ),
        "data": Topic(
            subjects=("Informe mensual", "Limpieza de datos del CRM", "Panel de ventas"),
            context=(
                "El gráfico de bajas es justo lo que quería ver la dirección.",
                "Creo que las filas duplicadas vienen de la importación antigua.",
                "¿Puedes separar los ingresos por región y trimestre?",
            ),
            quoted=(
                "Subí el conjunto de datos limpio al contrato con una nota de metodología.",
                "Dime si la definición de cohorte es la que tenías en mente.",
            ),
        ),
        "video": Topic(
            subjects=("Primer montaje", "Notas de color", "Vídeo para redes - v2"),
            context=(
                "El primer montaje está muy bien, el ritmo de la parte central ha mejorado mucho.",
                "¿Puedes bajar un poco la música debajo de la entrevista?",
                "Necesitamos también una versión cuadrada para redes sociales.",
            ),
            quoted=(
                "Subí la versión 2 con tus notas aplicadas.",
                "¿Quieres los subtítulos incrustados o en archivo aparte?",
            ),
        ),
    },
)

PT = Lang(
    greet=("Olá {to},", "Oi {to}, tudo bem?", "Bom dia {to},", "Oi, {to}!", "Boa tarde {to},"),
    close=("Obrigado,", "Abraço,", "Att.,", "Valeu,", "Cumprimentos,", "Obrigada!"),
    ps="P.S.:",
    quote_intro=("Em {date}, {name} <{addr}> escreveu:", "{name} <{addr}> escreveu ({date}):"),
    dates=(
        "ter., 3 de set. de 2024 às 10:12",
        "seg., 9 de set. de 2024 às 16:47",
        "sex., 20 de set. de 2024 às 11:31",
    ),
    reply_prefix="Re: ",
    fwd_intro=(
        "---------- Mensagem encaminhada ---------",
        "Encaminhando a conversa anterior para contexto:",
    ),
    people=(
        ("João Pereira", "joao.pereira@gmail.com"),
        ("Ana Silva", "ana.silva@outlook.com"),
        ("Pedro Alves", "pedro.alves@uol.com.br"),
        ("Carla Mendes", "carla.mendes@sapo.pt"),
        ("Rafael Costa", "rafa.costa@bol.com.br"),
        ("Beatriz Santos", "bia.santos@icloud.com"),
    ),
    roles=(
        "Designer freelancer",
        "Desenvolvedor front-end",
        "Tradutora",
        "Social media",
        "Editor de vídeo",
    ),
    short_replies=(
        "Perfeito, obrigado!",
        "Beleza, vejo isso hoje à noite.",
        "Combinado, comento abaixo.",
    ),
    topics={
        "web": Topic(
            subjects=("Ajustes no site", "Loja virtual - próximos passos", "Bug no carrinho"),
            context=(
                "Dei uma olhada na versão de homologação e o menu já está funcionando no celular.",
                "O formulário de orçamento ainda não envia o e-mail de confirmação, consegue ver?",
                "A gente quer a página de preços no ar antes da Black Friday.",
            ),
            quoted=(
                "Subi as correções do rodapé, confere se ficou bom?",
                "O cliente aprovou a paleta, então seguimos para as páginas internas.",
            ),
        ),
        "design": Topic(
            subjects=("Propostas de logo", "Manual da marca", "Rótulos - revisão"),
            context=(
                "Gostei muito da proposta B, a fonte arredondada ficou simpática.",
                "Dá pra testar o logo num verde mais escuro?",
                "O rótulo de trás ficou um pouco carregado.",
            ),
            quoted=(
                "Seguem as três propostas que combinamos.",
                "Exportei tudo em SVG e PNG na pasta de entregas.",
            ),
        ),
        "translation": Topic(
            subjects=("Tradução do manual", "Dúvidas do glossário", "Legendas - lote 3"),
            context=(
                "O glossário que você montou está ajudando muito o time.",
                "Alguns termos do capítulo 4 ficam em inglês de propósito.",
                "O cliente prefere o português de Portugal neste projeto.",
            ),
            quoted=(
                "Terminei a primeira revisão, deixei dúvidas nos comentários.",
                "Você prefere «entrar» ou «fazer login» nos botões?",
            ),
        ),
        "data": Topic(
            subjects=("Relatório mensal", "Limpeza da base do CRM", "Dashboard de vendas"),
            context=(
                "O gráfico de churn ficou exatamente como a diretoria queria.",
                "Acho que as linhas duplicadas vêm da importação antiga.",
                "Consegue separar a receita por região e por trimestre?",
            ),
            quoted=(
                "Subi a base limpa no contrato, com uma nota sobre a metodologia.",
                "Me diz se a definição de coorte está certa.",
            ),
        ),
        "video": Topic(
            subjects=("Primeiro corte", "Notas de cor", "Vídeo para redes - v2"),
            context=(
                "O primeiro corte ficou ótimo, o ritmo do meio melhorou muito.",
                "Dá pra baixar um pouco a trilha embaixo da entrevista?",
                "Vamos precisar também de uma versão quadrada para o feed.",
            ),
            quoted=(
                "Subi a versão 2 com os seus ajustes.",
                "Quer a legenda embutida ou em arquivo separado?",
            ),
        ),
    },
)

FR = Lang(
    greet=("Bonjour {to},", "Salut {to},", "Bonjour {to} !", "Hello {to},", "Bonsoir {to},"),
    close=(
        "Merci,",
        "Bonne journée,",
        "Cordialement,",
        "À bientôt,",
        "Bien à vous,",
        "Belle soirée,",
    ),
    ps="P.-S. :",
    quote_intro=("Le {date}, {name} <{addr}> a écrit :", "Le {date}, {name} a écrit <{addr}> :"),
    dates=("mar. 3 sept. 2024 à 10:12", "lun. 9 sept. 2024 à 16:47", "ven. 20 sept. 2024 à 11:31"),
    reply_prefix="RE : ",
    fwd_intro=(
        "---------- Forwarded message ---------",
        "Je te transfère l'échange précédent pour le contexte :",
    ),
    people=(
        ("Camille Durand", "camille.durand@orange.fr"),
        ("Julien Moreau", "julien.moreau@free.fr"),
        ("Léa Bernard", "lea.bernard@laposte.net"),
        ("Thomas Petit", "t.petit@atelier-petit.fr"),
        ("Chloé Lambert", "chloe.lambert@gmail.com"),
        ("Hugo Girard", "hugo.girard@proton.me"),
    ),
    roles=(
        "Illustratrice",
        "Développeur web",
        "Traductrice EN>FR",
        "Motion designer",
        "Rédacteur web",
    ),
    short_replies=(
        "Parfait, merci !",
        "Bien reçu, je regarde ce soir.",
        "Ça me va, voir plus bas.",
    ),
    topics={
        "web": Topic(
            subjects=("Modifications du site", "Boutique en ligne - suite", "Bug sur le panier"),
            context=(
                "J'ai regardé la version de recette, le menu fonctionne enfin sur mobile.",
                "Le formulaire de devis n'envoie toujours pas l'accusé de réception.",
                "On aimerait mettre en ligne la page tarifs avant la rentrée.",
            ),
            quoted=(
                "J'ai poussé les corrections du pied de page, tu me dis ?",
                "Le client a validé la palette, on passe aux pages intérieures.",
            ),
        ),
        "design": Topic(
            subjects=("Pistes de logo", "Charte graphique", "Étiquettes - V2"),
            context=(
                "La piste B me plaît beaucoup, la typo arrondie est plus chaleureuse.",
                "Tu pourrais essayer le logo dans un vert plus foncé ?",
                "L'étiquette arrière est un peu chargée à mon goût.",
            ),
            quoted=(
                "Voici les trois pistes dont on a parlé.",
                "J'ai tout exporté en SVG et PNG dans le dossier des livrables.",
            ),
        ),
        "translation": Topic(
            subjects=("Traduction du manuel", "Questions sur le glossaire", "Sous-titres - lot 3"),
            context=(
                "Le glossaire que tu as préparé nous aide énormément.",
                "Certains termes du chapitre 4 restent en anglais, c'est voulu.",
                "Le client préfère le vouvoiement dans toute l'interface.",
            ),
            quoted=(
                "J'ai terminé la première passe, il reste quelques questions en commentaire.",
                "Tu préfères « se connecter » ou « s'identifier » pour les boutons ?",
            ),
        ),
        "data": Topic(
            subjects=("Rapport mensuel", "Nettoyage de l'export CRM", "Tableau de bord des ventes"),
            context=(
                "Le graphique d'attrition correspond exactement à ce que voulait la direction.",
                "Je pense que les doublons viennent de l'ancien import.",
                "Tu peux ventiler le chiffre d'affaires par région et par trimestre ?",
            ),
            quoted=(
                "J'ai déposé le jeu de données nettoyé sur le contrat.",
                "Dis-moi si la définition des cohortes te convient.",
            ),
        ),
        "video": Topic(
            subjects=("Premier montage", "Étalonnage", "Vidéo réseaux sociaux - V2"),
            context=(
                "Le premier montage est très réussi, le rythme du milieu est bien meilleur.",
                "Tu peux baisser un peu la musique sous l'interview ?",
                "Il nous faudrait aussi une version carrée pour Instagram.",
            ),
            quoted=(
                "J'ai mis en ligne la V2 avec tes remarques.",
                "Tu veux les sous-titres incrustés ou en fichier séparé ?",
            ),
        ),
    },
)

DE = Lang(
    greet=(
        "Hallo {to},",
        "Hi {to},",
        "Guten Morgen {to},",
        "Hallo {to}!",
        "Moin {to},",
        "Guten Tag {to},",
    ),
    close=(
        "Danke dir!",
        "Viele Grüße",
        "Beste Grüße",
        "LG",
        "Schöne Grüße",
        "Mit freundlichen Grüßen",
    ),
    ps="PS:",
    quote_intro=("Am {date} schrieb {name} <{addr}>:", "{name} <{addr}> schrieb am {date}:"),
    dates=(
        "Di., 3. Sept. 2024 um 10:12",
        "Mo., 9. Sept. 2024 um 16:47",
        "Fr., 20. Sept. 2024 um 11:31",
    ),
    reply_prefix="AW: ",
    fwd_intro=(
        "---------- Weitergeleitete Nachricht ---------",
        "Ich leite dir den Verlauf weiter, damit du den Kontext hast:",
    ),
    people=(
        ("Jonas Becker", "jonas.becker@web.de"),
        ("Lena Hoffmann", "lena.hoffmann@gmx.de"),
        ("Katrin Schubert", "k.schubert77@gmx.net"),
        ("Lukas Brandt", "lukas@brandt-design.de"),
        ("Anna Schulz", "anna.schulz@posteo.de"),
        ("Felix Wagner", "felix.wagner@t-online.de"),
    ),
    roles=("UX-Designer", "Webentwicklerin", "Übersetzer EN>DE", "Fotograf", "Texterin"),
    short_replies=(
        "Passt, danke!",
        "Alles klar, schaue ich mir heute Abend an.",
        "Klingt gut, siehe unten.",
    ),
    topics={
        "web": Topic(
            subjects=(
                "Änderungen an der Website",
                "Onlineshop - nächste Schritte",
                "Fehler im Warenkorb",
            ),
            context=(
                "Ich habe mir die Testversion angesehen, das Menü klappt jetzt auch mobil.",
                "Das Kontaktformular verschickt immer noch keine Bestätigung, kannst du das prüfen?",
                "Die neue Preisseite sollte vor der Herbstaktion online sein.",
            ),
            quoted=(
                "Ich habe die Korrekturen im Footer hochgeladen, passt das so?",
                "Der Kunde hat die Farbpalette freigegeben, wir machen mit den Unterseiten weiter.",
            ),
        ),
        "design": Topic(
            subjects=("Logoentwürfe Runde 2", "Styleguide-Entwurf", "Etiketten - Korrektur"),
            context=(
                "Entwurf B gefällt mir sehr, die runde Schrift wirkt viel freundlicher.",
                "Kannst du das Logo einmal in einem dunkleren Grün probieren?",
                "Das Rückenetikett wirkt noch etwas überladen.",
            ),
            quoted=(
                "Hier die drei Richtungen, über die wir gesprochen haben.",
                "Ich habe alles als SVG und PNG in den Lieferordner exportiert.",
            ),
        ),
        "translation": Topic(
            subjects=("Übersetzung Handbuch", "Rückfragen zum Glossar", "Untertitel - Paket 3"),
            context=(
                "Dein Glossar hilft dem ganzen Team enorm.",
                "Einige Begriffe in Kapitel 4 bleiben absichtlich auf Englisch.",
                "Der Kunde möchte in der Oberfläche durchgehend gesiezt werden.",
            ),
            quoted=(
                "Der erste Durchgang ist fertig, ein paar Fragen stehen in den Kommentaren.",
                "Lieber „Anmelden“ oder „Einloggen“ für die Buttons?",
            ),
        ),
        "data": Topic(
            subjects=("Monatsbericht", "CRM-Export bereinigen", "Vertriebs-Dashboard"),
            context=(
                "Die Churn-Grafik ist genau das, was die Geschäftsführung sehen wollte.",
                "Ich glaube, die doppelten Zeilen stammen aus dem alten Import.",
                "Kannst du den Umsatz nach Region und Quartal aufschlüsseln?",
            ),
            quoted=(
                "Ich habe den bereinigten Datensatz im Vertrag hochgeladen.",
                "Sag Bescheid, ob die Kohortendefinition so passt.",
            ),
        ),
        "video": Topic(
            subjects=("Erster Schnitt", "Farbkorrektur", "Social-Clip - V2"),
            context=(
                "Der erste Schnitt ist richtig gut, das Tempo im Mittelteil passt jetzt.",
                "Kannst du die Musik unter dem Interview etwas leiser machen?",
                "Wir brauchen zusätzlich eine quadratische Version für Social Media.",
            ),
            quoted=(
                "Ich habe V2 mit deinen Anmerkungen hochgeladen.",
                "Untertitel eingebrannt oder als separate Datei?",
            ),
        ),
    },
)

RU = Lang(
    greet=(
        "Здравствуйте, {to}!",
        "Привет, {to}!",
        "Добрый день, {to}.",
        "{to}, добрый вечер!",
        "Доброе утро, {to}!",
    ),
    close=("Спасибо!", "С уважением,", "Хорошего дня,", "До связи,", "Всего доброго,"),
    ps="P.S.",
    quote_intro=("{date}, {name} <{addr}> пишет:", "{date} пользователь {name} <{addr}> написал:"),
    dates=(
        "вт, 3 сент. 2024 г. в 10:12",
        "пн, 9 сент. 2024 г. в 16:47",
        "пт, 20 сент. 2024 г. в 11:31",
    ),
    reply_prefix="Re: ",
    fwd_intro=(
        "-------- Пересылаемое сообщение --------",
        "Пересылаю предыдущую переписку для контекста:",
    ),
    people=(
        ("Дмитрий Соколов", "dmitry.sokolov@yandex.ru"),
        ("Ольга Смирнова", "olga.smirnova@mail.ru"),
        ("Иван Петров", "ivan.petrov.dev@yandex.ru"),
        ("Анна Кузнецова", "a.kuznetsova@rambler.ru"),
        ("Сергей Волков", "s.volkov@bk.ru"),
        ("Мария Лебедева", "maria.lebedeva@gmail.com"),
    ),
    roles=(
        "Дизайнер интерфейсов",
        "Frontend-разработчик",
        "Переводчик",
        "Моушн-дизайнер",
        "Копирайтер",
    ),
    short_replies=("Отлично, спасибо!", "Принял, посмотрю вечером.", "Хорошо, ответ ниже."),
    topics={
        "web": Topic(
            subjects=("Правки по сайту", "Интернет-магазин: следующие шаги", "Ошибка в корзине"),
            context=(
                "Посмотрел тестовую версию, меню на телефоне теперь работает нормально.",
                "Форма заявки всё ещё не отправляет подтверждение, посмотрите, пожалуйста.",
                "Страницу с ценами хотим выкатить до осенней акции.",
            ),
            quoted=(
                "Залил исправления в подвал сайта, проверьте, пожалуйста.",
                "Заказчик утвердил палитру, переходим к внутренним страницам.",
            ),
        ),
        "design": Topic(
            subjects=("Варианты логотипа", "Гайдлайн бренда", "Этикетки: правки"),
            context=(
                "Вариант Б мне очень нравится, округлый шрифт смотрится дружелюбнее.",
                "Можно попробовать логотип в более тёмном зелёном?",
                "Задняя этикетка немного перегружена текстом.",
            ),
            quoted=(
                "Вот три направления, о которых мы говорили.",
                "Выгрузил всё в SVG и PNG в папку с результатами.",
            ),
        ),
        "translation": Topic(
            subjects=("Перевод руководства", "Вопросы по глоссарию", "Субтитры, часть 3"),
            context=(
                "Ваш глоссарий очень помогает всей команде.",
                "Некоторые термины в главе 4 оставляем на английском намеренно.",
                "Заказчик просит обращаться к пользователю на «вы».",
            ),
            quoted=(
                "Первый проход готов, вопросы оставил в комментариях.",
                "Для кнопок лучше «Войти» или «Авторизоваться»?",
            ),
        ),
        "data": Topic(
            subjects=("Ежемесячный отчёт", "Чистка выгрузки из CRM", "Дашборд продаж"),
            context=(
                "График оттока — ровно то, что хотело увидеть руководство.",
                "Думаю, дубли строк появились из-за старого импорта.",
                "Можно разбить выручку по регионам и кварталам?",
            ),
            quoted=(
                "Загрузил очищенный датасет в контракт вместе с описанием методики.",
                "Проверьте, пожалуйста, определение когорт.",
            ),
        ),
        "video": Topic(
            subjects=("Первый монтаж", "Цветокоррекция", "Ролик для соцсетей v2"),
            context=(
                "Первый монтаж отличный, темп в середине стал гораздо лучше.",
                "Можно чуть приглушить музыку под интервью?",
                "Нужна ещё квадратная версия для соцсетей.",
            ),
            quoted=(
                "Загрузил вторую версию с вашими правками.",
                "Субтитры вшить или отдельным файлом?",
            ),
        ),
    },
)

IT = Lang(
    greet=("Ciao {to},", "Buongiorno {to},", "Gentile {to},", "Ciao {to}!", "Buonasera {to},"),
    close=("Grazie,", "A presto,", "Un saluto,", "Cordiali saluti,", "Buona giornata,"),
    ps="P.S.",
    quote_intro=(
        "Il giorno {date} {name} <{addr}> ha scritto:",
        "{name} <{addr}> ha scritto il {date}:",
    ),
    dates=(
        "mar 3 set 2024 alle ore 10:12",
        "lun 9 set 2024 alle ore 16:47",
        "ven 20 set 2024 alle ore 11:31",
    ),
    reply_prefix="R: ",
    fwd_intro=(
        "---------- Messaggio inoltrato ---------",
        "Ti inoltro lo scambio precedente per contesto:",
    ),
    people=(
        ("Giulia Romano", "giulia.romano@libero.it"),
        ("Marco Rinaldi", "marco.rinaldi88@gmail.com"),
        ("Francesca Bianchi", "f.bianchi@tiscali.it"),
        ("Luca Esposito", "luca.esposito@virgilio.it"),
        ("Chiara Colombo", "chiara.colombo@outlook.it"),
    ),
    roles=("Graphic designer", "Sviluppatore web", "Traduttrice EN>IT", "Videomaker", "Copywriter"),
    short_replies=(
        "Perfetto, grazie!",
        "Ricevuto, ci guardo stasera.",
        "Va bene, ti rispondo sotto.",
    ),
    topics={
        "web": Topic(
            subjects=("Modifiche al sito", "E-commerce - prossimi passi", "Bug nel carrello"),
            context=(
                "Ho guardato la versione di staging, il menu ora funziona anche da mobile.",
                "Il modulo di contatto non invia ancora la conferma, puoi controllare?",
                "Vorremmo la pagina dei prezzi online prima della campagna d'autunno.",
            ),
            quoted=(
                "Ho caricato le correzioni del footer, mi dici se va bene?",
                "Il cliente ha approvato la palette, passiamo alle pagine interne.",
            ),
        ),
        "design": Topic(
            subjects=("Proposte di logo", "Manuale del marchio", "Etichette - revisione"),
            context=(
                "La proposta B mi piace molto, il carattere arrotondato è più amichevole.",
                "Puoi provare il logo in un verde più scuro?",
                "L'etichetta posteriore è un po' troppo piena.",
            ),
            quoted=(
                "Ecco le tre direzioni di cui abbiamo parlato.",
                "Ho esportato tutto in SVG e PNG nella cartella delle consegne.",
            ),
        ),
        "translation": Topic(
            subjects=("Traduzione del manuale", "Domande sul glossario", "Sottotitoli - lotto 3"),
            context=(
                "Il glossario che hai preparato ci sta aiutando moltissimo.",
                "Alcuni termini del capitolo 4 restano in inglese di proposito.",
                "Il cliente preferisce il tu in tutta l'interfaccia.",
            ),
            quoted=(
                "Ho finito la prima revisione, trovi qualche domanda nei commenti.",
                "Preferisci «Accedi» o «Entra» per i pulsanti?",
            ),
        ),
        "data": Topic(
            subjects=("Report mensile", "Pulizia dell'export CRM", "Dashboard vendite"),
            context=(
                "Il grafico del churn è proprio quello che voleva la direzione.",
                "Credo che le righe duplicate vengano dalla vecchia importazione.",
                "Puoi dividere il fatturato per regione e trimestre?",
            ),
            quoted=(
                "Ho caricato il dataset pulito nel contratto.",
                "Dimmi se la definizione delle coorti ti torna.",
            ),
        ),
        "video": Topic(
            subjects=("Primo montaggio", "Color correction", "Video social - v2"),
            context=(
                "Il primo montaggio è ottimo, il ritmo nella parte centrale è migliorato molto.",
                "Puoi abbassare un po' la musica sotto l'intervista?",
                "Ci servirebbe anche una versione quadrata per i social.",
            ),
            quoted=("Ho caricato la v2 con le tue note.", "Sottotitoli impressi o file separato?"),
        ),
    },
)

HI = Lang(
    greet=("Hi {to} ji,", "Namaste {to},", "Hello {to},", "Hi {to},", "Namaskar {to} ji,"),
    close=("Thanks,", "Dhanyavaad,", "Regards,", "Thank you ji,", "Shukriya,"),
    ps="P.S.",
    quote_intro=("On {date}, {name} <{addr}> wrote:",),
    dates=("Tue, 3 Sep 2024 at 10:12", "Mon, 9 Sep 2024 at 16:47", "Fri, 20 Sep 2024 at 11:31"),
    reply_prefix="Re: ",
    fwd_intro=("---------- Forwarded message ---------",),
    people=(
        ("Rahul Verma", "rahul.verma1992@gmail.com"),
        ("Priya Nair", "priya.nair@yahoo.co.in"),
        ("Amit Kumar", "amit.kumar@rediffmail.com"),
        ("Sneha Iyer", "sneha.iyer@outlook.com"),
        ("Vikram Singh", "vikram.singh@zoho.in"),
    ),
    roles=("Web developer", "Graphic designer", "Content writer", "SEO consultant", "Video editor"),
    short_replies=(
        "Theek hai, thanks!",
        "Ok ji, aaj shaam tak dekh leta hoon.",
        "Done, neeche comment kiya hai.",
    ),
    topics={
        "web": Topic(
            subjects=("Website changes", "Shop ka checkout issue", "Homepage update"),
            context=(
                "Maine staging version dekha, mobile menu ab theek chal raha hai.",
                "Enquiry form abhi bhi confirmation mail nahi bhej raha, please check kar lo.",
                "Diwali sale se pehle pricing page live hona chahiye.",
            ),
            quoted=(
                "Footer ke fixes push kar diye hain, ek baar check kar lijiye.",
                "Client ne colour palette approve kar diya hai.",
            ),
        ),
        "design": Topic(
            subjects=("Logo options", "Brand guidelines", "Packaging design"),
            context=(
                "Option B mujhe bahut pasand aaya, rounded font friendly lagta hai.",
                "Logo ko thoda dark green mein try kar sakte ho?",
                "Back label thoda crowded lag raha hai.",
            ),
            quoted=(
                "Teeno directions attach kar di hain.",
                "Sab kuch SVG aur PNG mein export kar diya hai.",
            ),
        ),
        "translation": Topic(
            subjects=("Hindi translation of the app", "Glossary doubts", "Subtitles batch 3"),
            context=(
                "Aapki glossary se team ko bahut help mil rahi hai.",
                "Chapter 4 ke kuch terms English mein hi rahenge.",
                "Client ko formal 'aap' wali tone chahiye.",
            ),
            quoted=(
                "First pass ho gaya, comments mein kuch doubts hain.",
                "Button ke liye 'Login karein' theek rahega?",
            ),
        ),
        "data": Topic(
            subjects=("Monthly report", "CRM data cleaning", "Sales dashboard"),
            context=(
                "Churn wala chart bilkul waisa hi hai jaisa management ko chahiye tha.",
                "Mujhe lagta hai duplicate rows purane import se aa rahi hain.",
                "Revenue ko region aur quarter ke hisaab se split kar sakte ho?",
            ),
            quoted=(
                "Clean dataset contract mein upload kar diya hai.",
                "Cohort definition theek hai na?",
            ),
        ),
        "video": Topic(
            subjects=("First cut feedback", "Colour grading", "Reel v2"),
            context=(
                "First cut bahut accha hai, beech ka pacing ab better hai.",
                "Interview ke neeche music thoda kam kar do please.",
                "Instagram ke liye square version bhi chahiye.",
            ),
            quoted=(
                "Aapke notes ke saath v2 upload kar diya.",
                "Subtitles burn-in chahiye ya alag file?",
            ),
        ),
    },
)

LANGS: dict[str, Lang] = {
    "en": EN,
    "es": ES,
    "pt": PT,
    "fr": FR,
    "de": DE,
    "ru": RU,
    "it": IT,
    "hi": HI,
}
