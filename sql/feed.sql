-- GET /feed: the 20 newest posts.
SELECT id, user_id, content, created_at
FROM posts
ORDER BY created_at DESC
LIMIT 20;
