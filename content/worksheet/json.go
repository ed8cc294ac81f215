package worksheet

import "encoding/json"

// plain is Worksheet without its JSON methods.
type plain Worksheet

// knownFields are the JSON names of Worksheet's fields; everything else is kept in extra.
var knownFields = []string{"version", "scenario", "title", "source", "step", "answers", "tasks", "tables", "updated", "lab", "lab_name"}

// UnmarshalJSON reads the known fields and keeps the others, so a save of a file a newer
// scalelab wrote gives them back.
func (w *Worksheet) UnmarshalJSON(b []byte) error {
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	var all map[string]json.RawMessage
	if err := json.Unmarshal(b, &all); err != nil {
		return err
	}
	for _, k := range knownFields {
		delete(all, k)
	}
	*w = Worksheet(p)
	w.extra = nil
	if len(all) > 0 {
		w.extra = all
	}
	return nil
}

// MarshalJSON writes the known fields and the unknown ones that were read.
func (w *Worksheet) MarshalJSON() ([]byte, error) {
	b, err := json.Marshal((*plain)(w))
	if err != nil || len(w.extra) == 0 {
		return b, err
	}
	var all map[string]json.RawMessage
	if err := json.Unmarshal(b, &all); err != nil {
		return nil, err
	}
	for k, v := range w.extra {
		if _, ok := all[k]; !ok {
			all[k] = v
		}
	}
	return json.Marshal(all)
}
