// Package verify speaks INE's credential verification service (SVCV 2.0): it builds the
// request from a citizen's credential data (normalised, encrypted for INE, signed by the
// institution and time-stamped), sends it over two-way TLS and turns INE's signed answer
// into a Result the operator can read.
//
// The wire contract is ../shared/spec/ine-svcv2.md. Signed bytes are produced once and
// embedded verbatim, because a verifier cannot know how a signer ordered JSON keys.
package verify
