"""flask-smorest pagination over SQLAlchemy select statements: one count and one page query."""

from __future__ import annotations

from flask_smorest import Page
from sqlalchemy import func, select

from models import db

# A page past this item cannot exist; asking for it is answered with an empty page, not an
# integer overflow in the database.
MAX_OFFSET = 2**31


class SelectPage(Page):
    @property
    def items(self):
        params = self.page_params
        if params.first_item > MAX_OFFSET:
            return []
        return db.session.scalars(
            self.collection.limit(params.page_size).offset(params.first_item)
        ).all()

    @property
    def item_count(self) -> int:
        counted = self.collection.order_by(None).subquery()
        return db.session.scalar(select(func.count()).select_from(counted)) or 0


def page_rows(query, pagination_parameters) -> list:
    """Rows (not entities) of one page, with the total set for the X-Pagination header."""
    counted = query.order_by(None).subquery()
    pagination_parameters.item_count = (
        db.session.scalar(select(func.count()).select_from(counted)) or 0
    )
    if pagination_parameters.first_item > MAX_OFFSET:
        return []
    return db.session.execute(
        query.limit(pagination_parameters.page_size).offset(pagination_parameters.first_item)
    ).all()
