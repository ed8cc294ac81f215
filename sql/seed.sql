-- Seed posts server-side, in one statement: rows $2+1 .. $2+$1 of the data set.
-- Each post gets one of 1,000 authors, a short text and a time somewhere in the
-- past year, so the newest 20 are spread through the whole table (as in real life,
-- where the table is not stored in created_at order once rows are updated and deleted).
--   $1 = how many rows to insert now, $2 = how many were inserted before (offset)
INSERT INTO posts (user_id, content, created_at)
SELECT 1 + (g * 7919) % 1000,
       'Post #' || g || ': ' || (ARRAY[
           'Shipped a new feature today.',
           'Anyone else seeing slow page loads?',
           'Coffee first, then code.',
           'Reading about database indexes.',
           'Our traffic doubled this week!',
           'Connection pools are underrated.',
           'Deploy went out without a hitch.',
           'Debugging a timeout all afternoon.'
       ])[1 + g % 8],
       now() - random() * interval '365 days'
FROM generate_series($2::bigint + 1, $2::bigint + $1::bigint) AS g;
