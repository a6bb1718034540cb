// wsops-jsonschema-go validates contract examples with github.com/santhosh-tekuri/jsonschema/v6
// (Draft 2020-12, formats asserted, ECMAScript regular expressions through dlclark/regexp2), so the
// cross-language check can compare Go's verdicts with ajv's and Python's.
//
//	wsops-jsonschema-go [--contracts DIR] [--examples DIR] [--root DIR]
//
// Every *.json under the contracts folder is added by its $id; nothing is loaded from anywhere else.
// Examples are <examples>/<Title>/{valid,invalid}/*.json. Prints one JSON document:
//
//	{"validator": "...", "results": [{"contract", "file", "valid", "pointers", "errors"}]}
//
// with "file" relative to --root and "pointers" the RFC 6901 pointers of the failing values.
// Exit 0 when every example was validated (the verdicts are data); 2 when a schema or an example
// cannot be read or compiled.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sort"
	"strings"

	"github.com/dlclark/regexp2"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

var printer = message.NewPrinter(language.English)

type detail struct {
	Pointer string `json:"pointer"`
	Keyword string `json:"keyword"`
	Message string `json:"message"`
}

type result struct {
	Contract string   `json:"contract"`
	File     string   `json:"file"`
	Valid    bool     `json:"valid"`
	Pointers []string `json:"pointers"`
	Errors   []detail `json:"errors"`
}

type report struct {
	Validator string   `json:"validator"`
	Results   []result `json:"results"`
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "wsops-jsonschema-go: "+format+"\n", args...)
	os.Exit(2)
}

// ECMAScript regular expressions, as ajv and the contracts' patterns use them (Go's RE2 has no lookahead).
type ecmaRegexp regexp2.Regexp

func (re *ecmaRegexp) MatchString(s string) bool {
	matched, err := (*regexp2.Regexp)(re).MatchString(s)
	return err == nil && matched
}

func (re *ecmaRegexp) String() string { return (*regexp2.Regexp)(re).String() }

func compileECMA(s string) (jsonschema.Regexp, error) {
	re, err := regexp2.Compile(s, regexp2.ECMAScript)
	if err != nil {
		return nil, err
	}
	return (*ecmaRegexp)(re), nil
}

// Only the schemas added from the contracts folder exist: any other $ref is an error, never a download.
type noLoader struct{}

func (noLoader) Load(url string) (any, error) {
	return nil, fmt.Errorf("%s is not one of the contracts", url)
}

func pointer(tokens []string) string {
	var b strings.Builder
	for _, t := range tokens {
		b.WriteString("/")
		b.WriteString(strings.ReplaceAll(strings.ReplaceAll(t, "~", "~0"), "/", "~1"))
	}
	return b.String()
}

// leaves flattens an error tree into the failures that have no causes of their own.
func leaves(e *jsonschema.ValidationError, out []*jsonschema.ValidationError) []*jsonschema.ValidationError {
	if len(e.Causes) == 0 {
		return append(out, e)
	}
	for _, c := range e.Causes {
		out = leaves(c, out)
	}
	return out
}

func keyword(e *jsonschema.ValidationError) string {
	if _, ok := e.ErrorKind.(*kind.FalseSchema); ok {
		return "false schema"
	}
	path := e.ErrorKind.KeywordPath()
	if len(path) == 0 {
		return ""
	}
	return path[0]
}

func readJSON(path string) any {
	f, err := os.Open(path)
	if err != nil {
		fail("cannot read %s: %v", path, err)
	}
	defer f.Close()
	v, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		fail("cannot read %s: %v", path, err)
	}
	return v
}

func jsonFiles(dir string) []string {
	var files []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(d.Name(), ".json") {
			files = append(files, path)
		}
		return nil
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		fail("cannot read %s: %v", dir, err)
	}
	sort.Strings(files)
	return files
}

func version() string {
	v := "unknown"
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, dep := range info.Deps {
			if dep.Path == "github.com/santhosh-tekuri/jsonschema/v6" {
				v = dep.Version
			}
		}
	}
	return fmt.Sprintf("santhosh-tekuri/jsonschema %s (%s)", v, runtime.Version())
}

func main() {
	root := flag.String("root", ".", "paths in the output are relative to it")
	contractsDir := flag.String("contracts", "", "the schemas (default: ROOT/contracts)")
	examplesDir := flag.String("examples", "", "the examples (default: ROOT/examples)")
	flag.Parse()
	if *contractsDir == "" {
		*contractsDir = filepath.Join(*root, "contracts")
	}
	if *examplesDir == "" {
		*examplesDir = filepath.Join(*root, "examples")
	}

	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	c.UseRegexpEngine(compileECMA)
	c.UseLoader(noLoader{})
	byTitle := map[string]string{}
	schemaFiles := jsonFiles(*contractsDir)
	if len(schemaFiles) == 0 {
		fail("no schemas under %s", *contractsDir)
	}
	for _, path := range schemaFiles {
		doc := readJSON(path)
		obj, ok := doc.(map[string]any)
		id, _ := obj["$id"].(string)
		if !ok || id == "" {
			fail("%s has no $id", path)
		}
		if err := c.AddResource(id, doc); err != nil {
			fail("%s: %v", path, err)
		}
		if title, ok := obj["title"].(string); ok {
			if _, seen := byTitle[title]; seen {
				fail("%s repeats title %s", path, title)
			}
			byTitle[title] = id
		}
	}

	out := report{Validator: version(), Results: []result{}}
	folders, err := os.ReadDir(*examplesDir)
	if err != nil {
		fail("cannot read %s: %v", *examplesDir, err)
	}
	for _, folder := range folders {
		if !folder.IsDir() {
			continue
		}
		dir := filepath.Join(*examplesDir, folder.Name())
		var files []string
		for _, verdict := range []string{"valid", "invalid"} {
			matches, _ := filepath.Glob(filepath.Join(dir, verdict, "*.json"))
			sort.Strings(matches)
			files = append(files, matches...)
		}
		if len(files) == 0 {
			continue
		}
		id, ok := byTitle[folder.Name()]
		if !ok {
			fail("%s names no contract: no schema has the title %s", dir, folder.Name())
		}
		schema, err := c.Compile(id)
		if err != nil {
			fail("%s does not compile: %v", id, err)
		}
		for _, path := range files {
			rel, err := filepath.Rel(*root, path)
			if err != nil {
				rel = path
			}
			r := result{Contract: folder.Name(), File: filepath.ToSlash(rel), Valid: true, Pointers: []string{}, Errors: []detail{}}
			if err := schema.Validate(readJSON(path)); err != nil {
				var ve *jsonschema.ValidationError
				if !errors.As(err, &ve) {
					fail("%s: %v", path, err)
				}
				r.Valid = false
				seen := map[string]bool{}
				for _, leaf := range leaves(ve, nil) {
					p := pointer(leaf.InstanceLocation)
					r.Errors = append(r.Errors, detail{Pointer: p, Keyword: keyword(leaf), Message: leaf.ErrorKind.LocalizedString(printer)})
					if !seen[p] {
						seen[p] = true
						r.Pointers = append(r.Pointers, p)
					}
				}
				sort.Strings(r.Pointers)
			}
			out.Results = append(out.Results, r)
		}
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(out); err != nil {
		fail("cannot write the report: %v", err)
	}
}
