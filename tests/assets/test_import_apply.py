"""Applying an asset import (deskside.assets.services.imports): all rows in one transaction or
nothing, the timeline events and audit entry, who may import, and the command line."""

from datetime import UTC, datetime, timedelta

import pytest

from deskside import cli
from deskside.assets import imports
from deskside.assets.exceptions import InvalidInput, NotAllowed
from deskside.assets.models import Asset, AssetEvent
from deskside.assets.services import assets as asset_services
from deskside.assets.services import imports as services
from deskside.core import clock
from deskside.core.models import AuditEntry
from tests.assets.fixtures_disposal import *  # noqa: F403
from tests.assets.fixtures_disposal import csv_bytes, import_assets

NOW = datetime(2026, 12, 9, 15, 0, tzinfo=UTC)


def test_an_import_creates_updates_and_writes_the_timeline(acme, acme_hq, carol, alice):
    import_assets(acme, "laptop,lt-1,Dell,Latitude,SN1,T-1,deployed,,HQ,2020-01-01,")
    seen = []
    plan = services.import_assets(
        actor=alice,
        organization=acme,
        data=csv_bytes(
            "laptop,lt-1,,,SN1,T-1,in repair,carol@acme.example,,,",
            "monitor,mon-2,Dell,P2419,SN2,T-2,,,HQ,2024-05-01,2027-05-01",
        ),
        filename="acme.csv",
        progress=lambda done, total: seen.append((done, total)),
    )
    assert plan.applied and (plan.created, plan.updated) == (1, 1)
    assert seen[-1] == (2, 2)
    updated = Asset.objects.get(asset_tag="T-1")
    assert updated.status == "in_repair" and updated.assigned_to == carol
    assert updated.site == acme_hq  # an empty cell leaves the value
    created = Asset.objects.get(asset_tag="T-2")
    assert created.kind == "monitor" and created.warranty_end.isoformat() == "2027-05-01"
    assert created.status == "in_stock"
    change = AssetEvent.objects.filter(asset=updated).last()
    assert change.kind == "imported" and change.actor == alice
    assert change.data["action"] == "updated" and change.data["line"] == 2
    assert change.data["changes"]["status"] == ["deployed", "in_repair"]
    assert change.data["changes"]["assigned_to"][1]["id"] == carol.public_id
    new = AssetEvent.objects.get(asset=created)
    assert new.data["values"]["warranty_end"] == "2027-05-01"
    assert "acme.csv (line 3)" in new.body
    entry = AuditEntry.objects.filter(object_type="assets.asset").last()
    assert entry.action == "imported" and "1 created, 1 updated" in entry.object_label


def test_a_file_with_one_row_in_error_imports_nothing(acme):
    import_assets(acme, "laptop,,,,SN1,T-1,deployed,,,,")
    data = csv_bytes(
        "laptop,,,,SN1,T-1,retired,,,,",
        *(f"laptop,,,,N{i},N-{i},,,,," for i in range(50)),
        "laptop,,,,SNX,T-X,,,,31/12/2025,",
    )
    with pytest.raises(services.RowErrors) as refused:
        services.import_assets(actor=None, organization=acme, data=data)
    assert refused.value.status_code == 422 and refused.value.plan.errors == 1
    assert "nothing was imported" in refused.value.message
    assert Asset.objects.filter(organization=acme).count() == 1
    assert Asset.objects.get(asset_tag="T-1").status == "deployed"
    # a dry run says the same without raising
    plan = services.import_assets(actor=None, organization=acme, data=data, dry_run=True)
    assert (plan.created, plan.updated, plan.errors, plan.applied) == (50, 1, 1, False)


def test_who_may_import(acme, globex, lim, carol, msp):
    data = csv_bytes("laptop,,,,SN1,T-1,,,,,")
    with pytest.raises(NotAllowed):
        services.import_assets(actor=lim, organization=globex, data=data, dry_run=True)
    with pytest.raises(NotAllowed):
        services.import_assets(actor=carol, organization=acme, data=data, dry_run=True)
    with pytest.raises(InvalidInput) as msp_refused:
        services.import_assets(actor=None, organization=msp, data=data)
    assert msp_refused.value.field == "client"
    assert services.import_assets(actor=lim, organization=acme, data=data).created == 1


def test_an_asset_changed_between_check_and_write_refuses_all(acme, monkeypatch):
    import_assets(acme, "laptop,,,,SN1,T-1,deployed,,,,")
    real_plan = imports.plan

    def plan_then_change(organization, data):
        found = real_plan(organization, data)
        Asset.objects.filter(asset_tag="T-1").update(status="retired")  # someone else, meanwhile
        return found

    monkeypatch.setattr(imports, "plan", plan_then_change)
    with pytest.raises(services.ChangedMeanwhile):
        services.import_assets(
            actor=None,
            organization=acme,
            data=csv_bytes("laptop,,,,SN1,T-1,in repair,,,,", "laptop,,,,SN2,T-2,,,,,"),
        )
    assert not Asset.objects.filter(asset_tag="T-2").exists()


def test_an_agents_edit_between_check_and_write_is_not_overwritten(acme, alice, monkeypatch):
    with clock.frozen(NOW):
        import_assets(acme, "laptop,Old name,,,SN1,T-1,deployed,,,,")
    real_plan = imports.plan

    def plan_then_edit(organization, data):
        found = real_plan(organization, data)
        with clock.frozen(NOW + timedelta(minutes=1)):  # an agent renames it, status unchanged
            asset_services.update_asset(
                alice, asset=Asset.objects.get(asset_tag="T-1"), changes={"make": "Lenovo"}
            )
        return found

    monkeypatch.setattr(imports, "plan", plan_then_edit)
    with clock.frozen(NOW + timedelta(minutes=2)), pytest.raises(services.ChangedMeanwhile) as no:
        services.import_assets(
            actor=None,
            organization=acme,
            data=csv_bytes("laptop,New name,Dell,,SN1,T-1,deployed,,,,", "laptop,,,,SN2,T-2,,,,,"),
        )
    assert no.value.field == "file" and "changed by someone else meanwhile" in no.value.message
    # nothing of the file was written (the edit, made here inside the import's transaction,
    # rolls back with it; an agent's own transaction would have committed it)
    assert Asset.objects.get(asset_tag="T-1").name == "Old name"
    assert not Asset.objects.filter(asset_tag="T-2").exists()


# -- the command line ------------------------------------------------------------------------


def _csv(tmp_path, *rows):
    path = tmp_path / "assets.csv"
    path.write_bytes(csv_bytes(*rows))
    return str(path)


def test_cli_imports_and_reports(acme, tmp_path, capsys):
    path = _csv(tmp_path, "laptop,,,,SN1,T-1,,,,,", "laptop,,,,SN2,T-2,,,,,")
    assert cli.main(["assets", "import", "--client", "acme", path, "--dry-run"]) == 0
    assert "2 would be created" in capsys.readouterr().out
    assert not Asset.objects.exists()
    assert cli.main(["assets", "import", "--client", "acme", path]) == 0
    captured = capsys.readouterr()
    assert "acme: 2 were created, 0 updated" in captured.out
    assert "importing: 2/2 rows" in captured.err
    assert Asset.objects.filter(organization=acme).count() == 2


def test_cli_row_errors_and_bad_input(acme, tmp_path, capsys):
    path = _csv(tmp_path, "laptop,,,,SN1,T-1,,,,,", "toaster,,,,SN2,T-2,,,,,")
    with pytest.raises(SystemExit) as dry:
        cli.main(["assets", "import", "--client", "acme", path, "--dry-run"])
    assert dry.value.code == 1  # a dry run with rows in error: reported, not refused
    assert f"{path}:3: T-2: unknown kind 'toaster'" in capsys.readouterr().err
    assert cli.main(["assets", "import", "--client", "acme", path]) == 2
    err = capsys.readouterr().err
    assert "1 row with errors: nothing was imported" in err and "unknown kind" in err
    assert not Asset.objects.exists()
    assert cli.main(["assets", "import", "--client", "nope", path]) == 2
    assert "no client with slug 'nope'" in capsys.readouterr().err
    assert cli.main(["assets", "import", "--client", "acme", str(tmp_path / "missing.csv")]) == 2
    assert "cannot read" in capsys.readouterr().err
    (tmp_path / "bad.csv").write_bytes(b"name\nx\n")
    assert cli.main(["assets", "import", "--client", "acme", str(tmp_path / "bad.csv")]) == 2
    assert "no asset_tag or serial column" in capsys.readouterr().err
    assert cli.main(["assets", "import", "--client", "acme", path, "--as", "x@y.z"]) == 2
    assert "no active user" in capsys.readouterr().err
