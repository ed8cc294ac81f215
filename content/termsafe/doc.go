// Package termsafe makes text from files safe to print on a terminal.
//
// A terminal obeys control characters and escape sequences found in what it prints: an OSC
// sequence sets the window title or writes the clipboard (OSC 52), a CSI sequence clears the
// screen or moves the cursor, C1 controls do the same in one character, BEL rings, a
// backspace or a bare carriage return overwrites what was shown. Scenario files, worksheet
// answers and run histories are text a user did not write for this terminal, so everything
// scalelab prints from them goes through Clean first.
package termsafe
