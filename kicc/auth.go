package kicc

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
)

// MsgAuthValue computes KICC's message-authentication value: the lowercase hex
// of HMAC-SHA256 keyed by the merchant's secret key over the fields joined by
// "|". For a cancel request the fields are pgCno and shopTransactionId.
func MsgAuthValue(secretKey string, fields ...string) string {
	m := hmac.New(sha256.New, []byte(secretKey))
	for i, f := range fields {
		if i > 0 {
			m.Write([]byte{'|'})
		}
		m.Write([]byte(f))
	}
	return hex.EncodeToString(m.Sum(nil))
}
