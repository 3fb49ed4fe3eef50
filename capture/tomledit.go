package capture

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/BurntSushi/toml"
)

// setTOML returns doc with the value at key (a dotted path such as "service.tsa.url")
// set to v, editing the document's text rather than re-encoding a map, so that the
// comments, the order and the blank lines an institution's IT wrote stay as they were.
// A key that is not there is added at the end of its table, or in a new table at the
// end of the document. The result is decoded again and the value checked, so a layout
// the editor does not understand gives an error, never a wrong file.
func setTOML(doc []byte, key string, v any) ([]byte, error) {
	value, err := tomlValue(v)
	if err != nil {
		return nil, err
	}
	table, name := "", key
	if i := strings.LastIndexByte(key, '.'); i >= 0 {
		table, name = key[:i], key[i+1:]
	}
	lines := strings.SplitAfter(string(doc), "\n")
	if len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	var (
		current   = "" // the table the scan is in
		inArray   bool // inside an [[array]] table, whose keys are never ours
		lastInTab = -1 // the last key line of the wanted table
		tableAt   = -1 // the wanted table's header line (-1: the root, or absent)
		found     = -1 // the wanted key's line
		multi     = "" // the closing quotes of a multi-line string being skipped
		rootEnd   = len(lines)
	)
	for i, line := range lines {
		t := strings.TrimSpace(line)
		if multi != "" {
			if strings.Contains(t, multi) {
				multi = ""
			}
			continue
		}
		switch {
		case t == "" || t[0] == '#':
			continue
		case strings.HasPrefix(t, "[["):
			if rootEnd == len(lines) {
				rootEnd = i
			}
			inArray, current = true, ""
			continue
		case t[0] == '[':
			if rootEnd == len(lines) {
				rootEnd = i
			}
			end := strings.IndexByte(t, ']')
			if end < 0 {
				return nil, fmt.Errorf("configuration: line %d: a table header without ]", i+1)
			}
			inArray, current = false, strings.Join(strings.Fields(strings.ReplaceAll(t[1:end], ".", " . ")), "")
			if current == table {
				tableAt = i
			}
			continue
		}
		if inArray || current != table {
			if q := openMultiline(t); q != "" {
				multi = q
			}
			continue
		}
		k, _, ok := strings.Cut(t, "=")
		if !ok {
			continue
		}
		lastInTab = i
		if strings.TrimSpace(k) == name {
			found = i
		}
		if q := openMultiline(t); q != "" {
			multi = q
		}
	}
	var out []string
	switch {
	case found >= 0:
		line := lines[found]
		eq := strings.IndexByte(line, '=')
		nl := ""
		if strings.HasSuffix(line, "\n") {
			nl = "\n"
		}
		rest := strings.TrimRight(line[eq+1:], "\r\n")
		comment := trailingComment(rest)
		if strings.Contains(rest, `"""`) || strings.Contains(rest, "'''") {
			return nil, fmt.Errorf("configuration: %s is a multi-line value: edit the file by hand", key)
		}
		out = append(out, lines[:found]...)
		out = append(out, strings.TrimRight(line[:eq], " \t")+" = "+value+comment+nl)
		out = append(out, lines[found+1:]...)
	case table == "" || tableAt >= 0:
		at := lastInTab + 1
		if lastInTab < 0 {
			at = tableAt + 1
			if table == "" {
				at = rootEnd
			}
		}
		out = append(out, lines[:at]...)
		if at > 0 && !strings.HasSuffix(out[len(out)-1], "\n") {
			out[len(out)-1] += "\n"
		}
		out = append(out, name+" = "+value+"\n")
		out = append(out, lines[at:]...)
	default:
		out = append(out, lines...)
		if len(out) > 0 && !strings.HasSuffix(out[len(out)-1], "\n") {
			out[len(out)-1] += "\n"
		}
		out = append(out, "\n["+table+"]\n", name+" = "+value+"\n")
	}
	edited := []byte(strings.Join(out, ""))
	var m map[string]any
	if _, err := toml.Decode(string(edited), &m); err != nil {
		return nil, fmt.Errorf("configuration: setting %s would break the file: %w", key, err)
	}
	if got, ok := lookup(m, key); !ok || fmt.Sprint(got) != fmt.Sprint(v) {
		return nil, fmt.Errorf("configuration: could not set %s in this file's layout: edit it by hand", key)
	}
	return edited, nil
}

// tomlValue is v written as a TOML value.
func tomlValue(v any) (string, error) {
	var b bytes.Buffer
	if err := toml.NewEncoder(&b).Encode(map[string]any{"v": v}); err != nil {
		return "", err
	}
	_, s, _ := strings.Cut(strings.TrimSpace(b.String()), "=")
	return strings.TrimSpace(s), nil
}

// trailingComment is the " # …" after a value on its line, kept when the value changes.
func trailingComment(rest string) string {
	quote := byte(0)
	for i := 0; i < len(rest); i++ {
		c := rest[i]
		switch {
		case quote != 0:
			if c == '\\' && quote == '"' {
				i++
			} else if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '#':
			j := i
			for j > 0 && (rest[j-1] == ' ' || rest[j-1] == '\t') {
				j--
			}
			return rest[j:]
		}
	}
	return ""
}

// openMultiline is the closing quotes of a multi-line string that opens on this line and
// does not close on it, or "".
func openMultiline(t string) string {
	for _, q := range []string{`"""`, "'''"} {
		if strings.Count(t, q)%2 == 1 {
			return q
		}
	}
	return ""
}
