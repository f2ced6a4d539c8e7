"""The CSV import of contacts: the dry-run plan, what applying it does, and the errors of
rows and of whole files (bad encoding, missing columns, too many rows), through the service
and the command line."""

import pytest

from deskside.accounts.models import User
from deskside.accounts.queries import callers_matching
from deskside.cli import main
from deskside.core.models import AuditEntry
from deskside.directory import imports, services
from deskside.directory.exceptions import BadFile

HEADER = "email,full_name,phone,mobile,client,site,org_admin,vip\n"


def csv(*lines: str, header: str = HEADER) -> bytes:
    return (header + "\n".join(lines) + "\n").encode()


@pytest.fixture
def directory(acme, acme_hq, globex, globex_site, carol, dave, alice):
    return None


def test_the_dry_run_says_what_each_row_will_do_and_changes_nothing(alice, directory):
    data = csv(
        "new@acme.example,New Person,617-555-0100,,acme,HQ,no,yes",
        "carol@acme.example,Carol C. Customer,,,Acme Corp,,,",
        "dave@globex.example,Dave Other,,,globex,,,",
        "broken-address,X,,,acme,,,",
        "new@acme.example,Again,,,acme,,,",
        "someone@acme.example,,,,nowhere,,,",
        "other@acme.example,,,,acme,Berlin office,,",
        "alice@msp.example,,,,acme,,,",
        "flag@acme.example,,,,acme,,maybe,",
        "phone@acme.example,,call me,,acme,,,",
        "long@acme.example,,,,acme,,,,extra",
    )
    before = User.objects.count()
    plan = services.import_contacts(actor=alice, data=data, dry_run=True)
    assert User.objects.count() == before and not plan.applied
    shown = {row.line: row.shown for row in plan.rows}
    assert shown[2] == "will create"
    assert shown[3] == "will update (full name)"
    assert shown[4] == "no change"
    assert shown[5] == "error: 'broken-address' is not a valid email address"
    assert shown[6] == "error: duplicate of line 2"
    assert shown[7] == "error: no client 'nowhere' among the clients you serve"
    assert shown[8] == "error: 'Berlin office' is not a site of Acme Corp"
    assert shown[9] == "error: this address belongs to an agent"
    assert shown[10] == "error: org admin must be yes or no, not 'maybe'"
    assert shown[11] == "error: phone 'call me' is not a phone number"
    assert shown[12] == "error: 9 cells but the header has 8"
    assert (plan.created, plan.updated, plan.unchanged, plan.errors) == (1, 1, 1, 8)
    # every data row is reported: nothing is dropped
    assert [row.line for row in plan.rows] == list(range(2, 13))


def test_applying_imports_the_valid_rows_in_one_go_and_reports_the_rest(alice, directory):
    data = csv(
        "new@acme.example,New Person,617-555-0100,+44 7700 900123,acme,hq,no,yes",
        "carol@acme.example,,,,acme,,yes,",
        "bad,,,,acme,,,",
    )
    plan = services.import_contacts(actor=alice, data=data)
    assert plan.applied and (plan.created, plan.updated, plan.errors) == (1, 1, 1)
    new = User.objects.get(email="new@acme.example")
    assert new.full_name == "New Person" and new.site.name == "HQ" and new.is_vip
    assert new.phone_e164 == "+16175550100" and new.mobile_e164 == "+447700900123"
    assert new.kind == User.Kind.CUSTOMER and not new.has_usable_password()
    assert new.timezone == "America/New_York"
    carol = User.objects.get(email="carol@acme.example")
    assert carol.is_org_admin and carol.full_name == "Carol Customer"  # empty cell: unchanged
    entry = AuditEntry.objects.get(object_type="directory.contacts")
    assert entry.actor == alice and entry.action == "imported"
    assert entry.after == {
        "created": ["new@acme.example"],
        "updated": ["carol@acme.example"],
        "errors": 1,
    }


def test_an_imported_contact_is_found_by_caller_look_up(alice, directory):
    # bulk_create skips User.save(): the import derives the look-up columns itself.
    data = csv("zoe@acme.example,Zoë Quartermaine,617-555-0199,,acme,hq,no,no")
    services.import_contacts(actor=alice, data=data)
    zoe = User.objects.get(email="zoe@acme.example")
    assert callers_matching(alice, "quarter") == [zoe]
    assert callers_matching(alice, "zoe") == [zoe]
    assert callers_matching(alice, "(617) 555-0199") == [zoe]


def test_an_agent_limited_to_acme_cannot_import_into_globex(lim, directory):
    data = csv("x@globex.example,,,,globex,,,", "dave@globex.example,Dave,,,acme,,,")
    plan = services.import_contacts(actor=lim, data=data)
    assert plan.rows[0].message == "no client 'globex' among the clients you serve"
    assert plan.rows[1].message == "this address belongs to a contact of another client"
    assert plan.created == 0 and not User.objects.filter(email="x@globex.example").exists()


def test_semicolons_a_bom_and_other_header_spellings(alice, directory):
    text = (
        "\ufeffE-mail;Name;Client slug or name;Site Name;VIP;Notes\n"
        "semi@acme.example;Semi;acme;HQ;y;ignored\n"
    )
    plan = services.import_contacts(actor=alice, data=text.encode(), dry_run=True)
    assert plan.ignored == ["Notes"]
    assert plan.rows[0].action == imports.CREATE
    assert plan.rows[0].values["is_vip"] is True


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("email,client\né@acme.example,acme\n".encode("latin-1"), "not UTF-8"),
        (b"full_name,phone\nX,123\n", "no email or client column"),
        (b"email,full_name\nx@acme.example,X\n", "no client column"),
        (b"", "empty"),
        (b"email,client\n\x00,acme\n", "NUL"),
    ],
)
def test_a_file_that_cannot_be_read_imports_nothing(alice, directory, data, message):
    with pytest.raises(BadFile) as bad:
        services.import_contacts(actor=alice, data=data)
    assert message in bad.value.message and bad.value.field == "file"


def test_too_many_rows(alice, directory, monkeypatch):
    monkeypatch.setattr(imports, "MAX_ROWS", 3)
    with pytest.raises(BadFile) as bad:
        services.import_contacts(
            actor=alice, data=csv(*[f"p{i}@acme.example,,,,acme,,," for i in range(4)])
        )
    assert "more than 3 rows" in bad.value.message


def test_two_thousand_rows(alice, directory):
    rows = [
        f"person{i}@acme.example,Person {i},+1 617 555 {i:04d},,acme,HQ,,"
        + ("yes" if i % 10 == 0 else "")
        for i in range(2000)
    ]
    rows[1500] = "person1@acme.example,Dupe,,,acme,,,"
    plan = services.import_contacts(actor=alice, data=csv(*rows))
    assert (plan.created, plan.errors) == (1999, 1)
    assert plan.rows[1500].message == "duplicate of line 3"
    assert (
        User.objects.filter(email__startswith="person", organization__slug="acme").count() == 1999
    )
    assert User.objects.filter(email__startswith="person", is_vip=True).count() == 199
    assert User.objects.get(email="person42@acme.example").phone_e164 == "+16175550042"
    # importing the same file again changes nothing
    again = services.import_contacts(actor=alice, data=csv(*rows), dry_run=True)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1999)


def test_the_error_rows_as_csv(alice, directory):
    plan = services.import_contacts(actor=alice, data=csv("bad,X,,,acme,,,"), dry_run=True)
    out = plan.errors_csv()
    assert out.splitlines()[0].rstrip() == HEADER.strip() + ",error"
    assert "line 2: 'bad' is not a valid email address" in out


def test_the_command_line(directory, tmp_path, capsys):
    path = tmp_path / "contacts.csv"
    path.write_bytes(csv("cli@acme.example,Cli,,,acme,,,", "bad,,,,acme,,,"))
    with pytest.raises(SystemExit) as exited:
        main(["import-contacts", str(path), "--dry-run", "--quiet"])
    assert exited.value.code == 1
    out, err = capsys.readouterr()
    assert "1 would be created, 0 updated, 0 unchanged, 1 refused" in out
    assert f"{path}:3: bad: 'bad' is not a valid email address" in err
    assert not User.objects.filter(email="cli@acme.example").exists()
    with pytest.raises(SystemExit):
        main(["import-contacts", str(path), "--as", "alice@msp.example"])
    out, err = capsys.readouterr()
    assert "1 were created" in out and "importing: 1/1 rows" in err
    assert User.objects.filter(email="cli@acme.example").exists()
    path.write_bytes(b"name\nX\n")
    assert main(["import-contacts", str(path)]) == 2
    assert "no email or client column" in capsys.readouterr().err


def test_an_address_taken_between_the_check_and_the_write_imports_nothing(
    alice, directory, monkeypatch
):
    from deskside.directory.exceptions import Conflict  # noqa: PLC0415

    real_plan = imports.plan

    def plan_then_someone_adds(actor, data):
        made = real_plan(actor, data)
        User.objects.create_user(
            "late@acme.example", organization=made.rows[0].values["organization"]
        )
        return made

    monkeypatch.setattr(imports, "plan", plan_then_someone_adds)
    with pytest.raises(Conflict):
        services.import_contacts(
            actor=alice, data=csv("early@acme.example,,,,acme,,,", "late@acme.example,,,,acme,,,")
        )
    assert not User.objects.filter(email="early@acme.example").exists()
