package token

import (
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/rolecall/rolecall/internal/awserr"
)

// FuzzOpen: Open never panics and fails only with InvalidClientTokenId or
// ExpiredToken, whose messages never echo the input. Run it longer with
// go test -run '^$' -fuzz FuzzOpen -fuzztime 60s ./internal/sts/token/
func FuzzOpen(f *testing.F) {
	r := newRing(f)
	valid := map[string]bool{}
	for _, c := range []Claims{typicalClaims(), fullClaims(), bigClaims(rand.New(rand.NewPCG(9, 9)), 20, 40)} {
		tok := mustSeal(f, r, c)
		valid[tok] = true
		f.Add(tok, int64(0))
		f.Add(tok, int64(3600))
		f.Add(tok[:len(tok)-1], int64(0))
		f.Add(tok[:len(tok)/2]+"\n"+tok[len(tok)/2:], int64(0))
		raw, _ := b64.DecodeString(tok)
		raw[10] ^= 4
		f.Add(b64.EncodeToString(raw), int64(0))
	}
	f.Add("", int64(0))
	f.Add("UkMB", int64(0))
	f.Add(strings.Repeat("A", minTokenLen), int64(0))
	f.Add("FwoGZXIvYXdzEBYaDH//==", int64(-1))
	f.Fuzz(func(t *testing.T, tok string, offset int64) {
		now := t0.Add(time.Duration(offset) * time.Second)
		c, err := r.Open(tok, now)
		if err == nil {
			if !valid[tok] {
				t.Fatalf("opened a token Seal did not produce: %q", tok)
			}
			if !now.Before(c.Expires) {
				t.Fatal("opened an expired token")
			}
			return
		}
		e, ok := awserr.As(err)
		if !ok || (e.Code != "InvalidClientTokenId" && e.Code != "ExpiredToken") {
			t.Fatalf("err = %v (%T)", err, err)
		}
		if e.Code == "ExpiredToken" && !valid[tok] {
			t.Fatal("ExpiredToken for a token Seal did not produce")
		}
		if len(tok) >= 8 && strings.Contains(e.Message, tok) {
			t.Fatal("error echoes the token")
		}
	})
}

// FuzzDecodeClaims: any plaintext, as if authenticated, decodes or fails
// without panicking.
func FuzzDecodeClaims(f *testing.F) {
	for _, c := range []Claims{typicalClaims(), fullClaims(), bigClaims(rand.New(rand.NewPCG(1, 1)), 20, 40)} {
		plain, err := encodeClaims(&c)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(plain)
	}
	f.Add([]byte{encDeflate, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01})
	f.Fuzz(func(t *testing.T, plain []byte) {
		decodeClaims(plain)
	})
}

// FuzzFastDecode: whenever fastDecode accepts its input, json.Unmarshal
// accepts it too and produces the same claims.
func FuzzFastDecode(f *testing.F) {
	for _, c := range []Claims{typicalClaims(), fullClaims(), bigClaims(rand.New(rand.NewPCG(2, 2)), 20, 40)} {
		js, err := json.Marshal(c.wire())
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(js))
	}
	for _, s := range []string{
		`{}`, ` { "v" : 1 , "m" : true } `, `{"v":-0}`, `{"v":01}`, `{"v":1.0}`, `{"v":1e3}`,
		`{"a":"x\u00e9\u2028\n\t\"\\\/"}`, `{"a":"\ud83d\ude00"}`, `{"a":"\xff"}`, `{"a":null}`,
		`{"spa":[]}`, `{"tg":[]}`, `{"tg":[["a","b"],["c","d"]]}`, `{"tg":[["a"]]}`, `{"tg":[["a","b","c"]]}`,
		`{"V":2}`, `{"v":1,"v":2}`, `{"spa":["a"],"spa":["b","c"]}`, `{"x":1}`, `{"v":1} x`, `{"m":tru}`,
		`{"ia":999999999999999999}`, `{"ia":9999999999999999999}`, "{\"a\":\"\x01\"}", `{"a":"\u00zz"}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, js string) {
		var fast wireClaims
		if !fastDecode(js, &fast) {
			return
		}
		var slow wireClaims
		if err := json.Unmarshal([]byte(js), &slow); err != nil {
			t.Fatalf("fastDecode accepted %q, encoding/json refused it: %v", js, err)
		}
		if !reflect.DeepEqual(fast, slow) {
			t.Fatalf("%q:\nfast %#v\nslow %#v", js, fast, slow)
		}
	})
}
