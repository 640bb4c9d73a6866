import Crypto
import Foundation

/// SHA-256 as lowercase hex, for the other modules: the output directory's manifest and
/// the sent-mail ledger identify files and drafts by it.
public enum ContentDigest {
    public static func sha256(_ data: Data) -> String {
        SHA256.hex(of: data)
    }
}
