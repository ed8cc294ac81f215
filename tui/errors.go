package tui

import "errors"

var errSnapshot = errors.New("could not copy the worksheet for saving (this is a bug: please report it)")
