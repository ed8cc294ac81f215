-- What PostgreSQL really does for GET /feed: the plan, run for real, with timings.
-- "Seq Scan" = it reads every row; "Index Scan" = it jumps to the newest ones.
EXPLAIN (ANALYZE, BUFFERS)
SELECT id, user_id, content, created_at
FROM posts
ORDER BY created_at DESC
LIMIT 20;
