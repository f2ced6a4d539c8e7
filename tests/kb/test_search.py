"""`SearchIndex.ranked` (core.search) through the articles' index, on either database: any of
the words matches, title matches rank first, the last word matches as a prefix, stop words
and punctuation are ignored, and the viewer's queryset still decides what comes back."""

from deskside.kb.models import ARTICLE_SEARCH, Article
from deskside.kb.queries import TITLE_WEIGHT


def ranked(text, qs=None):
    qs = Article.objects.all() if qs is None else qs
    found = ARTICLE_SEARCH.ranked(qs, text, include_internal=True, public_weight=TITLE_WEIGHT)
    return [a.title for a in found]


def test_any_word_title_first(articles):
    got = ranked("outlook password")
    assert got[0] == "Outlook keeps asking for password"
    assert set(got) == {
        "Outlook keeps asking for password",
        "Reset your password",
        "Printer driver password prompt",
    }
    assert "Acme VPN: connecting" in ranked("forticlient zebra")  # one word of two is enough


def test_prefix_stop_words_and_punctuation(articles):
    assert ranked("outl") == ["Outlook keeps asking for password"]
    assert ranked("the and of") == []
    assert ranked("'\"*:() _ -") == []
    assert ranked("credential's") == ["Outlook keeps asking for password"]
    assert ranked("² ǅx printer") == ["Printer driver password prompt"]


def test_the_queryset_still_decides(articles, acme):
    assert ranked("vpn", Article.objects.filter(organization=acme)) == [
        "Acme VPN: connecting",
        "Acme: whom to call at night",
    ]


def test_public_column_only(articles):
    found = ARTICLE_SEARCH.ranked(Article.objects.all(), "credential", include_internal=False)
    assert list(found) == []  # the word is only in a body
