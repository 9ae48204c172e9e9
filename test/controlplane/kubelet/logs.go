package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Container logs are files of lines "<RFC3339Nano> <stream> <text>", one file per
// container instance (<podDir>/logs/<container>/<restartCount>.log), like the CRI's.

type logWriter struct {
	mu sync.Mutex
	f  *os.File
}

func openLog(path string) (*logWriter, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	return &logWriter{f: f}, nil
}

// copyLines writes each line read from r with a timestamp; it returns at EOF.
func (l *logWriter) copyLines(r io.Reader, stream string) {
	br := bufio.NewReaderSize(r, 64*1024)
	for {
		line, err := br.ReadString('\n')
		if len(line) > 0 {
			if !strings.HasSuffix(line, "\n") {
				line += "\n"
			}
			ts := time.Now().UTC().Format(time.RFC3339Nano)
			l.mu.Lock()
			_, _ = l.f.WriteString(ts + " " + stream + " " + line)
			l.mu.Unlock()
		}
		if err != nil {
			return
		}
	}
}

func (l *logWriter) close() { _ = l.f.Close() }

type logOptions struct {
	follow     bool
	timestamps bool
	tail       int64 // -1: all
	since      time.Time
	limitBytes int64 // 0: none
}

func parseLogOptions(q map[string][]string) (logOptions, error) {
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	o := logOptions{tail: -1}
	o.follow = get("follow") == "true" || get("follow") == "1"
	o.timestamps = get("timestamps") == "true" || get("timestamps") == "1"
	if v := get("tailLines"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return o, fmt.Errorf("tailLines %q", v)
		}
		o.tail = n
	}
	if v := get("sinceSeconds"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			return o, fmt.Errorf("sinceSeconds %q", v)
		}
		o.since = time.Now().Add(-time.Duration(n) * time.Second)
	}
	if v := get("sinceTime"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return o, fmt.Errorf("sinceTime %q", v)
		}
		o.since = t
	}
	if v := get("limitBytes"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			return o, fmt.Errorf("limitBytes %q", v)
		}
		o.limitBytes = n
	}
	return o, nil
}

// serveLog writes the log at path to w; with follow, it keeps writing new lines until
// running() turns false (and the file is drained) or the client goes away.
func serveLog(ctx context.Context, w http.ResponseWriter, path string, o logOptions, running func() bool) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	w.Header().Set("Content-Type", "text/plain")
	written := int64(0)
	emit := func(line []byte) bool {
		ts, rest, ok := bytes.Cut(line, []byte(" "))
		if !ok {
			return true
		}
		_, text, ok := bytes.Cut(rest, []byte(" "))
		if !ok {
			return true
		}
		if !o.since.IsZero() {
			t, err := time.Parse(time.RFC3339Nano, string(ts))
			if err == nil && t.Before(o.since) {
				return true
			}
		}
		out := text
		if o.timestamps {
			out = append(append(append([]byte{}, ts...), ' '), text...)
		}
		if o.limitBytes > 0 && written+int64(len(out)) > o.limitBytes {
			out = out[:o.limitBytes-written]
		}
		n, err := w.Write(out)
		written += int64(n)
		return err == nil && (o.limitBytes == 0 || written < o.limitBytes)
	}

	br := bufio.NewReaderSize(f, 64*1024)
	var lines [][]byte
	var partial []byte
	readAvailable := func(collect bool) bool {
		for {
			chunk, err := br.ReadBytes('\n')
			if len(chunk) > 0 {
				partial = append(partial, chunk...)
				if partial[len(partial)-1] == '\n' {
					line := partial
					partial = nil
					if collect {
						lines = append(lines, line)
					} else if !emit(line) {
						return false
					}
				}
			}
			if err != nil {
				return true
			}
		}
	}
	readAvailable(true)
	if o.tail >= 0 && int64(len(lines)) > o.tail {
		lines = lines[int64(len(lines))-o.tail:]
	}
	for _, l := range lines {
		if !emit(l) {
			return nil
		}
	}
	if !o.follow {
		return nil
	}
	flusher, _ := w.(http.Flusher)
	for {
		if flusher != nil {
			flusher.Flush()
		}
		alive := running()
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(200 * time.Millisecond):
		}
		if !readAvailable(false) {
			return nil
		}
		if !alive {
			return nil
		}
	}
}
