"""Hostile suggestions get what hostile comments get: every string of the Big List of Naughty
Strings, and Hypothesis' text, is either stored as typed and shown back to the editors escaped,
exactly, or refused with a visible message and the text still in the form. Never a 5xx."""

import itertools
from collections import Counter
from http import HTTPStatus

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from suggestions.models import Suggestion
from tests.factories import EditorFactory
from tests.reliability.test_hostile_input import (  # noqa: F401 (naughty_strings: a fixture)
    FUZZ,
    Outcomes,
    as_typed,
    naughty_strings,
    read_page,
    refused,
)
from tests.suggestions.helpers import form_data, paragraph, suggest_url
from tests.suggestions.test_queue import QUEUE

pytestmark = pytest.mark.django_db

UNLIMITED = ["100000/s"]


@pytest.fixture(autouse=True)
def _readers_without_limits(settings):
    settings.SUGGESTION_RATE_LIMITS = UNLIMITED


def reader(index: int) -> Client:
    """A reader of their own for each attempt (their own /64): no duplicate check or limit
    shared between strings."""
    return Client(REMOTE_ADDR=f"2001:db8:{index:x}::1")


def queue_proposals(article) -> list[str]:
    editor = Client()
    editor.force_login(EditorFactory(username="naughty-editor"))
    queue = editor.get(QUEUE)
    assert queue.status_code == HTTPStatus.OK
    return read_page(queue.text, "proposal__text").text_of("proposal__text")


def test_every_naughty_string_as_a_proposal_reaches_the_editors_as_typed_or_is_refused(
    article,
    naughty_strings,  # noqa: F811
):
    passage = paragraph(article, 3)
    url = suggest_url(article, passage)
    base = form_data(Client(), article, passage)
    outcomes = Outcomes("proposed wordings")
    accepted = []
    for index, text in enumerate(naughty_strings):
        response = reader(index).post(url, {**base, "proposed_text": text, "note": text})
        if response.status_code == HTTPStatus.FOUND:
            outcomes.counts["accepted"] += 1
            accepted.append((index, text))
        elif response.status_code in (HTTPStatus.BAD_REQUEST, HTTPStatus.TOO_MANY_REQUESTS):
            refused(response, {"proposed_text": text, "note": text}, outcomes, index, text)
        else:
            outcomes.fail(index, text, f"answered {response.status_code}")
    stored = list(Suggestion.objects.order_by("pk").values_list("proposed_text", "note"))
    if len(stored) != len(accepted):
        outcomes.fail("-", "", f"{len(stored)} suggestions stored for {len(accepted)} accepted")
    for (index, text), (proposed, note) in zip(accepted, stored, strict=False):
        if (proposed, note) != (as_typed(text), as_typed(text)):
            outcomes.fail(index, text, f"stored as {proposed!r}, {note!r}")
    outcomes.check(len(naughty_strings))
    assert outcomes.counts["accepted"] > len(naughty_strings) * 0.9

    # Each distinct proposal once in the queue, reading exactly as stored.
    assert Counter(queue_proposals(article)) == Counter({text for text, _note in stored})


_readers = itertools.count(1)


@pytest.fixture
def hypothesis_article(article):
    return article, paragraph(article, 3), form_data(Client(), article, paragraph(article, 3))


@hypothesis_settings(FUZZ, max_examples=60)
@given(
    proposed=st.text(max_size=300),
    note=st.one_of(st.just(""), st.text(max_size=600)),
    original=st.one_of(st.just(""), st.text(max_size=50)),
)
def test_any_suggestion_is_stored_as_typed_or_refused_with_the_text_kept(
    hypothesis_article, proposed, note, original
):
    article, passage, base = hypothesis_article
    index = next(_readers)
    fields = {"proposed_text": proposed, "note": note, "original_text": original}
    before = Suggestion.objects.count()

    response = reader(index).post(suggest_url(article, passage), {**base, **fields})

    assert response.status_code < 500
    if response.status_code == HTTPStatus.FOUND:
        stored = Suggestion.objects.latest("pk")
        assert stored.proposed_text == as_typed(proposed)
        assert stored.note == as_typed(note)
        assert stored.original_text == as_typed(original)
        assert as_typed(proposed) in queue_proposals(article)
    else:
        assert response.status_code in (HTTPStatus.BAD_REQUEST, HTTPStatus.FORBIDDEN)
        outcomes = Outcomes("hypothesis")
        refused(response, fields, outcomes, index, proposed)
        assert not outcomes.failures, outcomes.failures
        assert Suggestion.objects.count() == before
