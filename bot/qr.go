package bot

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strings"

	"github.com/nongsan-bot/nongsan/flows/vietqr"
)

// qrSize is the width of a served payment QR, in pixels.
const qrSize = 512

// QRPath is where payment QRs are served, for channels that take photos by
// URL only: QRPath + QRCodes.Code(payload) + ".png".
const QRPath = "/qr/"

// QRCodes mints the codes of payment QR URLs and reads them back. A code
// is the payload sealed with AES-GCM under a key only the service holds:
// nobody else can make a code our server draws (so it never serves the QR
// of an account it was not asked to by one of its own payment messages),
// and the account and amount do not stand readable in the URL, in proxy
// and access logs.
//
// Why sealed in the URL rather than an opaque id kept in Redis or
// PostgreSQL: a self-contained code costs no store on sending and no
// round trip on each fetch (Zalo fetches the photo as the message goes
// out), works on every replica alike and outlives a Redis flush, while a
// stored id would add all three. The nonce is derived from the payload
// (an HMAC of it, as in SIV), so one payment always has one URL and its
// image stays cacheable; a nonce repeats only with its plaintext.
type QRCodes struct {
	aead  cipher.AEAD
	nonce []byte // HMAC key of the nonces
}

// NewQRCodes keys the codes with secret, which every replica must share
// (run derives it from the bot tokens and webhook secrets). An empty
// secret gets a random key: codes then hold for this process only.
func NewQRCodes(secret []byte) *QRCodes {
	if len(secret) == 0 {
		secret = make([]byte, 32)
		rand.Read(secret)
	}
	derive := func(label string) []byte {
		h := hmac.New(sha256.New, secret)
		h.Write([]byte(label))
		return h.Sum(nil)
	}
	block, err := aes.NewCipher(derive("nongsan qr seal"))
	if err != nil {
		panic(err) // a 32-byte key always makes a cipher
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		panic(err)
	}
	return &QRCodes{aead: aead, nonce: derive("nongsan qr nonce")}
}

// Code is the payment payload as it stands in its URL.
func (q *QRCodes) Code(payload string) string {
	h := hmac.New(sha256.New, q.nonce)
	h.Write([]byte(payload))
	nonce := h.Sum(nil)[:q.aead.NonceSize()]
	return base64.RawURLEncoding.EncodeToString(q.aead.Seal(nonce, nonce, []byte(payload), nil))
}

// Payload is what code carries, if this service minted it.
func (q *QRCodes) Payload(code string) (string, bool) {
	if q == nil || len(code) > q.maxCode() {
		return "", false
	}
	b, err := base64.RawURLEncoding.DecodeString(code)
	n := q.aead.NonceSize()
	if err != nil || len(b) < n+q.aead.Overhead() {
		return "", false
	}
	p, err := q.aead.Open(nil, b[:n], b[n:], nil)
	if err != nil {
		return "", false
	}
	return string(p), true
}

func (q *QRCodes) maxCode() int {
	return base64.RawURLEncoding.EncodedLen(q.aead.NonceSize() + vietqr.MaxPayloadLen + q.aead.Overhead())
}

// serveQR answers GET /qr/{code}.png with the VietQR image of the payload
// the code carries, and 404 for a code codes did not mint (forged or
// altered) or anything but a well-formed VietQR transfer. Being a function
// of the URL, the image never changes; it is cached by the fetcher only,
// not by shared caches, as it shows an account and an amount.
func serveQR(codes *QRCodes) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		code, ok := strings.CutSuffix(r.PathValue("file"), ".png")
		if !ok {
			http.NotFound(w, r)
			return
		}
		payload, ok := codes.Payload(code)
		if !ok || !vietqr.Valid(payload) {
			http.NotFound(w, r)
			return
		}
		img, err := vietqr.PNG(payload, qrSize)
		if err != nil {
			http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "image/png")
		w.Header().Set("Cache-Control", "private, max-age=31536000, immutable")
		w.Write(img)
	})
}
