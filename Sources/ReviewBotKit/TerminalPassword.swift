import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Asks for a password on the controlling terminal with echo off, as git send-email does
/// when none is configured. It is read from /dev/tty, not standard input, and goes nowhere
/// but into memory: never argv, a file or the screen.
public enum TerminalPassword {
    /// A password longer than this is not typed by a person.
    static let maxBytes = 4096

    /// The terminal settings to put back if a signal ends the process mid-question, so
    /// the shell is not left without echo. Set only while a question is open.
    nonisolated(unsafe) private static var saved = termios()
    nonisolated(unsafe) private static var savedDescriptor: Int32 = -1

    /// Writes `prompt` and reads one line with echo off; nil without a terminal, or on
    /// end of input.
    public static func read(prompt: String) -> String? {
        let fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var original = termios()
        guard tcgetattr(fd, &original) == 0 else { return nil }
        var quiet = original
        quiet.c_lflag &= ~tcflag_t(ECHO)
        quiet.c_lflag |= tcflag_t(ECHONL)
        saved = original
        savedDescriptor = fd
        let handler: @convention(c) (Int32) -> Void = { signal in
            if TerminalPassword.savedDescriptor >= 0 {
                _ = tcsetattr(TerminalPassword.savedDescriptor, TCSAFLUSH, &TerminalPassword.saved)
            }
            Glibc.signal(signal, SIG_DFL)
            raise(signal)
        }
        let oldInterrupt = signal(SIGINT, handler), oldTerminate = signal(SIGTERM, handler)
        defer {
            _ = tcsetattr(fd, TCSAFLUSH, &original)
            savedDescriptor = -1
            signal(SIGINT, oldInterrupt)
            signal(SIGTERM, oldTerminate)
        }
        _ = prompt.withCString { write(fd, $0, strlen($0)) }
        guard tcsetattr(fd, TCSAFLUSH, &quiet) == 0 else { return nil }
        var bytes: [UInt8] = []
        var byte: UInt8 = 0
        while bytes.count < maxBytes {
            let n = Glibc.read(fd, &byte, 1)
            if n < 0, errno == EINTR { continue }
            guard n == 1 else { return bytes.isEmpty ? nil : String(decoding: bytes, as: UTF8.self) }
            if byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") { break }
            bytes.append(byte)
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
