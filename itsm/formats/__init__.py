"""One way to write dates and times on every page, the admin included: '2026-11-22 21:46' (ISO order, 24 hours)."""
