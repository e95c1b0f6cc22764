-- Pushdown over the seed 003 blog: users, posts, comments, tags in one
-- table with _type, GSI1/GSI2 lookups and descending sort keys.
CREATE SCHEMA blog;
SET search_path = blog, public;
CREATE FOREIGN TABLE users (user_id text, username text, email text, name text,
                            post_count int OPTIONS (attribute 'postCount'),
                            created_at text OPTIONS (attribute 'createdAt'))
  SERVER ddb OPTIONS (table 'Blog', pk_template 'USER#{user_id}', sk_template '#METADATA',
                      gsi1pk_template 'EMAIL#{email}', gsi1sk_template '{created_at}',
                      gsi2pk_template 'USERNAME#{username}', gsi2sk_template '{created_at}',
                      type_attribute '_type', type_value 'USER');
CREATE FOREIGN TABLE posts (user_id text, post_id text, title text, status text,
                            tags jsonb, views int OPTIONS (attribute 'viewCount'),
                            created_at text OPTIONS (attribute 'createdAt'))
  SERVER ddb OPTIONS (table 'Blog', pk_template 'USER#{user_id}', sk_template 'POST#{post_id}',
                      gsi1pk_template 'POST#{post_id}', gsi1sk_template '{created_at}',
                      type_attribute '_type', type_value 'POST');
CREATE FOREIGN TABLE comments (post_id text, comment_id text, user_id text OPTIONS (attribute 'userId'),
                               username text, content text)
  SERVER ddb OPTIONS (table 'Blog', pk_template 'POST#{post_id}', sk_template 'COMMENT#{comment_id}');
CREATE FOREIGN TABLE tags (tag text, post_id text, post_title text OPTIONS (attribute 'postTitle'))
  SERVER ddb OPTIONS (table 'Blog', pk_template 'TAG#{tag}', sk_template 'POST#{post_id}');
SELECT count(*) FROM users;

-- getUserById: GetItem USER#u1 / #METADATA (type checked on the item)
EXPLAIN (VERBOSE, COSTS OFF) SELECT username FROM users WHERE user_id = 'u1';
SELECT ddbrel.stats_reset();
SELECT username, post_count FROM users WHERE user_id = 'u1';
SELECT * FROM sent();

-- getUserByEmail: Query GSI1 on EMAIL#..., LIMIT 1
EXPLAIN (VERBOSE, COSTS OFF) SELECT user_id FROM users WHERE email = 'jane@example.com' LIMIT 1;
SELECT ddbrel.stats_reset();
SELECT user_id, name FROM users WHERE email = 'jane@example.com' LIMIT 1;
SELECT * FROM sent();

-- getUserByUsername: Query GSI2 on USERNAME#...
EXPLAIN (COSTS OFF) SELECT user_id FROM users WHERE username = 'bobsmith';
SELECT ddbrel.stats_reset();
SELECT user_id, email FROM users WHERE username = 'bobsmith';
SELECT * FROM sent();

-- a user's posts, newest first: Query USER#u1 / begins_with POST#, descending
EXPLAIN (COSTS OFF) SELECT post_id, title FROM posts WHERE user_id = 'u1' ORDER BY post_id DESC;
SELECT ddbrel.stats_reset();
SELECT post_id, title FROM posts WHERE user_id = 'u1' ORDER BY post_id DESC;
SELECT * FROM sent();

-- a post by id: Query GSI1 on POST#p2
EXPLAIN (COSTS OFF) SELECT title FROM posts WHERE post_id = 'p2';
SELECT ddbrel.stats_reset();
SELECT user_id, title, tags FROM posts WHERE post_id = 'p2';
SELECT * FROM sent();

-- published posts of a user: the status test is a FilterExpression
EXPLAIN (COSTS OFF) SELECT post_id FROM posts WHERE user_id = 'u1' AND status = 'published';
SELECT post_id FROM posts WHERE user_id = 'u1' AND status = 'published';

-- comments of a post: Query POST#p1 / begins_with COMMENT#
EXPLAIN (COSTS OFF) SELECT comment_id, username FROM comments WHERE post_id = 'p1';
SELECT ddbrel.stats_reset();
SELECT comment_id, username, content FROM comments WHERE post_id = 'p1' ORDER BY comment_id;
SELECT * FROM sent();

-- posts with a tag: Query TAG#dynamodb / begins_with POST#
EXPLAIN (COSTS OFF) SELECT post_id, post_title FROM tags WHERE tag = 'dynamodb';
SELECT ddbrel.stats_reset();
SELECT post_id, post_title FROM tags WHERE tag = 'dynamodb' ORDER BY post_id;
SELECT * FROM sent();

-- a comment with its post's title: Query then a key lookup per comment
SELECT c.comment_id, p.title
  FROM comments c JOIN posts p USING (post_id)
 WHERE c.post_id = 'p2';

-- without a usable key a Scan reads the table, filtered by type and key shape
EXPLAIN (COSTS OFF) SELECT count(*) FROM posts WHERE views > 5;
SELECT ddbrel.stats_reset();
SELECT post_id, views FROM posts WHERE views > 5 ORDER BY post_id;
SELECT operation, requests, scanned FROM sent();
