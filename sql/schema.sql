-- The posts table behind the feed: one row per post.
--
-- Look closely at what is here and what is not: the primary key on id gets an
-- index automatically, but nothing indexes created_at, the column GET /feed
-- sorts by. That is the slow query of this scenario (Fix 2 adds the index).
CREATE TABLE IF NOT EXISTS posts (
    id         bigserial   PRIMARY KEY,
    user_id    integer     NOT NULL,
    content    text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
