def test_the_desk_is_as_described(desk, now):
    t = desk
    assert t["t1"].first_contact_resolution is True
    assert t["t2"].first_contact_resolution is False
    assert t["t2"].tier == "L2" and t["t2"].escalation_count == 1
    assert t["t2"].resolved_at.isoformat().startswith("2026-03-04T17:00")
    assert t["t6"].assignee_id is None
    assert t["t1"].assignee.email == "alice@msp.example"
    assert t["t4"].assignee.email == "leo@msp.example"
