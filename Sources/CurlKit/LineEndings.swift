import Foundation

/// Mail line endings: SMTP and IMAP literals want CRLF, mbox files on disk have LF.
public enum LineEndings {
    /// Every bare LF becomes CRLF; existing CRLFs stay as they are.
    public static func crlf(_ data: Data) -> Data {
        var out = Data(capacity: data.count + data.count / 40)
        var previous: UInt8 = 0
        for byte in data {
            if byte == UInt8(ascii: "\n") && previous != UInt8(ascii: "\r") { out.append(UInt8(ascii: "\r")) }
            out.append(byte)
            previous = byte
        }
        return out
    }

    /// Every CRLF becomes LF; a lone CR stays (it is content, not a line ending).
    public static func lf(_ data: Data) -> Data {
        var out = Data(capacity: data.count)
        let bytes = [UInt8](data)
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "\r"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "\n") {
                index += 1
                continue
            }
            out.append(bytes[index])
            index += 1
        }
        return out
    }
}
