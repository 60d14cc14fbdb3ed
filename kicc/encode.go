package kicc

import (
	"strconv"
	"unicode/utf8"
)

// AppendJSON appends r as encoding/json would marshal it (same field order,
// omitempty, escaping), without reflection: the find answer is the mock's
// hottest output. TestAppendJSONMatchesEncodingJSON and a fuzz target keep
// the two identical.
func (r *CancelStatusResponse) AppendJSON(b []byte) []byte {
	b = appendEnvelope(b, r.ResCd, r.ResMsg, r.ShopTransactionID, r.MallID)
	b = appendOptional(b, `,"pgCno":`, r.PgCno)
	b = appendOptional(b, `,"cancelPgCno":`, r.CancelPgCno)
	b = appendOptional(b, `,"transactionDate":`, r.TransactionDate)
	b = appendOptional(b, `,"cancelStatus":`, string(r.CancelStatus))
	b = appendOptional(b, `,"resDetailMsg":`, r.ResDetailMsg)
	if a := r.AmountInfo; a != nil {
		b = append(b, `,"amountInfo":{"currency":`...)
		b = appendString(b, a.Currency)
		b = append(b, `,"totAmount":`...)
		b = strconv.AppendInt(b, a.TotAmount, 10)
		b = append(b, '}')
	}
	return append(b, '}')
}

// AppendJSON appends r as encoding/json would marshal it.
func (r *PaymentStatusResponse) AppendJSON(b []byte) []byte {
	b = appendEnvelope(b, r.ResCd, r.ResMsg, r.ShopTransactionID, r.MallID)
	b = appendOptional(b, `,"shopOrderNo":`, r.ShopOrderNo)
	b = appendOptional(b, `,"pgCno":`, r.PgCno)
	b = appendOptional(b, `,"approvalDate":`, r.ApprovalDate)
	b = appendOptional(b, `,"statusCd":`, string(r.StatusCd))
	b = appendOptional(b, `,"resDetailMsg":`, r.ResDetailMsg)
	if a := r.AmountInfo; a != nil {
		b = append(b, `,"amountInfo":{"currency":`...)
		b = appendString(b, a.Currency)
		b = append(b, `,"amount":`...)
		b = strconv.AppendInt(b, a.Amount, 10)
		b = append(b, '}')
	}
	return append(b, '}')
}

// appendEnvelope opens an answer with the fields every KICC answer starts
// with.
func appendEnvelope(b []byte, resCd, resMsg, key, mallID string) []byte {
	b = append(b, `{"resCd":`...)
	b = appendString(b, resCd)
	b = append(b, `,"resMsg":`...)
	b = appendString(b, resMsg)
	b = append(b, `,"shopTransactionId":`...)
	b = appendString(b, key)
	return appendOptional(b, `,"mallId":`, mallID)
}

func appendOptional(b []byte, key, v string) []byte {
	if v == "" {
		return b
	}
	return appendString(append(b, key...), v)
}

const hexDigits = "0123456789abcdef"

// appendString is encoding/json's string encoding with HTML escaping (its
// default): quotes, backslashes and control characters escaped, < > &
// U+2028 U+2029 as \u escapes, invalid UTF-8 as \ufffd. Nearly every string
// of an answer needs none of it, so a table scan decides that first and the
// string is then copied whole.
func appendString(b []byte, s string) []byte {
	var seen byte // every byte OR-ed: its top bit says whether s is all ASCII
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !jsonPlain[c] {
			return appendEscaped(b, s)
		}
		seen |= c
	}
	if seen >= utf8.RuneSelf && !utf8.ValidString(s) {
		return appendEscaped(b, s)
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// jsonPlain marks the bytes that encoding/json copies as they are: printable
// ASCII but " \ < > &, and every byte of a multi-byte UTF-8 sequence but
// 0xE2, which starts U+2028 and U+2029 (escaped) and so takes the slow path.
var jsonPlain = func() (t [256]bool) {
	for c := 0x20; c < 256; c++ {
		t[c] = true
	}
	for _, c := range []byte{'"', '\\', '<', '>', '&', 0xE2} {
		t[c] = false
	}
	return t
}()

// appendEscaped is appendString for a string that needs escaping.
func appendEscaped(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
