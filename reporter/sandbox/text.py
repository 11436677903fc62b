"""Word material for the synthetic workspace: names, scenarios, conversation stages, feedback.

Kept apart from the generator so the generator reads as logic and this file as content. The
hostile strings live here too: they are part of the contract with later stages (escaping,
formula neutralising, control characters), so their exact text must not drift.
"""

from __future__ import annotations

from dataclasses import dataclass

# --- texts that later stages must neutralise --------------------------------------------------

HOSTILE_HTML: tuple[str, ...] = (
    "<img src=x onerror=alert(1)>",
    '<img src="file:///etc/passwd">',
    '<link rel="attachment" href="file:///etc/hostname">',
)
HOSTILE_FORMULAS: tuple[str, ...] = (
    '=HYPERLINK("http://x","y")',
    "+1",
    "-2+3",
    "@SUM(A1)",
)
CONTROL_TEXT = "Sorry, my headset beeped\x07 can you repeat that last part?"
LONG_LINE = (
    "I completely understand where you are coming from, and I want to make sure we cover "
    "every single point on your list before we talk about next steps, "
) * 24 + "reference:" + "X" * 320
HOSTILE_TEXTS: tuple[str, ...] = (*HOSTILE_HTML, *HOSTILE_FORMULAS, CONTROL_TEXT, LONG_LINE)
FORMULA_LAST_NAME = '=HYPERLINK("http://x","y")'

# --- people ----------------------------------------------------------------------------------

# (first_name, last_name, email local part): the names a report must render correctly.
GUARANTEED_REPS: tuple[tuple[str, str, str], ...] = (
    ("Amélie", "Durand", "amelie.durand"),
    ("Jürgen", "Müller", "juergen.mueller"),
    ("Sofía", "Nuñez", "sofia.nunez"),
    ("小明", "王", "xiaoming.wang"),
    ("花子", "佐藤", "hanako.sato"),
    ("فاطمة", "الزهراء", "fatima.alzahra"),
    ("נועה", "כהן", "noa.cohen"),
    ("Quinn", FORMULA_LAST_NAME, "quinn.hyperlink"),
)

FIRST_NAMES: tuple[str, ...] = (
    "Olivia", "Liam", "Emma", "Noah", "Ava", "Ethan", "Mia", "Lucas", "Zoe", "Mateo",
    "Chloé", "Björn", "Inès", "Kofi", "Aisha", "Ravi", "Mei", "Hiroshi", "Lena", "Oscar",
    "Freya", "Diego", "Nadia", "Tariq", "Sven", "Lucía", "Ji-woo", "Anaïs", "Marek", "Siobhán",
    "Grace", "Daniel", "Priya", "Jonas", "Camila", "Yusuf", "Hannah", "Mohammed", "Elif", "Arjun",
)
LAST_NAMES: tuple[str, ...] = (
    "Johnson", "García", "Okafor", "Schmidt", "Kowalski", "Nguyen", "Patel", "Rossi",
    "Andersson", "O'Brien", "Dubois", "Fernández", "Kim", "Yamamoto", "Haddad", "Novak",
    "Costa", "Ivanova", "Moreau", "Lindqvist", "Mbeki", "Brennan", "Castillo", "Øvergaard",
    "Walsh", "Herrera", "Singh", "Fischer", "Park", "Alvarez", "Kovács", "Jensen",
)

GROUP_NAMES: tuple[str, ...] = (
    "Enterprise AEs", "Mid-Market AEs", "SDR Team", "EMEA", "North America", "New Hires",
)
TEAM_GROUPS = 3  # the first names above are teams (one each); the rest are overlapping cohorts

# --- scenarios -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScenarioSpec:
    """Everything a scenario needs for its API shape and for writing its conversations."""

    name: str
    slug: str
    difficulty: str
    description: str
    context: str
    objective: str
    avoid: tuple[str, ...]
    visibility: str
    archived: bool
    rubric: tuple[tuple[str, tuple[str, ...]], ...]
    skills: tuple[str, ...]
    collection: str
    buyer_first: str  # how the rep addresses the buyer: "Dana", or "Herr Krüger" in German
    company: str
    product: str
    pain: str
    competitor: str
    price: str
    opener: str
    score_shift: float  # harder scenarios score lower for the same rep
    language: str = "English"  # Exec's name for it; its words come from ``PHRASEBOOKS``


SCENARIOS: tuple[ScenarioSpec, ...] = (
    ScenarioSpec(
        name="Discovery Call with an IT Director",
        slug="discovery-call-it-director",
        difficulty="medium",
        description="Uncover pain and qualify a skeptical IT buyer before pitching anything.",
        context=(
            "Dana Whitfield is IT Director at Globex Logistics (2,400 employees). Her team is "
            "drowning in alerts after a cloud migration, and a competitor demoed last week."
        ),
        objective="Qualify the opportunity and book a follow-up with the economic buyer.",
        avoid=("Pitching before discovery", "Skipping the budget conversation",
               "Committing to a custom integration without scoping"),
        visibility="workspace",
        archived=False,
        rubric=(
            ("Discovery", ("Open-ended questions", "Pain quantification", "Active listening")),
            ("Qualification", ("Budget", "Decision process", "Timeline")),
            ("Communication", ("Rapport", "Clarity")),
            ("Next Steps", ("Clear next step", "Stakeholder mapping")),
        ),
        skills=("Discovery", "Qualification"),
        collection="Core Sales Conversations",
        buyer_first="Dana",
        company="Globex Logistics",
        product="observability platform",
        pain="alert fatigue after the cloud migration",
        competitor="Monitrix",
        price="$48,000 a year",
        opener="Hi, Dana Whitfield here. I've got about twenty minutes, so let's make it count.",
        score_shift=0.0,
    ),
    ScenarioSpec(
        name="Handling Pricing Objections",
        slug="handling-pricing-objections",
        difficulty="hard",
        description="Defend value against a finance leader who says you are too expensive.",
        context=(
            "Priya Raman, VP Finance at Initech, likes the product but says the quote is 30% "
            "above budget and a cheaper vendor is on the table."
        ),
        objective="Keep the price intact by re-anchoring on value and trading, not giving.",
        avoid=("Discounting in the first five minutes", "Disparaging the competitor"),
        visibility="workspace",
        archived=False,
        rubric=(
            ("Objection Handling", ("Acknowledge", "Isolate the objection", "Reframe value")),
            ("Value Articulation", ("ROI quantification", "Customer proof")),
            ("Negotiation Discipline", ("Avoid early discount", "Trade concessions")),
        ),
        skills=("Objection Handling", "Negotiation"),
        collection="Core Sales Conversations",
        buyer_first="Priya",
        company="Initech",
        product="spend analytics suite",
        pain="month-end close taking eleven days",
        competitor="LedgerLite",
        price="$72,000 a year",
        opener="Thanks for calling back. I'll be direct: your quote is well above our budget.",
        score_shift=-5.0,
    ),
    ScenarioSpec(
        name="Cold Call: Booking the First Meeting",
        slug="cold-call-first-meeting",
        difficulty="easy",
        description="Earn thirty seconds, spark curiosity and book a first meeting.",
        context=(
            "Tom Becker runs operations at Umbrella Freight. He did not expect your call and "
            "is walking between meetings."
        ),
        objective="Book a 30-minute discovery meeting within the call.",
        avoid=("Pitching features on a cold call", "Accepting 'send me an email' as an answer"),
        visibility="workspace",
        archived=False,
        rubric=(
            ("Opening", ("Permission-based opener", "Relevance")),
            ("Engagement", ("Curiosity questions", "Handling the brush-off")),
            ("Close", ("Ask for the meeting", "Confirm details")),
        ),
        skills=("Prospecting",),
        collection="Prospecting",
        buyer_first="Tom",
        company="Umbrella Freight",
        product="dispatch automation tool",
        pain="dispatchers re-keying orders by hand",
        competitor="RouteRight",
        price="$19,000 a year",
        opener="Tom speaking. I'm walking into a meeting, who is this?",
        score_shift=4.0,
    ),
    ScenarioSpec(
        name="Renewal Negotiation with Procurement",
        slug="renewal-negotiation-procurement",
        difficulty="very_hard",
        description="Renew a strategic account while procurement pushes for a 25% cut.",
        context=(
            "Elena Vasquez from Soylent Corp procurement has a mandate to cut software spend "
            "and has asked every vendor for 25% off at renewal."
        ),
        objective="Renew at no more than 8% discount with a multi-year commitment.",
        avoid=("Accepting the first counter-offer", "Negotiating against yourself"),
        visibility="workspace",
        archived=False,
        rubric=(
            ("Preparation", ("Account history", "Usage data")),
            ("Negotiation", ("Anchoring", "Concession strategy", "Walk-away clarity")),
            ("Relationship", ("Empathy", "Executive alignment")),
            ("Closing", ("Summarize agreement", "Paper process")),
        ),
        skills=("Negotiation",),
        collection="Account Management",
        buyer_first="Elena",
        company="Soylent Corp",
        product="customer data platform",
        pain="a board mandate to cut software spend",
        competitor="DataNest",
        price="$210,000 a year",
        opener="Elena here. I'll say it up front: we need 25% off or we go to tender.",
        score_shift=-8.0,
    ),
    ScenarioSpec(
        name="Product Demo: Legacy Platform (2024)",
        slug="legacy-platform-demo",
        difficulty="medium",
        description="Retired: the 2024 demo flow for the legacy platform.",
        context="A mid-market prospect asked for a tailored demo of the legacy platform.",
        objective="Run a tailored demo and agree on a trial.",
        avoid=("Feature tours without a story",),
        visibility="private",
        archived=True,
        rubric=(
            ("Demo Flow", ("Agenda setting", "Tailoring", "Time management")),
            ("Engagement", ("Check-ins", "Handling questions")),
            ("Close", ("Next steps", "Recap")),
        ),
        skills=("Discovery",),
        collection="Prospecting",
        buyer_first="Marcus",
        company="Hooli",
        product="legacy platform",
        pain="reporting that takes a week to build",
        competitor="Pied Piper",
        price="$30,000 a year",
        opener="Hi, Marcus from Hooli. We've blocked an hour for the demo.",
        score_shift=0.0,
    ),
)

# Scenarios generated from their own random streams (``generate``), after everything above:
# adding one never changes the sessions, scores, ids or assignments of the scenarios above.
# The first completes the primary scenario's collection into a program of three active ones.
PROGRAM_SCENARIOS: tuple[ScenarioSpec, ...] = (
    ScenarioSpec(
        name="Competitive Displacement: Replacing the Incumbent",
        slug="competitive-displacement",
        difficulty="hard",
        description="Win a meeting away from an entrenched incumbent without bashing it.",
        context=(
            "Ken Adams, Head of Support at Vandelay Industries, has used the incumbent for six "
            "years. Renewal is in four months and the team complains about slow releases."
        ),
        objective="Build a business case for change and agree on a side-by-side evaluation.",
        avoid=("Attacking the incumbent", "Promising a migration date before scoping"),
        visibility="workspace",
        archived=False,
        rubric=(
            ("Discovery", ("Current-state questions", "Cost of staying")),
            ("Value Selling", ("Business case", "Differentiation", "Customer proof")),
            ("Next Steps", ("Evaluation plan", "Stakeholder mapping")),
        ),
        skills=("Discovery", "Value Selling"),
        collection="Core Sales Conversations",
        buyer_first="Ken",
        company="Vandelay Industries",
        product="support automation suite",
        pain="a release cycle that leaves tickets open for weeks",
        competitor="HelpHub",
        price="$56,000 a year",
        opener="Ken here. We've been with HelpHub for years, so you have five minutes.",
        score_shift=-2.0,
    ),
)

SKILL_DESCRIPTIONS: dict[str, str] = {
    "Discovery": "Asking the questions that uncover and quantify the buyer's pain.",
    "Qualification": "Establishing budget, decision process and timeline.",
    "Objection Handling": "Acknowledging, isolating and reframing a buyer's objection.",
    "Negotiation": "Trading concessions and holding value under price pressure.",
    "Prospecting": "Earning attention on a first call and booking the meeting.",
    "Value Selling": "Turning a buyer's situation into a business case for change.",
    # The language scenarios' own skills: a proficiency in one language is its own.
    "Descubrimiento": "Hacer las preguntas que descubren y cuantifican el problema del cliente.",
    "Cualificación": "Confirmar presupuesto, proceso de decisión y plazos.",
    "Bedarfsanalyse": "Die Fragen stellen, die den Schmerzpunkt des Kunden aufdecken und "
                      "beziffern.",
    "Qualifizierung": "Budget, Entscheidungsprozess und Zeitplan klären.",
}

COLLECTION_DESCRIPTIONS: dict[str, str | None] = {
    "Core Sales Conversations": "The conversations every account executive has each quarter.",
    "Prospecting": "First calls and first demos.",
    "Account Management": None,  # the spec allows a collection without a description
    "Ventas España": "Las conversaciones de venta del equipo de Madrid, en español.",
    "Vertrieb DACH": "Die Verkaufsgespräche des Berliner Teams, auf Deutsch.",
}

# --- conversation stages ---------------------------------------------------------------------
# Each stage: (buyer lines, strong rep lines, weak rep lines). A strong line doubles as the
# "better phrasing" suggested for a weak line of the same stage.

Stage = tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]

OPENING: Stage = (
    (),  # the scenario's own opener is used
    (
        "Thanks, {buyer_first}, I appreciate it. Could I share a quick agenda and then hear "
        "what is top of mind for you?",
        "Great to meet you. I'd like to spend most of our time on your priorities. What made "
        "this worth a conversation today?",
    ),
    (
        "Hi! So, let me tell you all about our {product}, it's honestly the best on the market.",
        "Thanks. I'll jump right into my slides if that's okay.",
    ),
)
MIDDLE: tuple[Stage, ...] = (
    (
        (
            "Right now we run a patchwork of tools and a lot of it is manual.",
            "We've grown fast this year and our processes haven't kept up.",
        ),
        (
            "How are you handling that today, and what happens when something slips through?",
            "Walk me through a typical week for your team when that happens.",
        ),
        (
            "Okay, we fix that. Most customers see results right away.",
            "Got it. Do you have budget for a new tool?",
        ),
    ),
    (
        (
            "Honestly, {pain} is what keeps my team up at night.",
            "Last quarter, {pain} cost us a major customer escalation.",
        ),
        (
            "What did that escalation cost you, roughly, in hours or revenue?",
            "If nothing changes in the next six months, what does that mean for your team?",
        ),
        (
            "Yeah, everybody has that problem.",
            "Our {product} solves that, so no worries there.",
        ),
    ),
    (
        (
            "We looked at {competitor} last year and they were cheaper than what you'll quote.",
            "I'm not sure we can justify {price} right now.",
        ),
        (
            "That's fair. Besides price, what would need to be true for this to be worth it?",
            "Understood. How would you measure the cost of staying with the current setup?",
        ),
        (
            "I can probably get you a discount if you sign this month.",
            "{competitor} is really not as good as us, trust me.",
        ),
    ),
    (
        (
            "What would actually be different for us with your {product}?",
            "How have companies like ours used it?",
        ),
        (
            "A team similar to yours cut response times by about forty percent in the first "
            "quarter. Would a result like that matter to you?",
            "Based on what you said about {pain}, the biggest change would be fewer manual "
            "hand-offs. Does that match your priorities?",
        ),
        (
            "It has a lot of features, dashboards, reports, integrations, everything really.",
            "It's just better, honestly. Everyone loves it.",
        ),
    ),
    (
        (
            "I'd have to run this past our CFO and the security team.",
            "We usually make these decisions by committee.",
        ),
        (
            "Who else should be part of the evaluation, and what will each of them care about?",
            "What does your approval process look like once you've decided it's the right fit?",
        ),
        (
            "Can't you just sign off on it yourself?",
            "Okay, just send them my way and I'll convince them.",
        ),
    ),
    (
        (
            "So what do you suggest as a next step?",
            "Okay, this was useful. Where do we go from here?",
        ),
        (
            "Let's book forty-five minutes next Tuesday with you and your CFO, and I'll bring "
            "a business case built on your numbers. Does 10am work?",
            "I'll send a recap today with the three priorities you mentioned. Could we take "
            "thirty minutes on Thursday to review it with your team?",
        ),
        (
            "I'll send you some information and you can get back to me whenever.",
            "Just let me know if you're interested.",
        ),
    ),
)
CLOSING: Stage = (
    ("Sounds good. Thanks for your time.", "Alright, talk soon."),
    (
        "Thank you, {buyer_first}. You'll have the invite and the recap within the hour.",
        "Appreciate it. I'll confirm everything by email this afternoon.",
    ),
    ("Cool, thanks, bye.", "Okay, thanks."),
)
ASIDES: tuple[str, ...] = ("[crosstalk]", "[call connected]", "[inaudible]")

# --- feedback --------------------------------------------------------------------------------

OUTCOME_FEEDBACK: dict[str, tuple[str, ...]] = {
    "gold": (
        "Excellent call: {buyer_first} agreed to a concrete next step and the conversation "
        "stayed on their priorities throughout.",
        "A model conversation. Discovery drove the pitch, and the close was specific.",
    ),
    "silver": (
        "Solid conversation with a clear next step; discovery could have gone one level deeper.",
        "Good control of the call. A couple of answers drifted into features too early.",
    ),
    "bronze": (
        "The call ended politely but without a committed next step.",
        "Some good moments, but the buyer's main concern was never fully addressed.",
    ),
    "unranked": (
        "The buyer disengaged before any next step was agreed.",
        "The conversation stayed on the product and never reached the buyer's problem.",
    ),
}
POSITIVE_FEEDBACK: tuple[str, ...] = (
    "Warm, confident opening that set an agenda.",
    "Good use of open-ended questions to uncover the buyer's situation.",
    "You tied value back to the buyer's own words.",
    "Calm under pressure when the price came up.",
    "Clear, specific ask for the next meeting.",
)
CONSTRUCTIVE_FEEDBACK: tuple[str, ...] = (
    "Quantify the pain before presenting the solution.",
    "Avoid offering discounts before the buyer has agreed on value.",
    "Map the other decision makers earlier in the call.",
    "Slow down and let the buyer finish before answering.",
    "Close with a dated next step rather than an open offer to follow up.",
)
ITEM_FEEDBACK: dict[str, tuple[str, ...]] = {
    "good": (
        "Clear strength: {item} was handled confidently and tied to the buyer's situation.",
        "{item}: specific and well timed; the buyer responded with detail.",
    ),
    "mid": (
        "{item} was partly there; one more follow-up question would have made it land.",
        "Some evidence of {item}, but it was rushed and the buyer moved on.",
    ),
    "bad": (
        "{item} was missing: the conversation moved on without it.",
        "{item} needs work; the buyer had to drive this part of the call.",
    ),
    "not_relevant": ("{item} did not come up in this conversation.",),
}
EXAMPLE_FEEDBACK: dict[str, tuple[str, ...]] = {
    "good": (
        "Great open-ended question that invited the buyer to elaborate.",
        "Tied the answer directly to the buyer's stated pain.",
        "Specific, dated next step: exactly what we want to hear.",
    ),
    "mid": (
        "Right idea, but it came too early to land.",
        "A good start; ask one more question before moving on.",
    ),
    "bad": (
        "This jumped to the pitch before understanding the problem.",
        "Offering a discount this early weakens your position.",
        "This closes the conversation instead of opening it.",
    ),
}

# --- the words of a conversation, by language ------------------------------------------------


@dataclass(frozen=True)
class Phrasebook:
    """Everything a session's detail says, in one language: the conversation stages, the
    evaluator's feedback and the advice beside a pasted text (``{text}``)."""

    opening: Stage
    middle: tuple[Stage, ...]
    closing: Stage
    asides: tuple[str, ...]
    outcome_feedback: dict[str, tuple[str, ...]]
    positive_feedback: tuple[str, ...]
    constructive_feedback: tuple[str, ...]
    item_feedback: dict[str, tuple[str, ...]]
    example_feedback: dict[str, tuple[str, ...]]
    pasted_advice: str
    avoid_heading: str  # heads the scenario's outcomes to avoid, below its objective


ENGLISH = Phrasebook(
    OPENING, MIDDLE, CLOSING, ASIDES, OUTCOME_FEEDBACK, POSITIVE_FEEDBACK, CONSTRUCTIVE_FEEDBACK,
    ITEM_FEEDBACK, EXAMPLE_FEEDBACK, "Avoid pasting this into a call: {text}",
    "Outcomes to Avoid:",
)

# Spain's Spanish: the rep and the buyer say "usted" to each other; the evaluator says "tú"
# to the rep, as coaching feedback does.
SPANISH = Phrasebook(
    opening=(
        (),
        (
            "Gracias, {buyer_first}, se lo agradezco. ¿Le parece si le cuento brevemente la "
            "agenda y luego me explica qué es lo más urgente para usted?",
            "Es un placer hablar con usted. Me gustaría dedicar la mayor parte del tiempo a sus "
            "prioridades. ¿Qué le ha hecho pensar que merecía la pena hablar hoy?",
        ),
        (
            "¡Hola! Pues le cuento todo sobre nuestra {product}, que la verdad es la mejor "
            "del mercado.",
            "Gracias. Si le parece bien, paso directamente a mis diapositivas.",
        ),
    ),
    middle=(
        (
            (
                "Ahora mismo trabajamos con un mosaico de herramientas y casi todo es manual.",
                "Este año hemos crecido muy rápido y los procesos no han ido al mismo ritmo.",
            ),
            (
                "¿Cómo lo gestionan hoy y qué pasa cuando algo se les escapa?",
                "Cuénteme cómo es una semana normal de su equipo cuando ocurre eso.",
            ),
            (
                "Vale, eso se lo solucionamos. La mayoría de los clientes ve resultados enseguida.",
                "Entendido. ¿Tienen presupuesto para una herramienta nueva?",
            ),
        ),
        (
            (
                "Sinceramente, {pain} es lo que más le quita el sueño a mi equipo.",
                "El trimestre pasado, {pain} nos costó una reclamación seria de un cliente.",
            ),
            (
                "¿Cuánto les costó aquello, más o menos, en horas o en facturación?",
                "Si nada cambia en los próximos seis meses, ¿qué supondría para su equipo?",
            ),
            (
                "Ya, eso le pasa a todo el mundo.",
                "Nuestra {product} lo resuelve, así que no se preocupe.",
            ),
        ),
        (
            (
                "El año pasado miramos {competitor} y eran más baratos de lo que ustedes nos van "
                "a ofrecer.",
                "No sé si ahora mismo podemos justificar {price}.",
            ),
            (
                "Es razonable. Aparte del precio, ¿qué tendría que cumplirse para que esto "
                "mereciera la pena?",
                "Entiendo. ¿Cómo mediría el coste de seguir como están ahora?",
            ),
            (
                "Seguramente le pueda conseguir un descuento si firman este mes.",
                "{competitor} no es tan bueno como nosotros, créame.",
            ),
        ),
        (
            (
                "¿Qué cambiaría realmente para nosotros con su {product}?",
                "¿Cómo la han usado empresas como la nuestra?",
            ),
            (
                "Un equipo parecido al suyo redujo los plazos de aprobación en torno a un "
                "cuarenta por ciento en el primer trimestre. ¿Un resultado así sería relevante "
                "para usted?",
                "Por lo que me ha contado sobre {pain}, el mayor cambio sería eliminar los "
                "traspasos manuales. ¿Encaja con sus prioridades?",
            ),
            (
                "Tiene muchísimas funciones: paneles, informes, integraciones, de todo, vamos.",
                "Es mejor, sin más. A todo el mundo le encanta.",
            ),
        ),
        (
            (
                "Tendría que consultarlo con nuestro director financiero y con el equipo de "
                "seguridad.",
                "Estas decisiones normalmente las tomamos en comité.",
            ),
            (
                "¿Quién más debería participar en la evaluación y qué le importará a cada uno?",
                "Una vez que decidan que encaja, ¿cómo es su proceso de aprobación?",
            ),
            (
                "¿No puede aprobarlo usted directamente?",
                "Vale, páseme sus contactos y ya los convenzo yo.",
            ),
        ),
        (
            (
                "Entonces, ¿qué propone como siguiente paso?",
                "Bueno, esto ha sido útil. ¿Cómo seguimos?",
            ),
            (
                "Reservemos cuarenta y cinco minutos el martes que viene con usted y su director "
                "financiero, y llevo un caso de negocio con sus cifras. ¿Le viene bien a las diez?",
                "Hoy mismo le envío un resumen con las tres prioridades que ha mencionado. "
                "¿Podríamos dedicar media hora el jueves a revisarlo con su equipo?",
            ),
            (
                "Le mando algo de información y ya me dice algo cuando pueda.",
                "Si le interesa, ya me avisa.",
            ),
        ),
    ),
    closing=(
        ("Perfecto. Gracias por su tiempo.", "Muy bien, hablamos pronto."),
        (
            "Gracias a usted, {buyer_first}. En menos de una hora tendrá la convocatoria y el "
            "resumen.",
            "Se lo agradezco. Esta misma tarde se lo confirmo todo por correo.",
        ),
        ("Vale, gracias, adiós.", "De acuerdo, gracias."),
    ),
    asides=("[hablan a la vez]", "[llamada conectada]", "[inaudible]"),
    outcome_feedback={
        "gold": (
            "Llamada excelente: {buyer_first} aceptó un siguiente paso concreto y la "
            "conversación se centró en sus prioridades de principio a fin.",
            "Una conversación ejemplar. El descubrimiento guio la propuesta y el cierre fue "
            "concreto.",
        ),
        "silver": (
            "Buena conversación con un siguiente paso claro; el descubrimiento podría haber "
            "profundizado un poco más.",
            "Buen control de la llamada. Un par de respuestas se fueron a las funcionalidades "
            "demasiado pronto.",
        ),
        "bronze": (
            "La llamada terminó con cordialidad, pero sin un siguiente paso comprometido.",
            "Hubo buenos momentos, pero la principal preocupación del cliente nunca se abordó "
            "del todo.",
        ),
        "unranked": (
            "El cliente se desconectó antes de acordar ningún siguiente paso.",
            "La conversación se quedó en el producto y nunca llegó al problema del cliente.",
        ),
    },
    positive_feedback=(
        "Apertura cercana y segura, con una agenda clara.",
        "Buen uso de preguntas abiertas para entender la situación del cliente.",
        "Conectaste el valor con las propias palabras del cliente.",
        "Mantuviste la calma cuando salió el tema del precio.",
        "Petición clara y concreta de la siguiente reunión.",
    ),
    constructive_feedback=(
        "Cuantifica el problema antes de presentar la solución.",
        "No ofrezcas descuentos antes de que el cliente haya reconocido el valor.",
        "Identifica antes en la llamada a las demás personas que deciden.",
        "Ve más despacio y deja que el cliente termine antes de responder.",
        "Cierra con un siguiente paso con fecha, no con un «ya me dices algo».",
    ),
    item_feedback={
        "good": (
            "Punto fuerte claro: «{item}» se trabajó con seguridad y ligado a la situación del "
            "cliente.",
            "{item}: en el momento justo y con concreción; el cliente respondió con detalle.",
        ),
        "mid": (
            "«{item}» estuvo a medias; una pregunta de seguimiento más lo habría rematado.",
            "Hay indicios de «{item}», pero fue con prisas y el cliente cambió de tema.",
        ),
        "bad": (
            "Faltó «{item}»: la conversación siguió adelante sin ello.",
            "«{item}» necesita trabajo; el cliente tuvo que llevar esta parte de la llamada.",
        ),
        "not_relevant": ("«{item}» no surgió en esta conversación.",),
    },
    example_feedback={
        "good": (
            "Muy buena pregunta abierta: invitó al cliente a explayarse.",
            "Vinculaste la respuesta directamente con el problema que planteó el cliente.",
            "Siguiente paso concreto y con fecha: justo lo que queremos oír.",
        ),
        "mid": (
            "La idea es buena, pero llegó demasiado pronto para calar.",
            "Buen comienzo; haz una pregunta más antes de pasar a otro tema.",
        ),
        "bad": (
            "Aquí saltaste a la presentación antes de entender el problema.",
            "Ofrecer un descuento tan pronto debilita tu posición.",
            "Esto cierra la conversación en lugar de abrirla.",
        ),
    },
    pasted_advice="No pegues esto en una llamada: {text}",
    avoid_heading="Resultados que hay que evitar:",
)

# German as a DACH sales team speaks it: "Sie" with the buyer (addressed by surname), "du"
# from the evaluator to the rep.
GERMAN = Phrasebook(
    opening=(
        (),
        (
            "Danke, {buyer_first}, das weiß ich zu schätzen. Darf ich kurz die Agenda "
            "skizzieren, und dann hören wir, was Sie gerade am meisten beschäftigt?",
            "Schön, dass es klappt. Ich möchte den Großteil der Zeit Ihren Prioritäten widmen. "
            "Was hat dieses Gespräch für Sie heute lohnenswert gemacht?",
        ),
        (
            "Hallo! Also, ich erzähle Ihnen mal alles über unsere {product}, ehrlich gesagt "
            "die beste am Markt.",
            "Danke. Ich steige dann direkt in meine Folien ein, wenn das okay ist.",
        ),
    ),
    middle=(
        (
            (
                "Im Moment arbeiten wir mit einem Flickenteppich aus Tools, und vieles läuft "
                "manuell.",
                "Wir sind dieses Jahr stark gewachsen, und unsere Prozesse sind nicht "
                "mitgekommen.",
            ),
            (
                "Wie gehen Sie heute damit um, und was passiert, wenn etwas durchrutscht?",
                "Beschreiben Sie mir doch mal eine typische Woche Ihres Teams, wenn das passiert.",
            ),
            (
                "Okay, das lösen wir. Die meisten Kunden sehen sofort Ergebnisse.",
                "Verstehe. Haben Sie Budget für ein neues Tool?",
            ),
        ),
        (
            (
                "Ehrlich gesagt bereitet {pain} meinem Team die meisten Kopfschmerzen.",
                "Im letzten Quartal hat uns {pain} eine ernste Eskalation bei einem Großkunden "
                "eingebracht.",
            ),
            (
                "Was hat Sie diese Eskalation ungefähr gekostet, in Stunden oder in Umsatz?",
                "Wenn sich in den nächsten sechs Monaten nichts ändert, was bedeutet das für "
                "Ihr Team?",
            ),
            (
                "Ja, das Problem hat jeder.",
                "Unsere {product} löst das, da brauchen Sie sich keine Sorgen zu machen.",
            ),
        ),
        (
            (
                "Wir haben uns letztes Jahr {competitor} angesehen, und die waren günstiger als "
                "das, was Sie uns anbieten werden.",
                "Ich weiß nicht, ob wir {price} im Moment rechtfertigen können.",
            ),
            (
                "Verständlich. Was müsste, abgesehen vom Preis, gegeben sein, damit sich das für "
                "Sie lohnt?",
                "Verstehe. Wie würden Sie die Kosten beziffern, wenn alles so bleibt, wie es ist?",
            ),
            (
                "Ich kann Ihnen bestimmt einen Rabatt besorgen, wenn Sie diesen Monat "
                "unterschreiben.",
                "{competitor} ist wirklich nicht so gut wie wir, glauben Sie mir.",
            ),
        ),
        (
            (
                "Was wäre mit Ihrer {product} für uns konkret anders?",
                "Wie setzen Unternehmen wie unseres sie ein?",
            ),
            (
                "Ein Team ähnlich wie Ihres hat die Bearbeitungszeiten im ersten Quartal um rund "
                "vierzig Prozent gesenkt. Wäre so ein Ergebnis für Sie relevant?",
                "Nach dem, was Sie über {pain} gesagt haben, wäre die größte Veränderung: "
                "weniger manuelle Übergaben. Passt das zu Ihren Prioritäten?",
            ),
            (
                "Die hat jede Menge Funktionen, Dashboards, Reports, Integrationen, eigentlich "
                "alles.",
                "Sie ist einfach besser, ehrlich. Alle lieben sie.",
            ),
        ),
        (
            (
                "Das müsste ich mit unserem Geschäftsführer und der IT-Sicherheit abstimmen.",
                "Solche Entscheidungen treffen wir normalerweise im Gremium.",
            ),
            (
                "Wer sollte außerdem an der Bewertung beteiligt sein, und worauf wird jeder "
                "Einzelne achten?",
                "Wie sieht Ihr Freigabeprozess aus, sobald Sie sich für eine Lösung entschieden "
                "haben?",
            ),
            (
                "Können Sie das nicht einfach selbst freigeben?",
                "Okay, schicken Sie die einfach zu mir, ich überzeuge die schon.",
            ),
        ),
        (
            (
                "Was schlagen Sie als nächsten Schritt vor?",
                "Okay, das war hilfreich. Wie geht es jetzt weiter?",
            ),
            (
                "Lassen Sie uns nächsten Dienstag 45 Minuten mit Ihnen und Ihrem Geschäftsführer "
                "einplanen; ich bringe einen Business Case mit Ihren Zahlen mit. Passt Ihnen "
                "10 Uhr?",
                "Ich schicke Ihnen heute noch eine Zusammenfassung mit den drei Prioritäten, die "
                "Sie genannt haben. Können wir am Donnerstag eine halbe Stunde nehmen, um sie "
                "mit Ihrem Team durchzugehen?",
            ),
            (
                "Ich schicke Ihnen mal ein paar Infos, und Sie melden sich dann, wann immer es "
                "passt.",
                "Sagen Sie einfach Bescheid, wenn Sie Interesse haben.",
            ),
        ),
    ),
    closing=(
        ("Klingt gut. Danke für Ihre Zeit.", "Alles klar, bis bald."),
        (
            "Vielen Dank, {buyer_first}. Die Einladung und die Zusammenfassung haben Sie "
            "innerhalb der nächsten Stunde.",
            "Danke Ihnen. Ich bestätige Ihnen heute Nachmittag alles per E-Mail.",
        ),
        ("Cool, danke, tschüss.", "Okay, danke."),
    ),
    asides=("[Durcheinanderreden]", "[Anruf verbunden]", "[unverständlich]"),
    outcome_feedback={
        "gold": (
            "Ausgezeichnetes Gespräch: {buyer_first} hat einem konkreten nächsten Schritt "
            "zugestimmt, und das Gespräch blieb durchgehend bei den Prioritäten des Kunden.",
            "Ein Gespräch wie aus dem Lehrbuch. Die Bedarfsanalyse hat die Präsentation "
            "getragen, und der Abschluss war konkret.",
        ),
        "silver": (
            "Solides Gespräch mit einem klaren nächsten Schritt; die Bedarfsanalyse hätte noch "
            "eine Ebene tiefer gehen können.",
            "Gute Gesprächsführung. Ein paar Antworten sind zu früh in Produktfunktionen "
            "abgedriftet.",
        ),
        "bronze": (
            "Das Gespräch endete freundlich, aber ohne verbindlichen nächsten Schritt.",
            "Einige gute Momente, aber das Hauptanliegen des Kunden wurde nie ganz "
            "aufgegriffen.",
        ),
        "unranked": (
            "Der Kunde ist ausgestiegen, bevor ein nächster Schritt vereinbart war.",
            "Das Gespräch blieb beim Produkt und kam nie beim Problem des Kunden an.",
        ),
    },
    positive_feedback=(
        "Herzlicher, souveräner Einstieg mit klarer Agenda.",
        "Gute offene Fragen, um die Situation des Kunden zu verstehen.",
        "Du hast den Nutzen mit den eigenen Worten des Kunden verknüpft.",
        "Ruhig geblieben, als der Preis zur Sprache kam.",
        "Klare, konkrete Bitte um den nächsten Termin.",
    ),
    constructive_feedback=(
        "Beziffere den Schmerzpunkt, bevor du die Lösung präsentierst.",
        "Biete keine Rabatte an, bevor der Kunde den Nutzen bestätigt hat.",
        "Finde früher im Gespräch heraus, wer sonst noch mitentscheidet.",
        "Nimm das Tempo raus und lass den Kunden ausreden, bevor du antwortest.",
        "Schließe mit einem terminierten nächsten Schritt statt mit einem offenen "
        "„Ich melde mich“.",
    ),
    item_feedback={
        "good": (
            "Klare Stärke: „{item}“ war souverän und direkt auf die Situation des Kunden "
            "bezogen.",
            "{item}: konkret und gut getimt; der Kunde hat ausführlich geantwortet.",
        ),
        "mid": (
            "„{item}“ war teilweise da; mit einer weiteren Nachfrage hätte es gesessen.",
            "Ansätze von „{item}“ sind erkennbar, aber zu schnell abgehandelt, und der Kunde "
            "hat das Thema gewechselt.",
        ),
        "bad": (
            "„{item}“ fehlte: Das Gespräch lief ohne diesen Punkt weiter.",
            "Bei „{item}“ gibt es Nachholbedarf; der Kunde musste diesen Teil des Gesprächs "
            "selbst steuern.",
        ),
        "not_relevant": ("„{item}“ kam in diesem Gespräch nicht vor.",),
    },
    example_feedback={
        "good": (
            "Starke offene Frage, die den Kunden zum Erzählen eingeladen hat.",
            "Die Antwort direkt an den Schmerzpunkt geknüpft, den der Kunde genannt hat.",
            "Konkreter nächster Schritt mit Termin: genau das wollen wir hören.",
        ),
        "mid": (
            "Richtige Idee, aber zu früh, um zu greifen.",
            "Guter Anfang; stell noch eine Frage, bevor du weitermachst.",
        ),
        "bad": (
            "Hier bist du in die Präsentation gesprungen, bevor das Problem klar war.",
            "Ein Rabatt so früh schwächt deine Verhandlungsposition.",
            "Damit beendest du das Gespräch, statt es zu öffnen.",
        ),
    },
    pasted_advice="So etwas gehört nicht in ein Kundengespräch: {text}",
    avoid_heading="Das sollten Sie vermeiden:",
)

PHRASEBOOKS: dict[str, Phrasebook] = {"English": ENGLISH, "Spanish": SPANISH, "German": GERMAN}

# Scenarios in another language, each practised by its own third of the reps, in its own
# collection, from random streams of their own (``generate``): adding them changed nothing
# the scenarios above had.
LANGUAGE_SCENARIOS: tuple[ScenarioSpec, ...] = (
    ScenarioSpec(
        name="Llamada de descubrimiento con una directora de compras",
        slug="descubrimiento-directora-compras",
        difficulty="medium",
        description=(
            "Descubre el problema y cualifica a una compradora exigente antes de presentar nada."
        ),
        context=(
            "Lucía Ortega es directora de compras en Grupo Alvarado (1.800 empleados). Su equipo "
            "gestiona los pedidos con hojas de cálculo y correos, y la semana pasada un "
            "competidor le hizo una demo."
        ),
        objective=(
            "Cualificar la oportunidad y cerrar una reunión de seguimiento con el director "
            "financiero."
        ),
        avoid=("Presentar el producto antes de entender el problema",
               "Saltarse la conversación sobre el presupuesto",
               "Prometer una integración a medida sin dimensionarla"),
        visibility="workspace",
        archived=False,
        rubric=(
            ("Descubrimiento", ("Preguntas abiertas", "Cuantificación del problema",
                                "Escucha activa")),
            ("Cualificación", ("Presupuesto", "Proceso de decisión", "Plazos")),
            ("Comunicación", ("Empatía", "Claridad")),
            ("Próximos pasos", ("Siguiente paso concreto", "Mapa de interlocutores")),
        ),
        skills=("Descubrimiento", "Cualificación"),
        collection="Ventas España",
        buyer_first="Lucía",
        company="Grupo Alvarado",
        product="plataforma de compras",
        pain="la aprobación manual de pedidos",
        competitor="Comprafácil",
        price="45.000 € al año",
        opener="Hola, soy Lucía Ortega. Tengo unos veinte minutos, así que vamos al grano.",
        score_shift=-1.0,
        language="Spanish",
    ),
    ScenarioSpec(
        name="Erstgespräch mit einem IT-Leiter",
        slug="erstgespraech-it-leiter",
        difficulty="medium",
        description=(
            "Den Bedarf eines skeptischen IT-Entscheiders verstehen und qualifizieren, bevor "
            "Sie etwas präsentieren."
        ),
        context=(
            "Stefan Krüger ist IT-Leiter bei der Brenner Maschinenbau GmbH (2.100 "
            "Mitarbeitende). Seit der ERP-Umstellung stapeln sich die Störungstickets, und ein "
            "Wettbewerber hat letzte Woche eine Demo gezeigt."
        ),
        objective=(
            "Die Opportunity qualifizieren und einen Folgetermin mit dem Geschäftsführer "
            "vereinbaren."
        ),
        avoid=("Präsentieren vor der Bedarfsanalyse", "Das Budgetgespräch auslassen",
               "Eine individuelle Integration zusagen, ohne den Aufwand zu klären"),
        visibility="workspace",
        archived=False,
        rubric=(
            ("Bedarfsanalyse", ("Offene Fragen", "Schmerzpunkte beziffern", "Aktives Zuhören")),
            ("Qualifizierung", ("Budget", "Entscheidungsprozess", "Zeitplan")),
            ("Gesprächsführung", ("Beziehungsaufbau", "Klarheit")),
            ("Nächste Schritte", ("Konkreter nächster Schritt", "Stakeholder-Analyse")),
        ),
        skills=("Bedarfsanalyse", "Qualifizierung"),
        collection="Vertrieb DACH",
        buyer_first="Herr Krüger",
        company="Brenner Maschinenbau",
        product="Service-Management-Plattform",
        pain="die Ticketflut seit der ERP-Umstellung",
        competitor="TicketWerk",
        price="52.000 € pro Jahr",
        opener="Krüger. Ich habe etwa zwanzig Minuten, lassen Sie uns die gut nutzen.",
        score_shift=-3.0,
        language="German",
    ),
)

# A rep of ``GUARANTEED_REPS`` (by email local part) always in that language's team.
LANGUAGE_LEADS: dict[str, str] = {"Spanish": "sofia.nunez", "German": "juergen.mueller"}

# Odd texts in each language, pasted into a rep's lines as the English ones are: a formula-like
# start ("-15 %", "+49 …"), markup and a control character.
LANGUAGE_ODD_TEXTS: dict[str, tuple[str, ...]] = {
    "Spanish": (
        "<b>Oferta válida solo hasta el viernes</b>",
        "-15 % es lo máximo que puedo ofrecerle este trimestre.",
        "Perdone, se me ha cortado el audio\x07 ¿me puede repetir lo último?",
    ),
    "German": (
        "+49 30 1234 5678 ist meine Durchwahl, rufen Sie mich gern direkt an.",
        "<i>Vertraulich</i> – bitte nicht weiterleiten.",
        "Entschuldigung, mein Headset hat gepiept\x07 können Sie den letzten Teil wiederholen?",
    ),
}
