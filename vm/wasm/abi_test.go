package wasm

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/arbiterhq/arbiter/runtime/nk"
)

var update = flag.Bool("update", false, "rewrite the nk function table of sdk/ABI.md")

const (
	abiPath    = "../../sdk/ABI.md"
	tableBegin = "<!-- nk-functions:begin -->"
	tableEnd   = "<!-- nk-functions:end -->"
)

var abiTypeNames = map[nk.Type]string{
	nk.TypeAny: "any", nk.TypeBool: "bool", nk.TypeInt: "int", nk.TypeNumber: "number",
	nk.TypeString: "string", nk.TypeBytes: "bytes", nk.TypeList: "list", nk.TypeMap: "map",
	nk.TypeTable: "table", nk.TypeFunction: "function",
}

// functionTable renders the nk functions as the Markdown table of ABI.md §9.
func functionTable(funcs []*nk.Func) string {
	var b strings.Builder
	b.WriteString("| function | arguments | results | description |\n| --- | --- | --- | --- |\n")
	for _, f := range funcs {
		params := make([]string, len(f.Params))
		for k, p := range f.Params {
			s := p.Name
			if p.Optional {
				s += "?"
			}
			s += ": " + abiTypeNames[p.Type]
			if p.Optional && p.Default != nil {
				s += " = " + defaultText(p.Default)
			}
			params[k] = s
		}
		results := make([]string, len(f.Results))
		for k, r := range f.Results {
			results[k] = r.Name + ": " + abiTypeNames[r.Type]
			if r.Nilable {
				results[k] += " or nil"
			}
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", f.Name, cell(strings.Join(params, ", ")),
			cell(strings.Join(results, ", ")), cell(f.Doc))
	}
	if len(funcs) == 0 {
		b.WriteString("| (none yet) | | | |\n")
	}
	return b.String()
}

func defaultText(v any) string {
	switch x := v.(type) {
	case string:
		return fmt.Sprintf("%q", x)
	case []byte:
		return fmt.Sprintf("%q", x)
	case []any, map[string]any:
		if fmt.Sprint(x) == "[]" || fmt.Sprint(x) == "map[]" {
			return "empty"
		}
	}
	return fmt.Sprint(v)
}

func cell(s string) string {
	s = strings.ReplaceAll(strings.ReplaceAll(s, "|", `\|`), "\n", " ")
	if s == "" {
		return "—"
	}
	return s
}

// TestABIFunctionTable checks that sdk/ABI.md lists the nk API's functions;
// -update rewrites the list.
func TestABIFunctionTable(t *testing.T) {
	doc, err := os.ReadFile(abiPath)
	if err != nil {
		t.Fatal(err)
	}
	begin, end := bytes.Index(doc, []byte(tableBegin)), bytes.Index(doc, []byte(tableEnd))
	if begin < 0 || end < begin {
		t.Fatalf("%s lacks the %s ... %s markers", abiPath, tableBegin, tableEnd)
	}
	want := "\n" + functionTable(nk.New(nk.Deps{}).Funcs())
	got := string(doc[begin+len(tableBegin) : end])
	if got == want {
		return
	}
	if !*update {
		t.Fatalf("the nk function table of %s is stale: run go test ./vm/wasm -run TestABIFunctionTable -update", abiPath)
	}
	out := append(append(append([]byte{}, doc[:begin+len(tableBegin)]...), want...), doc[end:]...)
	if err := os.WriteFile(abiPath, out, 0o644); err != nil {
		t.Fatal(err)
	}
}
