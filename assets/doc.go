// Package assets holds the terminal diagrams scenarios draw instead of their images:
// box-drawing text no wider than 78 columns, embedded in the binary.
package assets
