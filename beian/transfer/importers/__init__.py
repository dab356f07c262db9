"""One importer per kind of record; see `base.Importer` for the steps they share."""

from .accounts import AccountImporter
from .base import Importer
from .groups import GroupImporter
from .people import PersonImporter
from .units import UnitImporter

IMPORTERS: dict[str, type[Importer]] = {
    "accounts": AccountImporter,
    "groups": GroupImporter,
    "units": UnitImporter,
    "people": PersonImporter,
}

__all__ = [
    "IMPORTERS",
    "AccountImporter",
    "GroupImporter",
    "Importer",
    "PersonImporter",
    "UnitImporter",
]
