package feed

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"testing"
	"time"
)

// The hand-written encoder writes exactly what encoding/json writes.
func TestPostsJSONMatchesEncodingJSON(t *testing.T) {
	at := time.Date(2026, 3, 4, 5, 6, 7, 123456000, time.UTC)
	posts := []Post{
		{ID: 1, UserID: 2, Content: "plain", CreatedAt: at},
		{ID: 1 << 40, UserID: 2147483647, Content: `quote " backslash \ tab 	 nl
 <html> & é 日本 ` + "\x01", CreatedAt: at.In(time.FixedZone("x", 5*3600+1800))},
		{ID: 3, UserID: 1, Content: "", CreatedAt: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)},
	}
	for _, v := range []any{posts, posts[1], []Post{}} {
		var want bytes.Buffer
		json.NewEncoder(&want).Encode(v)
		rec := httptest.NewRecorder()
		writeJSON(rec, 200, v)
		if got := rec.Body.String(); got != want.String() {
			t.Errorf("got  %s\nwant %s", got, want.String())
		}
	}
}

func BenchmarkWriteFeedJSON(b *testing.B) {
	posts := make([]Post, 20)
	for i := range posts {
		posts[i] = Post{ID: int64(i), UserID: 7, Content: "Post #123456: Connection pools are underrated.", CreatedAt: time.Now()}
	}
	b.ReportAllocs()
	for b.Loop() {
		writeJSON(httptest.NewRecorder(), 200, posts)
	}
}

func BenchmarkAppendPosts(b *testing.B) {
	posts := make([]Post, 20)
	for i := range posts {
		posts[i] = Post{ID: int64(i), UserID: 7, Content: "Post #123456: Connection pools are underrated.", CreatedAt: time.Now()}
	}
	b.Run("hand", func(b *testing.B) {
		b.ReportAllocs()
		buf := make([]byte, 0, 8192)
		for b.Loop() {
			buf = buf[:0]
			for _, p := range posts {
				buf = appendPost(buf, p)
			}
		}
	})
	b.Run("encoding/json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			json.Marshal(posts)
		}
	})
}
