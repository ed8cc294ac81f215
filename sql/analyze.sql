-- Refresh the planner's statistics after a bulk load, so EXPLAIN tells the truth.
ANALYZE posts;
