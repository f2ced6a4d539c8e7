# ruff: noqa: E501 - the planted paraphrases read best one per line
"""A synthetic ticket corpus with planted recurring groups: seeded and deterministic, so the
quality test, the bench and the demo measure and show the same thing.

`corpus(seed)` returns `(docs, truth)`: texts of noise tickets (each a different failure:
an application or device with a symptom, combinations never repeated, worded with varied
fillers) and of planted groups (one failure at one client, told in 5-10 different ways: a
paraphrase each, the way different callers describe the same thing), and `truth`, the planted
groups as sets of indexes into `docs`.
"""

import random
from dataclasses import dataclass

THINGS = (
    "Outlook", "Teams", "Excel", "Word", "OneDrive", "SharePoint", "VPN client", "laptop",
    "docking station", "monitor", "printer", "scanner", "keyboard", "mouse", "headset",
    "desk phone", "Wi-Fi", "network drive", "file share", "browser", "Chrome", "Adobe Reader",
    "Zoom", "webcam", "badge reader", "CRM", "ERP", "payroll app", "backup agent",
    "antivirus", "mobile phone", "tablet", "projector", "conference room display",
    "password manager", "calendar", "shared mailbox", "label printer", "time clock", "server",
)  # fmt: skip
# Each symptom in a few wordings: different callers describe one symptom differently, and
# noise tickets rarely share a whole phrase (as at a real desk).
SYMPTOMS = (
    ("crashes on start", "closes as soon as it opens", "dies at launch"),
    ("is very slow", "takes ages to respond", "is sluggish"),
    ("shows error 0x80070005", "gives error 1603", "throws error 404"),
    ("will not open", "does nothing when clicked", "fails to launch"),
    ("freezes after a few minutes", "hangs mid-task", "locks up randomly"),
    ("lost its settings", "reset to defaults", "forgot my preferences"),
    ("needs an update", "wants a new version", "has a pending upgrade"),
    ("shows a blank screen", "is just white", "displays nothing"),
    ("makes a strange noise", "is buzzing", "rattles loudly"),
    ("keeps restarting", "reboots itself", "cycles power"),
    ("has a licence warning", "says the subscription expired", "reports unlicensed"),
    ("is missing from the menu", "vanished from the start list", "icon disappeared"),
    ("stopped syncing", "is out of sync", "does not update files"),
    ("has no sound", "is muted", "audio is silent"),
    ("flickers", "blinks on and off", "has a flashing picture"),
    ("shows the wrong time", "clock is off by an hour", "date is wrong"),
    ("will not charge", "battery stays at zero", "charging light is off"),
    ("has a broken cable", "cable is frayed", "plug snapped"),
    ("asks for admin rights", "needs elevation", "wants an administrator"),
    ("needs to be installed", "requested for a new starter", "is not deployed yet"),
    ("was moved to another desk", "must be relocated", "needs moving upstairs"),
    ("is sticky", "has a stuck key", "jams"),
    ("overheats", "gets very hot", "fan runs constantly"),
    ("prints garbage", "outputs random symbols", "produces gibberish pages"),
    ("shows a certificate warning", "says the connection is not private", "TLS error"),
    ("has duplicate entries", "lists things twice", "doubles every record"),
    ("is in the wrong language", "switched to German", "shows French menus"),
    ("requires a reboot", "pending restart message", "asks to restart daily"),
    ("cannot see the colleague's calendar", "shared view empty", "delegation broken"),
    ("turns off by itself", "shuts down unexpectedly", "powers off at random"),
)
# Whose or which thing (noise tickets about "the printer" are about many printers).
OWNERS = (
    "finance", "reception", "warehouse", "marketing", "sales", "legal", "HR", "lab",
    "boardroom", "kitchen", "studio", "archive", "dispatch", "workshop", "clinic", "library",
    "Anna's", "Ben's", "Chen's", "Dora's", "Emil's", "Fatima's", "Greg's", "Hana's",
)  # fmt: skip
OPENERS = ("Hi,", "Hello team,", "Good morning,", "Hi there,", "Dear support,", "")
CLOSERS = ("Thanks", "Regards", "Please help", "Cheers", "Thank you in advance", "")
CONTEXT = (
    "since this morning", "after lunch", "for two days now", "since the weekend",
    "on and off", "right now", "since yesterday", "every time I try",
)  # fmt: skip

FILLERS = (
    "I already restarted.", "It worked last week.", "My manager needs this today.",
    "Colleagues are fine.", "Tried logging off and on.", "Not urgent.", "", "",
    "Call me on my mobile.", "I am at my desk all day.",
)  # fmt: skip

# The planted failures: each a list of (subject, description) paraphrases.
PLANTED: tuple[tuple[tuple[str, str], ...], ...] = (
    (
        ("Outlook keeps asking for my password", "Outlook prompts for the password again and again."),
        ("Password prompt in Outlook", "I keep getting a password prompt in Outlook every hour."),
        ("Outlook asks for password repeatedly", "Outlook asks for my password, I type it, it asks again."),
        ("Outlook password popup will not go away", "The Outlook password window keeps coming back."),
        ("Outlook requests password every few minutes", "Outlook requests my password all day."),
        ("Repeated Outlook password requests", "Outlook: password asked repeatedly after the update."),
        ("Outlook won't stop asking for password", "Outlook keeps asking me for the password."),
        ("Credentials prompt Outlook password", "Outlook shows a credentials prompt asking for my password."),
        ("Outlook password keeps being requested", "Outlook asks for password; entering it does not help."),
        ("Outlook nagging for password", "Outlook is nagging me for my password constantly."),
    ),
    (
        ("VPN disconnects every hour", "The VPN connection drops every hour and I have to reconnect."),
        ("VPN keeps dropping", "My VPN keeps dropping the connection during calls."),
        ("VPN connection drops", "VPN connection drops after about an hour of work."),
        ("Lost VPN connection again", "The VPN dropped again, third time today."),
        ("VPN drops when working from home", "At home the VPN connection drops regularly."),
        ("VPN disconnecting randomly", "VPN keeps disconnecting and reconnecting."),
        ("Unstable VPN connection drops", "VPN connection unstable, drops every hour or so."),
    ),
    (
        ("Printer on floor 3 jams", "The floor 3 printer jams on every second page."),
        ("Paper jam floor 3 printer", "Paper jam again in the printer on floor 3."),
        ("Floor 3 printer paper jam", "Floor 3 printer keeps jamming paper."),
        ("Printer jammed third floor", "The third floor printer is jammed, paper stuck."),
        ("Jam in floor 3 printer tray", "Printer on floor 3 reports a paper jam in tray 2."),
        ("Floor 3 printer jams constantly", "Constant paper jams at the floor 3 printer."),
    ),
    (
        ("Cannot access shared drive S", "The S drive share is not accessible, access denied."),
        ("S drive access denied", "Access denied when opening the S drive shared folder."),
        ("Shared drive S not accessible", "I cannot open the shared S drive, it says access denied."),
        ("No access to S drive", "Lost access to the S drive this morning, access denied error."),
        ("S: shared drive access denied error", "Access denied on the S shared drive for our team."),
    ),
    (
        ("Teams camera not working in meetings", "My camera does not work in Teams meetings."),
        ("Camera not detected by Teams", "Teams does not detect the camera in meetings."),
        ("Teams meeting camera black", "In Teams meetings the camera is black, not working."),
        ("No camera in Teams", "Teams shows no camera available in meetings."),
        ("Teams camera fails in meeting", "Camera fails when I join a Teams meeting."),
        ("Teams video camera not working", "Teams video: camera not working since the update."),
        ("Camera issue Teams meetings", "Camera issue in all Teams meetings today."),
        ("Teams can't use camera", "Teams cannot use my camera in meetings."),
    ),
)  # fmt: skip


@dataclass(frozen=True)
class SyntheticDoc:
    client: str
    subject: str
    description: str


def _words() -> list[str]:
    words = {w.strip(".,:").lower() for wordings in SYMPTOMS for p in wordings for w in p.split()}
    return sorted(w for w in words if len(w) > 3)


def _noise(rng: random.Random, count: int, clients: tuple[str, ...]) -> list[SyntheticDoc]:
    """Random noise: a thing, one of the symptom wordings in the subject and a few random
    words of the desk's vocabulary in the description, so two noise tickets share a thing or
    a word now and then (as tickets at a desk do) but never a whole story."""
    words = _words()
    out = []
    for _ in range(count):
        thing = f"{rng.choice(OWNERS)} {rng.choice(THINGS)}"
        symptom = rng.choice(rng.choice(SYMPTOMS))
        subject = f"{thing} {symptom}"
        description = " ".join(
            filter(
                None,
                (
                    rng.choice(OPENERS),
                    f"It {' '.join(rng.sample(words, 4))} {rng.choice(CONTEXT)}.",
                    rng.choice(FILLERS),
                    rng.choice(CLOSERS),
                ),
            )
        )
        out.append(SyntheticDoc(rng.choice(clients), subject, description))
    return out


def corpus(
    seed: int = 16, *, noise: int = 300, clients: tuple[str, ...] = ("acme", "globex")
) -> tuple[list[SyntheticDoc], list[set[int]]]:
    """Noise tickets and the planted groups, shuffled; `truth` holds the planted groups as
    sets of indexes into the returned list. Deterministic for a given seed."""
    rng = random.Random(seed)
    docs = _noise(rng, noise, clients)
    labels: list[int | None] = [None] * len(docs)
    for group, paraphrases in enumerate(PLANTED):
        client = clients[group % len(clients)]
        size = rng.randint(5, min(10, len(paraphrases)))
        for subject, description in rng.sample(paraphrases, size):
            docs.append(SyntheticDoc(client, subject, description))
            labels.append(group)
    order = list(range(len(docs)))
    rng.shuffle(order)
    docs = [docs[i] for i in order]
    labels = [labels[i] for i in order]
    truth = [
        {i for i, label in enumerate(labels) if label == group} for group in range(len(PLANTED))
    ]
    return docs, truth


def pair_scores(found: list[set[int]], truth: list[set[int]]) -> tuple[float, float]:
    """Pairwise precision and recall: of the pairs of tickets put in one cluster, how many
    belong to one planted group; of the pairs of each planted group, how many were put in one
    cluster."""

    def pairs(groups: list[set[int]]) -> set[tuple[int, int]]:
        return {(a, b) for g in groups for a in g for b in g if a < b}

    got, want = pairs(found), pairs(truth)
    precision = len(got & want) / len(got) if got else 1.0
    recall = len(got & want) / len(want) if want else 1.0
    return precision, recall
