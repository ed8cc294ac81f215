-- POST /posts: store one post and return it as stored (id and created_at come from the database).
INSERT INTO posts (user_id, content)
VALUES ($1, $2)
RETURNING id, user_id, content, created_at;
