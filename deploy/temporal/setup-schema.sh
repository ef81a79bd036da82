#!/bin/sh
# Runs in temporalio/admin-tools (docker-compose.yml, service temporal-schema). Creates the two Temporal
# databases when missing and brings both schemas up to the version this admin-tools image ships, which is
# the server version: every step is idempotent, so the same job upgrades the schema after a version bump.
# Connection settings come from SQL_PLUGIN, SQL_HOST, SQL_PORT, SQL_USER and SQL_PASSWORD; the database
# names from DBNAME and VISIBILITY_DBNAME, as for the server image.
set -eu

schema_dir=${TEMPORAL_SCHEMA_DIR:-/etc/temporal/schema}/postgresql/v12

for pair in "${DBNAME:-temporal}:temporal" "${VISIBILITY_DBNAME:-temporal_visibility}:visibility"; do
  db=${pair%%:*}
  schema=${pair##*:}
  # CREATE DATABASE has no IF NOT EXISTS here: a failure is expected when the database already exists, and
  # any other cause (wrong password, server down) makes setup-schema below fail with the real error.
  if temporal-sql-tool --db "$db" create-database >/dev/null 2>&1; then
    echo "created database $db"
  else
    echo "database $db not created (it probably exists); continuing"
  fi
  # setup-schema -v 0.0 only creates the version tables and leaves a newer version untouched.
  temporal-sql-tool --db "$db" setup-schema -v 0.0
  temporal-sql-tool --db "$db" update-schema -d "$schema_dir/$schema/versioned"
done
echo "Temporal schemas are up to date"
