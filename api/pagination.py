"""flask-smorest pagination over SQLAlchemy select statements: one count and one page query."""

from __future__ import annotations

from flask_smorest import Page
from sqlalchemy import func, select

from models import db


class SelectPage(Page):
    @property
    def items(self):
        params = self.page_params
        return db.session.scalars(
            self.collection.limit(params.page_size).offset(params.first_item)
        ).all()

    @property
    def item_count(self) -> int:
        counted = self.collection.order_by(None).subquery()
        return db.session.scalar(select(func.count()).select_from(counted)) or 0
