-- Empty the table and restart the id sequence (used by reset before reseeding).
TRUNCATE posts RESTART IDENTITY;
