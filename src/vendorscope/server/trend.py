"""Exposure over time: for each day evidence was collected, how many hosts had the vendor's products.

A finding counts on a day when it was first seen by then and was still seen (or is still present) that
day; coverage counts the hosts examined by then. Withdrawn findings (a catalog correction) never count.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection, select

from vendorscope.findings.query import HostFilter
from vendorscope.findings.status import WITHDRAWN
from vendorscope.store.tables import Examination, Finding


@dataclass(frozen=True)
class TrendPoint:
    day: date
    examined_that_day: int
    examined_by_then: int
    affected: int  # hosts with a finding of the vendor on that day
    installed: int  # of which with the software installed (not only seen on the network)


def trend(conn: Connection, hosts: HostFilter, vendor: str | None = None) -> list[TrendPoint]:
    """One point per collection day, oldest first."""
    exams = select(Examination.host_id, Examination.examined_at).where(Examination.examined_at.is_not(None))
    found = select(Finding.host_id, Finding.kind, Finding.first_seen, Finding.last_seen, Finding.present).where(
        Finding.status != WITHDRAWN, Finding.first_seen.is_not(None)
    )
    if hosts is not None:
        exams = exams.where(Examination.host_id.in_(hosts))
        found = found.where(Finding.host_id.in_(hosts))
    if vendor:
        found = found.where(Finding.vendor == vendor)
    first_exam: dict[int, date] = {}
    per_day: dict[date, set[int]] = {}
    for host_id, when in conn.execute(exams):
        day = when.date()
        per_day.setdefault(day, set()).add(host_id)
        first_exam[host_id] = min(day, first_exam.get(host_id, day))
    findings = [(h, k, f.date(), ls.date() if ls else None, p) for h, k, f, ls, p in conn.execute(found)]
    points = []
    for day in sorted(per_day):
        on = {(h, k) for h, k, first, last, present in findings if first <= day and (present or (last and last >= day))}
        points.append(
            TrendPoint(
                day=day,
                examined_that_day=len(per_day[day]),
                examined_by_then=sum(1 for d in first_exam.values() if d <= day),
                affected=len({h for h, _ in on}),
                installed=len({h for h, k in on if k != "network"}),
            )
        )
    return points
