package pg_test

import (
	"context"

	"github.com/jackc/pgx/v5"
)

func connect(ctx context.Context, url string) (*pgx.Conn, error) { return pgx.Connect(ctx, url) }
