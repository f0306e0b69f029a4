"""PostgreSQL backend that creates test databases with a UTF-8 C.UTF-8 locale.

Django's own backend can set ENCODING and TEMPLATE for a test database but refuses a collation.
Japanese text must index and sort the same on every machine, whatever the server's default locale,
so test databases are created from template0 with LC_COLLATE/LC_CTYPE 'C.UTF-8'. Everything else is
Django's backend unchanged.
"""

from django.db.backends.postgresql import base, creation

TEST_DATABASE_LOCALE = "C.UTF-8"


class DatabaseCreation(creation.DatabaseCreation):
    def sql_table_creation_suffix(self):
        suffix = super().sql_table_creation_suffix()
        return f"{suffix} LC_COLLATE '{TEST_DATABASE_LOCALE}' LC_CTYPE '{TEST_DATABASE_LOCALE}'"


class DatabaseWrapper(base.DatabaseWrapper):
    creation_class = DatabaseCreation
