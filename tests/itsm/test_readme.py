"""The README's configuration table names every environment variable the product reads, so an admin never has to
read the settings to find one."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
READS = re.compile(
    r"""(?:env_bool|env_list|env_int|os\.environ\.get|os\.getenv|os\.environ\[)\(?\s*["']([A-Z][A-Z0-9_]+)["']"""
)


def variables_read() -> set[str]:
    names = set()
    for path in ROOT.glob("*/**/*.py"):
        parts = path.relative_to(ROOT).parts
        if parts[0] in {"tests", ".venv", "scripts"} or "migrations" in parts:
            continue
        names |= set(READS.findall(path.read_text(encoding="utf-8")))
    return names


def configuration_table() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("## Configuration (environment)")
    return readme[start : readme.index("\n## ", start + 1)]


def test_every_environment_variable_the_product_reads_is_in_the_configuration_table():
    names = variables_read()
    assert {"SECRET_KEY", "DATABASE_URL", "ITSM_QUEUE_POLL_SECONDS"} <= names  # the scan finds the settings' reads
    table = configuration_table()
    # A row may name related variables together ("`EMAIL_PORT`, `EMAIL_HOST_USER`"): each is in a row's first cell.
    first_cells = " ".join(line.split("|")[1] for line in table.splitlines() if line.startswith("| `"))
    missing = sorted(name for name in names if f"`{name}`" not in first_cells)
    assert missing == [], f"not in the README's configuration table: {missing}"
