"""What each role may do with the service register: service level managers keep it, the CMDB keeps its items."""

from itsm.roles import ALL, ANALYST, CMDB_SETUP, INTEGRATION, SERVICE_LEVEL_MANAGER, VIEW

MODELS = [
    "technicalservice",
    "servicelevel",
    "customergroup",
    "membership",
    "serviceinstance",
    "configurationitem",
    "timeframe",
    "task",
    "calendar",
    "calendarhours",
    "calendarholiday",
    "servicereview",
]

GRANTS = {
    SERVICE_LEVEL_MANAGER: {f"services.{model}": ALL for model in MODELS},
    ANALYST: {f"services.{model}": (VIEW,) for model in MODELS},
    CMDB_SETUP: {f"services.{model}": ALL if model == "configurationitem" else (VIEW,) for model in MODELS},
    INTEGRATION: {f"services.{model}": (VIEW,) for model in MODELS},
}
