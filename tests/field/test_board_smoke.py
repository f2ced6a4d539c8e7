from deskside.field import board as board_reads
from tests.field.fixtures_board import *  # noqa: F403
from tests.field.fixtures_board import DAY, at


def test_smoke(alice, carol, acme, acme_north, make_tech, clear, make_visit, signed_in):
    leo = make_tech("Leo Tech")
    clear(leo, acme)
    make_visit(carol, acme_north, tech=leo, start=at(9))
    found = board_reads.board(alice, day=DAY, view="day")
    assert [len(r.blocks) for r in found.rows] == [1]
    page = signed_in(alice).get("/field/board/?day=2027-03-01")
    assert page.status_code == 200, page.content[:2000]
    page = signed_in(alice).get("/field/board/?day=2027-03-01&view=week")
    assert page.status_code == 200
