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
    buyer_first: str
    company: str
    product: str
    pain: str
    competitor: str
    price: str
    opener: str
    score_shift: float  # harder scenarios score lower for the same rep


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
}

COLLECTION_DESCRIPTIONS: dict[str, str | None] = {
    "Core Sales Conversations": "The conversations every account executive has each quarter.",
    "Prospecting": "First calls and first demos.",
    "Account Management": None,  # the spec allows a collection without a description
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
