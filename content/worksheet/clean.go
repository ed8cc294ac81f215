package worksheet

import "scalelab/content/termsafe"

// clean strips control characters and escape sequences from the text of a loaded worksheet:
// the file may have been crafted, and answers and table cells reach the terminal.
func (w *Worksheet) clean() {
	w.Title = termsafe.Clean(w.Title)
	for k, v := range w.Answers {
		w.Answers[k] = termsafe.Clean(v)
	}
	for _, rows := range w.Tables {
		for _, row := range rows {
			for j, c := range row {
				row[j] = termsafe.Clean(c)
			}
		}
	}
}
