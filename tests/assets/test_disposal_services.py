"""Certified disposal (deskside.assets.services.disposal): a batch disposes of its retired
assets in one transaction with their timeline events and the certificate's SHA-256; every
refusal leaves nothing behind (no batch, no file, no asset changed); a disposed asset and a
batch never change afterwards."""

import errno
import hashlib
from datetime import UTC, date, datetime

import pytest

from deskside.assets.exceptions import InvalidInput, NotAllowed
from deskside.assets.models import Asset, AssetEvent, DisposalBatch, DisposedAssetError
from deskside.assets.services import disposal
from deskside.core import clock, files
from deskside.core.models import AuditEntry
from tests.assets.fixtures_disposal import *  # noqa: F403
from tests.assets.fixtures_disposal import PDF, PNG, certificate, import_assets, make_batch

pytestmark = pytest.mark.usefixtures("media", "frozen")


def _files(media):
    return sorted(p for p in media.rglob("*") if p.is_file()) if media.exists() else []


def test_a_batch_disposes_of_its_assets(acme, alice, acme_retired, media):
    laptops = acme_retired[:4]
    batch = make_batch(acme, laptops, actor=alice, notes="Van pick-up")
    assert batch.company == "GreenCycle IT Recycling Ltd" and batch.method == "purge"
    assert batch.certificate_sha256 == hashlib.sha256(PDF).hexdigest()
    assert batch.certificate_size == len(PDF)
    assert batch.certificate_content_type == "application/pdf"
    assert batch.certificate_filename == "certificate.pdf"
    assert batch.certificate.read() == PDF
    for asset in Asset.objects.filter(pk__in=[a.pk for a in laptops]):
        assert asset.status == "disposed" and asset.disposal_batch == batch
        event = AssetEvent.objects.filter(asset=asset).last()
        assert event.kind == "disposed" and event.actor == alice
        assert event.data["certificate_number"] == "GC-2026-0412"
        assert event.data["method"] == "purge" and event.data["batch"] == batch.public_id
        assert "GreenCycle IT Recycling Ltd" in event.body
    assert Asset.objects.get(asset_tag="AC-L5").status == "deployed"
    assert AuditEntry.objects.filter(object_id=batch.public_id).exists()


def test_only_retired_assets_of_that_client(
    acme, globex, alice, acme_retired, globex_retired, media
):
    deployed = acme_retired[4]
    with pytest.raises(InvalidInput) as not_retired:
        make_batch(acme, [acme_retired[0], deployed], actor=alice)
    assert not_retired.value.field == "assets" and "(deployed)" in not_retired.value.message
    with pytest.raises(InvalidInput) as other_client:
        make_batch(acme, [acme_retired[0], globex_retired], actor=alice)
    assert other_client.value.field == "assets"
    assert globex_retired.public_id in other_client.value.message
    with pytest.raises(InvalidInput, match="at least one"):
        make_batch(acme, [], actor=alice)
    assert not DisposalBatch.objects.exists() and _files(media) == []
    assert Asset.objects.get(pk=acme_retired[0].pk).status == "retired"


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"company": " "}, "company", "company is required"),
        ({"certificate_number": ""}, "certificate_number", "is required"),
        ({"method": "shred"}, "method", "NIST SP 800-88"),
        ({"handed_over_on": date(2099, 1, 1)}, "handed_over_on", "in the future"),
        ({"certificate": None}, "certificate", "is required"),
        (
            {"certificate": certificate(b"<html>hi</html>", "x.pdf")},
            "certificate",
            "PDF or an image",
        ),
        ({"certificate": certificate(b"", "x.pdf")}, "certificate", "empty"),
    ],
)
def test_bad_values_name_their_field(acme, alice, acme_retired, media, change, field, message):
    with pytest.raises(InvalidInput) as refused:
        make_batch(acme, acme_retired[:1], actor=alice, **change)
    assert refused.value.field == field and message in refused.value.message
    assert not DisposalBatch.objects.exists() and _files(media) == []


def test_images_are_certificates_too_and_size_is_limited(acme, alice, acme_retired, settings):
    batch = make_batch(acme, acme_retired[:1], actor=alice, certificate=certificate(PNG, "c.png"))
    assert batch.certificate_content_type == "image/png"
    settings.DESKSIDE_MAX_ATTACHMENT_BYTES = 10
    with pytest.raises(InvalidInput, match="the limit is"):
        make_batch(acme, acme_retired[1:2], actor=alice, number="GC-2")


def test_a_certificate_number_is_recorded_once_per_company(acme, alice, acme_retired, media):
    make_batch(acme, acme_retired[:1], actor=alice)
    with pytest.raises(InvalidInput) as again:
        make_batch(acme, acme_retired[1:2], actor=alice)
    assert again.value.field == "certificate_number"
    assert len(_files(media)) == 1
    make_batch(acme, acme_retired[1:2], actor=alice, company="Other Recycler")


def test_who_may_record_a_batch(acme, globex, lim, olivia, globex_retired, acme_retired):
    with pytest.raises(NotAllowed):
        make_batch(globex, [globex_retired], actor=lim)
    with pytest.raises(NotAllowed):
        make_batch(acme, acme_retired[:1], actor=olivia)  # organisation admins only read
    assert make_batch(acme, acme_retired[:1], actor=lim).assets.count() == 1


def test_the_hand_over_date_is_the_clients_today(acme, alice, acme_retired):
    # 03:00 UTC on 1 December is still 30 November in New York: 1 December is the future there.
    with clock.frozen(datetime(2026, 12, 1, 3, 0, tzinfo=UTC)):
        with pytest.raises(InvalidInput, match="in the future"):
            make_batch(acme, acme_retired[:1], actor=alice, handed_over_on=date(2026, 12, 1))
        make_batch(acme, acme_retired[:1], actor=alice, handed_over_on=date(2026, 11, 30))


def test_an_asset_changed_meanwhile_refuses_the_whole_batch(
    acme, alice, acme_retired, media, monkeypatch
):
    real_save = DisposalBatch.save

    def save_then_someone_changes_an_asset(self, *args, **kwargs):
        real_save(self, *args, **kwargs)
        Asset.objects.filter(pk=acme_retired[1].pk).update(status="in_stock")

    monkeypatch.setattr(DisposalBatch, "save", save_then_someone_changes_an_asset)
    with pytest.raises(disposal.ChangedMeanwhile) as refused:
        make_batch(acme, acme_retired[:3], actor=alice)
    assert refused.value.status_code == 409
    assert not DisposalBatch.objects.exists() and _files(media) == []
    assert set(
        Asset.objects.filter(pk__in=[a.pk for a in acme_retired[:3]]).values_list(
            "status", flat=True
        )
    ) == {"retired"}


def test_a_full_disk_keeps_nothing(acme, alice, acme_retired, monkeypatch):
    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(files, "write", full)
    with pytest.raises(disposal.CertificateNotStored) as refused:
        make_batch(acme, acme_retired[:1], actor=alice)
    assert refused.value.status_code == 507
    assert not DisposalBatch.objects.exists()
    assert Asset.objects.get(pk=acme_retired[0].pk).status == "retired"


def test_a_disposed_asset_and_its_batch_never_change(acme, alice, acme_retired):
    batch = make_batch(acme, acme_retired[:1], actor=alice)
    asset = Asset.objects.get(pk=acme_retired[0].pk)
    asset.notes = "changed"
    with pytest.raises(DisposedAssetError):
        asset.save()  # the row refuses
    with pytest.raises(InvalidInput) as again:  # the services refuse: another batch ...
        make_batch(acme, [asset], actor=alice, number="GC-2")
    assert "(disposed)" in again.value.message
    plan = import_assets  # ... and the import (tests/assets/test_import_plan.py checks rows)
    assert plan is not None
    batch.notes = "edited"
    with pytest.raises(RuntimeError, match="immutable"):
        batch.save()
    event = AssetEvent.objects.filter(asset=asset).last()
    with pytest.raises(RuntimeError, match="append-only"):
        event.save()
    assert Asset.objects.get(pk=asset.pk).notes == ""
