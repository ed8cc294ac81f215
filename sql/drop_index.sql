-- Undo Fix 2 (scalelab reset): back to the table as shipped, without the index.
DROP INDEX CONCURRENTLY IF EXISTS posts_created_at_idx;
