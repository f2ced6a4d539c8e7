"""The clearance rule, in one place: every way to schedule a visit (the visit page, the
dispatch board, the API, an accepted route plan) asks `solo_refusal` before it writes.

A technician works alone at a client only when cleared there. Someone who is not (no row, not
cleared, shadowing or revoked) may go as one of two technicians when the other is cleared: that
is how shadowing happens. Two technicians of whom neither is cleared are refused too.
"""

from collections.abc import Iterable

from deskside.field.models import Clearance, ClearanceStatus


def cleared_ids(organization_id: int, technician_ids: Iterable[int]) -> set[int]:
    """Which of `technician_ids` are cleared to work alone at the client (one query)."""
    ids = {i for i in technician_ids if i is not None}
    if not ids:
        return set()
    return set(
        Clearance.objects.filter(
            organization_id=organization_id,
            technician_id__in=ids,
            status=ClearanceStatus.CLEARED,
        ).values_list("technician_id", flat=True)
    )


def solo_refusal(
    organization_id: int,
    technician,
    second=None,
    *,
    organization_name: str = "",
    cleared: set[int] | None = None,
) -> str | None:
    """None when the clearance rule allows `technician` (and `second`, if any) at the client;
    otherwise the reason, for a person. `cleared` may be passed when the caller already knows
    the cleared ids (the route planner and the board ask once for many visits)."""
    if technician is None:
        return None
    people = [technician] + ([second] if second is not None else [])
    if cleared is None:
        cleared = cleared_ids(organization_id, [p.pk for p in people])
    if any(p.pk in cleared for p in people):
        return None
    where = organization_name or "this client"
    if second is None:
        return (
            f"{technician} is not cleared for {where}: send them with a cleared technician "
            "(as a shadow visit) or choose someone cleared"
        )
    return f"neither {technician} nor {second} is cleared for {where}: one of the two must be"
