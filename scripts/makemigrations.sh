#!/usr/bin/env bash
# Generate a migration for model changes with Tortoise's own migration engine.
# Until the first release, `--reset` rebuilds 0001_initial from the models.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = "--reset" ]; then
  find servicedesk/migrations -name '0*.py' -delete
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Tortoise compares the models with the migration history alone; the database
# URL only has to be valid.
SERVICEDESK_DATABASE_URL="sqlite://$tmp/makemigrations.sqlite3" \
  .venv/bin/tortoise -c servicedesk.tortoise_conf.TORTOISE_ORM makemigrations
