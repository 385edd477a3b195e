package policy

// Severity of a finding, in IAM Access Analyzer's terms.
type Severity string

const (
	SeverityError           Severity = "ERROR"            // IAM would reject the document, or it cannot work
	SeveritySecurityWarning Severity = "SECURITY_WARNING" // grants more than was likely meant
	SeverityWarning         Severity = "WARNING"          // probably not what was meant
	SeveritySuggestion      Severity = "SUGGESTION"       // could be written better
)

// Finding is one result of Validate.
type Finding struct {
	Severity  Severity `json:"findingType"`
	IssueCode string   `json:"issueCode"` // Access Analyzer's code, e.g. PASS_ROLE_WITH_STAR_IN_RESOURCE
	Message   string   `json:"message"`
	Path      string   `json:"path,omitempty"` // e.g. Statement[0].Action[2]
	Line      int      `json:"line,omitempty"`
	Column    int      `json:"column,omitempty"`
}

// Validate checks data as a policy of type typ and returns every finding:
// first the error IAM itself would answer with (if any), then the checks
// IAM Access Analyzer runs, using the embedded action catalog. A document is
// valid when no finding has SeverityError.
func Validate(data []byte, opts CheckOptions) (*Document, []Finding) {
	doc, err := Check(data, opts)
	if err != nil {
		e := err.(*Error)
		return nil, []Finding{{Severity: SeverityError, IssueCode: "MALFORMED_POLICY_DOCUMENT", Message: e.Message + detailSuffix(e), Path: e.Path, Line: e.Line, Column: e.Column}}
	}
	fs := Lint(doc, opts.Type)
	// Point each finding at its place in the source, as Check's errors do.
	if _, p, err := parseTree(data); err == nil {
		for i := range fs {
			if fs[i].Path != "" && fs[i].Line == 0 {
				e := &Error{Path: fs[i].Path}
				p.locate(e)
				fs[i].Line, fs[i].Column = e.Line, e.Column
			}
		}
	}
	return doc, fs
}

func detailSuffix(e *Error) string {
	if e.Detail == "" {
		return ""
	}
	return " (" + e.Detail + ")"
}

// Valid reports whether no finding is an error.
func Valid(fs []Finding) bool {
	for _, f := range fs {
		if f.Severity == SeverityError {
			return false
		}
	}
	return true
}

// Lint runs Access Analyzer-style checks on a document that passed Check.
func Lint(doc *Document, typ Type) []Finding {
	var fs []Finding
	for _, check := range lintChecks {
		fs = append(fs, check(doc, typ)...)
	}
	return fs
}

// lintChecks are the individual checks; each returns its findings in
// statement order.
var lintChecks []func(*Document, Type) []Finding
