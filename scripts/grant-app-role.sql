-- Let the application's database role read and write rows, and nothing more.
--
-- The tables belong to the owner role, which runs the migrations. The app's role gets SELECT,
-- INSERT, UPDATE and DELETE on the tables and the use of their sequences. It cannot TRUNCATE, alter
-- or drop a table, or disable or drop a trigger (only the owner can), so the triggers that keep the
-- progress timeline, issued Cabinet reports and published decision records final hold against it.
--
-- Run it as the owner role, in the app's database, naming the app's role (which must exist):
--
--   psql "postgres://laming_owner@db.example.org:5432/laming" -v app_role=laming_app \
--        -f scripts/grant-app-role.sql
--
-- The default privileges cover the tables and sequences later migrations create, as long as the
-- owner role runs them. Running the script again is harmless; run it after restoring a backup.

\set ON_ERROR_STOP on
\if :{?app_role}
\else
DO $$ BEGIN RAISE EXCEPTION 'Name the application''s role: psql -v app_role=NAME -f grant-app-role.sql'; END $$;
\endif

BEGIN;

GRANT USAGE ON SCHEMA public TO :"app_role";
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO :"app_role";
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO :"app_role";

-- Tables and sequences the owner creates from now on (new migrations) get the same.
ALTER DEFAULT PRIVILEGES IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO :"app_role";
ALTER DEFAULT PRIVILEGES IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO :"app_role";

-- PostgreSQL 15 and later already keep everyone but the database owner from creating objects in
-- public; a database first made by an older version may still let every role do it.
REVOKE CREATE ON SCHEMA public FROM PUBLIC;

COMMIT;
