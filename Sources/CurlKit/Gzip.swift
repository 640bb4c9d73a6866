import CCurl
import Foundation

/// gzip files through zlib. lore's `t.mbox.gz` is a gzip *file* served as
/// `application/gzip`, not a Content-Encoding, so libcurl leaves it compressed.
public enum Gzip {
    /// Decompressed output larger than this is refused: a hostile or broken archive must not
    /// exhaust memory. The largest lore threads are tens of MB uncompressed.
    public static let maxDecompressedBytes = 1 << 30

    /// Decompresses a gzip file, including files made of several concatenated members.
    public static func decompress(_ data: Data) throws -> Data {
        guard data.count >= 2, data[data.startIndex] == 0x1f, data[data.startIndex + 1] == 0x8b else {
            throw CurlError(.decompression, "not a gzip file (no gzip magic number)")
        }
        var output = Data()
        var input = [UInt8](data)
        var offset = 0
        try input.withUnsafeMutableBufferPointer { inBuf in
            // One pass per gzip member.
            while offset < inBuf.count {
                var stream = z_stream()
                guard rb_inflate_init_gzip(&stream) == Z_OK else {
                    throw CurlError(.decompression, "zlib could not start inflating")
                }
                defer { inflateEnd(&stream) }
                stream.next_in = inBuf.baseAddress! + offset
                stream.avail_in = uInt(inBuf.count - offset)
                var chunk = [UInt8](repeating: 0, count: 256 * 1024)
                var status: Int32 = Z_OK
                repeat {
                    let produced = chunk.withUnsafeMutableBufferPointer { outBuf -> Int in
                        stream.next_out = outBuf.baseAddress
                        stream.avail_out = uInt(outBuf.count)
                        status = inflate(&stream, Z_NO_FLUSH)
                        return outBuf.count - Int(stream.avail_out)
                    }
                    guard status == Z_OK || status == Z_STREAM_END || (status == Z_BUF_ERROR && produced > 0) else {
                        let reason = stream.msg.map { String(cString: $0) } ?? "zlib error \(status)"
                        throw CurlError(.decompression, "corrupt gzip data: \(reason)")
                    }
                    output.append(contentsOf: chunk[0..<produced])
                    guard output.count <= maxDecompressedBytes else {
                        throw CurlError(.decompression, "gzip data expands beyond \(maxDecompressedBytes) bytes")
                    }
                    if status != Z_STREAM_END && stream.avail_in == 0 && produced == 0 {
                        throw CurlError(.decompression, "truncated gzip data")
                    }
                } while status != Z_STREAM_END
                offset = inBuf.count - Int(stream.avail_in)
                // Trailing zero padding after the last member is tolerated, like gzip(1).
                if inBuf[offset...].allSatisfy({ $0 == 0 }) { break }
            }
        }
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
