"""Realistic IT service-desk text for the benchmarks.

Each ticket is drawn from one *topic* (printers, VPN, Outlook, passwords ...). A topic holds
subject, description, reply, note and resolution templates with slots (`{device}`, `{app}`,
`{place}`, `{error}`, `{person}`); topics are weighted so that the common problems of a real
desk (passwords, email, printers) are far more frequent than the rare ones, and slot values
are drawn with a skew, so word frequencies in the index look like a real desk's (a few very
common words, a long tail), not a uniform random vocabulary.

Deterministic for a given `random.Random` seed; no database access, so the load script can use
it for its queries and new tickets too.
"""

import random
from dataclasses import dataclass

PLACES = [
    "reception",
    "finance",
    "the warehouse",
    "HR",
    "meeting room 2",
    "the boardroom",
    "the second floor",
    "accounts",
    "the front desk",
    "the lab",
    "sales",
    "the print room",
    "the branch office",
    "the training room",
    "dispatch",
    "the clinic",
    "marketing",
]
PEOPLE = [
    "Sarah",
    "James",
    "Priya",
    "Tom",
    "Maria",
    "Ahmed",
    "Chen",
    "Olga",
    "Luis",
    "Fatima",
    "Ben",
    "Hannah",
    "Kenji",
    "Grace",
    "Marco",
    "Aisha",
    "Peter",
    "Zoe",
    "Ravi",
    "Emma",
]
PRINTERS = [
    "HP LaserJet M404",
    "Canon imageRUNNER",
    "Brother MFC-L8900",
    "Ricoh MP C3004",
    "Xerox VersaLink",
    "Kyocera TASKalfa",
    "Zebra label printer",
]
LAPTOPS = [
    "Dell Latitude 5440",
    "Lenovo ThinkPad T14",
    "HP EliteBook 840",
    "MacBook Pro",
    "Surface Laptop 5",
    "Dell XPS 13",
    "ThinkPad X1 Carbon",
]
APPS = [
    "Outlook",
    "Teams",
    "Excel",
    "Word",
    "SharePoint",
    "OneDrive",
    "Sage",
    "Xero",
    "Adobe Acrobat",
    "Chrome",
    "Zoom",
    "QuickBooks",
    "the CRM",
    "SAP",
    "AutoCAD",
]
SERVERS = ["FS01", "DC02", "SQL01", "APP03", "BACKUP01", "HV-HOST2", "EXCH01", "WEB01"]
ERRORS = [
    "0x80070005",
    "0x8004010F",
    "error 720",
    "error 809",
    "0x800CCC0E",
    "error 53",
    "0xC004F074",
    "timeout",
    "access denied",
    "certificate expired",
    "503",
    "paper jam",
]


def skewed(rng: random.Random, items: list[str]) -> str:
    """A value from `items`, the first ones much more often (roughly Zipf)."""
    return items[min(int(rng.paretovariate(1.2)) - 1, len(items) - 1)]


@dataclass(frozen=True)
class Topic:
    name: str
    weight: float
    types: tuple[str, ...]  # ticket types this topic appears as
    subjects: tuple[str, ...]
    descriptions: tuple[str, ...]
    replies: tuple[str, ...]
    notes: tuple[str, ...]
    resolutions: tuple[str, ...]


TOPICS: tuple[Topic, ...] = (
    Topic(
        "password",
        16,
        ("incident", "service_request"),
        (
            "Password reset for {person}",
            "Account locked out",
            "{person} locked out of {app}",
            "Cannot log in after password change",
            "Password expired, cannot sign in",
            "MFA prompt not arriving on phone",
            "Reset MFA for {person}",
        ),
        (
            "{person} has been locked out after too many attempts and cannot sign in to {app}.",
            "The password expired over the weekend and the self-service reset page says "
            "{error}. Please reset it.",
            "New phone, so the authenticator app no longer works. Need MFA re-registered.",
            "Cannot log in to the laptop or {app}; says the account is disabled.",
        ),
        (
            "I have reset the password; please sign in with the temporary one and change it.",
            "Your account is unlocked. Please try again and let us know.",
            "MFA has been reset; you will be asked to register the authenticator on next sign-in.",
        ),
        (
            "Verified identity by call-back to the number on file.",
            "Lockouts come from an old phone still syncing mail with the old password.",
            "Checked AD: account locked by bad password attempts from {place} PC.",
        ),
        (
            "Password reset and account unlocked; user signed in.",
            "MFA re-registered on the new phone.",
            "Removed stale credentials from the old phone.",
        ),
    ),
    Topic(
        "email",
        13,
        ("incident", "service_request"),
        (
            "Outlook not receiving email",
            "Outlook keeps asking for password",
            "Shared mailbox missing in Outlook",
            "Email stuck in outbox",
            "Outlook crashes on start",
            "Cannot send email to external addresses",
            "Mailbox full",
            "Calendar not syncing",
        ),
        (
            "Since this morning Outlook shows disconnected and no new email arrives; {error}.",
            "Outlook prompts for the password every few minutes even after entering it.",
            "The {place} shared mailbox disappeared from Outlook after the update.",
            "Messages sit in the outbox and never send; webmail works fine.",
            "Mailbox is full, cannot send or receive. Please increase the quota or archive.",
        ),
        (
            "Please restart Outlook; we have rebuilt your profile remotely.",
            "The shared mailbox is back; it can take up to an hour to appear.",
            "We have enabled the online archive for your mailbox.",
        ),
        (
            "Profile corrupt, rebuilt OST. Autodiscover OK.",
            "Mail flow trace shows delivered.",
            "Licence was missing Exchange Online plan; re-assigned.",
        ),
        (
            "Rebuilt the Outlook profile; mail flowing again.",
            "Enabled online archive.",
            "Re-added shared mailbox permissions; Outlook shows it again.",
        ),
    ),
    Topic(
        "printer",
        11,
        ("incident",),
        (
            "Printer offline in {place}",
            "{printer} offline",
            "Printer not printing",
            "Paper jam on {printer}",
            "Cannot print from {app}",
            "Printer printing garbage",
            "Scan to email not working on {printer}",
            "Printer shows offline after update",
        ),
        (
            "The printer in {place} shows offline on every PC. We restarted it but it is still "
            "offline.",
            "Jobs go to the queue and nothing prints. {printer}, error {error}.",
            "Scan to email stopped working; the printer says authentication failed.",
            "Printing from {app} gives blank pages, other apps print fine.",
        ),
        (
            "We cleared the print queue and the printer is back online; please try again.",
            "A technician will visit {place} to look at the printer.",
            "Please check the printer has paper and the tray is closed.",
        ),
        (
            "Printer had a new DHCP address; set a reservation.",
            "Print spooler hung on the server.",
            "Driver update pushed by patching broke it; rolled back driver.",
        ),
        (
            "Set a DHCP reservation for the printer and re-added the port.",
            "Restarted the spooler and cleared the stuck jobs.",
            "Replaced the fuser unit; printer working.",
            "Updated scan-to-email SMTP password.",
        ),
    ),
    Topic(
        "vpn",
        9,
        ("incident",),
        (
            "VPN not connecting",
            "VPN disconnects every few minutes",
            "VPN slow from home",
            "Cannot reach file share over VPN",
            "VPN error {error}",
            "VPN certificate expired",
        ),
        (
            "Working from home and the VPN will not connect; it says {error}.",
            "The VPN connects but drops every few minutes, so Teams calls cut off.",
            "Connected to VPN but cannot open the {place} file share or {app}.",
            "VPN is very slow from home; downloads crawl.",
        ),
        (
            "Please reconnect; we renewed your VPN certificate.",
            "Can you run the speed test and send us the result?",
            "We pushed a new VPN profile; please restart the laptop.",
        ),
        (
            "Firewall shows IKE phase 1 failures from the user's IP.",
            "Split tunnelling was off for this user group.",
            "Home router MTU issue suspected.",
        ),
        (
            "Renewed VPN certificate; connects again.",
            "Enabled split tunnelling for the group.",
            "Lowered MTU on the VPN profile; connection stable.",
        ),
    ),
    Topic(
        "laptop",
        9,
        ("incident", "service_request"),
        (
            "Laptop will not turn on",
            "Laptop very slow",
            "Laptop battery not charging",
            "Blue screen on {laptop}",
            "New laptop for {person}",
            "Laptop screen cracked",
            "Laptop overheating and loud fan",
            "Keyboard keys not working",
        ),
        (
            "My {laptop} will not power on, the light blinks orange.",
            "The laptop takes ten minutes to start and {app} freezes constantly.",
            "Battery stays at 0% and does not charge with the charger plugged in.",
            "Blue screen twice today with {error}.",
            "{person} starts on Monday in {place} and needs a laptop set up.",
        ),
        (
            "Please bring the laptop to the desk and we will swap it.",
            "A technician will come to {place} tomorrow morning.",
            "We have ordered a replacement battery; it arrives in two days.",
        ),
        (
            "Disk at 98% busy, SMART warnings: disk failing.",
            "Under warranty, logged with vendor.",
            "Imaged from the standard build, enrolled in Intune.",
        ),
        (
            "Replaced the disk and restored the profile.",
            "Swapped the battery under warranty.",
            "Laptop imaged and handed over to the new starter.",
        ),
    ),
    Topic(
        "wifi",
        7,
        ("incident",),
        (
            "Wi-Fi not working in {place}",
            "Wi-Fi keeps dropping",
            "Slow Wi-Fi in {place}",
            "Cannot connect to guest Wi-Fi",
            "Wireless network not showing",
        ),
        (
            "Nobody in {place} can connect to the Wi-Fi since this morning.",
            "The wireless drops every few minutes on laptops and phones.",
            "Guests cannot reach the guest Wi-Fi portal page.",
        ),
        (
            "We restarted the access point in {place}; please try again.",
            "Could you tell us which room has the worst signal?",
        ),
        ("Access point in {place} offline, PoE port flapping.", "Channel overlap with neighbours."),
        (
            "Replaced the access point.",
            "Changed Wi-Fi channel plan; signal stable.",
            "Renewed guest portal certificate.",
        ),
    ),
    Topic(
        "backup",
        6,
        ("operational", "incident"),
        (
            "Backup failed on {server}",
            "Backup job warning: {server}",
            "Restore a deleted file",
            "Daily backup check",
            "Restore folder for {person}",
            "Backup storage nearly full",
        ),
        (
            "The nightly backup of {server} failed with {error}.",
            "Please restore the {place} budget spreadsheet deleted yesterday.",
            "Daily backup check: verify all jobs completed and test a restore.",
            "Backup repository at 91% capacity.",
        ),
        ("The file is restored to its original folder.", "Backups ran fine last night."),
        (
            "VSS writer failed on {server}; restarted the service.",
            "Retention changed to free space on the repository.",
        ),
        (
            "Backup rerun completed successfully.",
            "File restored from last night's backup.",
            "Expanded the backup repository.",
        ),
    ),
    Topic(
        "teams",
        6,
        ("incident",),
        (
            "Teams audio not working",
            "Teams camera not detected",
            "Cannot join Teams meeting",
            "Teams keeps crashing",
            "Teams status stuck",
        ),
        (
            "In Teams calls nobody can hear me, the headset works in other apps.",
            "The camera is not detected in Teams but works in Zoom.",
            "Teams crashes when joining any meeting since the update.",
        ),
        (
            "Please clear the Teams cache as in the attached steps and restart.",
            "We updated the headset firmware remotely.",
        ),
        ("Teams cache corrupt.", "Audio driver conflict with docking station."),
        ("Cleared Teams cache and reinstalled.", "Updated audio driver; calls working."),
    ),
    Topic(
        "files",
        5,
        ("incident", "service_request"),
        (
            "Cannot access shared drive",
            "Access to {place} folder for {person}",
            "SharePoint site permissions",
            "OneDrive not syncing",
            "Mapped drive missing",
        ),
        (
            "The S: drive is missing and I cannot open the {place} folder.",
            "{person} needs read access to the {place} folder on SharePoint.",
            "OneDrive shows sync pending for days, files not uploading.",
        ),
        ("Access granted; please sign out and back in.", "The drive map is restored."),
        ("Approved by the {place} manager by email.", "Group policy drive mapping failed."),
        (
            "Access granted after approval.",
            "Fixed the drive mapping policy.",
            "Reset OneDrive sync client.",
        ),
    ),
    Topic(
        "software",
        5,
        ("service_request",),
        (
            "Install {app} for {person}",
            "{app} licence request",
            "Software update for {app}",
            "{app} not opening",
            "Need admin rights to install software",
        ),
        (
            "Please install {app} on {person}'s PC in {place}.",
            "We need another {app} licence for the new hire.",
            "{app} does not open after the update, it shows {error}.",
        ),
        (
            "{app} is installed; you will find it in the start menu.",
            "Licence assigned; sign out and back in.",
        ),
        ("Approved by manager.", "Deployed via Intune."),
        ("Installed {app}.", "Licence assigned.", "Repaired the {app} installation."),
    ),
    Topic(
        "hardware",
        4,
        ("incident", "service_request"),
        (
            "Monitor flickering",
            "Second monitor not detected",
            "Docking station not working",
            "Mouse and keyboard request",
            "Desk phone not working in {place}",
            "Headset request",
        ),
        (
            "The monitor flickers and goes black every few seconds.",
            "The second screen is not detected through the docking station.",
            "The desk phone in {place} shows no service.",
        ),
        ("We will bring a replacement cable.", "A new docking station is on its way."),
        ("Dock firmware outdated.", "Cable faulty."),
        ("Replaced the cable.", "Updated the docking station firmware.", "Delivered the headset."),
    ),
    Topic(
        "server",
        4,
        ("operational", "incident"),
        (
            "{server} disk space low",
            "{server} high CPU",
            "{server} not responding",
            "Patch {server}",
            "Certificate expiring on {server}",
            "Monthly patching",
        ),
        (
            "Monitoring alert: disk C: on {server} below 10% free.",
            "{server} CPU above 95% for 30 minutes.",
            "Cannot reach {server}; users report {app} down.",
            "Monthly Windows patching for {server}.",
        ),
        ("The server is back; service restored.", "Patching completed overnight."),
        (
            "Cleared IIS logs, 40 GB freed.",
            "Runaway process from the backup agent.",
            "Rebooted after patching; services checked.",
        ),
        (
            "Freed disk space and added a log cleanup task.",
            "Patched and rebooted.",
            "Renewed the certificate.",
        ),
    ),
    Topic(
        "onboarding",
        4,
        ("service_request",),
        (
            "New starter: {person}",
            "Leaver: disable account for {person}",
            "Move {person} to {place}",
            "Set up account for {person}",
        ),
        (
            "{person} joins {place} on Monday: account, email, laptop and phone please.",
            "{person} leaves on Friday; disable the account and forward email to the manager.",
            "{person} moves desk to {place}; needs phone and network port moved.",
        ),
        (
            "The account is set up; credentials go to the manager.",
            "The account will be disabled at 5 pm Friday.",
        ),
        ("Checklist: account, licence, groups, laptop, phone.", "Mailbox converted to shared."),
        (
            "New starter set up.",
            "Leaver processed; mailbox shared with manager.",
            "Desk move completed.",
        ),
    ),
    Topic(
        "security",
        3,
        ("incident",),
        (
            "Suspicious email received",
            "Phishing email clicked",
            "Possible virus on PC",
            "Antivirus alert on {laptop}",
            "Unknown login alert",
        ),
        (
            "I received an email asking me to confirm my password; it looks like phishing.",
            "{person} clicked a link in a phishing email and entered the password.",
            "Antivirus says it quarantined a file on my laptop.",
        ),
        (
            "Thanks for reporting; we have blocked the sender.",
            "Please change your password now; we have signed out all sessions.",
        ),
        ("Revoked sessions, reset password, checked inbox rules.", "Sender domain blocked."),
        (
            "Blocked the sender and purged the email from all mailboxes.",
            "Password reset, sessions revoked, no forwarding rules found.",
        ),
    ),
)

TOPIC_WEIGHTS = [t.weight for t in TOPICS]

# Two-word searches a desk really types, from very common to rarer.
QUERIES = [
    "printer offline",
    "password reset",
    "outlook password",
    "vpn disconnects",
    "laptop battery",
    "wifi dropping",
    "backup failed",
    "teams audio",
    "shared mailbox",
    "account locked",
    "monitor flickering",
    "onedrive sync",
    "phishing email",
    "disk space",
    "scan email",
    "certificate expired",
    "docking station",
    "new starter",
    "blue screen",
    "paper jam",
]


@dataclass(frozen=True)
class Story:
    """The text of one generated ticket."""

    topic: Topic
    subject: str
    description: str


def fill(rng: random.Random, template: str) -> str:
    if "{" not in template:
        return template
    return template.format(
        person=skewed(rng, PEOPLE),
        place=skewed(rng, PLACES),
        printer=skewed(rng, PRINTERS),
        laptop=skewed(rng, LAPTOPS),
        app=skewed(rng, APPS),
        server=skewed(rng, SERVERS),
        error=skewed(rng, ERRORS),
    )


def story(rng: random.Random, ticket_type: str | None = None) -> Story:
    """Subject and description of a new ticket (of `ticket_type` when it is given)."""
    while True:
        topic = rng.choices(TOPICS, TOPIC_WEIGHTS)[0]
        if ticket_type is None or ticket_type in topic.types:
            break
    return Story(
        topic, fill(rng, rng.choice(topic.subjects)), fill(rng, rng.choice(topic.descriptions))
    )


def reply(rng: random.Random, topic: Topic) -> str:
    return fill(rng, rng.choice(topic.replies))


def note(rng: random.Random, topic: Topic) -> str:
    return fill(rng, rng.choice(topic.notes))


def resolution(rng: random.Random, topic: Topic) -> str:
    return fill(rng, rng.choice(topic.resolutions))
