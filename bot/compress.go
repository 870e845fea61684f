package bot

import (
	"net/http"

	"github.com/klauspost/compress/gzhttp"
	"github.com/klauspost/compress/gzip"
)

// Compress gzips what next answers (HTML, JSON) when the client accepts
// it and the answer is over 1 KB: a market page is a fifth of its size on
// 3G. Photos and what is compressed already are left as they are. Gzip
// only: every browser has it.
func Compress(next http.Handler) http.Handler { return compress(next) }

// CompressStream is Compress for a response held open (an event stream):
// each Write is compressed on its own (stateless), so an open stream holds
// some 2 KB rather than a compressor's 1 MB, and Flush sends what was
// written, compressed, so each event arrives when it is written. Write in
// large pieces (a replay through a bufio.Writer) to compress well.
func CompressStream(next http.Handler) http.Handler { return compressStream(next) }

var compress, compressStream = wrapper(gzip.DefaultCompression), wrapper(gzip.StatelessCompression)

func wrapper(level int) func(http.Handler) http.HandlerFunc {
	wrap, err := gzhttp.NewWrapper(gzhttp.EnableZstd(false), gzhttp.CompressionLevel(level))
	if err != nil {
		panic(err) // only the constant options above
	}
	return wrap
}
