package feed

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"scalelab/lab/telemetry"
)

// MaxBody is the largest request body POST /posts accepts (larger: 413).
const MaxBody = 64 << 10

// newPost is the body of POST /posts.
type newPost struct {
	UserID  int64
	Content string
}

// requestError is a bad request body: its status is 400, 413 or 415.
type requestError struct {
	status int
	msg    string
}

func (e *requestError) Error() string { return e.msg }

// readNewPost decodes and checks {"user_id": <int>, "content": "<text>"},
// sent as Content-Type: application/json.
func readNewPost(w http.ResponseWriter, r *http.Request) (newPost, error) {
	if err := checkJSONType(r.Header.Get("Content-Type")); err != nil {
		return newPost{}, err
	}
	var in struct {
		UserID  *int64  `json:"user_id"`
		Content *string `json:"content"`
	}
	body := http.MaxBytesReader(w, r.Body, MaxBody)
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	err := dec.Decode(&in)
	if err == nil {
		// One JSON object and nothing after it.
		if _, err = dec.Token(); err == io.EOF {
			err = nil
		} else if err == nil || !errors.As(err, new(*http.MaxBytesError)) {
			err = errors.New("extra data after the JSON object")
		}
	}
	var tooBig *http.MaxBytesError
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &tooBig):
		return newPost{}, &requestError{http.StatusRequestEntityTooLarge, fmt.Sprintf("request body larger than %d bytes", MaxBody)}
	case errors.As(err, &typeErr) && typeErr.Field == "":
		return newPost{}, &requestError{http.StatusBadRequest, `the body must be a JSON object like {"user_id": 1, "content": "hello"}, not a JSON ` + typeErr.Value}
	case errors.As(err, &typeErr):
		return newPost{}, &requestError{http.StatusBadRequest, fmt.Sprintf("field %q must be %s, not a JSON %s", typeErr.Field, wantType(typeErr.Field), typeErr.Value)}
	case errors.As(err, &syntaxErr), errors.Is(err, io.ErrUnexpectedEOF):
		return newPost{}, &requestError{http.StatusBadRequest, "malformed JSON: " + err.Error()}
	case errors.Is(err, io.EOF):
		return newPost{}, &requestError{http.StatusBadRequest, `empty body: send {"user_id": 1, "content": "hello"}`}
	case err != nil:
		return newPost{}, &requestError{http.StatusBadRequest, "invalid JSON body: " + err.Error()}
	case in.UserID == nil:
		return newPost{}, &requestError{http.StatusBadRequest, `missing field "user_id" (an integer)`}
	case in.Content == nil:
		return newPost{}, &requestError{http.StatusBadRequest, `missing field "content" (a string)`}
	case *in.UserID < 1 || *in.UserID > math.MaxInt32:
		return newPost{}, &requestError{http.StatusBadRequest, `"user_id" must be between 1 and 2147483647`}
	case strings.TrimSpace(*in.Content) == "":
		return newPost{}, &requestError{http.StatusBadRequest, `"content" must not be empty`}
	case strings.ContainsRune(*in.Content, 0):
		// PostgreSQL's text cannot hold a NUL: the INSERT would fail.
		return newPost{}, &requestError{http.StatusBadRequest, `"content" must not contain a NUL character (\u0000): PostgreSQL text cannot store it`}
	}
	return newPost{UserID: *in.UserID, Content: *in.Content}, nil
}

// checkJSONType accepts application/json, with no charset or charset=utf-8
// (JSON is UTF-8); anything else is a 415 that says what to send.
func checkJSONType(ct string) error {
	const want = `send the body with the header "Content-Type: application/json"`
	if ct == "" {
		return &requestError{http.StatusUnsupportedMediaType, "no Content-Type: " + want}
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || mt != "application/json" {
		return &requestError{http.StatusUnsupportedMediaType, fmt.Sprintf("Content-Type %q is not JSON: %s", clip(ct), want)}
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return &requestError{http.StatusUnsupportedMediaType, fmt.Sprintf("charset %q: JSON is UTF-8; %s", clip(cs), want)}
	}
	return nil
}

// clip shortens a client's header value quoted back in an error.
func clip(s string) string {
	if len(s) > 64 {
		return s[:64] + "..."
	}
	return s
}

func wantType(field string) string {
	if field == "user_id" {
		return "an integer"
	}
	return "a string"
}

// badRequest answers a bad request body with 400 (or 413, 415) and a JSON error.
func badRequest(w http.ResponseWriter, err error) {
	status := http.StatusBadRequest
	var re *requestError
	if errors.As(err, &re) {
		status = re.status
	}
	if c, ok := w.(interface{ setCause(telemetry.Cause) }); ok {
		c.setCause(telemetry.ClientError)
	}
	w.Header().Set("X-Scalelab-Cause", string(telemetry.ClientError))
	writeJSON(w, status, map[string]string{"error": err.Error(), "cause": string(telemetry.ClientError)})
}

// writeJSON answers with v as JSON. Posts, the hot path of GET /feed, are
// encoded by hand (the same bytes encoding/json writes, at a fraction of the cost).
func writeJSON(w http.ResponseWriter, status int, v any) {
	var b []byte
	switch v := v.(type) {
	case []Post:
		b = make([]byte, 0, 64+len(v)*128)
		b = append(b, '[')
		for i, p := range v {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendPost(b, p)
		}
		b = append(b, "]\n"...)
	case Post:
		b = append(appendPost(make([]byte, 0, 256), v), '\n')
	default:
		var err error
		if b, err = json.Marshal(v); err != nil {
			status, b = http.StatusInternalServerError, []byte(`{"error":"cannot encode the response"}`)
		}
		b = append(b, '\n')
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// appendPost appends p as encoding/json would marshal it.
func appendPost(b []byte, p Post) []byte {
	b = append(b, `{"id":`...)
	b = strconv.AppendInt(b, p.ID, 10)
	b = append(b, `,"user_id":`...)
	b = strconv.AppendInt(b, int64(p.UserID), 10)
	b = append(b, `,"content":`...)
	b = appendString(b, p.Content)
	b = append(b, `,"created_at":"`...)
	b = p.CreatedAt.AppendFormat(b, time.RFC3339Nano)
	return append(b, `"}`...)
}

// appendString appends s as a JSON string: plain ASCII directly, anything
// encoding/json would escape through encoding/json.
func appendString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x80 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s)
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}
