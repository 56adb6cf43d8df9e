"""Django's SQLite backend, keeping the database and its WAL private to the server's user."""
