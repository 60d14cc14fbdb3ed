// Package kicc describes KICC's (EasyPay) WeChat Pay API as data: request and
// response types, result and status codes, field rules (required, maximum
// length in UTF-8 bytes, forbidden characters), KST dates, transaction ids and
// the msgAuthValue HMAC. It does no HTTP, so the mock server and the client
// share one definition of the contract and cannot drift apart.
package kicc
