"""Names and mixes for the scale data: plain constants, no Django."""

from __future__ import annotations

# Email domain of every person seed_scale creates: how a second run knows the data is already there.
DOMAIN = "scale.example.edu"
REASON = "seed_scale"

FIRST_NAMES = (
    "Aaliyah Aaron Abdul Ada Adrian Agnes Ahmed Aiko Alan Alba Alexei Alice Amara Amir Ana Anders Andrea Anika "
    "Arjun Astrid Ben Bianca Boris Carla Carlos Chen Chiara Chloe Dana Daniel Dmitri Elena Elif Emeka Emma Erik "
    "Esther Fatima Felix Femi Fiona Gabriel Grace Hana Hannah Hiro Ibrahim Ines Ingrid Isaac Jamal Jana Javier "
    "Jonas Julia Kai Kenji Kofi Lars Layla Lena Leo Lucia Malik Marta Mateo Maya Mei Nadia Nia Nina Noah Olga "
    "Omar Oscar Paula Pedro Priya Quentin Rafael Rosa Sami Sara Sven Tara Theo Uma Victor Wen Yara Yusuf Zoe"
).split()
LAST_NAMES = (
    "Abbott Adeyemi Ahn Alvarez Andersen Baker Banerjee Becker Bianchi Brown Carter Chen Costa Cruz Dahl Diaz "
    "Dubois Duarte Eriksen Evans Fischer Fontaine Garcia Gonzalez Gupta Haddad Hansen Horvath Hughes Ibrahim "
    "Ivanova Jansen Jensen Johansson Kaur Kelly Kim Kowalski Kruger Larsen Lee Lopez Martin Meyer Moreau Mori "
    "Murphy Nakamura Nguyen Novak Nowak Okafor Olsen Ortiz Park Patel Perez Petrov Quinn Rahman Reyes Rossi Ruiz "
    "Sato Schmidt Silva Singh Smith Sousa Suzuki Tanaka Taylor Torres Uchenna Vargas Volkov Wagner Walker Wang "
    "Weber Williams Wilson Xu Yamamoto Yilmaz Young Zhang Zimmermann"
).split()
JOB_TITLES = (
    "Lecturer",
    "Professor",
    "Research Associate",
    "Administrator",
    "Lab Technician",
    "Graduate Student",
    "Finance Officer",
    "Librarian",
    "Programme Manager",
    "HR Advisor",
    "Facilities Coordinator",
    "Postdoctoral Fellow",
)

# VIP statuses besides the default: (name, colour, shown on tickets, share of people).
VIP_STATUSES = (
    ("Executive", "#B42318", True, 0.003),
    ("Critical Role", "#F79009", True, 0.010),
    ("High Impact User", "#6941C6", True, 0.015),
    ("Watch List", "#475467", False, 0.005),
)
# Callers with a status shown on tickets log more calls per head than the rest.
VIP_CALL_WEIGHT = 4

TEAMS = (
    "Service Desk",
    "VIP Desk",
    "Desktop Support",
    "Network Operations",
    "Server Team",
    "Applications",
    "Identity and Access",
    "Storage",
    "Research Computing Support",
    "Telephony",
    "Security Operations",
    "Database Team",
)
ANALYSTS = 60

# (name, hours, [(response, resolution) minutes for P1..P5])
SERVICE_LEVELS = (
    ("Gold", "24x7", ((15, 240), (30, 480), (60, 960), (240, 2880), (480, 7200))),
    ("Silver", "business", ((30, 480), (60, 960), (120, 1440), (480, 4320), (960, 10080))),
    ("Bronze", "business", ((60, 960), (120, 1440), (480, 2880), (960, 7200), (1440, 14400))),
)
TECHNICAL_SERVICES = (
    ("Email", "Collaboration"),
    ("Calendar", "Collaboration"),
    ("Video Conferencing", "Collaboration"),
    ("Shared Drive", "Storage"),
    ("Research Storage", "Storage"),
    ("Backup", "Storage"),
    ("Virtualisation", "Infrastructure"),
    ("Campus Network", "Infrastructure"),
    ("Wi-Fi", "Infrastructure"),
    ("VPN", "Infrastructure"),
    ("Research Computing", "Infrastructure"),
    ("Printing", "Workplace"),
    ("Desktop Fleet", "Workplace"),
    ("Telephony", "Workplace"),
    ("ERP Finance", "Business applications"),
    ("ERP HR", "Business applications"),
    ("Student Records", "Business applications"),
    ("Learning Platform", "Teaching"),
    ("Lecture Capture", "Teaching"),
    ("Library Catalogue", "Library"),
    ("Web Hosting", "Web"),
    ("Identity Management", "Security"),
    ("Endpoint Protection", "Security"),
    ("Database Hosting", "Infrastructure"),
)
CI_TYPES = ("server", "application", "database", "network", "device")

TYPE_MIX = (("incident", 60), ("request", 28), ("problem", 5), ("change", 7))
# Final status of a ticket: about 10% of 100,000 are open (a backlog of 10,000), the rest done over two years.
STATUS_MIX = (
    ("new", 2),
    ("assigned", 3),
    ("in_progress", 3),
    ("pending", 2),
    ("resolved", 6),
    ("closed", 80),
    ("cancelled", 4),
)
LEVEL_MIX = (("high", 2), ("medium", 5), ("low", 3))
SOURCE_MIX = (("phone", 5), ("email", 3), ("portal", 3), ("api", 1))

TITLES = {
    "incident": (
        "Cannot print to the printer in {place}",
        "VPN disconnects every few minutes",
        "Outlook keeps asking for the password",
        "Shared drive not reachable from {place}",
        "Laptop does not boot after update",
        "Video calls drop audio in {place}",
        "Payroll report fails with a timeout",
        "Website returns error 502",
        "Wi-Fi weak in {place}",
        "Account locked out",
        "Cannot open attachments in email",
        "Monitor flickers",
        "Database connection errors in {system}",
        "Phone handset has no dial tone",
        "{system} is very slow",
        "Error when saving in {system}",
    ),
    "request": (
        "New laptop for a new starter",
        "Access to the {place} shared folder",
        "Install {software}",
        "Extra monitor for home office",
        "Create a distribution list",
        "Reset MFA device",
        "Mailbox size increase",
        "Guest Wi-Fi access for visitors in {place}",
        "New account in {system}",
    ),
    "problem": (
        "Recurring VPN drops for remote staff",
        "Printer queue stalls every Monday",
        "Intermittent 502s on the public website",
        "Slow logons across {place}",
        "{system} timeouts at month end",
    ),
    "change": (
        "Patch file servers (monthly)",
        "Upgrade {system} to the new version",
        "Replace core switch in {place}",
        "Renew TLS certificates",
        "Migrate mailboxes to the new cluster",
    ),
}
PLACES = ("building A", "building B", "the library", "room 204", "the lab", "the 3rd floor", "the annex", "reception")
SYSTEMS = ("the CRM", "ERP Finance", "Student Records", "the Learning Platform", "the library catalogue", "ERP HR")
SOFTWARE = ("Visio", "MATLAB", "R Studio", "SPSS", "Zotero", "Adobe Acrobat", "QGIS", "LabVIEW")
NOTES = (
    "Called the user, reproduced the issue.",
    "Checked the logs; nothing obvious yet.",
    "Asked the user for a screenshot.",
    "Escalated to second line.",
    "Workaround given: restart the client.",
    "Waiting for the vendor to answer.",
    "Remote session done; monitoring.",
    "User confirmed the workaround helps.",
)
RESOLUTIONS = (
    "Cleared the print queue and restarted the spooler.",
    "Reset the password and unlocked the account.",
    "Applied the vendor patch.",
    "Replaced the faulty cable.",
    "Granted access as approved by the line manager.",
    "Configuration corrected; user confirmed it works.",
)
