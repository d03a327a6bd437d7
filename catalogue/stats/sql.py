"""Statistics answered by SQL over the catalogue itself (SQLite or PostgreSQL): the system
of record, so always current and able to group by anything the documents hold, regions
included. One statement reads each matching document once (a materialised CTE) and returns
the joint distribution of the groups and the measured values; Python adds it up."""

from __future__ import annotations

from sqlalchemy import text

from catalogue.search.query import Filters
from catalogue.stats.json_sql import json_sql_for
from catalogue.stats.offering_sql import OFFERINGS, OfferingSql, Params, catalogue_conditions
from catalogue.stats.query import MULTI_VALUED, Dimension, Grouped, Metric
from catalogue.stats.source import StatsSource
from catalogue.stats.summary import grouped_from_rows
from catalogue.store import Catalogue


class CatalogueStats(StatsSource):
    name = "catalogue"

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        self.json = json_sql_for(catalogue.engine.dialect.name)

    def grouped(
        self, filters: Filters, group_by: tuple[Dimension, ...], metrics: tuple[Metric, ...]
    ) -> Grouped:
        params = Params()
        offering = OfferingSql(self.json)
        where = " AND ".join(catalogue_conditions(offering, filters, params))
        # Inside the CTE the document is b.doc; a second reader names it so.
        in_base = OfferingSql(self.json, doc="b.doc", provider="b.provider_id", alias_prefix="v")
        columns = ["o.id AS id", "o.provider_id AS provider_id", "o.document AS doc"]
        group_columns, ctes, joins = [], [], []
        for position, dimension in enumerate(group_by):
            if dimension in MULTI_VALUED:
                # DISTINCT: two detailed codes of one narrow field count the offering once.
                parts = [
                    f"SELECT DISTINCT b.id AS id, {value} AS value FROM base b"
                    f"{', ' + from_ if from_ else ''} WHERE {condition} AND {value} IS NOT NULL"
                    for from_, value, condition in in_base.dimension_values(dimension)
                ]
                ctes.append(f"g{position} AS ({' UNION '.join(parts)})")
                joins.append(f"LEFT JOIN g{position} ON g{position}.id = b.id")
                group_columns.append(f"g{position}.value")
            else:
                columns.append(f"{offering.single_dimension(dimension)} AS g{position}")
                group_columns.append(f"b.g{position}")
        metric_columns = []
        for position, metric in enumerate(metrics):
            columns.append(f"{offering.metric(metric)} AS m{position}")
            metric_columns.append(f"b.m{position}")
        selected = group_columns + metric_columns
        sql = (
            f"WITH base AS MATERIALIZED (SELECT {', '.join(columns)} FROM {OFFERINGS} o "
            f"WHERE {where})"
            + "".join(f", {cte}" for cte in ctes)
            + f" SELECT {', '.join(selected + ['count(*)'])} FROM base b {' '.join(joins)}"
            + (f" GROUP BY {', '.join(selected)}" if selected else "")
        )
        with self.catalogue.engine.connect() as conn:
            rows = conn.execute(text(sql), params.values).all()
            total = None
            if any(d in MULTI_VALUED for d in group_by):
                total_params = Params()
                total_where = " AND ".join(
                    catalogue_conditions(OfferingSql(self.json), filters, total_params)
                )
                total = conn.execute(
                    text(f"SELECT count(*) FROM {OFFERINGS} o WHERE {total_where}"),
                    total_params.values,
                ).scalar_one()
        return grouped_from_rows(rows, group_by, metrics, total)
