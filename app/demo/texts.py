"""Words the generated demonstration dataset is made of: names, places and evidence text.

Nothing here identifies a real person or patient: names are common first names and
surnames picked at random, places are made-up compounds, and every sentence describes
work in general terms (no dates of birth, NHS numbers or addresses).
"""

from __future__ import annotations

FIRST_NAMES = (
    "Aaliyah",
    "Aisha",
    "Alex",
    "Amara",
    "Amelia",
    "Aryan",
    "Ben",
    "Bethany",
    "Callum",
    "Chloe",
    "Daniel",
    "Deepa",
    "Eleanor",
    "Ellis",
    "Emily",
    "Farah",
    "Finley",
    "Grace",
    "Hannah",
    "Harvey",
    "Imran",
    "Isla",
    "Jack",
    "Jasmine",
    "Jordan",
    "Kai",
    "Kiran",
    "Leah",
    "Liam",
    "Lucy",
    "Maya",
    "Megan",
    "Mohammed",
    "Nadia",
    "Niamh",
    "Oliver",
    "Olivia",
    "Priya",
    "Rhys",
    "Riley",
    "Rosie",
    "Ruby",
    "Sam",
    "Sana",
    "Sophie",
    "Thomas",
    "Tom",
    "Yasmin",
    "Zach",
    "Zara",
)

SURNAMES = (
    "Adeyemi",
    "Ahmed",
    "Ali",
    "Bailey",
    "Begum",
    "Bennett",
    "Brown",
    "Campbell",
    "Carter",
    "Chen",
    "Clarke",
    "Davies",
    "Edwards",
    "Evans",
    "Fletcher",
    "Green",
    "Hall",
    "Harris",
    "Hughes",
    "Hussain",
    "Jackson",
    "James",
    "Jones",
    "Kaur",
    "Khan",
    "Kowalski",
    "Lewis",
    "Mensah",
    "Mitchell",
    "Morgan",
    "Murphy",
    "Nowak",
    "O'Brien",
    "Okafor",
    "Owen",
    "Patel",
    "Phillips",
    "Price",
    "Roberts",
    "Robinson",
    "Scott",
    "Shah",
    "Singh",
    "Smith",
    "Taylor",
    "Thomas",
    "Turner",
    "Walker",
    "Williams",
    "Wright",
)

# Two halves make a place name: "Ash" + "ford" -> "Ashford". 24 x 12 = 288 places.
PLACE_STARTS = (
    "Ash",
    "Bar",
    "Bel",
    "Black",
    "Brad",
    "Bright",
    "Brook",
    "Burn",
    "Castle",
    "Clay",
    "Cold",
    "Elm",
    "Fair",
    "Green",
    "Hart",
    "Holm",
    "King",
    "Lang",
    "Long",
    "Mill",
    "North",
    "Oak",
    "Stan",
    "West",
)
PLACE_ENDS = (
    "bury",
    "by",
    "combe",
    "field",
    "ford",
    "ham",
    "ley",
    "mouth",
    "stead",
    "thorpe",
    "ton",
    "wick",
)

PRACTICE_KINDS = ("Surgery", "Medical Centre", "Health Centre", "Medical Practice")
STREETS = (
    "Abbey",
    "Bridge",
    "Church",
    "Market",
    "Mill",
    "Park",
    "Quay",
    "Station",
    "Victoria",
    "Wharf",
)

SETTINGS = (
    "GP practice dispensary",
    "PCN medicines optimisation clinic",
    "Telephone clinic at the practice",
    "Care home visit with the PCN team",
    "Practice pharmacy team office",
    "Structured medication review clinic",
)

EVIDENCE_TITLES = (
    "Medicines reconciliation after a hospital discharge",
    "Repeat prescription review for a patient on several medicines",
    "Acting on a drug safety alert",
    "Inhaler technique check in a respiratory clinic",
    "Answering a medicines query from reception",
    "Switching to a formulary alternative during a shortage",
    "Monitoring bloods before re-authorising a repeat",
    "Care home medicines review with the clinical pharmacist",
    "Training reception staff on medicines queries",
    "Auditing high-risk prescribing in the practice",
    "Supporting a patient starting an anticoagulant",
    "Reviewing a dosette box request",
    "Processing a hospital outpatient letter",
    "Running a search for patients due a medication review",
    "Explaining a new blood pressure medicine to a patient",
    "Handling a controlled drug prescription query",
    "Reducing waste from over-ordered repeats",
    "Checking a patient's understanding of their insulin pen",
    "Presenting an audit to the practice team",
    "Responding to a community pharmacy query",
)

LONG_SENTENCES = (
    "I checked every source available, listed the differences and agreed the changes "
    "with the clinical pharmacist before updating the record.",
    "I followed the practice protocol, recorded what I did in the notes and arranged "
    "follow-up with the patient at an agreed time.",
    "The patient was unsure how to take the medicine, so I explained it in plain words "
    "and checked their understanding by asking them to repeat the plan back to me.",
    "I found that two items had been issued twice and raised it with the prescriber, "
    "who amended the repeat template the same day.",
    "I worked through the search results with the pharmacist and prioritised the "
    "patients with the highest risk first.",
    "Next time I will prepare the monitoring results before the appointment so that the "
    "discussion can focus on the patient's questions.",
    "I learned how much a clear handover depends on checking each source and writing "
    "down who agreed each change.",
    "I will share what I found at the next practice meeting and update the checklist "
    "the team uses for this task.",
)

LINK_NOTES = (
    "I did this myself and the pharmacist checked my work.",
    "This shows how I applied the practice protocol.",
    "I explained the change to the patient and recorded it.",
    "I planned the work and agreed it with my supervisor first.",
    "",
)

ACCEPTED_COMMENTS = (
    "",
    "",
    "Well reflected: clear learning points.",
    "Good evidence; keep linking it to the protocol you used.",
    "Clear account of what you did and why.",
)

CHANGE_REQUESTS = (
    "Say what you would do differently next time.",
    "Add how you checked the patient understood the plan.",
    "Describe which sources you checked and in what order.",
    "Link this to the practice protocol and say how you followed it.",
)

SIGN_OFF_COMMENTS = (
    "Consistently competent across the evidence and in the practice I have observed.",
    "Safe and reliable in this area; works well with the wider team.",
    "Shows sound judgement and knows when to refer to the pharmacist.",
)

OVERRIDE_REASONS = (
    "I have observed this competence directly over several months in the practice.",
    "Evidence from the previous placement covers this; I have seen it in practice since.",
)

SESSION_TOPICS = (
    "Progress against the framework, evidence waiting for review and the next steps.",
    "Reflection on recent medication reviews and the learning needs they showed.",
    "Workload, protected learning time and the plan for the coming month.",
    "Feedback from the practice team and preparation for an observed assessment.",
)

SESSION_ACTIONS = (
    "Submit the two drafts before the next session.",
    "Arrange an observed consultation with the clinical pharmacist.",
    "Book protected learning time for the Level 3 coursework.",
    "",
)
