"""The documents answer in words (respond/plain.py), from the answer's counts: found, produced, withheld, not yet
reviewed and unreadable each said, none of them hidden behind another, "no archive" never said as "none found"."""

from __future__ import annotations

from datetime import date

from vendorscope.respond.plain import documents_paragraph
from vendorscope.respond.summary import Counts

SINCE = date(2013, 1, 1)


def test_no_archive_is_no_answer_not_none_found() -> None:
    text = documents_paragraph("Kaspersky", Counts(), SINCE)
    assert "no answer yet" in text and "not the same as finding none" in text


def test_every_count_is_said_in_words() -> None:
    counts = Counts(
        documents_searched=1204,
        documents_found=12,
        documents_produced=20,
        documents_withheld=2,
        documents_unreviewed=3,
        documents_not_examined=5,
    )
    text = documents_paragraph("Kaspersky", counts, SINCE)
    assert text.startswith(
        "A search of the 1,204 documents in the records archive found 12 document families dated on or after "
        "1 January 2013 that mention Kaspersky or its products"
    )
    assert "20 documents are produced" in text and "2 privileged documents are withheld" in text
    assert "3 families found have not been reviewed yet: whether they are responsive is not yet known" in text
    assert "5 documents or files could not be read" in text and "they are not counted as having none" in text


def test_singulars_and_nothing_marked_yet() -> None:
    counts = Counts(documents_searched=1, documents_found=1, documents_unreviewed=1, documents_not_examined=1)
    text = documents_paragraph("Huawei", counts, None)
    assert "found 1 document family of any date that mentions Huawei" in text
    assert "No document has been marked responsive yet, so none is produced." in text
    assert "1 family found has not been reviewed yet: whether it is responsive" in text
    assert "1 document or file could not be read" in text and "it is not counted as having none" in text


def test_all_reviewed_is_said() -> None:
    counts = Counts(documents_searched=10, documents_found=2, documents_produced=3)
    text = documents_paragraph("Kaspersky", counts, SINCE)
    assert "Every family found has been reviewed." in text and "could not be read" not in text
    assert "3 documents are produced (see the documents index), and no document is withheld as privileged." in text
