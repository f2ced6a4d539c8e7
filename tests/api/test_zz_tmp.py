def test_tmp(as_carol, as_alice, acme_ticket):
    for r in [
        as_carol.post("/api/v1/tickets", {"subject": "a\x00b"}),
        as_carol.get("/api/v1/organizations/acme%00"),
        as_carol.get("/api/v1/sites/x%00"),
        as_carol.get("/api/v1/tickets?team=x%00"),
        as_alice.post(f"/api/v1/tickets/{acme_ticket.number}/note", {"body": "a\x00b"}),
    ]:
        print(r.status_code, r.content[:200])
