"""The accent and punctuation folding PostgreSQL's full-text indexes share (SQLite's FTS5 tokenizer folds by itself).

`itsm_fold` is IMMUTABLE (unaccent with its dictionary named), so stored generated columns may use it."""

from django.db import migrations

from itsm.fulltext import PG_FOLD_FUNCTION, PG_FOLD_FUNCTION_REVERSE, vendor_sql


class Migration(migrations.Migration):
    dependencies = []

    operations = [
        vendor_sql({"postgresql": [PG_FOLD_FUNCTION]}, {"postgresql": [PG_FOLD_FUNCTION_REVERSE]}),
    ]
