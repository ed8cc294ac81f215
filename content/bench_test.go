package content

import "testing"

// BenchmarkParse parses the built-in scenario (the workshop does it once at start-up);
// BenchmarkFill exports it fully answered. Reference: reading the embedded file.
func BenchmarkParse(b *testing.B) {
	src, _ := Files.ReadFile(BuiltinFile)
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		if _, err := Parse(BuiltinFile, src); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFill(b *testing.B) {
	s := Builtin()
	f := sampleFilling(s)
	for b.Loop() {
		Fill(s, f)
	}
}

func BenchmarkReadEmbedded(b *testing.B) {
	for b.Loop() {
		if _, err := Files.ReadFile(BuiltinFile); err != nil {
			b.Fatal(err)
		}
	}
}
