package main

// Temporary: pins every dependency in go.mod/go.sum so parallel work never edits them. Removed once all are used.
import (
	_ "github.com/HdrHistogram/hdrhistogram-go"
	_ "github.com/NimbleMarkets/ntcharts/linechart/timeserieslinechart"
	_ "github.com/NimbleMarkets/ntcharts/sparkline"
	_ "github.com/charmbracelet/bubbles/help"
	_ "github.com/charmbracelet/bubbles/key"
	_ "github.com/charmbracelet/bubbles/progress"
	_ "github.com/charmbracelet/bubbles/textarea"
	_ "github.com/charmbracelet/bubbles/textinput"
	_ "github.com/charmbracelet/bubbles/viewport"
	_ "github.com/charmbracelet/bubbletea"
	_ "github.com/charmbracelet/glamour"
	_ "github.com/charmbracelet/lipgloss"
	_ "github.com/charmbracelet/x/exp/teatest"
	_ "github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/pgxpool"
	_ "github.com/muesli/termenv"
	_ "github.com/prometheus/client_golang/prometheus/promhttp"
	_ "github.com/rakyll/hey/requester"
	_ "golang.org/x/sys/unix"
	_ "golang.org/x/term"
)
