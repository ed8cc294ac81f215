-- Fix 2: an index on created_at, newest first, the order GET /feed reads in.
-- CONCURRENTLY builds it without locking out writes, so the API keeps serving
-- while it is built. It cannot run inside a transaction block.
CREATE INDEX CONCURRENTLY IF NOT EXISTS posts_created_at_idx ON posts (created_at DESC);
