"""The custody chain: every custody record is an entry of one hash chain."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    DateTime,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base

# -- custody chain (issue 17): every custody record is an entry of one hash chain -------------------------------


class CustodyEntry(Base):
    """One link of the custody chain: ``hash`` = SHA-256 of the previous hash, a newline and ``body``.

    ``body`` is the canonical JSON that was hashed (kind, subject, actor, time and the record's facts); the
    other columns repeat parts of it for queries and are checked against it. See store/custody.py.
    """

    __tablename__ = "custody_chain"
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(DateTime)
    kind: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(255))
    body: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    __table_args__ = (Index("ix_custody_chain_subject", "kind", "subject"),)


class CustodyHead(Base):
    """The chain's newest link, in one row: appenders lock it, so entries never fork or interleave."""

    __tablename__ = "custody_head"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[str] = mapped_column(String(64))


class CustodyPending(Base):
    """A custody record committed with what it describes but not chained yet (an agent's push).

    Pushes insert here instead of locking the head; a linker chains these in ``id`` order and deletes them in
    one short transaction (store/custody.py ``link_pending``). Until then they are reported as pending, never
    as verified.
    """

    __tablename__ = "custody_pending"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime)
    kind: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(255))
    actor: Mapped[str] = mapped_column(Text)
    data: Mapped[str] = mapped_column(Text)  # the canonical JSON of the entry's facts
