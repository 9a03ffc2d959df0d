package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/arbiterhq/arbiter/cmd/arbiter/app"
)

// The tables of sdk/docs/configuration.md are rendered from the flags the
// binary registers, so that they cannot drift from them: TestConfigurationDoc
// fails when a table differs from what the flags say, and
//
//	go test ./cmd/arbiter -run TestConfigurationDoc -update
//
// rewrites the text between each pair of marker comments.

var updateDocs = flag.Bool("update", false, "rewrite the flag tables of sdk/docs/configuration.md")

const configDoc = "../../sdk/docs/configuration.md"

// docTables are the generated tables: the marker name and how to render it.
var docTables = []struct {
	name   string
	render func(t *testing.T) string
}{
	{"flags", serverFlagTable},
	{"module-flags", moduleFlagTable},
}

func TestConfigurationDoc(t *testing.T) {
	doc, err := os.ReadFile(configDoc)
	if err != nil {
		t.Fatal(err)
	}
	out := doc
	for _, tbl := range docTables {
		begin := []byte("<!-- " + tbl.name + ":begin -->\n")
		end := []byte("<!-- " + tbl.name + ":end -->")
		i, j := bytes.Index(out, begin), bytes.Index(out, end)
		if i < 0 || j < i {
			t.Fatalf("%s lacks the markers %q ... %q", configDoc, strings.TrimSpace(string(begin)), end)
		}
		want := tbl.render(t)
		if got := string(out[i+len(begin) : j]); got != want {
			if !*updateDocs {
				t.Errorf("the %s table of %s is stale (a flag was added, removed or changed): run go test ./cmd/arbiter -run TestConfigurationDoc -update\n--- want:\n%s--- got:\n%s", tbl.name, filepath.Base(configDoc), want, got)
				continue
			}
			out = append(append(append([]byte{}, out[:i+len(begin)]...), want...), out[j:]...)
		}
	}
	if *updateDocs && !bytes.Equal(out, doc) {
		if err := os.WriteFile(configDoc, out, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// serverFlagTable renders the flags of serve, migrate and check: each with
// its environment variable, YAML key, default and usage.
func serverFlagTable(t *testing.T) string {
	cfg := app.Default()
	opts := newOptions("arbiter", &cfg)
	var b strings.Builder
	b.WriteString("| flag | environment | YAML key | default | meaning |\n| --- | --- | --- | --- | --- |\n")
	opts.fs.VisitAll(func(f *flag.Flag) {
		yamlKey := "`" + strings.ReplaceAll(f.Name, "-", "_") + "`"
		if f.Name == "config" {
			yamlKey = "—" // the file cannot name itself
		}
		fmt.Fprintf(&b, "| `--%s` | `%s` | %s | %s | %s |\n",
			f.Name, envName(f.Name), yamlKey, defaultCell(f.DefValue), cell(f.Usage))
	})
	return b.String()
}

// moduleUsageLine is a flag line of `arbiter module help`.
var moduleUsageLine = regexp.MustCompile(`^  --([a-z-]+)\t(.*) \(default "(.*)"\)( \[\$([A-Z_]+)\])?$`)

// moduleFlagTable renders the flags of `arbiter module` from its own help
// text (its flag set lives inside moduleCommand).
func moduleFlagTable(t *testing.T) string {
	var stdout, stderr bytes.Buffer
	if code := run([]string{"module", "help"}, &stdout, &stderr, envOf(nil)); code != exitOK {
		t.Fatalf("arbiter module help: exit %d: %s", code, stderr.String())
	}
	var b strings.Builder
	b.WriteString("| flag | environment | default | meaning |\n| --- | --- | --- | --- |\n")
	n := 0
	for _, line := range strings.Split(stdout.String(), "\n") {
		m := moduleUsageLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		env := "—"
		if m[5] != "" {
			env = "`" + m[5] + "`"
		}
		fmt.Fprintf(&b, "| `--%s` | %s | %s | %s |\n", m[1], env, defaultCell(m[3]), cell(m[2]))
		n++
	}
	if n == 0 {
		t.Fatalf("no flag lines found in `arbiter module help`:\n%s", stdout.String())
	}
	return b.String()
}

func defaultCell(v string) string {
	if v == "" {
		return "empty"
	}
	return "`" + v + "`"
}

// cell escapes a table cell's text.
func cell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
