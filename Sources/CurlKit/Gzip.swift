import CCurl
import Foundation

/// gzip files through zlib. lore's `t.mbox.gz` is a gzip *file* served as
/// `application/gzip`, not a Content-Encoding, so libcurl leaves it compressed.
public enum Gzip {
    /// Decompresses a gzip file, including files made of several concatenated members,
    /// refusing output larger than `limit` as soon as inflating passes it.
    public static func decompress(_ data: Data, limit: Int = HTTPRequest.defaultMaxBodyBytes) throws(CurlError) -> Data {
        let stream = try GzipStream(limit: limit)
        var output = Data()
        var failure: CurlError?
        data.withUnsafeBytes { raw in
            do throws(CurlError) { try stream.feed(raw, into: &output) } catch { failure = error }
        }
        if let failure { throw failure }
        try stream.finish()
        return output
    }

    /// Compresses `data` into a single-member gzip file (what public-inbox serves).
    public static func compress(_ data: Data, level: Int32 = 6) throws -> Data {
        var stream = z_stream()
        guard rb_deflate_init_gzip(&stream, level) == Z_OK else {
            throw CurlError(.decompression, "zlib could not start deflating")
        }
        defer { deflateEnd(&stream) }
        var input = [UInt8](data)
        var output = Data()
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        input.withUnsafeMutableBufferPointer { inBuf in
            stream.next_in = inBuf.baseAddress
            stream.avail_in = uInt(inBuf.count)
            var status: Int32 = Z_OK
            repeat {
                let produced = chunk.withUnsafeMutableBufferPointer { outBuf -> Int in
                    stream.next_out = outBuf.baseAddress
                    stream.avail_out = uInt(outBuf.count)
                    status = deflate(&stream, Z_FINISH)
                    return outBuf.count - Int(stream.avail_out)
                }
                output.append(contentsOf: chunk[0..<produced])
            } while status == Z_OK
        }
        return output
    }
}

/// Inflates a gzip file as its bytes arrive (from libcurl's write callback or a buffer),
/// so a small archive that expands without end is stopped at `limit` while it streams,
/// never held whole first.
final class GzipStream {
    private var stream = z_stream()
    private var active = false
    /// At the start of a member: the next bytes must be gzip's magic number (or padding).
    private var atMemberStart = true
    private var sawMember = false
    private var produced = 0
    let limit: Int
    /// Inflated bytes per inflate call.
    private static let chunkBytes = 256 * 1024
    private var chunk = [UInt8](repeating: 0, count: GzipStream.chunkBytes)

    init(limit: Int) throws(CurlError) {
        self.limit = limit
    }

    deinit { if active { inflateEnd(&stream) } }

    /// Inflates `input`, appending to `output`.
    func feed(_ input: UnsafeRawBufferPointer, into output: inout Data) throws(CurlError) {
        guard let base = input.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
        var offset = 0
        while offset < input.count {
            if atMemberStart {
                // Trailing zero padding after the last member is tolerated, like gzip(1).
                if sawMember && input[offset...].allSatisfy({ $0 == 0 }) { return }
                guard input[offset] == 0x1f else {
                    throw CurlError(.decompression, "not a gzip file (no gzip magic number)")
                }
                if active { inflateEnd(&stream); active = false }
                stream = z_stream()
                guard rb_inflate_init_gzip(&stream) == Z_OK else {
                    throw CurlError(.decompression, "zlib could not start inflating")
                }
                active = true
                atMemberStart = false
                sawMember = true
            }
            stream.next_in = UnsafeMutablePointer(mutating: base + offset)
            stream.avail_in = uInt(min(input.count - offset, Int(UInt32.max)))
            let fed = Int(stream.avail_in)
            var status: Int32 = Z_OK
            repeat {
                let made = chunk.withUnsafeMutableBufferPointer { outBuf -> Int in
                    stream.next_out = outBuf.baseAddress
                    stream.avail_out = uInt(outBuf.count)
                    status = inflate(&stream, Z_NO_FLUSH)
                    return outBuf.count - Int(stream.avail_out)
                }
                guard status == Z_OK || status == Z_STREAM_END || (status == Z_BUF_ERROR && made > 0) else {
                    if status == Z_BUF_ERROR { break }  // needs more input
                    let reason = stream.msg.map { String(cString: $0) } ?? "zlib error \(status)"
                    throw CurlError(.decompression, "corrupt gzip data: \(reason)")
                }
                produced += made
                guard produced <= limit else {
                    throw CurlError(.tooLarge, "gzip data expands beyond \(limit) bytes")
                }
                output.append(contentsOf: chunk[0..<made])
            } while status != Z_STREAM_END && (stream.avail_in > 0 || stream.avail_out == 0)
            offset += fed - Int(stream.avail_in)
            if status == Z_STREAM_END { atMemberStart = true }
        }
    }

    /// Checks that the data ended with a complete member.
    func finish() throws(CurlError) {
        guard sawMember else { throw CurlError(.decompression, "not a gzip file (empty)") }
        guard atMemberStart else { throw CurlError(.decompression, "truncated gzip data") }
    }
}
