"""The write side of desk rosters: a team's roster (time zone, rota cycle, rest rule, weekly
hours cap), its shift definitions (presets or custom), the rota lines that put agents on
shifts (a fixed weekly pattern, or a rotating cycle generated with an offset per agent), leave
and cover.

Who may do what (checked here, so every adapter gets the same answer):

- a roster, its shifts and rota lines: administrators (`is_staff`) and the team's lead;
- leave: administrators, the lead of a team the person is on, and the person themselves
  (an agent records their own holiday or sick day); the same people cancel it;
- cover: administrators and the team's lead. A cover that would put someone on a shift they
  already work, during their leave, with less rest than the roster's `rest_hours` before or
  after, or over the roster's `weekly_hours_cap` in the ISO week of the shift is refused with
  `RuleBroken` naming the rule (`deskside.rosters.rules`).

Each function is one transaction and writes its audit entry (`core.audit`) in it. Who works
when is read through `deskside.rosters.working`, never recomputed here.
"""

from deskside.rosters.services.absence import (
    add_cover,
    cancel_leave,
    find_slot,
    record_leave,
    remove_cover,
)
from deskside.rosters.services.common import (
    PRESET_LABELS,
    PRESETS,
    can_edit,
    can_manage_leave,
    require_editor,
    validate_pattern,
    validate_timezone,
)
from deskside.rosters.services.setup import (
    add_preset,
    add_shift,
    create_roster,
    delete_roster,
    delete_shift,
    generate_rota,
    remove_line,
    rotating_patterns,
    set_line,
    update_roster,
    update_shift,
)

__all__ = [
    "PRESETS",
    "PRESET_LABELS",
    "add_cover",
    "add_preset",
    "add_shift",
    "can_edit",
    "can_manage_leave",
    "cancel_leave",
    "create_roster",
    "delete_roster",
    "delete_shift",
    "find_slot",
    "generate_rota",
    "record_leave",
    "remove_cover",
    "remove_line",
    "require_editor",
    "rotating_patterns",
    "set_line",
    "update_roster",
    "update_shift",
    "validate_pattern",
    "validate_timezone",
]
