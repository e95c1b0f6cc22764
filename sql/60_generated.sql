-- An UPDATE rewrites every attribute and key that depends on a changed
-- column, STORED generated columns included: an index key built from a
-- generated column must not go stale.
CREATE SCHEMA gen;
SET search_path = gen, public;
-- statements written as they run: some write several items, which a server
-- without TransactWriteItems (dynalite) cannot make one transaction
SET ddbrel.write_mode = 'immediate';
SELECT current_database() AS dbname \gset
\setenv PGDATABASE :dbname

-- email_key is computed from email; the index key gsi1pk is built from it
CREATE FOREIGN TABLE members (member_id text, email text,
                              email_key text GENERATED ALWAYS AS (lower(email)) STORED,
                              points int,
                              tier text GENERATED ALWAYS AS (CASE WHEN points >= 100 THEN 'gold' ELSE 'basic' END) STORED)
  SERVER ddb OPTIONS (table 'WriteApp', pk_template 'MEMBER#{member_id}', sk_template 'MEMBER#{member_id}',
                      gsi1pk_template 'MAIL#{email_key}');
INSERT INTO members (member_id, email, points) VALUES ('m1', 'Ann@Example.COM', 10), ('m2', 'bob@example.com', 150);
\! bash test/awsread.sh get WriteApp '{"PK":{"S":"MEMBER#m1"},"SK":{"S":"MEMBER#m1"}}'
-- the e-mail changes: email_key and the index key follow
UPDATE members SET email = 'ann.new@Example.COM' WHERE member_id = 'm1';
\! bash test/awsread.sh get WriteApp '{"PK":{"S":"MEMBER#m1"},"SK":{"S":"MEMBER#m1"}}'
-- so the index finds the item by its new key, and not by the old one
SELECT member_id, email, email_key FROM members WHERE email_key = 'ann.new@example.com';
SELECT member_id FROM members WHERE email_key = 'ann@example.com';
EXPLAIN (COSTS OFF) SELECT member_id FROM members WHERE email_key = 'ann.new@example.com';
-- a generated attribute that is no key follows too (points -> tier)
UPDATE members SET points = points + 100 WHERE member_id = 'm1';
SELECT member_id, points, tier FROM members ORDER BY member_id;
\! bash test/awsread.sh get WriteApp '{"PK":{"S":"MEMBER#m1"},"SK":{"S":"MEMBER#m1"}}'
-- and back down: tier follows points, email_key keeps its value
UPDATE members SET points = 5 WHERE member_id = 'm2';
SELECT member_id, points, tier, email_key FROM members ORDER BY member_id;
DELETE FROM members;
DROP SCHEMA gen CASCADE;
